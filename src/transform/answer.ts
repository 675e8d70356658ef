import { type Json, type ModelApi, WITHHELD, isObject } from "./api.ts";

/**
 * The answer side of `degrade`, pure: reasoning removed from (or replaced in)
 * a whole answer. The answer stays valid for its API's schema; usage is left
 * as the origin reported it (the token post-charge reads it).
 *
 * - Anthropic: `thinking` and `redacted_thinking` content blocks.
 * - Chat Completions: `reasoning_content` / `reasoning` on a message (servers
 *   compatible with the API that return reasoning text).
 * - Responses: `reasoning` output items; where the request had tools they are
 *   kept (a function call must be sent back with its reasoning item) with
 *   their summary and text removed.
 */
export interface AnswerPlan {
  api: ModelApi;
  reasoning: "drop" | "replace";
  /** Responses: keep reasoning items, emptied, instead of removing them. */
  keepReasoningItems: boolean;
}

const THINKING = new Set(["thinking", "redacted_thinking"]);

export const isThinkingBlock = (block: unknown): boolean => isObject(block) && THINKING.has(block.type);

/** A thinking block in place of one withheld (replace): valid for the SDKs, with nothing in it to learn from. */
export const withheldThinking = (): Json => ({ type: "thinking", thinking: WITHHELD, signature: "" });

/** Anthropic content blocks without their thinking. */
export function degradeContent(content: unknown[], reasoning: AnswerPlan["reasoning"]): unknown[] {
  if (reasoning === "drop") return content.filter((b) => !isThinkingBlock(b));
  return content.map((b) => (isThinkingBlock(b) ? withheldThinking() : b));
}

/** A Chat Completions message or delta without reasoning text. */
export function degradeChatMessage(message: Json, reasoning: AnswerPlan["reasoning"]): Json {
  if (message.reasoning_content === undefined && message.reasoning === undefined) return message;
  const out: Json = { ...message };
  for (const field of ["reasoning_content", "reasoning"] as const) {
    if (out[field] === undefined) continue;
    if (reasoning === "replace" && typeof out[field] === "string") out[field] = WITHHELD;
    else delete out[field];
  }
  return out;
}

/** A Responses reasoning item with nothing to learn from: no summary, no text (its encrypted content, opaque to the client, stays for the next turn). */
export function emptiedReasoningItem(item: Json, reasoning: AnswerPlan["reasoning"]): Json {
  const out: Json = { ...item, summary: reasoning === "replace" ? [{ type: "summary_text", text: WITHHELD }] : [] };
  delete out.content;
  return out;
}

/** A Responses `output` list degraded. */
export function degradeOutput(output: unknown[], plan: AnswerPlan): unknown[] {
  const out: unknown[] = [];
  for (const item of output) {
    if (!isObject(item) || item.type !== "reasoning") out.push(item);
    else if (plan.keepReasoningItems || plan.reasoning === "replace")
      out.push(emptiedReasoningItem(item, plan.reasoning));
  }
  return out;
}

/** A whole JSON answer degraded; an answer of another shape (an error) is returned as it is. */
export function degradeAnswer(body: unknown, plan: AnswerPlan): unknown {
  if (!isObject(body)) return body;
  if (plan.api === "anthropic") {
    return Array.isArray(body.content) ? { ...body, content: degradeContent(body.content, plan.reasoning) } : body;
  }
  if (plan.api === "chat") {
    if (!Array.isArray(body.choices)) return body;
    const choices = body.choices.map((c: unknown) =>
      isObject(c) && isObject(c.message) ? { ...c, message: degradeChatMessage(c.message, plan.reasoning) } : c,
    );
    return { ...body, choices };
  }
  return Array.isArray(body.output) ? { ...body, output: degradeOutput(body.output, plan) } : body;
}
