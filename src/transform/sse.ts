import type { Json } from "./api.ts";
import type { EventRewriter } from "./events.ts";

/**
 * An SSE body rewritten event by event: each complete event is passed to the
 * rewriter as soon as its blank line arrives and what it returns is sent at
 * once; nothing waits for the stream's end. Only the current, incomplete
 * event is held, at most `MAX_EVENT_CHARS`: a longer one ends the stream with
 * an error rather than grow memory. Events the rewriter's `quick` test rules
 * out (and data that is not JSON, such as `[DONE]`) are passed on unparsed.
 * Cancelling the result cancels the origin's body.
 */
export const MAX_EVENT_CHARS = 1 << 20;

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;

export function rewriteSse(body: ReadableStream<Uint8Array>, rewriter: EventRewriter): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";

  /** The complete events in `pending`, rewritten, as text; the incomplete rest stays. */
  const drain = (final: boolean): string => {
    let out = "";
    for (;;) {
      const match = BOUNDARY.exec(pending);
      if (!match) break;
      out += rewriteEvent(pending.slice(0, match.index), rewriter);
      pending = pending.slice(match.index + match[0].length);
    }
    if (final && pending.trim() !== "") out += rewriteEvent(pending, rewriter);
    if (final) pending = "";
    return out;
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // read until there is something to send: a chunk holding only removed events sends nothing
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          const rest = drain(true) + decoder.decode();
          if (rest) controller.enqueue(encoder.encode(rest));
          controller.close();
          return;
        }
        pending += decoder.decode(next.value, { stream: true });
        const text = drain(false);
        if (pending.length > MAX_EVENT_CHARS) {
          void reader.cancel("event too large").catch(() => {});
          controller.error(new Error(`an SSE event longer than ${MAX_EVENT_CHARS} characters`));
          return;
        }
        if (text) {
          controller.enqueue(encoder.encode(text));
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** One event's text (without its blank line) rewritten, each resulting event ended by a blank line. */
export function rewriteEvent(text: string, rewriter: EventRewriter): string {
  const lines = text.split(/\r\n|\n|\r/);
  const data: string[] = [];
  const other: string[] = [];
  for (const line of lines) {
    if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    else other.push(line);
  }
  const joined = data.join("\n");
  if (data.length === 0 || !rewriter.quick(joined)) return `${text}\n\n`;
  let event: unknown;
  try {
    event = JSON.parse(joined);
  } catch {
    return `${text}\n\n`;
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return `${text}\n\n`;
  const head = other.length ? `${other.join("\n")}\n` : "";
  return rewriter
    .rewrite(event as Json)
    .map((e) => `${head}data: ${JSON.stringify(e)}\n\n`)
    .join("");
}
