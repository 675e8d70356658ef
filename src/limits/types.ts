/**
 * The store behind the limiter. One `take()` is one round trip: every bucket
 * of a request is checked and charged (all or none) and every distinct-account
 * counter is updated, atomically.
 */
export interface BucketRequest {
  /** Full store key: prefixed, built from hashes only (never a raw API key or IP). */
  key: string;
  /**
   * The bucket's name within its store key: the buckets of one client on one route (the same dimension values)
   * share a key, read and written once per take, each under its own field. Default: the key holds this bucket alone.
   */
  field?: string;
  /** Most tokens the bucket holds. */
  capacity: number;
  /** Tokens added per second (0: never refills). */
  refillPerSecond: number;
  /** Tokens this request takes (0: only read the state). */
  cost: number;
  /**
   * Only applies when the counter at this index (in the same `take()`) is above
   * `above` after adding this request's member, and, with `and`, a second
   * counter above its own: a cluster over its limit shares one bucket.
   */
  when?: CountAbove & { and?: CountAbove };
  /**
   * Only applies when the take's proven key (see `take()`) does not exist: the bucket of keys the origin
   * has not accepted yet. Never with `when`.
   */
  unprovenOnly?: boolean;
}

/** A counter of the same `take()` (its index there) above a count. */
export interface CountAbove {
  counter: number;
  above: number;
}

export interface BucketResult {
  /** Whether the bucket applied to this request (see `when`). */
  applied: boolean;
  /** Tokens left after this request (after the charge, when allowed); fractional, negative after a post-charge debt. */
  remaining: number;
  /** Seconds until the bucket is full again (ms precision; Infinity when it never refills). */
  resetSeconds: number;
  /** Seconds until this request's cost would fit (ms precision); 0 when it fits now. Infinity when it never can (cost > capacity, or no refill). */
  retryAfterSeconds: number;
}

/** A distinct-member counter over a rolling window: distinct accounts per fingerprint, subnet... */
export interface CounterRequest {
  /** Full store key of the counter's record: prefixed, built from hashes only. */
  key: string;
  /**
   * The counter's name within its record: the counters of one cluster (accounts, addresses) share a key, read and
   * written once per take, each under its own field (letters, digits, `_.:@~-`). Default: the key holds this counter
   * alone. The counter's own name (its identity in the memory store, the over-limit registry's listing, and its
   * HyperLogLog slots when it outgrows its record) is `<key>:<field>`, or the key alone (counterId).
   */
  field?: string;
  /** Usually a key hash. */
  member: string;
  windowSeconds: number;
  /**
   * One account's own counter (its networks, spread.ts): only that account adds members, so its proven and
   * unproven requests are counted together; a shared counter (a cluster's) keeps proven members apart.
   */
  own?: boolean;
  /**
   * A cohort counter (a cluster's `newKeys`): counts and judges only a key first seen less than this long ago (the
   * take's `seen` record); for any other key it adds nothing and its count is 0. Needs `seen` in the take.
   */
  newWithinMs?: number;
  /**
   * While the count (after this member) is above `above`, list the counter in
   * the sorted set `registry` (member: the counter's key, score: when its
   * current slot expires), so the admin API can show clusters over their limit.
   * With `and`, only while that counter of the same take() is above its count too.
   * Every tracked counter of one take() names the same registry.
   */
  over?: { above: number; registry: string; and?: CountAbove };
}

export interface TakeResult {
  /** Every applied bucket had room and all were charged; false: none was charged. */
  allowed: boolean;
  /** One per bucket, in order. */
  buckets: BucketResult[];
  /** Distinct members per counter after adding this request's member, in order. */
  counters: number[];
  /** The clock the decision used, in milliseconds. */
  nowMs: number;
  /**
   * Set when one of the request's manual block keys exists: nothing was
   * charged or counted, and `buckets` and `counters` are empty.
   */
  blocked?: BlockHit;
  /** With a proven key given to `take()`: whether it exists (the origin has accepted the key). */
  proven?: boolean;
  /** With a first-seen record given to `take()`: the key's age in ms (0 on its first take). */
  ageMs?: number;
  /**
   * With a first-seen record: how long the store had been recording first-seen records (its epoch) when it first
   * saw the key. A key is new for an age threshold only when this is at least the threshold: a key first seen in
   * the store's first day may be a customer of years.
   */
  watchedMs?: number;
  /** One per tally given to `take()`, in order (empty when blocked). */
  tallies?: TallyResult[];
}

/**
 * A share of a subject's requests over time (limits/habits.ts): a decayed count of its requests and of those
 * that were hits, kept as one field of a store key (the key's bucket key: read and written with its buckets).
 * Each take adds the request; older ones fade with the half-life, and a tally untouched for four half-lives is gone.
 */
export interface TallyRequest {
  key: string;
  /** Its name within the key (not a bucket's). */
  field: string;
  halfLifeMs: number;
  /** This request is a hit. */
  hit: boolean;
}

/** A tally after this request: its decayed hits and requests. */
export interface TallyResult {
  hits: number;
  requests: number;
}

/** A key's first-seen record (limits/first-seen.ts) as a take reads it, and creates it when missing. */
export interface FirstSeen {
  key: string;
  /** The store's recording epoch (first-seen.ts firstSeenEpochKey): when it began keeping first-seen records. */
  epochKey: string;
  /** The record's life after each write, in ms; it is written again once half of it has passed. */
  ttlMs: number;
}

/** Which of `take()`'s block keys exists (its index there) and how long it still lives (Infinity: no expiry). */
export interface BlockHit {
  index: number;
  ttlMs: number;
}

export interface BucketAdjustment {
  key: string;
  /** As BucketRequest.field. */
  field?: string;
  capacity: number;
  refillPerSecond: number;
  /**
   * Tokens to take (positive) or give back (negative); never refused. The
   * bucket stays at most `capacity`, and keeps the whole debt: usage beyond
   * the estimate is a debt that later requests wait for (an estimate too low,
   * by mistake or by design, is not forgiven), down to
   * -MAX_DEBT_CAPACITIES (1,000) × capacity, a floor no real response
   * reaches. The bucket's TTL covers the time to wait it off, and the next
   * take's `retryAfterSeconds` is that wait.
   */
  delta: number;
}

/** A key's proven marker (limits/proven.ts) as a take reads it. */
export interface ProvenMarker {
  key: string;
  /** Write it first: the origin has accepted the key since its last take (the take counts it as proven). */
  write: boolean;
  /** The marker's life when written, in ms. */
  ttlMs: number;
}

export interface LimitStore {
  /** Human-readable kind for logs and health: "upstash", "memory". */
  readonly kind: string;
  /**
   * @param blocks manual block keys (blocks.ts): when any exists, the request is
   * denied (`blocked`) before anything is charged or counted.
   * @param proven the key's proven marker (limits/proven.ts). Given, each counter keeps its proven members apart:
   * every member is counted among everyone, a proven one (its marker exists) also among the proven members and
   * the count returned is theirs; an unproven one gets everyone's count, and `unprovenOnly` buckets apply to it.
   * `TakeResult.proven` says which.
   * @param seen the key's first-seen record (limits/first-seen.ts): read, created when missing, and its age
   * returned (`TakeResult.ageMs`); cohort counters (`newWithinMs`) count the key only while it is that new.
   * @param settlements post-charges of earlier takes (as `adjust()`), applied first, in the same round trip,
   * whether this take is allowed, denied or blocked.
   * @param tallies shares of requests over time (TallyRequest): each adds this request, allowed or denied (not
   * when blocked), and `TakeResult.tallies` returns them.
   */
  take(
    buckets: BucketRequest[],
    counters: CounterRequest[],
    blocks?: readonly string[],
    proven?: ProvenMarker,
    seen?: FirstSeen,
    settlements?: readonly BucketAdjustment[],
    tallies?: readonly TallyRequest[],
  ): Promise<TakeResult>;
  /** Post-charge: reconcile token-weighted buckets with the usage the origin reported. */
  adjust(adjustments: readonly BucketAdjustment[]): Promise<void>;
}
