/**
 * Reads the token usage the origin reports while the response streams through
 * to the client, untouched and undelayed: each chunk is passed on as it comes
 * and only observed. Used to post-charge token-weighted buckets.
 *
 * - JSON bodies: `usage` at the top level (Anthropic `input_tokens` /
 *   `output_tokens`, OpenAI `prompt_tokens` / `completion_tokens`) or under
 *   `response` (OpenAI Responses API). The body is teed: the client's branch
 *   streams natively (no JavaScript per chunk, the cheapest way through
 *   workerd), a copy is read on the side to its end, even when the client
 *   leaves early (a JSON answer is complete at the origin when it is sent).
 *   The runtime holds for the slower branch what the other has read: at
 *   most the body, and only while a client reads slower than the origin
 *   sends. Of the copy's text 1 MiB is kept; past that only its last 64 KiB,
 *   where `usage` sits.
 * - SSE streams: Anthropic `message_start` (input) and `message_delta`
 *   (cumulative output); OpenAI chat chunks' `usage` (sent with
 *   `stream_options.include_usage`); Responses API `response.completed`.
 *   Observed chunk by chunk as they pass, so a client going away cancels
 *   the origin at once. Only the current line is held.
 * - A stream that ends early (the client cancels, the origin drops) resolves
 *   with what was produced: reported input if seen, output estimated from the
 *   text deltas seen (characters / 4) unless a cumulative figure came.
 * - gzip / deflate bodies are read through a DecompressionStream on the side.
 */
export interface Usage {
  /** Input tokens (cached and uncached) as the origin reported them; null when it did not say. */
  inputTokens: number | null;
  outputTokens: number;
  /** "reported": the origin's final figures. "partial": the body ended before them (estimated output). "error": a non-2xx answer, no tokens used. */
  source: "reported" | "partial" | "error";
}

export interface TrackedResponse {
  /** The response to send on: same status and headers, the body passed through. */
  response: Response;
  /** Resolves when the body ends or is cancelled; null when usage cannot be read (not JSON/SSE, unknown encoding, no usage). Never rejects. */
  usage: Promise<Usage | null>;
}

const JSON_KEEP = 1 << 20;
const JSON_TAIL = 64 << 10;
const LINE_MAX = 1 << 20;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
// biome-ignore lint/suspicious/noExplicitAny: usage objects of several APIs are read field by field, each value checked before use
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null;

/** Input and output from a `usage` object of any of the known shapes. */
export function readUsageObject(u: unknown): { input: number | null; output: number | null } | null {
  if (!isObject(u)) return null;
  const anthropicInput = num(u.input_tokens);
  const input =
    anthropicInput !== null
      ? anthropicInput + (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0)
      : num(u.prompt_tokens);
  const output = num(u.output_tokens) ?? num(u.completion_tokens);
  return input === null && output === null ? null : { input, output };
}

/** Finds the last `"usage": {...}` object in a piece of JSON text (for bodies too large to keep whole). */
function usageFromTail(text: string): ReturnType<typeof readUsageObject> {
  let at = text.lastIndexOf('"usage"');
  while (at >= 0) {
    const open = text.indexOf("{", at);
    if (open >= 0 && /^"usage"\s*:\s*$/.test(text.slice(at, open))) {
      let depth = 0;
      let inString = false;
      for (let i = open; i < text.length; i++) {
        const ch = text[i];
        if (inString) {
          if (ch === "\\") i++;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === "{") depth++;
        else if (ch === "}" && --depth === 0) {
          try {
            return readUsageObject(JSON.parse(text.slice(open, i + 1)));
          } catch {
            return null;
          }
        }
      }
    }
    at = text.lastIndexOf('"usage"', at - 1);
  }
  return null;
}

interface Parser {
  kind: "json" | "sse";
  feed(text: string): void;
  result(ended: boolean): Usage | null;
}

function jsonParser(): Parser {
  let text = "";
  let truncated = false;
  return {
    kind: "json",
    feed(chunk) {
      text += chunk;
      if (text.length > JSON_KEEP) {
        truncated = true;
        text = text.slice(-JSON_TAIL);
      }
    },
    result(ended) {
      let u: ReturnType<typeof readUsageObject> = null;
      if (!truncated) {
        try {
          const body: unknown = JSON.parse(text);
          if (isObject(body))
            u = readUsageObject(body.usage) ?? readUsageObject(isObject(body.response) ? body.response.usage : null);
        } catch {
          u = usageFromTail(text);
        }
      } else {
        u = usageFromTail(text);
      }
      if (!u || u.output === null) return null;
      return { inputTokens: u.input, outputTokens: u.output, source: ended ? "reported" : "partial" };
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a stream event of any of the known shapes; every field read is checked
function textOfDelta(event: Record<string, any>): number {
  let n = 0;
  const add = (v: unknown) => {
    if (typeof v === "string") n += v.length;
  };
  if (event.type === "content_block_delta" && isObject(event.delta)) {
    add(event.delta.text);
    add(event.delta.thinking);
    add(event.delta.partial_json);
  } else if (event.type === "response.output_text.delta" || event.type === "response.reasoning_text.delta") {
    add(event.delta);
  } else if (Array.isArray(event.choices)) {
    for (const choice of event.choices) {
      const d = isObject(choice) ? choice.delta : null;
      if (!isObject(d)) continue;
      add(d.content);
      add(d.reasoning_content);
      add(d.reasoning);
      if (Array.isArray(d.tool_calls))
        for (const t of d.tool_calls) if (isObject(t) && isObject(t.function)) add(t.function.arguments);
    }
  }
  return n;
}

function sseParser(): Parser {
  let line = "";
  let skipping = false;
  let input: number | null = null;
  let output: number | null = null;
  let final = false;
  let produced = 0;
  const onData = (data: string) => {
    if (data === "[DONE]") return;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (!isObject(event)) return;
    produced += textOfDelta(event);
    let u: ReturnType<typeof readUsageObject> = null;
    if (event.type === "message_start" && isObject(event.message)) {
      u = readUsageObject(event.message.usage);
    } else if (event.type === "message_delta") {
      u = readUsageObject(event.usage);
      if (u?.output != null) final = true;
    } else if (
      (event.type === "response.completed" || event.type === "response.incomplete") &&
      isObject(event.response)
    ) {
      u = readUsageObject(event.response.usage);
      if (u?.output != null) final = true;
    } else if (isObject(event.usage)) {
      u = readUsageObject(event.usage);
      if (u?.output != null) final = true;
    }
    if (u?.input != null) input = u.input;
    if (u?.output != null) output = u.output;
  };
  const onLine = (l: string) => {
    if (l.startsWith("data:")) onData(l.slice(l.startsWith("data: ") ? 6 : 5));
  };
  return {
    kind: "sse",
    feed(chunk) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf("\n", start);
        if (nl < 0) break;
        const piece = chunk.slice(start, nl);
        if (!skipping) onLine((line + piece).replace(/\r$/, ""));
        line = "";
        skipping = false;
        start = nl + 1;
      }
      if (!skipping) {
        line += chunk.slice(start);
        if (line.length > LINE_MAX) {
          line = "";
          skipping = true;
        }
      }
    },
    result(ended) {
      if (ended && line && !skipping) onLine(line.replace(/\r$/, ""));
      line = "";
      if (final && output !== null)
        return { inputTokens: input, outputTokens: output, source: ended ? "reported" : "partial" };
      if (input === null && output === null && produced === 0)
        return ended ? null : { inputTokens: null, outputTokens: 0, source: "partial" };
      return { inputTokens: input, outputTokens: Math.max(output ?? 0, Math.ceil(produced / 4)), source: "partial" };
    },
  };
}

const NONE: Promise<Usage | null> = Promise.resolve(null);

/**
 * Wraps a response so its usage can be read as it streams by.
 * @example
 * const { response, usage } = trackUsage(await fetch(originRequest));
 * ctx.waitUntil(limits.reconcile(usage));
 * return response;
 */
export function trackUsage(response: Response): TrackedResponse {
  if (!response.body) return { response, usage: NONE };
  if (response.status < 200 || response.status >= 300) {
    return { response, usage: Promise.resolve({ inputTokens: 0, outputTokens: 0, source: "error" }) };
  }
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  const parser = type.includes("text/event-stream") ? sseParser() : type.includes("json") ? jsonParser() : null;
  const encoding = (response.headers.get("content-encoding") ?? "identity").toLowerCase().trim();
  if (!parser || !["identity", "gzip", "deflate"].includes(encoding)) return { response, usage: NONE };

  let settle!: (u: Usage | null) => void;
  const usage = new Promise<Usage | null>((resolve) => (settle = resolve));
  const finish = (ended: boolean) => {
    try {
      settle(parser.result(ended));
    } catch {
      settle(null);
    }
  };

  // A JSON answer is complete at the origin once it is sent: read a copy on the side, and the
  // client's copy streams on natively, with no JavaScript per chunk.
  if (parser.kind === "json") {
    const [client, side] = response.body.tee();
    void readAside(
      encoding === "identity" ? side : side.pipeThrough(new DecompressionStream(encoding as "gzip" | "deflate")),
      parser,
    ).then(finish);
    // The Response as init keeps its `encodeBody: "manual"` (see forward.ts): a compressed body is not compressed again.
    return { response: new Response(client, response), usage };
  }

  // A stream is read as it passes, so that a client going away cancels the origin at once and the usage
  // so far is known. Identity: decode the chunks. Compressed: feed a decompressor on the side.
  let observe: (chunk: Uint8Array) => void;
  let end: (ended: boolean) => void;
  if (encoding === "identity") {
    const decoder = new TextDecoder();
    observe = (chunk) => parser.feed(decoder.decode(chunk, { stream: true }));
    end = (ended) => {
      parser.feed(decoder.decode());
      finish(ended);
    };
  } else {
    const decompressor = new DecompressionStream(encoding as "gzip" | "deflate");
    const writer = decompressor.writable.getWriter();
    const reading = readAside(decompressor.readable, parser);
    observe = (chunk) => void writer.write(chunk.slice()).catch(() => {});
    end = (ended) => {
      (ended ? writer.close() : writer.abort()).catch(() => {});
      void reading.then(() => finish(ended));
    };
  }
  return { response: new Response(observed(response.body, observe, end), response), usage };
}

const safely = (f: () => void) => {
  try {
    f();
  } catch {
    /* observing must never break the stream */
  }
};

/**
 * `body` passed through chunk by chunk, each shown to `observe` after it is
 * passed on; `end(true)` at its end, `end(false)` when the client cancels
 * (the cancel goes on to the origin) or the origin fails. A pull source, not a
 * TransformStream: in workerd each chunk costs one read and one enqueue, not a
 * pipe's writes and reads on both sides.
 */
function observed(
  body: ReadableStream<Uint8Array>,
  observe: (chunk: Uint8Array) => void,
  end: (ended: boolean) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        safely(() => end(false));
        throw error;
      }
      if (next.done) {
        safely(() => end(true));
        controller.close();
        return;
      }
      controller.enqueue(next.value);
      safely(() => observe(next.value));
    },
    cancel(reason) {
      safely(() => end(false));
      return reader.cancel(reason);
    },
  });
}

/** Feeds `body` to `parser` to its end; true when it ended, false when it failed. Never rejects. */
async function readAside(body: ReadableStream<Uint8Array>, parser: Parser): Promise<boolean> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
    return true;
  } catch {
    return false;
  }
}
