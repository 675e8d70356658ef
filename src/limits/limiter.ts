import type { LimitOutcome, RequestFacts, StoreConfig } from "../config/types.ts";
import type { Usage } from "../proxy/usage.ts";
import type { Finding, LimitState } from "../verdict/types.ts";
import { type BlockCache, type BlockDimension, type RequestBlockKey, createBlockCache, requestBlockKeys } from "./blocks.ts";
import { type DenialCache, createDenialCache } from "./denial-cache.ts";
import { type TokenEstimate, type TokenEstimateOptions, estimateTokens } from "./estimate.ts";
import { type ClusterRule, type ClusterState, type PlannedCluster, clusterState, clusterThrottle, judgeClusters, ownBucketRule, planClusters } from "./clusters.ts";
import { createMemoryStore } from "./memory-store.ts";
import { StoreTimeout, withTimeout } from "./timeout.ts";
import { type LimitRule, bucketKey, reasonStem, sha256Hex, windowSeconds } from "./rules.ts";
import type { BucketRequest, CounterRequest, LimitStore, TakeResult } from "./types.ts";

export interface LimiterOptions extends TokenEstimateOptions {
  /** The shared store (createUpstashStore), or a memory store for `wrangler dev`. */
  store: LimitStore;
  /** Timeout, fail mode (`open` | `closed` | `local`) and key prefix. */
  storeConfig: StoreConfig;
  /** Decides while the shared store fails, with `onError: "local"`. Default: a new memory store. */
  fallbackStore?: LimitStore;
  /** The isolate's clock in ms (denial cache, recovery). Default `Date.now`. */
  now?: () => number;
  /**
   * Hashes dimension values into store keys. Default SHA-256; pass the key
   * hasher (an HMAC under a secret) so an IP cannot be recovered from a key by
   * trying every address.
   */
  hash?: (text: string) => Promise<string>;
  /** Denials remembered in the isolate. Default 10,000. */
  denialCacheSize?: number;
  /** After a store failure, requests skip the shared store for this long, then one request tries it again. Default 1,000 ms. */
  recoverAfterMs?: number;
  /** Retry-After of the 503 when failing closed. Default 1 s. */
  closedRetryAfterSeconds?: number;
  /**
   * Longest time a manual block is remembered in the isolate (never past its
   * expiry): an unblock made elsewhere takes effect here within it. Default 30,000 ms.
   */
  blockCacheMs?: number;
}

/** What decided: the shared store, the fallback, the denial cache, the pre-check (a cost that can never fit), the fail mode, or nothing (no rule applied). */
export type LimitSource = "store" | "fallback" | "cache" | "precheck" | "open" | "closed" | "none";

export interface LimitCheck extends LimitOutcome {
  /** False when a bucket (or a closed store) denies the request. */
  allowed: boolean;
  source: LimitSource;
  /** Tokens pre-charged to token-weighted buckets (0 when none were charged). */
  estimatedTokens: number;
  /** The clusters the request belongs to, with their distinct-account counts (empty when none was counted). */
  clusters: ClusterState[];
  /**
   * Post-charge after the response: replaces the estimate with the usage the
   * origin reported (`trackUsage(response).usage`). For `waitUntil`; never
   * rejects; does nothing when no token-weighted bucket was charged or usage is null.
   */
  reconcile(usage: Usage | null | Promise<Usage | null>): Promise<void>;
}

export interface Limiter {
  /**
   * Checks and charges every bucket of `rules`, and counts the request's
   * account in every cluster of `clusters` (charging a throttled cluster's
   * shared buckets), in one store round trip. Never throws.
   */
  check(rules: readonly LimitRule[], facts: RequestFacts, routeName?: string, clusters?: readonly ClusterRule[]): Promise<LimitCheck>;
  /** Denials remembered in the isolate: for tests and health. */
  readonly denials: DenialCache;
  /** Manual blocks remembered in the isolate; the admin API forgets one here when it lifts it. */
  readonly blocks: BlockCache;
}

interface Planned {
  rule: LimitRule;
  bucket: BucketRequest;
  /** Set for a cluster's shared bucket (conditional: `bucket.when`). */
  cluster?: PlannedCluster;
}

/** What one take() carries: the buckets (the route's, then the clusters' shared ones), the clusters and their counters. */
interface Plan {
  planned: Planned[];
  clusters: PlannedCluster[];
  counters: CounterRequest[];
}

const noReconcile = async (usage: Usage | null | Promise<Usage | null>): Promise<void> => {
  Promise.resolve(usage).catch(() => {}); // nothing to post-charge; a failed usage read must not go unhandled
};

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
/** Whole seconds to wait, or Infinity when no wait helps. */
const retryAfter = (ms: number) => (Number.isFinite(ms) ? seconds(ms) : Infinity);

function limitState(rule: LimitRule, remaining: number, resetSeconds: number): LimitState {
  return {
    name: rule.name,
    capacity: rule.capacity,
    remaining: Math.max(0, Math.floor(remaining)),
    resetSeconds: Math.ceil(resetSeconds),
    windowSeconds: windowSeconds(rule),
    unit: rule.cost === "tokens" ? "tokens" : "requests",
  };
}

/** True when a rule needs the request body (token-weighted buckets): set the route's `needsBody`. */
export function limitsNeedBody(rules: readonly LimitRule[]): boolean {
  return rules.some((r) => r.cost === "tokens");
}

/**
 * The limiter: builds each rule's bucket for the request's subject, answers
 * repeated denials from the isolate's denial cache, and otherwise checks and
 * charges every bucket in one `store.take()` bounded by `storeConfig.timeoutMs`.
 * When the store fails or times out, `storeConfig.onError` decides: `open`
 * allows (finding `store.unavailable`, flag: limits not enforced), `closed`
 * denies with 503 and Retry-After (`store.unavailable`, throttle), `local`
 * decides with the fallback store (finding `store.fallback`, allow: limits
 * enforced per isolate). After a failure the
 * shared store is skipped for `recoverAfterMs`, so no request waits for a
 * store known to be down; then one request probes it.
 *
 * Denials are 429 findings with action `throttle`, reason codes from
 * `reasonStem()` (`rate.key_exhausted`), and `retryAfterSeconds`: the
 * whole request's wait (the longest of its denying buckets), rounded up to
 * whole seconds. A cost larger than a bucket's capacity is denied with
 * `final: true` and no store call.
 *
 * @example
 * const limiter = createLimiter({ store: createUpstashStore(redis), storeConfig: config.store, hash: createKeyHasher(secret) });
 * const limits = await limiter.check(route.limits, facts, route.name);
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const {
    store,
    storeConfig,
    fallbackStore = createMemoryStore(),
    now = Date.now,
    hash = sha256Hex,
    denialCacheSize = 10_000,
    recoverAfterMs = 1000,
    closedRetryAfterSeconds = 1,
    blockCacheMs = 30_000,
  } = options;
  const denials = createDenialCache(denialCacheSize);
  const blocks = createBlockCache(denialCacheSize);
  let downUntil = 0;
  let probing = false;

  /** Whether this request may try the shared store (see the recovery note above). */
  const sharedUsable = (): boolean => {
    if (downUntil === 0) return true;
    if (probing || now() < downUntil) return false;
    probing = true;
    return true;
  };
  const sharedResult = (ok: boolean) => {
    probing = false;
    downUntil = ok ? 0 : now() + recoverAfterMs;
  };

  const outcome = (
    fields: Pick<LimitCheck, "allowed" | "source" | "findings" | "limits"> & Partial<Pick<LimitCheck, "estimatedTokens" | "reconcile" | "clusters">>,
  ): LimitCheck => ({ estimatedTokens: 0, reconcile: noReconcile, clusters: [], ...fields });

  const failed = (plan: Plan, estimate: TokenEstimate | null, detail: string, blockKeys: readonly RequestBlockKey[] = []): Promise<LimitCheck> | LimitCheck => {
    // The blocks this isolate has seen still hold, until their own expiry: the store cannot say they were lifted.
    const known = blocks.find(blockKeys.map((b) => b.key), now(), true);
    if (known) return manualBlock(blockKeys[known.index]!.dimension, "cache");
    const reason = { check: "store" as const, code: "store.unavailable", detail };
    if (storeConfig.onError === "closed") {
      return outcome({
        allowed: false,
        source: "closed",
        limits: [],
        findings: [{ reason, action: "throttle", status: 503, retryAfterSeconds: closedRetryAfterSeconds }],
      });
    }
    if (storeConfig.onError === "local" && (plan.planned.length > 0 || plan.counters.length > 0)) {
      return fallbackStore
        .take(plan.planned.map((p) => p.bucket), plan.counters)
        .then((result) => {
          const decided = decide(plan, result, estimate, fallbackStore, "fallback");
          // Not store.unavailable: the limits were enforced, by this isolate alone.
          decided.findings.push({ reason: { check: "store", code: "store.fallback", detail }, action: "allow" });
          return decided;
        })
        .catch(() => failedOpen(reason));
    }
    return failedOpen(reason);
  };
  const failedOpen = (reason: Finding["reason"]): LimitCheck =>
    outcome({ allowed: true, source: "open", limits: [], findings: [{ reason, action: "flag" }] });

  /** Findings, states and the post-charge from a store's answer. */
  const decide = (plan: Plan, result: TakeResult, estimate: TokenEstimate | null, charged: LimitStore, source: LimitSource): LimitCheck => {
    const { planned } = plan;
    const judged = judgeClusters(plan.clusters, result.counters);
    const states = judged.map((j) => j.state);
    // a cluster's shared bucket shows (and counts) only when it applied to this request
    const applied = planned.filter((_, i) => result.buckets[i]!.applied);
    const limits = planned.flatMap((p, i) => (result.buckets[i]!.applied ? [limitState(p.rule, result.buckets[i]!.remaining, result.buckets[i]!.resetSeconds)] : []));
    if (result.allowed) {
      const tokenBuckets = applied.filter((p) => p.rule.cost === "tokens");
      return outcome({
        allowed: true,
        source,
        findings: judged.flatMap((j) => (j.finding ? [j.finding] : [])),
        limits,
        clusters: states,
        estimatedTokens: tokenBuckets.length > 0 && estimate ? estimate.total : 0,
        reconcile: tokenBuckets.length > 0 && estimate ? reconciler(tokenBuckets, estimate, charged) : noReconcile,
      });
    }
    const t = now();
    const denying = planned.map((p, i) => ({ p, r: result.buckets[i]! })).filter(({ r }) => r.applied && r.retryAfterSeconds > 0);
    const waitMs = Math.max(...denying.map(({ r }) => r.retryAfterSeconds * 1000));
    for (const { p, r } of denying) {
      if (!Number.isFinite(r.retryAfterSeconds)) continue;
      // A cluster's shared bucket applies while the cluster stays over its limit: its count falls only as
      // the window slides, so its denial is remembered for at most a tenth of the window.
      const ms = p.cluster ? Math.min(r.retryAfterSeconds * 1000, p.cluster.rule.windowSeconds * 100) : r.retryAfterSeconds * 1000;
      denials.put(p.bucket.key, { untilMs: t + ms, cost: p.bucket.cost, refillPerSecond: p.bucket.refillPerSecond });
    }
    const findings = [
      // a throttled cluster's denial stands in for its flag, once however many of its buckets lack room
      ...plan.clusters.flatMap((c, i) =>
        denying.some(({ p }) => p.cluster === c) ? [clusterThrottle(c, judged[i]!.state.accounts, retryAfter(waitMs))] : judged[i]!.finding ? [judged[i]!.finding!] : [],
      ),
      ...denying.filter(({ p }) => !p.cluster).map(({ p }) => throttle(p.rule, waitMs)),
    ];
    return outcome({ allowed: false, source, limits, clusters: states, findings });
  };

  /** An operator's block (admin API): 403, final; the detail names the dimension, never the value. */
  const manualBlock = (dimension: BlockDimension, source: LimitSource): LimitCheck =>
    outcome({
      allowed: false,
      source,
      limits: [],
      findings: [{ reason: { check: "block", code: "block.manual", detail: dimension }, action: "block", status: 403, final: true }],
    });

  const throttle = (rule: LimitRule, waitMs: number): Finding =>
    Number.isFinite(waitMs)
      ? { reason: { check: "rate", code: `${reasonStem(rule)}_exhausted`, detail: rule.name }, action: "throttle", status: 429, retryAfterSeconds: seconds(waitMs) }
      : { reason: { check: "rate", code: `${reasonStem(rule)}_exhausted`, detail: rule.name }, action: "throttle", status: 429, final: true };

  const reconciler =
    (buckets: Planned[], estimate: TokenEstimate, charged: LimitStore) =>
    async (usage: Usage | null | Promise<Usage | null>): Promise<void> => {
      try {
        const u = await usage;
        if (!u) return;
        const actual = (u.inputTokens ?? estimate.input) + u.outputTokens;
        const delta = actual - estimate.total;
        if (delta === 0) return;
        const adjustments = buckets.map((p) => ({ key: p.bucket.key, capacity: p.bucket.capacity, refillPerSecond: p.bucket.refillPerSecond, delta }));
        await withTimeout(charged.adjust(adjustments), Math.max(storeConfig.timeoutMs, 1000));
      } catch {
        // The pre-charge stands: nothing better can be done after the response.
      }
    };

  const check = async (rules: readonly LimitRule[], facts: RequestFacts, routeName = facts.route.name, clusterRules: readonly ClusterRule[] = []): Promise<LimitCheck> => {
    const plan: Plan = { planned: [], clusters: [], counters: [] };
    const { planned } = plan;
    let estimate: TokenEstimate | null = null;
    try {
      // Buckets, clusters and blocks hash the same dimension values ("key=…", "subnet=…"): once each per request.
      const hashes = new Map<string, Promise<string>>();
      const hashOnce = (text: string) => hashes.get(text) ?? hashes.set(text, hash(text)).get(text)!;
      // Manual blocks ride along in the same take(): one key per dimension the request has.
      const blockKeys = facts.route.blocks ? await requestBlockKeys(storeConfig.prefix, facts.subject, hashOnce) : [];
      if (rules.some((r) => r.cost === "tokens")) estimate = estimateTokens(facts.body?.json, options);
      const costOf = (rule: LimitRule) => (rule.cost === "tokens" ? estimate!.total : 1);
      for (const rule of rules) {
        const key = await bucketKey(storeConfig.prefix, routeName, rule, facts.subject, hashOnce);
        if (key === null) continue;
        planned.push({ rule, bucket: { key, capacity: rule.capacity, refillPerSecond: rule.refillPerSecond, cost: costOf(rule) } });
      }
      const keyRules = rules.filter((r) => r.by.includes("key"));
      plan.clusters = await planClusters(clusterRules, keyRules, facts, storeConfig.prefix, routeName, hashOnce, costOf);
      for (const c of plan.clusters) {
        plan.counters.push(...c.counters);
        for (const b of c.buckets) planned.push({ rule: b.rule ?? ownBucketRule(c.rule), cluster: c, bucket: { ...b.bucket, when: c.over } });
      }
      if (planned.length === 0 && plan.counters.length === 0 && blockKeys.length === 0) return outcome({ allowed: true, source: "none", findings: [], limits: [] });

      // A cost larger than the capacity can never fit: no store call, no retry. (A cluster's bucket is as large as the key's.)
      const tooLarge = planned.filter((p) => !p.bucket.when && p.bucket.cost > p.bucket.capacity);
      if (tooLarge.length > 0) {
        return outcome({
          allowed: false,
          source: "precheck",
          limits: tooLarge.map((p) => limitState(p.rule, p.rule.capacity, 0)),
          findings: tooLarge.map((p) => ({
            reason: { check: "rate", code: `${reasonStem(p.rule)}_too_large`, detail: `${p.rule.name}: ${p.bucket.cost} > ${p.bucket.capacity}` },
            action: "throttle",
            status: 429,
            final: true,
          })),
        });
      }

      const t = now();
      const cachedBlock = blocks.find(blockKeys.map((b) => b.key), t);
      if (cachedBlock) return manualBlock(blockKeys[cachedBlock.index]!.dimension, "cache");
      const cached = planned.map((p) => ({ p, d: denials.get(p.bucket.key, p.bucket.cost, t) })).filter(({ d }) => d !== null);
      if (cached.length > 0) {
        const waitMs = Math.max(...cached.map(({ d }) => d!.retryMs));
        const clusters = [...new Set(cached.flatMap(({ p }) => (p.cluster ? [p.cluster] : [])))];
        return outcome({
          allowed: false,
          source: "cache",
          limits: cached.map(({ p, d }) => limitState(p.rule, d!.tokens, ((p.rule.capacity - d!.tokens) / p.rule.refillPerSecond))),
          findings: [
            ...clusters.map((c) => clusterThrottle(c, null, retryAfter(waitMs))),
            ...cached.filter(({ p }) => !p.cluster).map(({ p }) => throttle(p.rule, waitMs)),
          ],
          clusters: clusters.map((c) => clusterState(c, null, null)),
        });
      }

      if (!sharedUsable()) return await failed(plan, estimate, "store down: not retried yet", blockKeys);
      let result: TakeResult;
      try {
        result = await withTimeout(
          store.take(
            planned.map((p) => p.bucket),
            plan.counters,
            blockKeys.map((b) => b.key),
          ),
          storeConfig.timeoutMs,
        );
        sharedResult(true);
      } catch (error) {
        sharedResult(false);
        return await failed(plan, estimate, error instanceof StoreTimeout ? error.message : `store error: ${String(error).slice(0, 200)}`, blockKeys);
      }
      if (result.blocked) {
        const hit = blockKeys[result.blocked.index];
        if (hit) {
          const at = now();
          blocks.put(hit.key, at + Math.min(result.blocked.ttlMs, blockCacheMs), at + result.blocked.ttlMs);
          return manualBlock(hit.dimension, "store");
        }
      }
      return decide(plan, result, estimate, store, "store");
    } catch (error) {
      // A bug must not become a 500: decide as if the store had failed.
      try {
        return await failed(plan, estimate, `limiter error: ${String(error).slice(0, 200)}`);
      } catch {
        return failedOpen({ check: "store", code: "store.unavailable", detail: "limiter error" });
      }
    }
  };

  return { check, denials, blocks };
}
