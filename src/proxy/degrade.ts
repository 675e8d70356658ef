import type { AnswerPlan } from "../transform/answer.ts";
import { degradeAnswer } from "../transform/answer.ts";
import { eventRewriter } from "../transform/events.ts";
import { rewriteSse } from "../transform/sse.ts";

/**
 * Applies the answer side of `degrade` to the origin's response (transform/
 * holds the rules): an SSE stream rewritten event by event as it passes, a
 * JSON answer read whole (it is complete at the origin when sent), degraded
 * and sent on. Error answers and other types pass untouched. The origin was
 * asked for an uncompressed body (`accept-encoding: identity`); gzip or
 * deflate is decoded anyway, and the result goes out uncompressed (the
 * runtime may compress it for the client).
 */

/** Largest JSON answer degraded: a longer one ends in an error rather than grow memory. */
export const MAX_JSON_ANSWER = 32 << 20;

export function degradeResponse(response: Response, plan: AnswerPlan): Response {
  if (!response.body || response.status < 200 || response.status >= 300) return response;
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  const sse = type.includes("text/event-stream");
  if (!sse && !type.includes("json")) return response;
  const encoding = (response.headers.get("content-encoding") ?? "identity").toLowerCase().trim();
  // an encoding the runtime cannot decode: the origin ignored accept-encoding: identity (docs/actions.md)
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "deflate") return response;
  const decoded =
    encoding === "identity" ? response.body : response.body.pipeThrough(new DecompressionStream(encoding));
  const headers = new Headers(response.headers);
  headers.delete("content-encoding");
  headers.delete("content-length");
  const body = sse ? rewriteSse(decoded, eventRewriter(plan)) : degradedJson(decoded, plan);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** The JSON answer read whole, degraded, sent as one chunk; text that is not JSON is sent as it came. */
function degradedJson(body: ReadableStream<Uint8Array>, plan: AnswerPlan): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const decoder = new TextDecoder();
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (text.length > MAX_JSON_ANSWER) {
          void reader.cancel("answer too large").catch(() => {});
          controller.error(new Error(`a JSON answer longer than ${MAX_JSON_ANSWER} characters`));
          return;
        }
      }
      text += decoder.decode();
      let out = text;
      try {
        out = JSON.stringify(degradeAnswer(JSON.parse(text), plan));
      } catch {
        // not JSON after all: as it came
      }
      controller.enqueue(new TextEncoder().encode(out));
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
