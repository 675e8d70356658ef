import { type AdminStore, type BlockEntry, type BlockRecord, type ListedCounter, MAX_BLOCK_TTL_MS } from "./blocks.ts";
import { type BucketState, assertValidRequests, counterSlots, evaluate, isAbove, ttlMs } from "./bucket.ts";
import type { BucketRequest, FirstSeen, LimitStore, TakeResult } from "./types.ts";

export interface MemoryStoreOptions {
  /** The clock in ms. Default `Date.now`; a simulator passes a virtual clock. */
  now?: () => number;
  /** Most entries (buckets and counter slots) kept; past it the least recently written go first. Default 50,000. */
  maxEntries?: number;
  /** Most manual blocks kept (apart from the entries: a block is never evicted); past it `block()` refuses. Also the most counters listed over their limit. Default 10,000. */
  maxBlocks?: number;
  /**
   * Least time between the starts of two passes that drop expired entries
   * (reads ignore them anyway; a pass examines a batch of entries per call). Default 1,000 ms. A simulator on a virtual clock, where a
   * second passes every few requests, sweeps less often.
   */
  sweepIntervalMs?: number;
  /**
   * Most members one counter slot (half a window) holds. Past it, new members
   * are no longer added: the count stays at its top (up to twice this, over
   * both slots), so a cluster over its limit stays over it, while a client
   * sending fresh members cannot grow the isolate's memory. Keep it above
   * every `maxAccounts` / `maxAddresses` a rule uses. Default 10,000.
   */
  maxMembers?: number;
}

/** Entries a take() or adjust() examines for expiry at most. */
const SWEEP_BATCH = 256;

type Entry = { expiresAt: number } & (
  | { kind: "bucket"; state: BucketState }
  | { kind: "members"; members: Set<string> }
);

export interface MemoryStore extends LimitStore, AdminStore {
  /** Live entries (expired ones are dropped first): for tests and health. */
  size(): number;
  /** Remaining lifetime of every live entry in ms, by key: for tests (every entry has one). */
  ttls(): Map<string, number>;
}

/**
 * A store in this isolate's memory, with the same semantics as the Upstash
 * store: for `wrangler dev`, tests and simulations, and as the `local`
 * fallback when the shared store fails. Limits are per isolate here: every
 * isolate (and every edge location) counts on its own. Distinct counters are
 * exact sets instead of HyperLogLogs, of at most `maxMembers` each. Every entry expires like the Redis key it
 * stands for, and the map never holds more than `maxEntries`.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const {
    now = Date.now,
    maxEntries = 50_000,
    maxBlocks = 10_000,
    sweepIntervalMs = 1000,
    maxMembers = 10_000,
  } = options;
  const entries = new Map<string, Entry>();
  // Blocks live apart from the entries, so no burst of bucket writes can evict one.
  const blocks = new Map<string, BlockRecord>();
  // Keys the origin has accepted (LimitStore.prove): marker → until; at most maxEntries, the oldest forgotten first.
  const provenUntil = new Map<string, number>();
  const liveProven = (key: string, t: number) => (provenUntil.get(key) ?? 0) > t;
  const prove = (key: string, ttlMs: number, t: number) => {
    provenUntil.delete(key);
    if (provenUntil.size >= maxEntries) provenUntil.delete(provenUntil.keys().next().value!);
    provenUntil.set(key, t + ttlMs);
  };
  // First-seen records (LimitStore.take's `seen`): key → first seen, last written, until; at most maxEntries, the
  // least recently written forgotten first (a forgotten key looks new again).
  const firstSeen = new Map<string, { first: number; at: number; until: number }>();
  const ageOf = (seen: FirstSeen, t: number): number => {
    const r = firstSeen.get(seen.key);
    const live = r && r.until > t ? r : undefined;
    // written when new, and again once half its life has passed (as the script does), keeping the first time
    if (!live || t - live.at >= seen.ttlMs / 2) {
      firstSeen.delete(seen.key);
      if (firstSeen.size >= maxEntries) firstSeen.delete(firstSeen.keys().next().value!);
      firstSeen.set(seen.key, { first: live?.first ?? t, at: t, until: t + seen.ttlMs });
    }
    return Math.max(0, t - (live?.first ?? t));
  };
  // Counters over their limit (CounterRequest.over): key → listed until.
  const listed = new Map<string, number>();
  // Each counter's union size, kept as members arrive: recounted only when one of its two slot sets
  // is new or gone, so a take costs O(1) however many accounts a cluster holds.
  const unions = new Map<string, { slots: [Set<string> | undefined, Set<string> | undefined]; count: number }>();
  const slotSet = (key: string, slot: 0 | 1, t: number): Set<string> | undefined => {
    const e = get(`${key}:${slot}`, t);
    return e?.kind === "members" ? e.members : undefined;
  };
  /** Distinct members of a counter's two slots. */
  const distinct = (key: string, t: number): number => {
    const slots: [Set<string> | undefined, Set<string> | undefined] = [slotSet(key, 0, t), slotSet(key, 1, t)];
    const cached = unions.get(key);
    if (cached && cached.slots[0] === slots[0] && cached.slots[1] === slots[1]) return cached.count;
    const [a, b] = slots;
    let count = a?.size ?? 0;
    if (b) for (const m of b) if (!a?.has(m)) count++;
    if (a || b) unions.set(key, { slots, count });
    else unions.delete(key);
    return count;
  };
  /** Adds a member to a counter's current slot; its distinct members after. */
  const addMember = (key: string, member: string, windowSeconds: number, t: number): number => {
    const slots = counterSlots(windowSeconds, t);
    const currentKey = `${key}:${slots.current}`;
    const current = get(currentKey, t);
    const members = current?.kind === "members" ? current.members : new Set<string>();
    // a full slot takes no new member (see maxMembers)
    if (!members.has(member) && members.size < maxMembers) {
      members.add(member);
      const u = unions.get(key);
      const other = slotSet(key, (1 - slots.current) as 0 | 1, t);
      if (u && u.slots[slots.current] === members && u.slots[1 - slots.current] === other && !other?.has(member))
        u.count++;
    }
    put(currentKey, { kind: "members", members, expiresAt: t + slots.expiresInMs });
    return distinct(key, t);
  };
  const liveBlock = (key: string, t: number): BlockRecord | null => {
    const b = blocks.get(key);
    if (b && b.expiresAt <= t) blocks.delete(key);
    return b && b.expiresAt > t ? b : null;
  };
  let nextSweep = 0;
  // A pass over every entry runs a batch per call, so no request pays for a whole pass (50,000 entries: milliseconds).
  let sweeping: Iterator<[string, Entry]> | null = null;

  const sweep = (t: number) => {
    if (!sweeping) {
      if (t < nextSweep) return;
      sweeping = entries.entries();
      nextSweep = t + sweepIntervalMs;
    }
    for (let i = 0; i < SWEEP_BATCH; i++) {
      const next = sweeping.next();
      if (next.done) {
        sweeping = null;
        return;
      }
      const [key, e] = next.value;
      if (e.expiresAt > t) continue;
      entries.delete(key);
      if (e.kind === "members") {
        // a counter's slot: its union goes with the last of its two slots
        const counter = key.slice(0, -2);
        if (!entries.has(`${counter}:0`) && !entries.has(`${counter}:1`)) unions.delete(counter);
      }
    }
  };
  const get = (key: string, t: number): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= t) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const put = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    // Map order is insertion order and writes re-insert: the first entry is the least recently written.
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };
  const bucketState = (key: string, t: number): BucketState | null => {
    const e = get(key, t);
    return e?.kind === "bucket" ? { ...e.state } : null;
  };

  const run = (
    mode: "take" | "adjust",
    buckets: readonly BucketRequest[],
    counts: number[],
    t: number,
    unproven = false,
  ): TakeResult => {
    const states = buckets.map((b) => bucketState(b.key, t));
    const result = evaluate(mode, buckets, states, counts, t, unproven);
    result.writes.forEach((w, i) => {
      const b = buckets[i]!;
      if (w === "delete") entries.delete(b.key);
      else if (w)
        put(b.key, { kind: "bucket", state: w, expiresAt: t + ttlMs(w.tokens, b.capacity, b.refillPerSecond) });
    });
    return { allowed: result.allowed, buckets: result.buckets, counters: counts, nowMs: t };
  };

  return {
    kind: "memory",
    async take(buckets, counters, blockKeys = [], proven, seen) {
      assertValidRequests(buckets, counters);
      const t = now();
      sweep(t);
      const hit = blockKeys.findIndex((key) => liveBlock(key, t) !== null);
      if (hit >= 0)
        return {
          allowed: false,
          buckets: [],
          counters: [],
          nowMs: t,
          blocked: { index: hit, ttlMs: blocks.get(blockKeys[hit]!)!.expiresAt - t },
        };
      // Every key is counted among everyone; a key the origin has accepted (its proven marker lives) also among
      // the proven members, and is judged by their count, so keys the origin never accepted cannot push its
      // customers' cluster over the limit. An unproven key is judged by everyone's count (as the script does).
      if (proven?.write) prove(proven.key, proven.ttlMs, t);
      const unproven = proven !== undefined && !liveProven(proven.key, t);
      const byProven = proven !== undefined && !unproven;
      const ageMs = seen ? ageOf(seen, t) : undefined;
      const counts = counters.map((c) => {
        // a cohort counter counts a key only while it is new
        if (c.newWithinMs !== undefined && !(ageMs !== undefined && ageMs < c.newWithinMs)) return 0;
        const everyone = addMember(c.key, c.member, c.windowSeconds, t);
        return byProven && !c.own ? addMember(`${c.key}:proven`, c.member, c.windowSeconds, t) : everyone;
      });
      counters.forEach((c, i) => {
        if (
          !c.over ||
          !isAbove({ counter: i, above: c.over.above }, counts) ||
          (c.over.and && !isAbove(c.over.and, counts))
        )
          return;
        // listed like the script does: until the current slot expires
        listed.delete(c.key);
        if (listed.size >= maxBlocks) listed.delete(listed.keys().next().value!);
        listed.set(c.key, t + counterSlots(c.windowSeconds, t).expiresInMs);
      });
      const result = run("take", buckets, counts, t, unproven);
      return {
        ...result,
        ...(proven === undefined ? {} : { proven: !unproven }),
        ...(ageMs === undefined ? {} : { ageMs }),
      };
    },
    async adjust(adjustments) {
      const buckets = adjustments.map((a) => ({ ...a, cost: a.delta }));
      assertValidRequests(buckets, []);
      const t = now();
      sweep(t);
      run("adjust", buckets, [], t);
    },
    async block(_index, key, entry, ttl) {
      if (!(ttl >= 1 && ttl <= MAX_BLOCK_TTL_MS)) throw new RangeError(`block TTL out of range: ${ttl} ms`);
      const t = now();
      for (const k of blocks.keys()) liveBlock(k, t);
      if (!blocks.has(key) && blocks.size >= maxBlocks)
        throw new RangeError(`the memory store holds ${maxBlocks} blocks already`);
      const record: BlockRecord = {
        dimension: entry.dimension,
        target: entry.target,
        reason: entry.reason,
        createdAt: t,
        expiresAt: t + Math.floor(ttl),
      };
      blocks.set(key, record);
      return { ...record };
    },
    async unblock(_index, key) {
      const existed = liveBlock(key, now()) !== null;
      blocks.delete(key);
      return existed;
    },
    async listBlocks(_index, limit) {
      const t = now();
      const out: BlockEntry[] = [];
      for (const [key, b] of blocks) if (liveBlock(key, t)) out.push({ ...b, key, ttlMs: b.expiresAt - t });
      return out.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, Math.max(0, limit));
    },
    async listCounters(_registry, limit) {
      const t = now();
      const out: ListedCounter[] = [];
      for (const [key, until] of listed) {
        if (until <= t) listed.delete(key);
        else out.push({ key, count: distinct(key, t), listedUntil: until });
      }
      return out.sort((a, b) => a.listedUntil - b.listedUntil).slice(0, Math.max(0, limit));
    },
    size() {
      const t = now();
      for (const [key, e] of entries) if (e.expiresAt <= t) entries.delete(key);
      return entries.size;
    },
    ttls() {
      const t = now();
      const out = new Map<string, number>();
      for (const [key, e] of entries) if (e.expiresAt > t) out.set(key, e.expiresAt - t);
      for (const [key, until] of provenUntil) if (until > t) out.set(key, until - t);
      for (const [key, r] of firstSeen) if (r.until > t) out.set(key, r.until - t);
      for (const [key, b] of blocks) if (b.expiresAt > t) out.set(key, b.expiresAt - t);
      return out;
    },
  };
}
