/**
 * The simulator's origin: an in-process model API the gateway reaches
 * through `origin.fetch`, answering as the demo origin (scripts/demo-origin.ts)
 * does: Anthropic Messages and OpenAI Chat Completions, as JSON or as SSE,
 * always with `usage`, so the gateway's token buckets are reconciled as in
 * production.
 *
 * Replies are short, but their usage figures are those of a realistic
 * answer: output tokens drawn from a log-normal around 350 (three times that
 * when the prompt asks for step-by-step reasoning, plus most of the thinking
 * budget when there is one), cut at `max_tokens`. The draw is seeded by the
 * request body, so the same request gets the same answer in every run.
 */
import type { OriginFetch } from "../../src/proxy/forward.ts";
import { createRandom, hashString } from "./random.ts";

export interface SimOrigin {
  fetch: OriginFetch;
  /** Requests answered so far. */
  readonly answered: number;
  /** The last answer's output tokens and, of those, its reasoning (thinking) tokens; null before the first. */
  readonly last: { outputTokens: number; reasoningTokens: number } | null;
}

/** Marks reasoning in an answer: a client that received it received the teacher signal. */
export const REASONING_MARK = "SIM-REASONING";
const THOUGHT = `${REASONING_MARK}: weighing the request step by step before answering.`;

const encoder = new TextEncoder();

interface Parsed {
  model: string;
  maxTokens: number;
  stream: boolean;
  includeUsage: boolean;
  prompt: string;
  thinkingBudget: number;
}

function parse(text: string, anthropic: boolean): Parsed | null {
  // biome-ignore lint/suspicious/noExplicitAny: a request body of either API, read field by field
  let body: Record<string, any>;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  const prompt = messages
    .map((m) => (typeof (m as { content?: unknown }).content === "string" ? (m as { content: string }).content : ""))
    .join("\n");
  return {
    model: typeof body.model === "string" ? body.model : "unknown",
    maxTokens: Number(anthropic ? body.max_tokens : (body.max_completion_tokens ?? body.max_tokens ?? 4096)) || 4096,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    prompt,
    thinkingBudget: anthropic ? Number(body.thinking?.budget_tokens ?? 0) : body.reasoning_effort === "high" ? 8192 : 0,
  };
}

function usageFor(p: Parsed, seed: number): { input: number; output: number; reasoning: number } {
  const r = createRandom(seed);
  const stepByStep = /step[- ]by[- ]step|chain of thought|reason(ing)? through/i.test(p.prompt);
  const answer = r.logNormal(350, 2) * (stepByStep ? 3 : 1);
  const thinking = p.thinkingBudget > 0 ? p.thinkingBudget * (0.3 + 0.6 * r.next()) : 0;
  const output = Math.max(1, Math.min(p.maxTokens, Math.round(answer + thinking)));
  return {
    input: Math.max(1, Math.ceil(p.prompt.length / 4)),
    output,
    // thinking comes first: what the token limit cuts is the answer
    reasoning: Math.min(output, Math.round(thinking)),
  };
}

const REPLY = "Here is a considered answer to your request, abridged by the simulator's origin.";

function sse(events: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(encoder.encode(e));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}

function anthropicAnswer(p: Parsed, id: string, u: { input: number; output: number; reasoning: number }): Response {
  const usage = {
    input_tokens: u.input,
    output_tokens: u.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const stopReason = u.output >= p.maxTokens ? "max_tokens" : "end_turn";
  if (!p.stream) {
    return Response.json({
      id,
      type: "message",
      role: "assistant",
      model: p.model,
      content: [
        ...(u.reasoning > 0 ? [{ type: "thinking", thinking: THOUGHT, signature: "sig_sim" }] : []),
        { type: "text", text: REPLY },
      ],
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    });
  }
  const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const text = u.reasoning > 0 ? 1 : 0;
  return sse([
    event("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model: p.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    ...(u.reasoning > 0
      ? [
          event("content_block_start", {
            type: "content_block_start",
            index: 0,
            content_block: { type: "thinking", thinking: "", signature: "" },
          }),
          event("content_block_delta", {
            type: "content_block_delta",
            index: 0,
            delta: { type: "thinking_delta", thinking: THOUGHT },
          }),
          event("content_block_stop", { type: "content_block_stop", index: 0 }),
        ]
      : []),
    event("content_block_start", {
      type: "content_block_start",
      index: text,
      content_block: { type: "text", text: "" },
    }),
    ...REPLY.split(/(?<= )/).map((t) =>
      event("content_block_delta", {
        type: "content_block_delta",
        index: text,
        delta: { type: "text_delta", text: t },
      }),
    ),
    event("content_block_stop", { type: "content_block_stop", index: text }),
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: u.output },
    }),
    event("message_stop", { type: "message_stop" }),
  ]);
}

function openaiAnswer(p: Parsed, id: string, u: { input: number; output: number; reasoning: number }): Response {
  // reasoning text as servers compatible with the API send it
  const reasoning = u.reasoning > 0 ? { reasoning_content: THOUGHT } : {};
  const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
  const finish = u.output >= p.maxTokens ? "length" : "stop";
  const created = 1_776_816_000;
  if (!p.stream) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model: p.model,
      choices: [{ index: 0, message: { role: "assistant", content: REPLY, ...reasoning }, finish_reason: finish }],
      usage,
    });
  }
  const chunk = (delta: unknown, finishReason: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: p.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`;
  return sse([
    chunk({ role: "assistant", content: "" }, null),
    ...(u.reasoning > 0 ? [chunk(reasoning, null)] : []),
    ...REPLY.split(/(?<= )/).map((content) => chunk({ content }, null)),
    chunk({}, finish),
    ...(p.includeUsage
      ? [
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: p.model, choices: [], usage })}\n\n`,
        ]
      : []),
    "data: [DONE]\n\n",
  ]);
}

export function createSimOrigin(): SimOrigin {
  let answered = 0;
  let last: SimOrigin["last"] = null;
  const fetch: OriginFetch = async (request) => {
    const path = new URL(request.url).pathname;
    const anthropic = path === "/v1/messages";
    // browsers' CORS preflights: the API allows any web app to call it with its own key (as the real APIs do)
    if (request.method === "OPTIONS" && (anthropic || path === "/v1/chat/completions")) {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": request.headers.get("origin") ?? "*",
          "access-control-allow-methods": "POST",
          "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "",
          "access-control-max-age": "86400",
        },
      });
    }
    if (request.method !== "POST" || (!anthropic && path !== "/v1/chat/completions")) {
      return Response.json(
        { error: { type: "not_found_error", message: `no route for ${request.method} ${path}` } },
        { status: 404 },
      );
    }
    const text = await request.text();
    const parsed = parse(text, anthropic);
    if (!parsed)
      return Response.json({ error: { type: "invalid_request_error", message: "body must be JSON" } }, { status: 400 });
    answered++;
    const seed = hashString(text);
    const id = `${anthropic ? "msg" : "chatcmpl"}_sim_${seed.toString(16).padStart(8, "0")}`;
    const usage = usageFor(parsed, seed);
    last = { outputTokens: usage.output, reasoningTokens: usage.reasoning };
    return anthropic ? anthropicAnswer(parsed, id, usage) : openaiAnswer(parsed, id, usage);
  };
  return {
    fetch,
    get answered() {
      return answered;
    },
    get last() {
      return last;
    },
  };
}
