import { type DegradeRules, EFFORT_LEVELS, type Effort } from "../config/types.ts";
import { type Json, type ModelApi, isObject } from "./api.ts";

/**
 * The request side of `degrade`, pure: a request body in, the body to send
 * the origin and the transformations applied out. The body stays valid for
 * its API (a thinking budget stays under `max_tokens`; an effort is only
 * lowered where the request named one, since a model without reasoning
 * refuses the field, unless `offEffort` says the model takes one).
 *
 * Continuity: an answer whose thinking blocks are removed cannot be sent back
 * in a tool-use turn that needs them (Anthropic requires the thinking block
 * before a tool_use when thinking is on; OpenAI requires a function call's
 * reasoning item). So with tools in the request, Anthropic thinking is turned
 * off instead, and Responses reasoning items are kept with their text
 * removed (`keepReasoningItems`).
 */
export interface DegradedRequest {
  body: Json;
  /** Each transformation applied, as `name=value` (headers, telemetry). */
  applied: string[];
  /** Responses API: keep reasoning items (emptied) in the answer, because the request has tools. */
  keepReasoningItems: boolean;
}

const effortRank = (e: unknown): number => EFFORT_LEVELS.indexOf(e as Effort);

/** Lowers an effort above `to`; returns the effort to use, or null when it stays. */
function lowered(current: unknown, to: Effort): Effort | null {
  const rank = effortRank(current);
  return rank > effortRank(to) ? to : null;
}

/**
 * The OpenAI effort for a request whose reasoning is turned off: `offEffort` set whatever the request named
 * (absent included: the model's default would reason), unless it named a lower one; without `offEffort`,
 * only lowered to `effort` (a model without reasoning refuses the field, so it is never added).
 */
function openaiEffort(current: unknown, rules: DegradeRules): Effort | null {
  if (rules.thinking === "keep") return null;
  if (rules.thinking === "off" && rules.offEffort !== null) {
    const rank = effortRank(current);
    return rank >= 0 && rank <= effortRank(rules.offEffort) ? null : rules.offEffort;
  }
  return lowered(current, rules.effort);
}

/** True when the rules turn OpenAI reasoning off (an effort set on every request). */
const turnsReasoningOff = (rules: DegradeRules) => rules.thinking === "off" && rules.offEffort !== null;

const hasTools = (body: Json) => Array.isArray(body.tools) && body.tools.length > 0;

export function degradeRequest(api: ModelApi, input: Json, rules: DegradeRules): DegradedRequest {
  const body: Json = { ...input };
  const applied: string[] = [];
  if (rules.model !== null && body.model !== rules.model) {
    body.model = rules.model;
    applied.push(`model=${rules.model}`);
  }
  if (api === "anthropic") degradeMessages(body, rules, applied);
  else if (api === "chat") degradeChat(body, rules, applied);
  else degradeResponses(body, rules, applied);
  if (rules.reasoning !== "keep") applied.push(`reasoning=${rules.reasoning}`);
  return { body, applied, keepReasoningItems: api === "responses" && hasTools(body) };
}

const ABOUT_ANSWER = (a: string) => a.startsWith("reasoning=");

/**
 * A token count (Anthropic `count_tokens`, Responses `input_tokens`), rewritten as its call would be (model,
 * thinking, effort) so the count is of what would run. A count has no token limit to cap, and no answer to
 * degrade.
 */
export function degradeCount(api: ModelApi, input: Json, rules: DegradeRules): DegradedRequest {
  // Anthropic: the call's max_tokens would be at most the cap, and its thinking budget fitted under it (or
  // thinking turned off): judged as if the count carried that max_tokens, which is then taken away again
  const cap = api === "anthropic" && rules.maxTokens !== null && input.max_tokens === undefined;
  const out = degradeRequest(api, cap ? { ...input, max_tokens: rules.maxTokens } : input, {
    ...rules,
    ...(api === "anthropic" ? {} : { maxTokens: null }),
  });
  if (cap) delete out.body.max_tokens;
  return { body: out.body, applied: out.applied.filter((a) => !ABOUT_ANSWER(a)), keepReasoningItems: false };
}

/**
 * An Anthropic Message Batch: every request's `params` rewritten as a call, by the rules for its own model.
 * Its answers are fetched later (the batch's results), past the gateway's reach here: where they would lose
 * their reasoning, thinking is turned off in the request instead. `applied` lists each transformation once.
 */
export function degradeBatch(input: Json, rulesFor: (model: string | null) => DegradeRules): DegradedRequest {
  const applied = new Set<string>();
  const requests = Array.isArray(input.requests)
    ? input.requests.map((request: unknown) => {
        if (!isObject(request) || !isObject(request.params)) return request;
        const rules = rulesFor(typeof request.params.model === "string" ? request.params.model : null);
        const unseen: DegradeRules = rules.reasoning === "keep" ? rules : { ...rules, thinking: "off" };
        const out = degradeRequest("anthropic", request.params, unseen);
        for (const a of out.applied) if (!ABOUT_ANSWER(a)) applied.add(a);
        return { ...request, params: out.body };
      })
    : input.requests;
  return { body: { ...input, requests }, applied: [...applied], keepReasoningItems: false };
}

function degradeMessages(body: Json, rules: DegradeRules, applied: string[]): void {
  if (rules.maxTokens !== null && typeof body.max_tokens === "number" && body.max_tokens > rules.maxTokens) {
    body.max_tokens = rules.maxTokens;
    applied.push(`max_tokens=${rules.maxTokens}`);
  }
  const thinking = isObject(body.thinking) ? body.thinking : null;
  const on = thinking !== null && (thinking.type === "enabled" || thinking.type === "adaptive");
  if (on) {
    let level = rules.thinking;
    // removed thinking would break the next tool-use turn: no thinking at all instead
    if (level !== "off" && rules.reasoning !== "keep" && hasTools(body)) level = "off";
    const budget = typeof thinking.budget_tokens === "number" ? thinking.budget_tokens : null;
    if (level === "low" && budget !== null && budget > rules.budgetTokens) {
      body.thinking = { ...thinking, budget_tokens: rules.budgetTokens };
      applied.push(`thinking.budget_tokens=${rules.budgetTokens}`);
    }
    // the API wants a budget under max_tokens (and at least 1024): lower it to fit, or turn thinking off
    const kept = isObject(body.thinking) ? body.thinking : thinking;
    if (level !== "off" && typeof kept.budget_tokens === "number" && kept.budget_tokens >= body.max_tokens) {
      if (body.max_tokens > 1024) body.thinking = { ...kept, budget_tokens: body.max_tokens - 1 };
      else level = "off";
    }
    if (level === "off") {
      body.thinking = { type: "disabled" };
      applied.push("thinking=off");
    }
  }
  // the effort parameter (output_config.effort) steers thinking and answer length alike
  if (rules.thinking !== "keep" && isObject(body.output_config)) {
    const effort = lowered(body.output_config.effort, rules.effort);
    if (effort) {
      body.output_config = { ...body.output_config, effort };
      applied.push(`effort=${effort}`);
    }
  }
}

function degradeChat(body: Json, rules: DegradeRules, applied: string[]): void {
  if (rules.maxTokens !== null) {
    // the fields the client used (max_tokens is the older one); neither: the current one
    const fields = (["max_completion_tokens", "max_tokens"] as const).filter((f) => body[f] !== undefined);
    for (const field of fields.length ? fields : (["max_completion_tokens"] as const)) {
      const asked = body[field];
      if (typeof asked === "number" && asked <= rules.maxTokens) continue;
      body[field] = rules.maxTokens;
      applied.push(`${field}=${rules.maxTokens}`);
    }
  }
  const effort = openaiEffort(body.reasoning_effort, rules);
  if (effort) {
    body.reasoning_effort = effort;
    applied.push(`reasoning_effort=${effort}`);
  }
}

function degradeResponses(body: Json, rules: DegradeRules, applied: string[]): void {
  if (
    rules.maxTokens !== null &&
    (typeof body.max_output_tokens !== "number" || body.max_output_tokens > rules.maxTokens)
  ) {
    body.max_output_tokens = rules.maxTokens;
    applied.push(`max_output_tokens=${rules.maxTokens}`);
  }
  // without a reasoning object the model reasons as it does by default: only turning it off adds one
  if (!isObject(body.reasoning) && !turnsReasoningOff(rules)) return;
  const reasoning: Json = isObject(body.reasoning) ? { ...body.reasoning } : {};
  const effort = openaiEffort(reasoning.effort, rules);
  if (effort) {
    reasoning.effort = effort;
    applied.push(`reasoning.effort=${effort}`);
  }
  // summaries would be removed from the answer, or there is no reasoning to summarise: not asked for at all
  const unwanted = rules.reasoning !== "keep" || turnsReasoningOff(rules);
  if (unwanted && (reasoning.summary != null || reasoning.generate_summary != null)) {
    delete reasoning.summary;
    delete reasoning.generate_summary;
    applied.push("reasoning.summary=off");
  }
  body.reasoning = reasoning;
}
