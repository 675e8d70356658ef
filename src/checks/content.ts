import type { PureCheck } from "../config/types.ts";
import type { RequestBody } from "../request/body.ts";
import { type ReasonCode, finding } from "../verdict/reasons.ts";
import type { Action, Finding } from "../verdict/types.ts";
import { promptText } from "../request/prompt.ts";
import { EFFORT_LEVELS, type Effort } from "../config/types.ts";

/**
 * Content signals, on routes that enable them (the body is read once,
 * bounded, and shared with the other checks):
 *
 * | code | when |
 * | --- | --- |
 * | `content.reasoning_elicitation` | the client's text (system and user turns, tool results, text documents, an assistant prefill: prompt.ts) asks the model to write out its reasoning: step by step (weak), or its internal, hidden, complete or verbatim reasoning / chain of thought (strong) |
 * | `content.large_reasoning_budget` | `thinking.budget_tokens` over `maxBudgetTokens`; `reasoning_effort`, `reasoning.effort` or `output_config.effort` above `maxEffort` |
 *
 * Both are common in legitimate use too: they weigh little alone, and add to
 * the risk of a request that shows other signals. Details name the pattern,
 * never the client's text. The prompt-template hash (template.ts) is not a
 * signal but a cluster dimension.
 */

export type { Effort } from "../config/types.ts";
/** Reasoning efforts, lowest first (one ordering with the degrade action's). */
export const EFFORTS: readonly Effort[] = EFFORT_LEVELS;

export interface ContentPolicy {
  reasoningElicitation: Action;
  largeReasoningBudget: Action;
  /** `thinking.budget_tokens` above this is large. */
  maxBudgetTokens: number;
  /** Efforts above this are large. */
  maxEffort: Effort;
}

const RISK = { strong: 0.5, weak: 0.2, budget: 0.2 } as const;

/**
 * What asks for reasoning: `strong` patterns ask for the model's internal or
 * complete reasoning, `weak` ones for steps. Each runs only when the
 * lower-cased text contains one of its words (an indexOf is far cheaper than
 * a regex scan, and most prompts contain none).
 */
const ELICITATION: ReadonlyArray<[id: string, tier: "strong" | "weak", pattern: RegExp, words: readonly string[]]> = [
  [
    "internal_reasoning",
    "strong",
    /\b(?:your|its|the model'?s|the assistant'?s)\s+(?:own\s+)?(?:internal|hidden|inner|private|raw|unfiltered|secret|underlying)\s+(?:reasoning|thoughts?|thinking|monologue|deliberations?|scratch ?pad|chain[ -]of[ -]thought|thought process)\b/,
    ["internal", "hidden", "inner", "private", "raw", "unfiltered", "secret", "underlying"],
  ],
  [
    "chain_of_thought",
    "strong",
    /\b(?:show|reveal|output|print|provide|include|give|write(?: out)?|display|share|expose|dump|return|list)\b[^.?!\n]{0,40}\bchain[ -]of[ -]thoughts?\b/,
    ["chain"],
  ],
  [
    "complete_reasoning",
    "strong",
    /\byour\s+(?:complete|full|entire|exhaustive|unabridged|whole)\s+(?:reasoning|thought process|thinking|train of thought|reasoning (?:trace|process|steps))\b/,
    ["your"],
  ],
  [
    "verbatim_reasoning",
    "strong",
    /\b(?:verbatim|word[ -]for[ -]word)\b[^.?!\n]{0,60}\b(?:reasoning|thinking|thoughts|thought process)\b|\b(?:reasoning|thinking|thoughts|thought process)\b[^.?!\n]{0,40}\b(?:verbatim|word[ -]for[ -]word)\b/,
    ["verbatim", "word"],
  ],
  [
    "reasoning_zh",
    "strong",
    /(?:展示|输出|给出|写出|显示|提供|完整|详细|全部)[^。！？\n]{0,10}(?:思考过程|推理过程|思维链|内部推理|思考链)/,
    ["过程", "思维链", "推理", "思考链"],
  ],
  [
    "step_by_step",
    "weak",
    /\b(?:think|reason|work|go|walk|solve|explain|answer|break)\b[^.?!\n]{0,30}\bstep[ -]by[ -]step\b|\bstep[ -]by[ -]step\s+(?:reasoning|thinking|explanation|solution|derivation)\b/,
    ["step"],
  ],
  [
    "show_reasoning",
    "weak",
    /\b(?:show|explain|describe|walk (?:me|us) through|outline|articulate|verbali[sz]e|spell out|lay out|justify)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?your\s+(?:reasoning|thought process|thinking|thoughts|work|logic)\b/,
    ["your"],
  ],
  ["think_aloud", "weak", /\bthink(?:ing)?\s+(?:out loud|aloud)\b/, ["loud"]],
  ["reasoning_tags", "weak", /<(?:thinking|think|reasoning|scratchpad|thoughts?)>/, ["<"]],
  ["step_by_step_zh", "weak", /一步一步|一步步|逐步(?:思考|推理|分析)/, ["一步", "逐步"]],
];

/** One space for any run of white space, straight quotes and hyphens (of lower-cased text): the patterns stay simple. */
const normalise = (lower: string): string => {
  // only runs of spaces, other white space, curly quotes and dashes are replaced: a single space stays as it is
  const spaced = lower.replace(/[ \t\r\f\v]{2,}|[\t\r\f\v]/g, " ");
  return NON_ASCII.test(spaced) ? spaced.replace(/[\u2018\u2019]/g, "'").replace(/[\u2010-\u2015]/g, "-") : spaced;
};
const NON_ASCII = /[\u0080-\uffff]/;

/** The elicitation patterns a prompt text matches, strongest tier first; empty when none. */
export function elicitation(text: string): { tier: "strong" | "weak"; ids: string[] } | null {
  if (text === "") return null;
  const lower = text.toLowerCase();
  const candidates = ELICITATION.filter(([, , , words]) => words.some((w) => lower.includes(w)));
  if (candidates.length === 0) return null;
  const t = normalise(lower);
  const ids = candidates.filter(([, , p]) => p.test(t));
  if (ids.length === 0) return null;
  const tier = ids.some(([, tier]) => tier === "strong") ? "strong" : "weak";
  return { tier, ids: ids.filter(([, x]) => x === tier).map(([id]) => id) };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const rank = (e: unknown): number => (typeof e === "string" ? EFFORTS.indexOf(e as Effort) : -1);

/** What about the body's reasoning settings is large; empty when nothing is. */
export function largeBudgets(json: unknown, policy: Pick<ContentPolicy, "maxBudgetTokens" | "maxEffort">): string[] {
  if (!isObj(json)) return [];
  const out: string[] = [];
  const thinking = json.thinking;
  if (
    isObj(thinking) &&
    thinking.type === "enabled" &&
    typeof thinking.budget_tokens === "number" &&
    thinking.budget_tokens > policy.maxBudgetTokens
  ) {
    out.push(`thinking.budget_tokens ${thinking.budget_tokens} > ${policy.maxBudgetTokens}`);
  }
  const limit = rank(policy.maxEffort);
  const efforts: Array<[string, unknown]> = [
    ["reasoning_effort", json.reasoning_effort],
    ["reasoning.effort", isObj(json.reasoning) ? json.reasoning.effort : undefined],
    ["output_config.effort", isObj(json.output_config) ? json.output_config.effort : undefined],
  ];
  for (const [field, value] of efforts)
    if (rank(value) > limit) out.push(`${field} ${String(value)} > ${policy.maxEffort}`);
  return out;
}

/** Null when the policy allows it; a throttle answers like a rate limit (429, retryable), a block is a policy denial (403, final). */
const contentFinding = (code: ReasonCode, detail: string, action: Action, risk: number): Finding | null =>
  action === "allow" ? null : finding(code, action, { detail, risk });

/** The content findings of a body (null: none read, or not JSON). */
export function contentFindings(body: RequestBody | null, policy: ContentPolicy): Finding[] {
  if (!body || body.json === undefined) return [];
  const findings: Finding[] = [];
  const asked = policy.reasoningElicitation === "allow" ? null : elicitation(promptText(body.json));
  if (asked) {
    const detail = `asks for ${asked.tier === "strong" ? "its internal or complete reasoning" : "step-by-step reasoning"} (${asked.ids.join(", ")})`;
    const f = contentFinding("content.reasoning_elicitation", detail, policy.reasoningElicitation, RISK[asked.tier]);
    if (f) findings.push(f);
  }
  const large = largeBudgets(body.json, policy);
  if (large.length) {
    const f = contentFinding(
      "content.large_reasoning_budget",
      large.join("; "),
      policy.largeReasoningBudget,
      RISK.budget,
    );
    if (f) findings.push(f);
  }
  return findings;
}

/** The route's content check, from its policy (config/content.ts). */
export function createContentCheck(policy: ContentPolicy): PureCheck {
  return (facts) => contentFindings(facts.body, policy);
}
