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

/** Where the first event in `text` ends: its blank line's index and length; null when none is complete. */
function boundary(text: string): { at: number; length: number } | null {
  // model APIs end lines with \n: look for that first, a regular expression only when a \r is there
  if (!text.includes("\r")) {
    const at = text.indexOf("\n\n");
    return at < 0 ? null : { at, length: 2 };
  }
  const match = BOUNDARY.exec(text);
  return match ? { at: match.index, length: match[0].length } : null;
}

export function rewriteSse(body: ReadableStream<Uint8Array>, rewriter: EventRewriter): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";

  /** The complete events in `pending`, rewritten, as text; the incomplete rest stays. */
  const drain = (final: boolean): string => {
    let out = "";
    for (;;) {
      const end = boundary(pending);
      if (!end) break;
      out += rewriteEvent(pending.slice(0, end.at), rewriter);
      pending = pending.slice(end.at + end.length);
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
          pending += decoder.decode();
          const rest = drain(true);
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
  const { head, data } = fieldsOf(text);
  if (data === null || !rewriter.quick(data)) return `${text}\n\n`;
  if (rewriter.removes?.(data)) return "";
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return `${text}\n\n`;
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return `${text}\n\n`;
  let out = "";
  for (const e of rewriter.rewrite(event as Json)) out += `${head}data: ${JSON.stringify(e)}\n\n`;
  return out;
}

/** An event's data (its data lines joined) and its other lines (`event:`, `id:`, comments) as a prefix. */
function fieldsOf(text: string): { head: string; data: string | null } {
  // the usual shape: an optional `event:` line, then one `data:` line
  const at = text.startsWith("data:") ? 0 : text.indexOf("\ndata:") + 1;
  if (at > 0 || text.startsWith("data:")) {
    const line = text.slice(at);
    if (!line.includes("\n") && !line.includes("\r") && !text.slice(0, at).includes("\r"))
      return { head: text.slice(0, at), data: line.slice(line.startsWith("data: ") ? 6 : 5) };
  }
  const data: string[] = [];
  const other: string[] = [];
  for (const l of text.split(/\r\n|\n|\r/)) {
    if (l.startsWith("data:")) data.push(l.slice(l.startsWith("data: ") ? 6 : 5));
    else other.push(l);
  }
  return { head: other.length ? `${other.join("\n")}\n` : "", data: data.length ? data.join("\n") : null };
}
