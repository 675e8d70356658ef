import type { StoreConfig } from "../config/types.ts";
import { dimensionNeeds, dimensionValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import type { Usage } from "../proxy/usage.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding, LimitState } from "../verdict/types.ts";
import {
  type BlockCache,
  MAX_REASON_LENGTH,
  blocksIndexKey,
  createBlockCache,
  isAdminStore,
  taintKey,
} from "./blocks.ts";
import type { ClusterState } from "./clusters.ts";
import { type DenialCache, createDenialCache } from "./denial-cache.ts";
import type { TokenEstimate, TokenEstimateOptions } from "./estimate.ts";
import { bucketId } from "./bucket.ts";
import { createMemoryStore } from "./memory-store.ts";
import { sha256Hex } from "./rules.ts";
import {
  type CachedLookup,
  EMPTY_PLAN,
  type LimitSpec,
  type Plan,
  type Planned,
  fromCachedDenials,
  isEmptyPlan,
  blockFinding,
  planTake,
  readTake,
  seconds,
  tooLarge,
} from "./take.ts";
import { PROVEN_TTL_MS, createPendingProofs } from "./proven.ts";
import { createPendingSettlements } from "./settlements.ts";
import { StoreTimeout, boundedFor, offPathTimeoutMs } from "./timeout.ts";
import type { LimitStore, ProvenMarker, TakeResult } from "./types.ts";

export type { LimitSpec } from "./take.ts";

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
  /**
   * After a store failure, requests skip the shared store for this long, then one request tries it again.
   * Default `storeConfig.recoverAfterMs`, else 1,000 ms. Failing closed, the 503's Retry-After is the
   * time left until that try (at least 1 s).
   */
  recoverAfterMs?: number;
  /**
   * Longest time a manual block is remembered in the isolate (never past its
   * expiry): an unblock made elsewhere takes effect here within it. Default 30,000 ms.
   */
  blockCacheMs?: number;
  /**
   * Longest time a token post-charge waits in the isolate for the next take to carry it
   * (settlements.ts); after it, it is sent in a call of its own. Default 1,000 ms.
   */
  settleDelayMs?: number;
  /** Most bucket corrections waiting in the isolate; reaching it sends them all at once. Default 32. */
  maxPendingSettlements?: number;
}

/** What decided: the shared store, the fallback, the denial cache, the pre-check (a cost that can never fit), the fail mode, or nothing (no rule applied). */
export type LimitSource = "store" | "fallback" | "cache" | "precheck" | "open" | "closed" | "none";

export interface LimitCheck {
  findings: Finding[];
  limits: LimitState[];
  /**
   * With an unproven bucket in the spec: whether the origin had accepted the key (its proven marker existed);
   * null when not read. After a success from the origin, `prove()` marks a key that was not.
   */
  keyProven: boolean | null;
  /** The origin accepted the key: its next take writes its proven marker (proven.ts). A no-op unless `keyProven` is false. */
  prove(): void;
  /** False when a bucket (or a closed store) denies the request. */
  allowed: boolean;
  source: LimitSource;
  /** Tokens pre-charged to token-weighted buckets (0 when none were charged). */
  estimatedTokens: number;
  /** The clusters the request belongs to, with their distinct-account counts (empty when none was counted). */
  clusters: ClusterState[];
  /**
   * Post-charge after the response: replaces the estimate with the usage the
   * origin reported (`trackUsage(response).usage`). The correction waits for the
   * isolate's next take to carry it (settlements.ts); resolves after `settleDelayMs`,
   * having sent it itself if no take did. For `waitUntil`; never
   * rejects; does nothing when no token-weighted bucket was charged or usage is null.
   */
  reconcile(usage: Usage | null | Promise<Usage | null>): Promise<void>;
}

export interface Limiter {
  /**
   * Checks and charges every bucket of `spec.limits`, counts the request's
   * account in every cluster of `spec.clusters` (charging a throttled
   * cluster's shared buckets) and, with `spec.blocks`, checks its manual
   * blocks, in one store round trip. Never throws.
   */
  check(spec: LimitSpec, facts: RequestFacts): Promise<LimitCheck>;
  /**
   * The isolate's answer alone, for a request whose body is not read yet: a manual block (or geo taint) it
   * remembers, or a denial it remembers for one of `spec.limits` whose store key and cost need no body (cost 1,
   * no `template`); clusters and the unproven bucket are not looked at. Null when neither is known. Never calls
   * the store, never throws. What `check()` would answer from the same caches, before any store call.
   */
  cached(spec: LimitSpec, facts: RequestFacts): Promise<LimitCheck | null>;
  /**
   * Keeps the request's key (or account) refused for `ttlMs` from anywhere (a geo taint, blocks.ts taintKey):
   * a block listed with the manual ones, written once while this isolate remembers it. Never rejects.
   */
  taint(facts: RequestFacts, ttlMs: number, reason: string): Promise<void>;
  /** Denials remembered in the isolate: for tests and health. */
  readonly denials: DenialCache;
  /** Manual blocks remembered in the isolate; the admin API forgets one here when it lifts it. */
  readonly blocks: BlockCache;
  /** Token post-charges waiting for the isolate's next take (settlements.ts): for tests and health. */
  readonly settlements: { readonly size: number };
}

const noProve = (): void => {};

const noReconcile = async (usage: Usage | null | Promise<Usage | null>): Promise<void> => {
  Promise.resolve(usage).catch(() => {}); // nothing to post-charge; a failed usage read must not go unhandled
};

/**
 * The limiter: builds each rule's bucket for the request's subject, answers
 * repeated denials from the isolate's denial cache, and otherwise checks and
 * charges every bucket in one `store.take()` bounded by `storeConfig.timeoutMs`.
 * When the store fails or times out, `storeConfig.onError` decides: `open`
 * allows (finding `store.unavailable`, flag: limits not enforced), `closed`
 * denies with 503 and Retry-After, the time until the store is tried again
 * (`store.unavailable`, throttle), `local`
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
 * const limits = await limiter.check({ route: route.name, limits: route.limits }, facts);
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const {
    store,
    storeConfig,
    fallbackStore = createMemoryStore(),
    now = Date.now,
    hash = sha256Hex,
    denialCacheSize = 10_000,
    recoverAfterMs = storeConfig.recoverAfterMs ?? 1000,
    blockCacheMs = 30_000,
    settleDelayMs = 1000,
    maxPendingSettlements = 32,
  } = options;
  const denials = createDenialCache(denialCacheSize);
  const blocks = createBlockCache(denialCacheSize);
  const proofs = createPendingProofs(denialCacheSize);
  // the shared store's post-charges, carried by the next take (the fallback, in memory, is settled at once)
  const settlements = createPendingSettlements({
    flush: (adjustments) => boundedFor(store, store.adjust(adjustments), offPathTimeoutMs(storeConfig)),
    delayMs: settleDelayMs,
    maxPending: maxPendingSettlements,
  });
  /** The take's proven marker, written first when the origin has accepted the key since its last take here. */
  const markerOf = (plan: Plan): ProvenMarker | undefined =>
    plan.provenKey ? { key: plan.provenKey, write: proofs.take(plan.provenKey), ttlMs: PROVEN_TTL_MS } : undefined;
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
    fields: Pick<LimitCheck, "allowed" | "source" | "findings" | "limits"> &
      Partial<Pick<LimitCheck, "estimatedTokens" | "reconcile" | "clusters" | "keyProven" | "prove">>,
  ): LimitCheck => ({
    estimatedTokens: 0,
    reconcile: noReconcile,
    clusters: [],
    keyProven: null,
    prove: noProve,
    ...fields,
  });

  const failed = (plan: Plan, detail: string): Promise<LimitCheck> | LimitCheck => {
    // The blocks this isolate has seen still hold, until their own expiry: the store cannot say they were lifted.
    const known = blocks.find(
      plan.blockKeys.map((b) => b.key),
      now(),
      true,
    );
    if (known) return blocked(plan, known.index, "cache");
    if (storeConfig.onError === "closed") {
      return outcome({
        allowed: false,
        source: "closed",
        limits: [],
        // the wait until the next request tries the store again: none is sent to it before
        findings: [finding("store.unavailable", "throttle", { detail, retryAfterSeconds: seconds(downUntil - now()) })],
      });
    }
    if (
      storeConfig.onError === "local" &&
      (plan.planned.length > 0 || plan.counters.length > 0 || plan.tallies.length > 0)
    ) {
      return fallbackStore
        .take(
          plan.planned.map((p) => p.bucket),
          plan.counters,
          [],
          markerOf(plan),
          plan.seen ?? undefined,
          [],
          plan.tallies,
        )
        .then((result) => {
          const decided = decide(plan, result, fallbackStore, "fallback");
          // Not store.unavailable: the limits were enforced, by this isolate alone.
          decided.findings.push(finding("store.fallback", "allow", { detail }));
          return decided;
        })
        .catch(() => failedOpen(detail));
    }
    return failedOpen(detail);
  };
  const failedOpen = (detail: string): LimitCheck =>
    outcome({
      allowed: true,
      source: "open",
      limits: [],
      findings: [finding("store.unavailable", "flag", { detail })],
    });

  const blocked = (plan: Plan, index: number, source: LimitSource): LimitCheck =>
    outcome({ allowed: false, source, limits: [], findings: [blockFinding(plan.blockKeys[index]!)] });

  /** The limiter's answer from a store's, remembering its denials in the isolate. */
  const decide = (plan: Plan, result: TakeResult, charged: LimitStore, source: LimitSource): LimitCheck => {
    const read = readTake(plan, result);
    const { estimate } = plan;
    const t = now();
    for (const { p, retryAfterSeconds } of read.denying) {
      // the unproven bucket applies to some keys of its network and not to others: never remembered
      if (!Number.isFinite(retryAfterSeconds) || p.bucket.unprovenOnly) continue;
      // A cluster's shared bucket applies while the cluster stays over its limit: its count falls only as
      // the window slides, so its denial is remembered for at most a tenth of the window.
      const ms = p.cluster
        ? Math.min(retryAfterSeconds * 1000, p.cluster.rule.windowSeconds * 100)
        : retryAfterSeconds * 1000;
      denials.put(bucketId(p.bucket), {
        untilMs: t + ms,
        cost: p.bucket.cost,
        refillPerSecond: p.bucket.refillPerSecond,
      });
    }
    const charges = read.tokenBuckets.length > 0 && estimate !== null;
    return outcome({
      allowed: read.allowed,
      source,
      findings: read.findings,
      limits: read.limits,
      clusters: read.clusters,
      estimatedTokens: charges ? estimate.total : 0,
      reconcile: charges ? reconciler(read.tokenBuckets, estimate, charged) : noReconcile,
      keyProven: result.proven ?? null,
      prove: result.proven === false && plan.provenKey ? () => proofs.add(plan.provenKey!) : noProve,
    });
  };

  const reconciler =
    (buckets: Planned[], estimate: TokenEstimate, charged: LimitStore) =>
    async (usage: Usage | null | Promise<Usage | null>): Promise<void> => {
      try {
        const u = await usage;
        if (!u) return;
        const actual = (u.inputTokens ?? estimate.input) + u.outputTokens;
        const delta = actual - estimate.total;
        if (delta === 0) return;
        const adjustments = buckets.map(({ bucket: { key, field, capacity, refillPerSecond } }) => ({
          key,
          ...(field === undefined ? {} : { field }),
          capacity,
          refillPerSecond,
          delta,
        }));
        if (charged === store) await settlements.add(adjustments);
        else await boundedFor(charged, charged.adjust(adjustments), offPathTimeoutMs(storeConfig));
      } catch {
        // The pre-charge stands: nothing better can be done after the response.
      }
    };

  /** A manual block or a denial the isolate remembers for the plan's keys; null when it knows neither. */
  const fromCaches = (plan: Plan): LimitCheck | null => {
    const t = now();
    const cachedBlock = blocks.find(
      plan.blockKeys.map((b) => b.key),
      t,
    );
    if (cachedBlock) return blocked(plan, cachedBlock.index, "cache");
    const cached = plan.planned.flatMap((p): CachedLookup[] => {
      const d = p.bucket.unprovenOnly ? null : denials.get(bucketId(p.bucket), p.bucket.cost, t);
      return d ? [{ p, retryMs: d.retryMs, tokens: d.tokens }] : [];
    });
    return cached.length > 0 ? outcome({ allowed: false, source: "cache", ...fromCachedDenials(cached) }) : null;
  };

  const cached = async (spec: LimitSpec, facts: RequestFacts): Promise<LimitCheck | null> => {
    // nothing remembered (the usual isolate): no key to build
    if (denials.size() === 0 && blocks.size() === 0) return null;
    try {
      const limits = spec.limits.filter((r) => r.cost !== "tokens" && !dimensionNeeds(r.by).body);
      const bodiless = { route: spec.route, limits, blocks: spec.blocks, taint: spec.taint };
      return fromCaches(await planTake(bodiless, facts, storeConfig.prefix, hash, options, now()));
    } catch {
      return null; // the full check decides
    }
  };

  const check = async (spec: LimitSpec, facts: RequestFacts): Promise<LimitCheck> => {
    let plan = EMPTY_PLAN;
    try {
      plan = await planTake(spec, facts, storeConfig.prefix, hash, options, now());
      if (isEmptyPlan(plan)) return outcome({ allowed: true, source: "none", findings: [], limits: [] });
      const never = tooLarge(plan);
      if (never) return outcome({ allowed: false, source: "precheck", ...never });

      const known = fromCaches(plan);
      if (known) return known;

      if (!sharedUsable()) return await failed(plan, "store down: not retried yet");
      let result: TakeResult;
      const carried = settlements.drain();
      try {
        result = await boundedFor(
          store,
          store.take(
            plan.planned.map((p) => p.bucket),
            plan.counters,
            plan.blockKeys.map((b) => b.key),
            markerOf(plan),
            plan.seen ?? undefined,
            carried,
            plan.tallies,
          ),
          storeConfig.timeoutMs,
        );
        sharedResult(true);
      } catch (error) {
        sharedResult(false);
        return await failed(
          plan,
          error instanceof StoreTimeout ? error.message : `store error: ${String(error).slice(0, 200)}`,
        );
      }
      if (result.blocked && plan.blockKeys[result.blocked.index]) {
        const at = now();
        blocks.put(
          plan.blockKeys[result.blocked.index]!.key,
          at + Math.min(result.blocked.ttlMs, blockCacheMs),
          at + result.blocked.ttlMs,
        );
        return blocked(plan, result.blocked.index, "store");
      }
      return decide(plan, result, store, "store");
    } catch (error) {
      // A bug must not become a 500: decide as if the store had failed.
      try {
        return await failed(plan, `limiter error: ${String(error).slice(0, 200)}`);
      } catch {
        return failedOpen("limiter error");
      }
    }
  };

  const taint = async (facts: RequestFacts, ttlMs: number, reason: string): Promise<void> => {
    const value = dimensionValue(facts, "key");
    if (value === null || !isAdminStore(store)) return;
    try {
      const key = await taintKey(storeConfig.prefix, value, hash);
      const t = now();
      if (blocks.find([key], t)) return;
      blocks.put(key, t + Math.min(ttlMs, blockCacheMs), t + ttlMs);
      const entry = { dimension: "key" as const, target: value, reason: reason.slice(0, MAX_REASON_LENGTH) };
      await boundedFor(
        store,
        store.block(blocksIndexKey(storeConfig.prefix), key, entry, ttlMs),
        offPathTimeoutMs(storeConfig),
      );
    } catch {
      // the isolate still refuses the key; another isolate refuses it at its next refusal for its place
    }
  };

  return { check, cached, taint, denials, blocks, settlements };
}
