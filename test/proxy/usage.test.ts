import { describe, expect, it } from "vitest";
import { trackUsage } from "../../src/proxy/usage.ts";

const encoder = new TextEncoder();
const sse = (events: object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");

/** A body whose chunks are released one by one by the test. */
function controlled() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = null;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: (reason) => void (cancelled = reason ?? "cancelled"),
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    cancelled: () => cancelled,
  };
}

describe("trackUsage", () => {
  it("reads Anthropic usage from a JSON body and passes the body through byte for byte", async () => {
    const text = JSON.stringify({
      id: "msg",
      content: [{ type: "text", text: 'a "usage": {} in text' }],
      usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 7 },
    });
    const { response, usage } = trackUsage(
      new Response(text, { status: 200, headers: { "content-type": "application/json", "x-origin": "yes" } }),
    );
    expect(response.headers.get("x-origin")).toBe("yes");
    expect(await response.text()).toBe(text);
    expect(await usage).toEqual({ inputTokens: 15, outputTokens: 7, source: "reported" });
  });

  it("reads OpenAI usage from a JSON body, and from a large one by its tail", async () => {
    const small = trackUsage(
      Response.json({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 } }),
    );
    await small.response.arrayBuffer();
    expect(await small.usage).toEqual({ inputTokens: 11, outputTokens: 22, source: "reported" });
    const big = trackUsage(
      Response.json({
        choices: [{ message: { content: "x".repeat(3 << 20) } }],
        usage: { prompt_tokens: 1, completion_tokens: 786432 },
      }),
    );
    expect((await big.response.arrayBuffer()).byteLength).toBeGreaterThan(3 << 20);
    expect(await big.usage).toEqual({ inputTokens: 1, outputTokens: 786432, source: "reported" });
  });

  it("reads Anthropic SSE usage without holding the stream back", async () => {
    const body = controlled();
    const { response, usage } = trackUsage(
      new Response(body.stream, { headers: { "content-type": "text/event-stream; charset=utf-8" } }),
    );
    const reader = response.body!.getReader();
    const start = sse([
      {
        type: "message_start",
        message: { usage: { input_tokens: 50, cache_creation_input_tokens: 3, output_tokens: 1 } },
      },
    ]);
    body.push(start);
    // The first event reaches the client before the origin has sent anything else.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(start);
    // An event split across chunks, with CRLF line ends.
    const delta = `data: ${JSON.stringify({ type: "message_delta", delta: {}, usage: { output_tokens: 99 } })}\r\n\r\n`;
    body.push(delta.slice(0, 20));
    body.push(delta.slice(20));
    body.end();
    while (!(await reader.read()).done);
    expect(await usage).toEqual({ inputTokens: 53, outputTokens: 99, source: "reported" });
  });

  it("reads OpenAI's final usage chunk (stream_options.include_usage)", async () => {
    const chunks = sse([
      { choices: [{ delta: { content: "Hel" } }], usage: null },
      { choices: [{ delta: { content: "lo" } }], usage: null },
      { choices: [], usage: { prompt_tokens: 12, completion_tokens: 2 } },
    ]);
    const text = `${chunks}data: [DONE]\n\n`;
    const { response, usage } = trackUsage(new Response(text, { headers: { "content-type": "text/event-stream" } }));
    expect(await response.text()).toBe(text);
    expect(await usage).toEqual({ inputTokens: 12, outputTokens: 2, source: "reported" });
  });

  it("resolves with what was produced when the client cancels early, and cancels the origin", async () => {
    const body = controlled();
    const { response, usage } = trackUsage(
      new Response(body.stream, { headers: { "content-type": "text/event-stream" } }),
    );
    body.push(
      sse([
        { choices: [{ delta: { content: "x".repeat(80) } }] },
        { choices: [{ delta: { content: "y".repeat(40) } }] },
      ]),
    );
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel("gone");
    expect(await usage).toEqual({ inputTokens: null, outputTokens: 30, source: "partial" });
    expect(body.cancelled()).toBe("gone");
  });

  it("counts no tokens for an error answer, and none it cannot read", async () => {
    expect(await trackUsage(Response.json({ type: "error" }, { status: 529 })).usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      source: "error",
    });
    const plain = trackUsage(new Response("hello", { headers: { "content-type": "text/plain" } }));
    expect(await plain.response.text()).toBe("hello");
    expect(await plain.usage).toBeNull();
    const noUsage = trackUsage(Response.json({ ok: true }));
    await noUsage.response.text();
    expect(await noUsage.usage).toBeNull();
  });

  it("reads usage through gzip, passing the compressed bytes on unchanged", async () => {
    const json = JSON.stringify({ usage: { input_tokens: 4, output_tokens: 5 } });
    const gzipped = new Uint8Array(
      await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );
    const { response, usage } = trackUsage(
      new Response(gzipped, { headers: { "content-type": "application/json", "content-encoding": "gzip" } }),
    );
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(gzipped);
    expect(await usage).toEqual({ inputTokens: 4, outputTokens: 5, source: "reported" });
  });
});
