// A small local origin that answers like a model API, so `npm run dev`, the
// README's curl examples and the tests work offline. Node built-ins only.
//
//   POST /v1/messages           Anthropic Messages (JSON, or SSE with "stream": true)
//   POST /v1/messages/count_tokens  Anthropic token counting: {"input_tokens": n}, as /v1/messages counts the prompt
//   POST /v1/chat/completions   OpenAI Chat Completions (JSON, or SSE chunks then [DONE])
//   POST /v1/responses          OpenAI Responses (JSON, or SSE events)
//   GET  /v1/models             a model list both official SDKs can read
//   GET  /v1/models/ID          one model of the list (404 for another)
//
// The reply is deterministic: it echoes a summary of the last user message,
// and token counts are computed from the text. A request that asks for
// reasoning gets some, so the degrade action is visible offline: Anthropic
// `thinking` (enabled or adaptive) a `thinking` block before the text; Chat
// Completions `reasoning_effort` a `reasoning_content` field (as servers
// compatible with that API send it); Responses `reasoning` a reasoning item
// (with a summary when `reasoning.summary` is set). Reasoning tokens count as
// output tokens and within the client's token limit. Started with `test: true`, the
// server also honours the knobs documented at `TEST KNOBS` below; without it
// they are ignored and the /__demo/ endpoints answer 404.
//
// Run directly: node scripts/demo-origin.ts [port]   (default 8788)

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { argv } from "node:process";
import { fileURLToPath } from "node:url";
import { constants as zlibConstants, createGzip, gzipSync, type Gzip } from "node:zlib";

export interface DemoOriginOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Honour the test knobs and serve the /__demo/ endpoints. Default false. */
  test?: boolean;
}

export interface DemoOrigin {
  /** Base URL, e.g. http://127.0.0.1:8788 (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
}

// TEST KNOBS (request headers; only with `test: true`):
//   x-demo-delay-ms: N          wait N ms before sending the response headers
//   x-demo-event-delay-ms: N    wait N ms before each streamed unit after the first
//   x-demo-gate: NAME           hold each streamed unit after the first until released
//                               through /__demo/gate/NAME (see below)
//   x-demo-status: N            answer status N with an error body in the route's format
//   x-demo-gzip: 1              gzip the body (Content-Encoding: gzip); streams are
//                               flushed after every unit, so SSE stays event by event
//   x-demo-response-headers: {json}   extra response headers, e.g. {"location":"/x"}
// Endpoints (only with `test: true`):
//   ANY  /__demo/echo/...       JSON of the method, path, query, headers and body received
//   GET  /__demo/bytes/N        N bytes (byte i = i % 251) in chunks of ?chunk= bytes (default 64 KiB)
//   GET  /__demo/gate/NAME      {"sent":n,"waiting":bool,"closed":bool} for the stream using the gate
//   POST /__demo/gate/NAME      release one held unit (?n=K releases K, ?open=1 releases all)
// Bodies built in memory (everything but SSE and un-gzipped /__demo/bytes)
// carry x-demo-body-sha256: the hex SHA-256 of the bytes as sent on the wire.

export const MODELS = ["demo-small", "demo-large", "fable-5"] as const;

// Not zlib's default level: a proxy that decoded and re-compressed with the
// defaults would then produce different bytes, which the tests would see.
const GZIP = { level: 1 };

type Format = "anthropic" | "openai";
type Json = Record<string, unknown>;

export function startDemoOrigin(options: DemoOriginOptions = {}): Promise<DemoOrigin> {
  const host = options.host ?? "127.0.0.1";
  const test = options.test ?? false;
  const gates = new Map<string, Gate>();
  const gate = (name: string): Gate => {
    let g = gates.get(name);
    if (!g) gates.set(name, (g = new Gate()));
    return g;
  };

  const server = createServer((req, res) => {
    handle(req, res, test, gate).catch((error: unknown) => {
      console.error("demo-origin:", error);
      if (res.headersSent) return void res.destroy();
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      send(res, 500, { error: { type: "api_error", message: "demo origin failed" } });
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const g of gates.values()) g.open();
            server.close(() => done());
            // A gateway keeps idle connections open; end them rather than wait.
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  test: boolean,
  gate: (name: string) => Gate,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://origin");
  const path = url.pathname;
  const body = await readBody(req);
  const knobs = test ? readKnobs(req, gate) : NO_KNOBS;
  const format: Format = /^\/v1\/(chat|completions|embeddings|responses)/.test(path) ? "openai" : "anthropic";

  if (knobs.delayMs > 0) await sleep(knobs.delayMs);
  if (res.destroyed) return;
  for (const [name, value] of Object.entries(knobs.responseHeaders)) res.setHeader(name, value);

  if (test && path.startsWith("/__demo/")) return demoEndpoint(req, res, url, body, knobs, gate);
  if (knobs.status !== null) {
    return reply(res, knobs, knobs.status, errorBody(format, knobs.status, `forced status ${knobs.status}`));
  }

  if (path === "/v1/models" && req.method === "GET") return reply(res, knobs, 200, modelList());
  const model = MODELS.find((id) => path === `/v1/models/${id}`);
  if (model && req.method === "GET") return reply(res, knobs, 200, modelObject(model));
  if (path === "/v1/messages" && req.method === "POST") {
    const parsed = parseJson(body);
    if (!parsed) return reply(res, knobs, 400, errorBody("anthropic", 400, "request body must be a JSON object"));
    return messages(res, parsed, knobs);
  }
  if (path === "/v1/messages/count_tokens" && req.method === "POST") {
    const parsed = parseJson(body);
    if (!parsed) return reply(res, knobs, 400, errorBody("anthropic", 400, "request body must be a JSON object"));
    return countTokensAnswer(res, parsed, knobs);
  }
  if (path === "/v1/chat/completions" && req.method === "POST") {
    const parsed = parseJson(body);
    if (!parsed) return reply(res, knobs, 400, errorBody("openai", 400, "request body must be a JSON object"));
    return chatCompletions(res, parsed, knobs);
  }
  if (path === "/v1/responses" && req.method === "POST") {
    const parsed = parseJson(body);
    if (!parsed) return reply(res, knobs, 400, errorBody("openai", 400, "request body must be a JSON object"));
    return responses(res, parsed, knobs);
  }
  return reply(res, knobs, 404, errorBody(format, 404, `no route for ${req.method} ${path}`));
}

// ---------------------------------------------------------------- model API

/** What both APIs share: the prompt's text, the reply and its token counts. */
interface Completion {
  model: string;
  /** The reasoning before the reply, when the request asked for it (its tokens count as output). */
  reasoning: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** True when the reply was cut at the client's token limit. */
  truncated: boolean;
}

/** Reasoning of up to `budget` tokens, deterministic: what a distiller would come for. */
function reasoningAbout(summary: string, budget: number): string {
  const step = `Considering "${summary}": first restate the question, then check each part, then answer briefly. `;
  return firstTokens(step.repeat(Math.max(1, Math.ceil(budget / countTokens(step)))), budget).trim();
}

function complete(
  model: string,
  promptParts: string[],
  lastUser: string,
  maxTokens: number | null,
  reasoningBudget = 0,
): Completion {
  const words = lastUser.split(/\s+/).filter(Boolean);
  const summary = words.slice(0, 12).join(" ") + (words.length > 12 ? " …" : "");
  const inputTokens = countTokens(promptParts.join("\n"));
  let reasoning = reasoningBudget > 0 ? reasoningAbout(summary, reasoningBudget) : "";
  let text = `You said (${words.length} words, ${inputTokens} tokens): "${summary}". This is the demo origin; it echoes a summary of your prompt.`;
  let truncated = false;
  if (maxTokens !== null && countTokens(reasoning) > maxTokens) reasoning = firstTokens(reasoning, maxTokens);
  const room = maxTokens === null ? null : maxTokens - countTokens(reasoning);
  if (room !== null && countTokens(text) > room) {
    text = firstTokens(text, Math.max(0, room));
    truncated = true;
  }
  return { model, reasoning, text, inputTokens, outputTokens: countTokens(reasoning) + countTokens(text), truncated };
}

/** Tokens of reasoning a demo answer carries for a reasoning effort. */
const EFFORT_TOKENS: Record<string, number> = { minimal: 8, low: 24, medium: 48, high: 96, xhigh: 128 };

/** Words and single punctuation marks: crude, deterministic, good enough for usage figures. */
const TOKEN = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export function countTokens(text: string): number {
  return text.match(TOKEN)?.length ?? 0;
}

function firstTokens(text: string, n: number): string {
  let end = 0;
  let count = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (count++ === n) break;
    end = m.index + m[0].length;
  }
  return text.slice(0, end);
}

/** Text of a message `content`: a string or an array of blocks with `text`. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => (isObject(block) && typeof block.text === "string" ? block.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** The prompt of a Messages request (or a token count of one): its system text and every message's. */
const promptParts = (body: Json, msgs: Json[]): string[] =>
  [contentText(body.system), ...msgs.map((m) => contentText(m.content))].filter(Boolean);

function countTokensAnswer(res: ServerResponse, body: Json, knobs: Knobs): void {
  const invalid = (message: string) => reply(res, knobs, 400, errorBody("anthropic", 400, message));
  if (typeof body.model !== "string") return invalid("model: Field required");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid("messages: at least one message is required");
  reply(res, knobs, 200, { input_tokens: countTokens(promptParts(body, body.messages.filter(isObject)).join("\n")) });
}

function messages(res: ServerResponse, body: Json, knobs: Knobs): void {
  const invalid = (message: string) => reply(res, knobs, 400, errorBody("anthropic", 400, message));
  if (typeof body.model !== "string") return invalid("model: Field required");
  if (typeof body.max_tokens !== "number" || body.max_tokens < 1) return invalid("max_tokens: Field required");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid("messages: at least one message is required");
  const msgs = body.messages.filter(isObject);
  const parts = promptParts(body, msgs);
  const lastUser = [...msgs].reverse().find((m) => m.role === "user");
  const thinking = isObject(body.thinking) ? body.thinking : null;
  const budget =
    thinking?.type === "enabled"
      ? Math.min(Number(thinking.budget_tokens) || 1024, 256)
      : thinking?.type === "adaptive"
        ? 64
        : 0;
  const c = complete(body.model, parts, contentText(lastUser?.content), body.max_tokens, budget);
  const id = `msg_demo_${digest(JSON.stringify(body)).slice(0, 24)}`;
  const stopReason = c.truncated ? "max_tokens" : "end_turn";
  const signature = `sig_demo_${digest(c.reasoning).slice(0, 32)}`;
  const blocks: Json[] = [
    ...(c.reasoning ? [{ type: "thinking", thinking: c.reasoning, signature }] : []),
    { type: "text", text: c.text },
  ];

  if (body.stream !== true) {
    return reply(res, knobs, 200, {
      id,
      type: "message",
      role: "assistant",
      model: c.model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: {
        input_tokens: c.inputTokens,
        output_tokens: c.outputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  }

  const event = (type: string, data: Json) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const units = [
    event("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model: c.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: c.inputTokens,
          output_tokens: 1,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    }),
    ...(c.reasoning
      ? [
          event("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
          ...pieces(c.reasoning).map((thinking) =>
            event("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking } }),
          ),
          event("content_block_delta", { index: 0, delta: { type: "signature_delta", signature } }),
          event("content_block_stop", { index: 0 }),
        ]
      : []),
    event("content_block_start", { index: blocks.length - 1, content_block: { type: "text", text: "" } }),
    ...pieces(c.text).map((text) =>
      event("content_block_delta", { index: blocks.length - 1, delta: { type: "text_delta", text } }),
    ),
    event("content_block_stop", { index: blocks.length - 1 }),
    event("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: c.outputTokens },
    }),
    event("message_stop", {}),
  ];
  void stream(res, knobs, "text/event-stream; charset=utf-8", units);
}

function chatCompletions(res: ServerResponse, body: Json, knobs: Knobs): void {
  const invalid = (message: string) => reply(res, knobs, 400, errorBody("openai", 400, message));
  if (typeof body.model !== "string") return invalid("you must provide a model parameter");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid("'messages' must be a non-empty array");
  const msgs = body.messages.filter(isObject);
  const limit = body.max_completion_tokens ?? body.max_tokens;
  const c = complete(
    body.model,
    msgs.map((m) => contentText(m.content)).filter(Boolean),
    contentText([...msgs].reverse().find((m) => m.role === "user")?.content),
    typeof limit === "number" && limit > 0 ? limit : null,
    EFFORT_TOKENS[String(body.reasoning_effort)] ?? 0,
  );
  const id = `chatcmpl-demo${digest(JSON.stringify(body)).slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const finishReason = c.truncated ? "length" : "stop";
  const usage = {
    prompt_tokens: c.inputTokens,
    completion_tokens: c.outputTokens,
    total_tokens: c.inputTokens + c.outputTokens,
    ...(c.reasoning ? { completion_tokens_details: { reasoning_tokens: countTokens(c.reasoning) } } : {}),
  };
  const reasoning = c.reasoning ? { reasoning_content: c.reasoning } : {};

  if (body.stream !== true) {
    return reply(res, knobs, 200, {
      id,
      object: "chat.completion",
      created,
      model: c.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: c.text, refusal: null, ...reasoning },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
      system_fingerprint: null,
    });
  }

  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: Json[], extra: Json = {}) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: c.model, system_fingerprint: null, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const units = [
    chunk([
      { index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null },
    ]),
    ...pieces(c.reasoning).map((reasoning_content) =>
      chunk([{ index: 0, delta: { reasoning_content }, logprobs: null, finish_reason: null }]),
    ),
    ...pieces(c.text).map((content) => chunk([{ index: 0, delta: { content }, logprobs: null, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]),
    ...(includeUsage ? [chunk([], { usage })] : []),
    "data: [DONE]\n\n",
  ];
  void stream(res, knobs, "text/event-stream; charset=utf-8", units);
}

function responses(res: ServerResponse, body: Json, knobs: Knobs): void {
  const invalid = (message: string) => reply(res, knobs, 400, errorBody("openai", 400, message));
  if (typeof body.model !== "string") return invalid("you must provide a model parameter");
  const input: Json[] =
    typeof body.input === "string"
      ? [{ role: "user", content: body.input }]
      : Array.isArray(body.input)
        ? body.input.filter(isObject)
        : [];
  if (input.length === 0) return invalid("'input' must be a string or a non-empty array");
  const reasoning = isObject(body.reasoning) ? body.reasoning : null;
  const limit =
    typeof body.max_output_tokens === "number" && body.max_output_tokens > 0 ? body.max_output_tokens : null;
  const c = complete(
    body.model,
    input.map((m) => contentText(m.content)).filter(Boolean),
    contentText([...input].reverse().find((m) => m.role === "user")?.content),
    limit,
    reasoning ? (EFFORT_TOKENS[String(reasoning.effort ?? "medium")] ?? 0) : 0,
  );
  const id = `resp_demo${digest(JSON.stringify(body)).slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const summary = reasoning && reasoning.summary != null && c.reasoning ? c.reasoning : "";
  const reasoningItem = c.reasoning
    ? {
        type: "reasoning",
        id: `rs_demo${digest(c.reasoning).slice(0, 24)}`,
        summary: summary ? [{ type: "summary_text", text: summary }] : [],
        encrypted_content: null,
      }
    : null;
  const message = (text: string, status: string) => ({
    type: "message",
    id: `msg_demo${digest(id).slice(0, 24)}`,
    status,
    role: "assistant",
    content: text || status === "completed" ? [{ type: "output_text", text, annotations: [], logprobs: [] }] : [],
  });
  const output = [...(reasoningItem ? [reasoningItem] : []), message(c.text, "completed")];
  const usage = {
    input_tokens: c.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: c.outputTokens,
    output_tokens_details: { reasoning_tokens: countTokens(c.reasoning) },
    total_tokens: c.inputTokens + c.outputTokens,
  };
  const response = (status: string, out: Json[], withUsage: boolean) => ({
    id,
    object: "response",
    created_at: created,
    status,
    model: c.model,
    output: out,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    reasoning: reasoning ?? null,
    incomplete_details: c.truncated ? { reason: "max_output_tokens" } : null,
    usage: withUsage ? usage : null,
  });
  const finalStatus = c.truncated ? "incomplete" : "completed";
  if (body.stream !== true) return reply(res, knobs, 200, response(finalStatus, output, true));

  let sequence = 0;
  const event = (type: string, data: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const textAt = reasoningItem ? 1 : 0;
  const units = [
    event("response.created", { response: response("in_progress", [], false) }),
    event("response.in_progress", { response: response("in_progress", [], false) }),
    ...(reasoningItem
      ? [
          event("response.output_item.added", { output_index: 0, item: { ...reasoningItem, summary: [] } }),
          ...(summary
            ? [
                event("response.reasoning_summary_part.added", {
                  item_id: reasoningItem.id,
                  output_index: 0,
                  summary_index: 0,
                  part: { type: "summary_text", text: "" },
                }),
                ...pieces(summary).map((delta) =>
                  event("response.reasoning_summary_text.delta", {
                    item_id: reasoningItem.id,
                    output_index: 0,
                    summary_index: 0,
                    delta,
                  }),
                ),
                event("response.reasoning_summary_text.done", {
                  item_id: reasoningItem.id,
                  output_index: 0,
                  summary_index: 0,
                  text: summary,
                }),
                event("response.reasoning_summary_part.done", {
                  item_id: reasoningItem.id,
                  output_index: 0,
                  summary_index: 0,
                  part: { type: "summary_text", text: summary },
                }),
              ]
            : []),
          event("response.output_item.done", { output_index: 0, item: reasoningItem }),
        ]
      : []),
    event("response.output_item.added", { output_index: textAt, item: message("", "in_progress") }),
    event("response.content_part.added", {
      item_id: message("", "").id,
      output_index: textAt,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [], logprobs: [] },
    }),
    ...pieces(c.text).map((delta) =>
      event("response.output_text.delta", {
        item_id: message("", "").id,
        output_index: textAt,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    ),
    event("response.output_text.done", {
      item_id: message("", "").id,
      output_index: textAt,
      content_index: 0,
      text: c.text,
      logprobs: [],
    }),
    event("response.content_part.done", {
      item_id: message("", "").id,
      output_index: textAt,
      content_index: 0,
      part: { type: "output_text", text: c.text, annotations: [], logprobs: [] },
    }),
    event("response.output_item.done", { output_index: textAt, item: message(c.text, "completed") }),
    event(`response.${finalStatus}`, { response: response(finalStatus, output, true) }),
  ];
  void stream(res, knobs, "text/event-stream; charset=utf-8", units);
}

/** A model object with the fields of both APIs, so either SDK reads it. */
const modelObject = (id: string): Json => ({
  id,
  type: "model",
  object: "model",
  display_name: id,
  created_at: "2026-01-01T00:00:00Z",
  created: 1767225600,
  owned_by: "distill-guard-demo",
});

function modelList(): Json {
  // Fields of both APIs' model objects, so either SDK's models.list() reads it.
  const data = MODELS.map(modelObject);
  return { object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** The reply split into small deltas (two words each), as a model would stream it. */
function pieces(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 2) out.push(words.slice(i, i + 2).join(""));
  return out;
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

function errorBody(format: Format, status: number, message: string): Json {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return format === "openai"
    ? { error: { message, type, param: null, code: null } }
    : { type: "error", error: { type, message } };
}

// ---------------------------------------------------------- test endpoints

function demoEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  knobs: Knobs,
  gate: (name: string) => Gate,
): void {
  const path = url.pathname;
  const status = knobs.status ?? 200;

  if (path.startsWith("/__demo/echo")) {
    return reply(res, knobs, status, {
      method: req.method,
      path,
      query: url.search,
      headers: req.headers,
      body: body.toString("utf8"),
      bodyLength: body.length,
    });
  }

  const bytes = /^\/__demo\/bytes\/(\d+)$/.exec(path);
  if (bytes && req.method === "GET") {
    const size = Number(bytes[1]);
    const chunk = Math.max(1, Number(url.searchParams.get("chunk") ?? 65_536));
    // Generated as it is sent, so a huge N costs no memory.
    const units = function* () {
      for (let start = 0; start < size; start += chunk) yield pattern(start, Math.min(chunk, size - start));
    };
    if (knobs.gzip) {
      // Compressed whole so the wire bytes (and their hash) are known up front.
      const encoded = gzipSync(Buffer.concat([...units()]), GZIP);
      const parts: Buffer[] = [];
      for (let i = 0; i < encoded.length; i += chunk) parts.push(encoded.subarray(i, i + chunk));
      res.setHeader("content-encoding", "gzip");
      res.setHeader("content-length", encoded.length);
      res.setHeader("x-demo-body-sha256", digest(encoded));
      void stream(res, { ...knobs, gzip: false }, "application/octet-stream", parts, status);
      return;
    }
    res.setHeader("content-length", size);
    void stream(res, knobs, "application/octet-stream", units(), status);
    return;
  }

  const gated = /^\/__demo\/gate\/([\w.-]+)$/.exec(path);
  if (gated?.[1]) {
    const g = gate(gated[1]);
    if (req.method === "POST") {
      if (url.searchParams.has("open")) g.open();
      else g.release(Math.max(1, Number(url.searchParams.get("n") ?? 1)));
    }
    return reply(res, knobs, 200, { sent: g.sent, waiting: g.waiting, closed: g.closed });
  }

  return reply(res, knobs, 404, errorBody("anthropic", 404, `no demo endpoint ${path}`));
}

/** Deterministic filler: byte i of the body is i % 251 (a prime, so chunk edges show). */
function pattern(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (offset + i) % 251;
  return b;
}

// ------------------------------------------------------------------ knobs

interface Knobs {
  delayMs: number;
  eventDelayMs: number;
  gate: Gate | null;
  status: number | null;
  gzip: boolean;
  responseHeaders: Record<string, string>;
}

const NO_KNOBS: Knobs = { delayMs: 0, eventDelayMs: 0, gate: null, status: null, gzip: false, responseHeaders: {} };

function readKnobs(req: IncomingMessage, gate: (name: string) => Gate): Knobs {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === "string" ? v : undefined;
  };
  const int = (name: string) => {
    const v = Number(header(name));
    return Number.isInteger(v) && v > 0 ? v : 0;
  };
  const status = int("x-demo-status");
  let responseHeaders: Record<string, string> = {};
  const extra = header("x-demo-response-headers");
  if (extra) {
    const parsed = parseJson(Buffer.from(extra));
    if (parsed) responseHeaders = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  const gateName = header("x-demo-gate");
  return {
    delayMs: int("x-demo-delay-ms"),
    eventDelayMs: int("x-demo-event-delay-ms"),
    gate: gateName ? gate(gateName) : null,
    status: status >= 200 && status <= 599 ? status : null,
    gzip: header("x-demo-gzip") === "1",
    responseHeaders,
  };
}

/**
 * Holds a stream between units until a test releases it. Releases that
 * arrive before the stream waits are kept, so the order of calls is free.
 */
class Gate {
  sent = 0;
  closed = false;
  private permits = 0;
  private opened = false;
  private waiter: (() => void) | null = null;

  get waiting(): boolean {
    return this.waiter !== null;
  }

  release(n: number): void {
    this.permits += n;
    this.wake();
  }

  open(): void {
    this.opened = true;
    this.wake();
  }

  pass(): Promise<void> {
    if (this.opened) return Promise.resolve();
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = () => {
        this.waiter = null;
        resolve();
      };
    });
  }

  private wake(): void {
    if (!this.waiter) return;
    if (this.opened) return this.waiter();
    if (this.permits > 0) {
      this.permits--;
      this.waiter();
    }
  }
}

// ---------------------------------------------------------------- writing

function reply(res: ServerResponse, knobs: Knobs, status: number, body: Json): void {
  const noBody = status === 204 || status === 304;
  let bytes: Buffer = noBody ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  if (knobs.gzip && !noBody) {
    bytes = gzipSync(bytes);
    res.setHeader("content-encoding", "gzip");
  }
  if (!noBody) {
    res.setHeader("content-type", "application/json");
    res.setHeader("content-length", bytes.length);
    res.setHeader("x-demo-body-sha256", digest(bytes));
  }
  res.writeHead(status);
  res.end(bytes);
}

/**
 * Writes `units` one at a time: after the first, each waits for the event
 * delay and the gate, and waits for the socket to drain, so memory stays flat
 * whatever the size. Stops quietly when the client goes away.
 */
async function stream(
  res: ServerResponse,
  knobs: Knobs,
  contentType: string,
  units: Iterable<string | Buffer>,
  status = 200,
): Promise<void> {
  const gate = knobs.gate;
  if (gate) {
    gate.sent = 0;
    gate.closed = false;
  }
  res.on("close", () => {
    if (gate && !res.writableFinished) gate.closed = true;
  });
  res.setHeader("content-type", contentType);
  res.setHeader("cache-control", "no-cache");
  let gzip: Gzip | null = null;
  if (knobs.gzip) {
    res.setHeader("content-encoding", "gzip");
    res.removeHeader("content-length");
    gzip = createGzip(GZIP);
    gzip.pipe(res);
  }
  res.writeHead(status);
  res.flushHeaders();

  const out = gzip ?? res;
  let first = true;
  for (const unit of units) {
    if (!first) {
      if (knobs.eventDelayMs > 0) await sleep(knobs.eventDelayMs);
      if (gate) await gate.pass();
    }
    first = false;
    if (res.destroyed) return;
    const drained = out.write(unit);
    // A sync flush pushes this unit's compressed bytes out now instead of at the end.
    if (gzip) await new Promise<void>((done) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => done()));
    if (gate) gate.sent++;
    if (!drained) await drainOrClose(out, res);
  }
  out.end();
}

// ------------------------------------------------------------------ helpers

function drainOrClose(out: NodeJS.WritableStream, res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      res.off("close", done);
      resolve();
    };
    out.on("drain", done);
    res.on("close", done);
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): Json | null {
  try {
    const v: unknown = JSON.parse(bytes.toString("utf8"));
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function digest(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// node scripts/demo-origin.ts [port]
if (argv[1] && fileURLToPath(import.meta.url) === argv[1]) {
  const port = Number(argv[2] ?? 8788);
  const origin = await startDemoOrigin({ port });
  console.log(`demo origin listening on ${origin.url}`);
  const stop = () => void origin.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
