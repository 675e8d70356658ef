import type { HabitKind, HabitRule } from "../config/types.ts";
import { dimensionValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";
import { bucketKey } from "./rules.ts";
import type { TallyRequest, TallyResult } from "./types.ts";

/**
 * Habits: what one account's requests are like over days, not one window.
 * Each rule keeps, per account (the key's hash, or the registry's account)
 * and route, a share of its requests that are of one kind, every request
 * weighing less as it ages (halved every `halfLife`): an exponentially
 * weighted share, with its weighted request count. Kept as one field of the
 * account's bucket key on the route, it is read and written with the
 * account's buckets: no store command of its own when the route has a
 * per-key bucket.
 *
 * - `single-shot`: a request without an earlier assistant turn (no
 *   conversation, no tool loop that grows): a completions prompt, a first
 *   message, a Responses call without `previous_response_id`.
 * - `reasoning`: a request the route's content checks find asking for
 *   reasoning (`content.reasoning_elicitation`, `content.large_reasoning_budget`).
 *
 * Honest keys mix kinds; a key harvesting answers asks one kind of question,
 * one shot at a time, day after day. Both are common in honest use too: the
 * findings are evidence, weighed by the route's risk model.
 *
 * Reason codes: `account.single_shot_share`, `account.reasoning_share`.
 */

const CODES: Record<HabitKind, "account.single_shot_share" | "account.reasoning_share"> = {
  "single-shot": "account.single_shot_share",
  reasoning: "account.reasoning_share",
};

/** Content findings that make a request a reasoning request. */
const REASONING_CODES: ReadonlySet<string> = new Set([
  "content.reasoning_elicitation",
  "content.large_reasoning_budget",
]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Whether a model call has no earlier assistant turn; null when the body is not one (a token count, a listing,
 * a batch): such requests are not tallied. A last assistant turn is a prefill, written by the client.
 */
export function isSingleShot(json: unknown): boolean | null {
  if (!isObj(json)) return null;
  if (typeof json.prompt === "string" || Array.isArray(json.prompt)) return true;
  if (typeof json.previous_response_id === "string") return false;
  const turns = Array.isArray(json.messages) ? json.messages : json.input;
  if (typeof turns === "string") return true;
  if (!Array.isArray(turns)) return null;
  return !turns.some(
    (m, i) =>
      isObj(m) &&
      ((m.role === "assistant" && i < turns.length - 1) ||
        m.type === "function_call" ||
        m.type === "function_call_output" ||
        m.type === "reasoning"),
  );
}

/** A rule and this request's hit. */
export interface HabitTake {
  rule: HabitRule;
  hit: boolean;
}

/** The rules that tally this request, with its hits. */
export function habitTakes(
  rules: readonly HabitRule[],
  facts: RequestFacts,
  findings: readonly Finding[],
): HabitTake[] {
  if (rules.length === 0) return [];
  // the body is read once for every rule; a request that is not a model call is tallied by none
  const singleShot = isSingleShot(facts.body?.json);
  if (singleShot === null) return [];
  const reasoning = findings.some((f) => REASONING_CODES.has(f.reason.code));
  return rules.map((rule) => ({ rule, hit: rule.of === "single-shot" ? singleShot : reasoning }));
}

export interface PlannedHabit {
  rule: HabitRule;
  /** Its index among the take's tallies. */
  tally: number;
}

/**
 * The request's tallies: one field per rule in the account's key on the route (the key a per-key bucket of the
 * route uses, so they are read and written together); none for a request without a key.
 */
export async function planHabits(
  takes: readonly HabitTake[],
  facts: RequestFacts,
  prefix: string,
  route: string,
  hash: (text: string) => Promise<string>,
): Promise<{ habits: PlannedHabit[]; tallies: TallyRequest[] }> {
  const habits: PlannedHabit[] = [];
  const tallies: TallyRequest[] = [];
  if (takes.length === 0 || dimensionValue(facts, "key") === null) return { habits, tallies };
  const at = await bucketKey(prefix, route, { name: "habits", by: ["key"] }, facts, hash);
  if (at === null) return { habits, tallies };
  for (const { rule, hit } of takes) {
    habits.push({ rule, tally: tallies.length });
    tallies.push({ key: at.key, field: `~${rule.name}`, halfLifeMs: rule.halfLifeMs, hit });
  }
  return { habits, tallies };
}

const share = (t: TallyResult) => (t.requests > 0 ? t.hits / t.requests : 0);

/** The findings of the accounts over a rule: enough requests, and the share at or above the rule's. */
export function judgeHabits(planned: readonly PlannedHabit[], tallies: readonly TallyResult[]): Finding[] {
  return planned.flatMap(({ rule, tally }) => {
    const t = tallies[tally];
    if (!t || t.requests < rule.minRequests || share(t) < rule.share) return [];
    const detail = `${rule.name}: ${share(t).toFixed(2)} of ${t.requests.toFixed(1)} requests (half-life ${rule.halfLifeMs / 1000}s)`;
    return [finding(CODES[rule.of], rule.action, { detail, risk: 0.3 })];
  });
}
