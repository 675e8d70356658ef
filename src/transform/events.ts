import {
  type AnswerPlan,
  degradeChatMessage,
  degradeContent,
  degradeOutput,
  emptiedReasoningItem,
  isThinkingBlock,
  withheldThinking,
} from "./answer.ts";
import { type Json, isObject } from "./api.ts";

/**
 * The answer side of `degrade` for streams, one event at a time: a rewriter
 * takes an event's parsed data and returns the events to send instead (none,
 * the same, or a changed one). It holds only the numbering of the blocks or
 * items it has seen, never the text.
 *
 * - Anthropic: a thinking block's `content_block_start` / `_delta` / `_stop`
 *   are removed (or the block is replaced by a withheld one, its deltas
 *   removed) and the blocks after it renumbered, so `index` stays 0, 1, 2...
 * - Chat Completions: `reasoning_content` / `reasoning` removed from deltas.
 * - Responses: reasoning items (`response.output_item.*` of type reasoning)
 *   removed or emptied, every `response.reasoning_*` event removed, the
 *   `output_index` of later items renumbered, and the final response's
 *   `output` degraded like a whole answer.
 *
 * `quick` says whether an event's raw text may need a change at all: events
 * that fail it are passed on as they came, unparsed; `removes`, when given,
 * recognises from the raw text an event that is removed whole (the deltas of
 * a removed block), so it is never parsed.
 */
export interface EventRewriter {
  quick(data: string): boolean;
  removes?(data: string): boolean;
  rewrite(event: Json): Json[];
}

export function eventRewriter(plan: AnswerPlan): EventRewriter {
  if (plan.api === "anthropic") return anthropicRewriter(plan);
  if (plan.api === "chat") return chatRewriter(plan);
  return responsesRewriter(plan);
}

/** Maps the origin's block (or item) numbers to those the client sees, skipping removed ones. */
function renumbering() {
  const removed = new Set<number>();
  return {
    removed,
    remove: (n: number) => removed.add(n),
    /** The client's number for the origin's `n`: `n` less the removed ones before it. */
    map(n: number): number {
      let shift = 0;
      for (const r of removed) if (r < n) shift++;
      return n - shift;
    },
  };
}

function anthropicRewriter(plan: AnswerPlan): EventRewriter {
  const blocks = renumbering();
  const replaced = new Set<number>();
  return {
    // once a block is removed (or replaced) every later block event carries an index to renumber (or a
    // signature delta to remove)
    quick: (data) => data.includes("thinking") || (blocks.removed.size + replaced.size > 0 && data.includes('"index"')),
    // a delta or stop of a removed block: its top-level index (no key "index" is nested in these events)
    removes(data) {
      if (blocks.removed.size === 0 || !/^\{"type":"content_block_(delta|stop)"/.test(data)) return false;
      const index = /"index":(\d+)/.exec(data);
      return index !== null && blocks.removed.has(Number(index[1]));
    },
    rewrite(event) {
      const index = typeof event.index === "number" ? event.index : null;
      if (event.type === "message_start" && isObject(event.message) && Array.isArray(event.message.content)) {
        return [
          { ...event, message: { ...event.message, content: degradeContent(event.message.content, plan.reasoning) } },
        ];
      }
      if (index === null) return [event];
      if (event.type === "content_block_start" && isThinkingBlock(event.content_block)) {
        if (plan.reasoning === "drop") {
          blocks.remove(index);
          return [];
        }
        replaced.add(index);
        return [{ ...event, index: blocks.map(index), content_block: withheldThinking() }];
      }
      if (blocks.removed.has(index)) return [];
      // a replaced block's thinking and signature deltas carry what was withheld
      if (event.type === "content_block_delta" && replaced.has(index)) return [];
      return [{ ...event, index: blocks.map(index) }];
    },
  };
}

function chatRewriter(plan: AnswerPlan): EventRewriter {
  const noticed = new Set<number>();
  return {
    quick: (data) => data.includes('"reasoning'),
    rewrite(event) {
      if (!Array.isArray(event.choices)) return [event];
      const choices = event.choices.map((c: unknown) => {
        if (!isObject(c) || !isObject(c.delta)) return c;
        const index = typeof c.index === "number" ? c.index : 0;
        // replace: the notice once per choice, the rest of its reasoning removed
        const mode = plan.reasoning === "replace" && !noticed.has(index) ? "replace" : "drop";
        const delta = degradeChatMessage(c.delta, mode);
        if (delta !== c.delta && mode === "replace") noticed.add(index);
        return delta === c.delta ? c : { ...c, delta };
      });
      return [{ ...event, choices }];
    },
  };
}

function responsesRewriter(plan: AnswerPlan): EventRewriter {
  const items = renumbering();
  const keep = plan.keepReasoningItems || plan.reasoning === "replace";
  return {
    quick: (data) => data.includes("reasoning") || (items.removed.size > 0 && data.includes('"output_index"')),
    rewrite(event) {
      const type = typeof event.type === "string" ? event.type : "";
      // summary parts and text, reasoning text: the reasoning itself
      if (type.startsWith("response.reasoning")) return [];
      if (isObject(event.response) && Array.isArray(event.response.output)) {
        return [{ ...event, response: { ...event.response, output: degradeOutput(event.response.output, plan) } }];
      }
      const at = typeof event.output_index === "number" ? event.output_index : null;
      if (at === null) return [event];
      if ((type === "response.output_item.added" || type === "response.output_item.done") && isObject(event.item)) {
        if (event.item.type === "reasoning") {
          if (!keep) {
            items.remove(at);
            return [];
          }
          return [{ ...event, output_index: items.map(at), item: emptiedReasoningItem(event.item, plan.reasoning) }];
        }
      }
      if (items.removed.has(at)) return [];
      return [{ ...event, output_index: items.map(at) }];
    },
  };
}
