/**
 * Token-bucket and distinct-counter arithmetic, without I/O. The memory store
 * runs it directly; the Lua script (script.ts) is a line-by-line port, and the
 * same behavioural tests run against both stores to keep them equal.
 */
import { MAX_REFILL_SECONDS } from "../config/types.ts";
import type { BucketAdjustment, BucketRequest, BucketResult, CounterRequest, CountAbove } from "./types.ts";

/** A bucket that never refills (refillPerSecond 0) is forgotten after a day without writes. */
export const NO_REFILL_TTL_MS = 86_400_000;

/**
 * How deep a post-charge can put a bucket in debt, in capacities: far below
 * anything one response uses (the whole debt is kept, and the client waits it
 * off), only so a bucket's TTL stays a number Redis accepts.
 */
export const MAX_DEBT_CAPACITIES = 1000;

/** A bucket's identity: its key, and its field for a bucket sharing its key (BucketRequest.field). */
export const bucketId = (b: { key: string; field?: string }): string =>
  b.field === undefined ? b.key : `${b.key}#${b.field}`;

/** A counter's own name: its key, and its field for a counter sharing its key (CounterRequest.field). */
export const counterId = (c: { key: string; field?: string }): string =>
  c.field === undefined ? c.key : `${c.key}:${c.field}`;

/** The characters of a counter's field: none that its record's format or the registry uses (space, `,`, `*`, `!`). */
const COUNTER_FIELD = /^[\w@~][\w.:@~-]{0,127}$/;

/** What a store keeps per bucket: tokens (may be negative after a post-charge) as of `atMs`. */
export interface BucketState {
  tokens: number;
  atMs: number;
}

/** The bucket's tokens at `nowMs`. A missing bucket is full; a clock behind the stored one adds nothing. */
export function refill(
  state: BucketState | null,
  capacity: number,
  refillPerSecond: number,
  nowMs: number,
): BucketState {
  if (!state) return { tokens: capacity, atMs: nowMs };
  const elapsed = Math.max(0, nowMs - state.atMs);
  return {
    tokens: Math.min(capacity, state.tokens + (elapsed * refillPerSecond) / 1000),
    atMs: Math.max(state.atMs, nowMs),
  };
}

/** Milliseconds until `cost` fits; 0 when it fits now; Infinity when it never can. */
export function retryMs(tokens: number, capacity: number, refillPerSecond: number, cost: number): number {
  if (cost > capacity) return Infinity;
  if (tokens >= cost) return 0;
  if (refillPerSecond <= 0) return Infinity;
  return Math.ceil(((cost - tokens) * 1000) / refillPerSecond);
}

/** Milliseconds until the bucket is full again; Infinity when it never refills. */
export function resetMs(tokens: number, capacity: number, refillPerSecond: number): number {
  if (tokens >= capacity) return 0;
  if (refillPerSecond <= 0) return Infinity;
  return Math.ceil(((capacity - tokens) * 1000) / refillPerSecond);
}

/** How long a written bucket lives: until it would be full again (a full bucket equals a missing one), at least 1 s. */
export function ttlMs(tokens: number, capacity: number, refillPerSecond: number): number {
  if (refillPerSecond <= 0) return NO_REFILL_TTL_MS;
  return Math.max(1000, resetMs(tokens, capacity, refillPerSecond));
}

/**
 * A distinct counter is two sets of members, one per half window, in two slots
 * that alternate: the current half window's slot and the previous one's. The
 * count is the union of both, so it covers the last half window to one full
 * window. A slot's entry expires at the end of the half window after its own,
 * so an entry two half windows old is gone before its slot is reused.
 */
export function counterSlots(
  windowSeconds: number,
  nowMs: number,
): { half: number; current: 0 | 1; expiresInMs: number } {
  const half = Math.max(1, Math.floor((windowSeconds * 1000) / 2));
  const index = Math.floor(nowMs / half);
  return { half, current: (index % 2) as 0 | 1, expiresInMs: (index + 2) * half - nowMs };
}

export interface Evaluation {
  allowed: boolean;
  buckets: BucketResult[];
  /** The state to write per bucket, or null (unchanged). */
  writes: (BucketState | null)[];
}

/**
 * One `take()` over buckets already refilled to `now`, given the counters'
 * values after this request: every applied bucket with a cost must have room,
 * then all are charged, else none.
 */
export function evaluate(
  buckets: readonly Pick<BucketRequest, "capacity" | "refillPerSecond" | "cost" | "when" | "unprovenOnly">[],
  states: readonly (BucketState | null)[],
  counts: readonly number[],
  nowMs: number,
  /** The take's proven marker is missing (LimitStore.take): `unprovenOnly` buckets apply. */
  unproven = false,
): Evaluation {
  const current = buckets.map((b, i) => refill(states[i] ?? null, b.capacity, b.refillPerSecond, nowMs));
  const applied = buckets.map((b) =>
    b.unprovenOnly ? unproven : !b.when || (isAbove(b.when, counts) && (!b.when.and || isAbove(b.when.and, counts))),
  );
  const retries = buckets.map((b, i) =>
    applied[i] && b.cost > 0 ? retryMs(current[i]!.tokens, b.capacity, b.refillPerSecond, b.cost) : 0,
  );
  const allowed = retries.every((r) => r === 0);
  const writes: Evaluation["writes"] = buckets.map((b, i) => {
    if (!allowed || !applied[i] || b.cost <= 0) return null;
    current[i]!.tokens -= b.cost;
    return { ...current[i]! };
  });
  return {
    allowed,
    writes,
    buckets: buckets.map((b, i) => ({
      applied: applied[i]!,
      remaining: current[i]!.tokens,
      resetSeconds: resetMs(current[i]!.tokens, b.capacity, b.refillPerSecond) / 1000,
      retryAfterSeconds: retries[i]! / 1000,
    })),
  };
}

/**
 * A post-charge (`adjust()`, or a take's settlements): the bucket charged `delta` (negative gives back),
 * never refused, kept within [-MAX_DEBT_CAPACITIES × capacity, capacity]: the whole debt stays. "full": the
 * bucket is full again (its state can go). Settled later than the usage was known (a correction carried by a
 * later take), the result is the same while the bucket is not full yet (refill and charge commute below
 * capacity); a bucket already full again (missing) is charged from full now.
 */
export function settle(
  state: BucketState | null,
  a: Pick<BucketAdjustment, "capacity" | "refillPerSecond" | "delta">,
  nowMs: number,
): BucketState | "full" {
  const s = refill(state, a.capacity, a.refillPerSecond, nowMs);
  const tokens = Math.max(-MAX_DEBT_CAPACITIES * a.capacity, Math.min(a.capacity, s.tokens - a.delta));
  return tokens >= a.capacity ? "full" : { tokens, atMs: s.atMs };
}

/** Whether the counter `c.counter` of this take counts more than `c.above`. */
export const isAbove = (c: CountAbove, counts: readonly number[]): boolean => (counts[c.counter] ?? 0) > c.above;

const isCounterOf = (c: CountAbove, counters: readonly unknown[]) =>
  Number.isInteger(c.counter) && c.counter >= 0 && c.counter < counters.length;

/** Validates a take's requests (both stores call it): bad numbers would corrupt stored state. */
export function assertValidRequests(buckets: readonly BucketRequest[], counters: readonly CounterRequest[]): void {
  for (const b of buckets) {
    if (
      !(b.capacity > 0) ||
      !(b.refillPerSecond >= 0) ||
      !Number.isFinite(b.cost) ||
      !Number.isFinite(b.capacity) ||
      !Number.isFinite(b.refillPerSecond)
    ) {
      throw new RangeError(
        `invalid bucket ${b.key}: capacity ${b.capacity}, refill ${b.refillPerSecond}, cost ${b.cost}`,
      );
    }
    if (b.refillPerSecond > 0 && b.capacity / b.refillPerSecond > MAX_REFILL_SECONDS) {
      throw new RangeError(
        `invalid bucket ${b.key}: refilling capacity ${b.capacity} at ${b.refillPerSecond}/s takes more than ${MAX_REFILL_SECONDS} s`,
      );
    }
    for (const w of [b.when, b.when?.and]) {
      if (w && !isCounterOf(w, counters))
        throw new RangeError(`invalid bucket ${b.key}: counter ${w.counter} is not a counter of this take`);
    }
  }
  for (const c of counters) {
    if (!(c.windowSeconds > 0)) throw new RangeError(`invalid counter ${c.key}: window ${c.windowSeconds}`);
    if (c.field !== undefined && !COUNTER_FIELD.test(c.field))
      throw new RangeError(`invalid counter ${c.key}: field ${JSON.stringify(c.field)}`);
    if (c.over?.and && !isCounterOf(c.over.and, counters))
      throw new RangeError(`invalid counter ${c.key}: counter ${c.over.and.counter} is not a counter of this take`);
  }
}

/** Validates post-charges (both stores call it), as `assertValidRequests` does a take's buckets. */
export function assertValidSettlements(adjustments: readonly BucketAdjustment[]): void {
  assertValidRequests(
    adjustments.map((a) => ({ ...a, cost: a.delta })),
    [],
  );
}
