/**
 * One take, without the isolate's state: what the store is asked for a
 * request (planTake), and what its answer means (readTake). The limiter
 * (limiter.ts) holds the caches, the recovery clock and the fail modes around
 * these.
 */
import type { ClusterRule, LimitRule, SpreadRule } from "../config/types.ts";
import type { RequestFacts } from "../request/facts.ts";
import { type BlockDimension, dimensionValue } from "../request/dimensions.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding, LimitState } from "../verdict/types.ts";
import { type RequestBlockKey, requestBlockKeys, taintKey } from "./blocks.ts";
import {
  type ClusterState,
  type PlannedCluster,
  clusterState,
  clusterThrottle,
  judgeClusters,
  ownBucketRule,
  planClusters,
} from "./clusters.ts";
import { type TokenEstimate, type TokenEstimateOptions, estimateTokens } from "./estimate.ts";
import { provenMarker } from "./proven.ts";
import { type PlannedSpread, judgeSpreads, planSpreads } from "./spread.ts";
import { type HabitTake, type PlannedHabit, judgeHabits, planHabits } from "./habits.ts";
import { bucketKey, quotaWindow, reasonStem, windowSeconds } from "./rules.ts";
import { FIRST_SEEN_TTL_MS, firstSeenEpochKey, firstSeenKey, formatAge, isNew } from "./first-seen.ts";
import type { BucketRequest, CounterRequest, FirstSeen, TakeResult, TallyRequest } from "./types.ts";

/** What the limiter checks for one request: the route's buckets, clusters and whether its manual blocks apply. */
export interface LimitSpec {
  /** The route's name: part of every bucket key. */
  route: string;
  limits: readonly LimitRule[];
  /** Distinct-account counters; a throttled one adds its shared buckets. Default none. */
  clusters?: readonly ClusterRule[];
  /** Check manual blocks in the same round trip. Default false. */
  blocks?: boolean;
  /** Check the key's geo taint (blocks.ts taintKey) in the same round trip. Default false. */
  taint?: boolean;
  /** Count the account's networks (spread.ts) in the same round trip. */
  spreads?: readonly SpreadRule[];
  /**
   * The bucket of keys the origin has not accepted yet: given, the take also reads the key's proven marker
   * (proven.ts), keeps proven members apart in every counter (LimitStore.take), and charges an unproven key this
   * bucket. Default none.
   */
  unproven?: LimitRule;
  /** A key first seen less than this long ago is new: finding `identity.new_key` (evidence for the risk model). */
  newKeyMs?: number;
  /** The account's habits this request adds to (habits.ts), with its hits. */
  habits?: readonly HabitTake[];
}

export interface Planned {
  rule: LimitRule;
  bucket: BucketRequest;
  /** Set for a cluster's shared bucket (conditional: `bucket.when`). */
  cluster?: PlannedCluster;
}

/** What one take() carries: the buckets (the route's, then the clusters' shared ones), the clusters and their counters, the block keys. */
export interface Plan {
  planned: Planned[];
  clusters: PlannedCluster[];
  counters: CounterRequest[];
  blockKeys: RequestBlockKey[];
  /** The pre-charge of token-weighted buckets; null when the route has none. */
  estimate: TokenEstimate | null;
  /** The key's proven marker, when the spec has an unproven bucket and the request a key of its own. */
  provenKey: string | null;
  /** The account's spread counters, after the clusters' among `counters`. */
  spreads: PlannedSpread[];
  /** The key's first-seen record, when the spec reads its age (newKeyMs, or a cohort cluster) and it has a key. */
  seen: FirstSeen | null;
  /** From the spec: the age under which the key is new evidence. */
  newKeyMs: number | null;
  /** The account's habits and their tallies (`tallies[habit.tally]`). */
  habits: PlannedHabit[];
  tallies: TallyRequest[];
}

export const EMPTY_PLAN: Plan = {
  planned: [],
  clusters: [],
  counters: [],
  blockKeys: [],
  estimate: null,
  provenKey: null,
  spreads: [],
  seen: null,
  newKeyMs: null,
  habits: [],
  tallies: [],
};

/** Nothing to ask the store. */
export const isEmptyPlan = (plan: Plan): boolean =>
  plan.planned.length === 0 &&
  plan.counters.length === 0 &&
  plan.blockKeys.length === 0 &&
  plan.seen === null &&
  plan.tallies.length === 0;

/**
 * The store keys and costs of a request. `hash` hashes dimension values into
 * keys; buckets, clusters and blocks hash the same values ("key=…",
 * "subnet=…"), so each is hashed once per request.
 */
export async function planTake(
  spec: LimitSpec,
  facts: RequestFacts,
  prefix: string,
  hash: (text: string) => Promise<string>,
  estimateOptions: TokenEstimateOptions,
  nowMs = Date.now(),
): Promise<Plan> {
  const hashes = new Map<string, Promise<string>>();
  const hashOnce = (text: string) => hashes.get(text) ?? hashes.set(text, hash(text)).get(text)!;
  const blockKeys = spec.blocks ? await requestBlockKeys(prefix, facts, hashOnce) : [];
  const keyValue = spec.taint ? dimensionValue(facts, "key") : null;
  if (keyValue !== null)
    blockKeys.push({ dimension: "key", key: await taintKey(prefix, keyValue, hashOnce), taint: true });
  const estimate = spec.limits.some((r) => r.cost === "tokens")
    ? estimateTokens(facts.body?.json, estimateOptions)
    : null;
  const costOf = (rule: LimitRule) => (rule.cost === "tokens" ? estimate!.total : 1);
  const planned: Planned[] = [];
  const limits = spec.limits.map((rule) => ownLimit(rule, facts));
  for (const rule of limits) {
    const at = await bucketKey(prefix, spec.route, rule, facts, hashOnce, nowMs);
    if (at !== null)
      planned.push({
        rule,
        bucket: { ...at, capacity: rule.capacity, refillPerSecond: rule.refillPerSecond, cost: costOf(rule) },
      });
  }
  // a throttled cluster shares the key's rates, not its quotas
  const keyRules = limits.filter((r) => r.by.includes("key") && !r.quotaWindowSeconds);
  const clusters = await planClusters(spec.clusters ?? [], keyRules, facts, prefix, spec.route, hashOnce, costOf);
  const counters: CounterRequest[] = [];
  for (const c of clusters) {
    counters.push(...c.counters);
    for (const b of c.buckets)
      planned.push({ rule: b.rule ?? ownBucketRule(c.rule), cluster: c, bucket: { ...b.bucket, when: c.over } });
  }
  const spread = await planSpreads(spec.spreads ?? [], facts, prefix, hashOnce, counters.length);
  counters.push(...spread.counters);
  // a key of its own (not an account of the registry) is proven by the origin: until then, the unproven bucket
  const keyHash = facts.subject.account ? null : facts.subject.keyHash;
  const provenKey = spec.unproven && keyHash ? provenMarker(prefix, keyHash) : null;
  if (spec.unproven && provenKey) {
    const at = await bucketKey(prefix, spec.route, spec.unproven, facts, hashOnce, nowMs);
    if (at !== null) {
      const { capacity, refillPerSecond } = spec.unproven;
      planned.push({ rule: spec.unproven, bucket: { ...at, capacity, refillPerSecond, cost: 1, unprovenOnly: true } });
    }
  }
  // the key's age: read when a finding or a cohort counter needs it
  const member = dimensionValue(facts, "key");
  const ages = spec.newKeyMs !== undefined || counters.some((c) => c.newWithinMs !== undefined);
  const seen =
    ages && member
      ? {
          key: await firstSeenKey(prefix, member, hashOnce),
          epochKey: firstSeenEpochKey(prefix),
          ttlMs: FIRST_SEEN_TTL_MS,
        }
      : null;
  const newKeyMs = spec.newKeyMs ?? null;
  const { habits, tallies } = await planHabits(spec.habits ?? [], facts, prefix, spec.route, hashOnce);
  return {
    planned,
    clusters,
    counters,
    blockKeys,
    estimate,
    provenKey,
    spreads: spread.spreads,
    seen,
    newKeyMs,
    habits,
    tallies,
  };
}

/** The key's age as evidence: `identity.new_key` when first seen less than the spec's newKeyMs ago. */
function newKeyFinding(plan: Plan, answer: TakeResult): Finding[] {
  const { ageMs, watchedMs } = answer;
  if (plan.newKeyMs === null || ageMs === undefined || watchedMs === undefined) return [];
  if (!isNew({ ageMs, watchedMs }, plan.newKeyMs)) return [];
  return [finding("identity.new_key", "flag", { detail: `first seen ${formatAge(ageMs)} ago`, risk: NEW_KEY_RISK })];
}

/** A new key alone is weak evidence: honest customers sign up too. */
const NEW_KEY_RISK = 0.2;

/** A per-key rule with the account's own size and rate, when the key registry gives the account one of that name. */
function ownLimit(rule: LimitRule, facts: RequestFacts): LimitRule {
  const own =
    rule.by.includes("key") && !rule.quotaWindowSeconds ? facts.subject.account?.limits[rule.name] : undefined;
  return own ? { ...rule, capacity: own.capacity, refillPerSecond: own.refillPerSecond } : rule;
}

export const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
/** Whole seconds to wait, or Infinity when no wait helps. */
export const retryAfter = (ms: number) => (Number.isFinite(ms) ? seconds(ms) : Infinity);

export function limitState(rule: LimitRule, remaining: number, resetSeconds: number): LimitState {
  return {
    name: rule.name,
    capacity: rule.capacity,
    remaining: Math.max(0, Math.floor(remaining)),
    resetSeconds: Math.ceil(resetSeconds),
    windowSeconds: windowSeconds(rule),
    unit: rule.cost === "tokens" ? "tokens" : "requests",
  };
}

/** A bucket without room: 429, with the whole request's wait, or final when no wait helps. */
export function rateThrottle(rule: LimitRule, waitMs: number): Finding {
  const code = `${reasonStem(rule)}_exhausted` as const;
  return Number.isFinite(waitMs)
    ? finding(code, "throttle", { detail: rule.name, retryAfterSeconds: seconds(waitMs) })
    : finding(code, "throttle", { detail: rule.name, final: true });
}

/** An operator's block (admin API): 403, final; the detail names the dimension, never the value. */
export const manualBlock = (dimension: BlockDimension): Finding =>
  finding("block.manual", "block", { detail: dimension });

/** The finding of a request's block key: an operator's block, or the key's geo taint. */
export const blockFinding = (b: RequestBlockKey): Finding =>
  b.taint ? finding("geo.key_tainted", "block") : manualBlock(b.dimension);

/** A cost larger than a bucket's capacity can never fit: its states and findings, or null when every cost fits. (A cluster's bucket is as large as the key's.) */
export function tooLarge(plan: Plan): { limits: LimitState[]; findings: Finding[] } | null {
  const over = plan.planned.filter(
    (p) => !p.bucket.when && !p.bucket.unprovenOnly && p.bucket.cost > p.bucket.capacity,
  );
  if (over.length === 0) return null;
  return {
    limits: over.map((p) => limitState(p.rule, p.rule.capacity, 0)),
    findings: over.map((p) =>
      finding(`${reasonStem(p.rule)}_too_large`, "throttle", {
        detail: `${p.rule.name}: ${p.bucket.cost} > ${p.bucket.capacity}`,
        final: true,
      }),
    ),
  };
}

/** A denial the isolate remembers for a planned bucket (denial-cache.ts): how long, and how many tokens it holds at most. */
export interface CachedLookup {
  p: Planned;
  retryMs: number;
  tokens: number;
}

/** The answer from remembered denials: every cached bucket's state, the clusters they belong to, and one finding each. */
export function fromCachedDenials(cached: readonly CachedLookup[]): {
  limits: LimitState[];
  findings: Finding[];
  clusters: ClusterState[];
} {
  const waitMs = Math.max(...cached.map((c) => c.retryMs));
  const clusters = [...new Set(cached.flatMap(({ p }) => (p.cluster ? [p.cluster] : [])))];
  return {
    limits: cached.map(({ p, tokens }) =>
      limitState(p.rule, tokens, (p.rule.capacity - tokens) / p.rule.refillPerSecond),
    ),
    findings: [
      ...clusters.map((c) => clusterThrottle(c, null, retryAfter(waitMs))),
      ...cached.filter(({ p }) => !p.cluster).map(({ p }) => rateThrottle(p.rule, waitMs)),
    ],
    clusters: clusters.map((c) => clusterState(c, null, null)),
  };
}

/** What a store's answer means for the request. `denying`: the buckets that lacked room, for the denial cache. */
export interface TakeReading {
  allowed: boolean;
  findings: Finding[];
  limits: LimitState[];
  clusters: ClusterState[];
  /** The applied token-weighted buckets charged with the estimate (allowed only). */
  tokenBuckets: Planned[];
  denying: Array<{ p: Planned; retryAfterSeconds: number }>;
}

/** A quota's bucket as the client sees it: full again, and any cost that fits its quota fits, when its window ends. */
function quotaReading(p: Planned, b: TakeResult["buckets"][number], nowMs: number): TakeResult["buckets"][number] {
  if (!p.rule.quotaWindowSeconds) return b;
  const left = Math.max(1, quotaWindow(p.rule.quotaWindowSeconds, nowMs).endsMs - nowMs) / 1000;
  return {
    ...b,
    resetSeconds: b.remaining >= p.bucket.capacity ? 0 : left,
    retryAfterSeconds: b.retryAfterSeconds > 0 && p.bucket.cost <= p.bucket.capacity ? left : b.retryAfterSeconds,
  };
}

/** Reads a store's answer to the plan's take (without I/O or state). */
export function readTake(plan: Plan, answer: TakeResult): TakeReading {
  const { planned } = plan;
  // A quota's bucket never refills: it is full again when its window ends (a new window, a new bucket).
  const result = { ...answer, buckets: answer.buckets.map((b, i) => quotaReading(planned[i]!, b, answer.nowMs)) };
  const judged = judgeClusters(plan.clusters, result.counters);
  const spreadFindings = [
    ...judgeSpreads(plan.spreads, result.counters),
    ...judgeHabits(plan.habits, answer.tallies ?? []),
  ];
  const clusters = judged.map((j) => j.state);
  // a cluster's shared bucket shows (and counts) only when it applied to this request
  const limits = planned.flatMap((p, i) =>
    result.buckets[i]!.applied
      ? [limitState(p.rule, result.buckets[i]!.remaining, result.buckets[i]!.resetSeconds)]
      : [],
  );
  if (result.allowed) {
    return {
      allowed: true,
      findings: [
        ...judged.flatMap((j) => (j.finding ? [j.finding] : [])),
        ...spreadFindings,
        ...newKeyFinding(plan, answer),
      ],
      limits,
      clusters,
      tokenBuckets: planned.filter((p, i) => result.buckets[i]!.applied && p.rule.cost === "tokens"),
      denying: [],
    };
  }
  const denying = planned.flatMap((p, i) => {
    const r = result.buckets[i]!;
    return r.applied && r.retryAfterSeconds > 0 ? [{ p, retryAfterSeconds: r.retryAfterSeconds }] : [];
  });
  const waitMs = Math.max(...denying.map((d) => d.retryAfterSeconds * 1000));
  const findings = [
    // a throttled cluster's denial stands in for its flag, once however many of its buckets lack room
    ...plan.clusters.flatMap((c, i) =>
      denying.some(({ p }) => p.cluster === c)
        ? [clusterThrottle(c, judged[i]!.state.accounts, retryAfter(waitMs))]
        : judged[i]!.finding
          ? [judged[i]!.finding!]
          : [],
    ),
    ...denying.filter(({ p }) => !p.cluster).map(({ p }) => rateThrottle(p.rule, waitMs)),
    ...spreadFindings,
    ...newKeyFinding(plan, answer),
  ];
  return { allowed: false, findings, limits, clusters, tokenBuckets: [], denying };
}
