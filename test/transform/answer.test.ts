// The answer side of degrade, pure: whole answers and streamed events.
import { describe, expect, it } from "vitest";
import { type AnswerPlan, degradeAnswer } from "../../src/transform/answer.ts";
import { WITHHELD } from "../../src/transform/api.ts";
import { eventRewriter } from "../../src/transform/events.ts";

const plan = (api: AnswerPlan["api"], over: Partial<AnswerPlan> = {}): AnswerPlan => ({
  api,
  reasoning: "drop",
  keepReasoningItems: false,
  ...over,
});

const text = { type: "text", text: "The answer." };
const usage = { input_tokens: 10, output_tokens: 500 };

describe("a JSON answer", () => {
  it("Anthropic: thinking and redacted_thinking blocks removed, or replaced by a withheld block; usage untouched", () => {
    const answer = {
      type: "message",
      content: [
        { type: "thinking", thinking: "secret", signature: "s" },
        { type: "redacted_thinking", data: "x" },
        text,
      ],
      usage,
    };
    expect(degradeAnswer(answer, plan("anthropic"))).toEqual({ type: "message", content: [text], usage });
    expect(degradeAnswer(answer, plan("anthropic", { reasoning: "replace" }))).toMatchObject({
      content: [
        { type: "thinking", thinking: WITHHELD, signature: "" },
        { type: "thinking", thinking: WITHHELD, signature: "" },
        text,
      ],
    });
  });

  it("Chat Completions: reasoning text removed from messages", () => {
    const answer = {
      choices: [{ index: 0, message: { role: "assistant", content: "A", reasoning_content: "secret" } }],
    };
    expect(degradeAnswer(answer, plan("chat"))).toEqual({
      choices: [{ index: 0, message: { role: "assistant", content: "A" } }],
    });
  });

  it("Responses: reasoning items removed, or kept emptied when the request had tools", () => {
    const reasoning = {
      type: "reasoning",
      id: "rs_1",
      summary: [{ type: "summary_text", text: "secret" }],
      encrypted_content: "e",
    };
    const call = { type: "function_call", id: "fc_1", name: "t", arguments: "{}", call_id: "c" };
    const answer = { object: "response", output: [reasoning, call], usage };
    expect(degradeAnswer(answer, plan("responses"))).toEqual({ object: "response", output: [call], usage });
    expect(degradeAnswer(answer, plan("responses", { keepReasoningItems: true }))).toEqual({
      object: "response",
      output: [{ type: "reasoning", id: "rs_1", summary: [], encrypted_content: "e" }, call],
      usage,
    });
  });

  it("an error body or another shape passes as it is", () => {
    const error = { type: "error", error: { type: "overloaded_error" } };
    expect(degradeAnswer(error, plan("anthropic"))).toBe(error);
  });
});

describe("streamed events", () => {
  it("Anthropic: thinking blocks' events removed, the blocks after renumbered 0, 1, ...", () => {
    const r = eventRewriter(plan("anthropic"));
    const events = [
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "secret" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "x" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 2, delta: { type: "text_delta", text: "A" } },
      { type: "content_block_stop", index: 2 },
      { type: "content_block_start", index: 3, content_block: { type: "tool_use", id: "t", name: "n", input: {} } },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 500 } },
    ];
    expect(events.flatMap((e) => r.rewrite(e))).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "A" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "t", name: "n", input: {} } },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 500 } },
    ]);
  });

  it("Anthropic replace: the block kept in place with a notice, its deltas removed", () => {
    const r = eventRewriter(plan("anthropic", { reasoning: "replace" }));
    const out = [
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "secret" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "s" } },
      { type: "content_block_stop", index: 0 },
    ].flatMap((e) => r.rewrite(e));
    expect(out).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: WITHHELD, signature: "" } },
      { type: "content_block_stop", index: 0 },
    ]);
  });

  it("Responses: reasoning events removed, later output_index renumbered, the final response degraded", () => {
    const r = eventRewriter(plan("responses"));
    const item = { type: "reasoning", id: "rs", summary: [] };
    const out = [
      { type: "response.output_item.added", output_index: 0, item },
      { type: "response.reasoning_summary_text.delta", output_index: 0, delta: "secret" },
      { type: "response.output_item.done", output_index: 0, item },
      { type: "response.output_item.added", output_index: 1, item: { type: "message", content: [] } },
      { type: "response.output_text.delta", output_index: 1, content_index: 0, delta: "A" },
      { type: "response.completed", response: { output: [item, { type: "message" }] } },
    ].flatMap((e) => r.rewrite(e));
    expect(out).toEqual([
      { type: "response.output_item.added", output_index: 0, item: { type: "message", content: [] } },
      { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "A" },
      { type: "response.completed", response: { output: [{ type: "message" }] } },
    ]);
  });

  it("Chat Completions: reasoning deltas emptied, the rest of the chunk kept", () => {
    const r = eventRewriter(plan("chat"));
    expect(r.rewrite({ choices: [{ index: 0, delta: { reasoning_content: "secret" }, finish_reason: null }] })).toEqual(
      [{ choices: [{ index: 0, delta: {}, finish_reason: null }] }],
    );
  });
});
