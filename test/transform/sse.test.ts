// SSE rewriting: event by event as chunks arrive, memory bounded by the current event, whatever the stream's length.
import { describe, expect, it } from "vitest";
import type { AnswerPlan } from "../../src/transform/answer.ts";
import { eventRewriter } from "../../src/transform/events.ts";
import { MAX_EVENT_CHARS, rewriteSse } from "../../src/transform/sse.ts";

const plan: AnswerPlan = { api: "anthropic", reasoning: "drop", keepReasoningItems: false };
const encoder = new TextEncoder();
const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** A source of `n` chunks made as they are pulled; `pulled` counts them. */
function source(n: number, chunk: (i: number) => string) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled === n) return controller.close();
        controller.enqueue(encoder.encode(chunk(state.pulled++)));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("rewriteSse", () => {
  it("handles events split across chunks and several in one chunk, CRLF included", async () => {
    const text =
      sse("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "" } }) +
      sse("content_block_stop", { index: 0 }) +
      sse("content_block_start", { index: 1, content_block: { type: "text", text: "" } }).replaceAll("\n", "\r\n") +
      "data: [DONE]\n\n";
    const pieces = text.match(/[\s\S]{1,7}/g)!;
    const { stream } = source(pieces.length, (i) => pieces[i]!);
    const out = await readAll(rewriteSse(stream, eventRewriter(plan)));
    expect(out).toBe(
      `event: content_block_start\ndata: ${JSON.stringify({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })}\n\ndata: [DONE]\n\n`,
    );
  });

  it("sends each event as its chunk arrives: a long stream is never read ahead (memory stays flat)", async () => {
    const events = 20_000;
    // a thinking block first, so every later event is parsed and renumbered, not passed through
    const { stream, state } = source(events, (i) =>
      i === 0
        ? sse("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "" } }) +
          sse("content_block_stop", { index: 0 })
        : sse("content_block_delta", { index: 1, delta: { type: "text_delta", text: `word ${i} ` } }),
    );
    const reader = rewriteSse(stream, eventRewriter(plan)).getReader();
    const decoder = new TextDecoder();
    let received = 0;
    let maxAhead = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value);
      received += text.split("\n\n").length - 1;
      expect(text).toContain('"index":0');
      // chunks taken from the origin but not yet handed on: at most the one being turned into this output
      maxAhead = Math.max(maxAhead, state.pulled - (received + 1));
    }
    expect(received).toBe(events - 1);
    expect(maxAhead).toBeLessThanOrEqual(1);
  });

  it("ends the stream with an error rather than hold an event longer than the bound", async () => {
    const big = `data: {"type":"content_block_delta","thinking":"${"x".repeat(MAX_EVENT_CHARS)}`;
    const { stream } = source(2, (i) => (i === 0 ? big : "more"));
    await expect(readAll(rewriteSse(stream, eventRewriter(plan)))).rejects.toThrow(/longer than/);
  });

  it("replace: a withheld block's signature delta is removed too (its data does not name thinking)", async () => {
    const text =
      sse("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }) +
      sse("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "secret" } }) +
      sse("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-secret" } }) +
      sse("content_block_stop", { index: 0 });
    const { stream } = source(1, () => text);
    const out = await readAll(rewriteSse(stream, eventRewriter({ ...plan, reasoning: "replace" })));
    expect(out).not.toContain("secret");
    expect(out.split("\n\n").filter(Boolean)).toHaveLength(2);
  });

  it("cancelling the result cancels the origin's body", async () => {
    let cancelled: unknown = null;
    const origin = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(encoder.encode(sse("ping", {}))),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    const reader = rewriteSse(origin, eventRewriter(plan)).getReader();
    await reader.read();
    await reader.cancel("client left");
    expect(cancelled).toBe("client left");
  });
});
