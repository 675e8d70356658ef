import { isNew } from "./first-seen.ts";
import { TALLY_LIFE_HALF_LIVES, type Tally, addToTally } from "./tally.ts";
import { type AdminStore, type BlockEntry, type BlockRecord, type ListedCounter, MAX_BLOCK_TTL_MS } from "./blocks.ts";
import {
  type BucketState,
  assertValidRequests,
  assertValidSettlements,
  bucketId,
  counterId,
  counterSlots,
  evaluate,
  isAbove,
  settle,
  ttlMs,
} from "./bucket.ts";
import type { BucketAdjustment, BucketRequest, FirstSeen, LimitStore, TakeResult, TallyRequest } from "./types.ts";

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
  | { kind: "bucket"; state: BucketState; storeKey: string }
  | { kind: "members"; members: Set<string> }
);

/** Sets `key` as the map's newest entry, forgetting the oldest first when it holds `most` already. */
function remember<V>(map: Map<string, V>, key: string, value: V, most: number): void {
  map.delete(key);
  if (map.size >= most) map.delete(map.keys().next().value!);
  map.set(key, value);
}

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
 * exact sets (the script's are exact lists up to its COUNTER_CAP per half window, HyperLogLogs past it), of at
 * most `maxMembers` each. Every entry expires like the Redis key it
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
  const prove = (key: string, ttlMs: number, t: number) => remember(provenUntil, key, t + ttlMs, maxEntries);
  // First-seen records (LimitStore.take's `seen`): key → first seen, last written, until; at most maxEntries, the
  // least recently written forgotten first (a forgotten key looks new again).
  const firstSeen = new Map<string, { first: number; at: number; until: number }>();
  // The recording epochs (one per store prefix), apart from the records so that no flood of keys evicts one.
  const epochs = new Map<string, { first: number; at: number; until: number }>();
  /** A record's first time, written when new and again once half its life has passed (as the script does). */
  const firstOf = (records: typeof firstSeen, key: string, ttlMs: number, t: number, most: number): number => {
    const r = records.get(key);
    const live = r && r.until > t ? r : undefined;
    if (!live || t - live.at >= ttlMs / 2)
      remember(records, key, { first: live?.first ?? t, at: t, until: t + ttlMs }, most);
    return live?.first ?? t;
  };
  const ageOf = (seen: FirstSeen, t: number): { ageMs: number; watchedMs: number } => {
    const since = firstOf(epochs, seen.epochKey, seen.ttlMs, t, 16);
    const first = firstOf(firstSeen, seen.key, seen.ttlMs, t, maxEntries);
    return { ageMs: Math.max(0, t - first), watchedMs: Math.max(0, first - since) };
  };
  // Habits' tallies (LimitStore.take's `tallies`): store key and field → tally and until; at most maxEntries, the
  // least recently written forgotten first.
  const tallies = new Map<string, { tally: Tally; until: number; storeKey: string }>();
  const addTally = (r: TallyRequest, t: number): Tally => {
    const id = `${r.key}\n${r.field}`;
    const live = tallies.get(id);
    const tally = addToTally(live && live.until > t ? live.tally : null, r.hit, r.halfLifeMs, t);
    remember(tallies, id, { tally, until: t + TALLY_LIFE_HALF_LIVES * r.halfLifeMs, storeKey: r.key }, maxEntries);
    return tally;
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

  const writeBucket = (b: Omit<BucketRequest, "cost">, state: BucketState, t: number) =>
    put(bucketId(b), {
      kind: "bucket",
      state,
      storeKey: b.key,
      expiresAt: t + ttlMs(state.tokens, b.capacity, b.refillPerSecond),
    });

  const run = (buckets: readonly BucketRequest[], counts: number[], t: number, unproven = false): TakeResult => {
    const states = buckets.map((b) => bucketState(bucketId(b), t));
    const result = evaluate(buckets, states, counts, t, unproven);
    result.writes.forEach((w, i) => {
      if (w) writeBucket(buckets[i]!, w, t);
    });
    return { allowed: result.allowed, buckets: result.buckets, counters: counts, nowMs: t };
  };
  /** Post-charges, in order (a take's settlements come before its buckets). */
  const settleAll = (adjustments: readonly BucketAdjustment[], t: number) => {
    for (const a of adjustments) {
      const settled = settle(bucketState(bucketId(a), t), a, t);
      if (settled === "full") entries.delete(bucketId(a));
      else writeBucket(a, settled, t);
    }
  };

  return {
    kind: "memory",
    async take(buckets, counters, blockKeys = [], proven, seen, settlements = [], tallyRequests = []) {
      assertValidRequests(buckets, counters);
      assertValidSettlements(settlements);
      const t = now();
      sweep(t);
      settleAll(settlements, t);
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
      const age = seen ? ageOf(seen, t) : undefined;
      const talliedNow = tallyRequests.map((r) => {
        const { hits, requests } = addTally(r, t);
        return { hits, requests };
      });
      const counts = counters.map((c) => {
        // a cohort counter counts a key only while it is new, by a store recording for at least as long
        if (c.newWithinMs !== undefined && !(age && isNew(age, c.newWithinMs))) return 0;
        const everyone = addMember(counterId(c), c.member, c.windowSeconds, t);
        return byProven && !c.own ? addMember(`${counterId(c)}:proven`, c.member, c.windowSeconds, t) : everyone;
      });
      counters.forEach((c, i) => {
        if (
          !c.over ||
          !isAbove({ counter: i, above: c.over.above }, counts) ||
          (c.over.and && !isAbove(c.over.and, counts))
        )
          return;
        // listed like the script does: until the current slot expires
        remember(listed, counterId(c), t + counterSlots(c.windowSeconds, t).expiresInMs, maxBlocks);
      });
      const result = run(buckets, counts, t, unproven);
      return {
        ...result,
        ...(proven === undefined ? {} : { proven: !unproven }),
        ...(age ?? {}),
        ...(tallyRequests.length > 0 ? { tallies: talliedNow } : {}),
      };
    },
    async adjust(adjustments) {
      assertValidSettlements(adjustments);
      const t = now();
      sweep(t);
      settleAll(adjustments, t);
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
      for (const [key, e] of entries) {
        // a bucket under the key the script would write: shared by the client's buckets, as long as the longest-lived
        const storeKey = e.kind === "bucket" ? e.storeKey : key;
        if (e.expiresAt > t) out.set(storeKey, Math.max(out.get(storeKey) ?? 0, e.expiresAt - t));
      }
      for (const [key, until] of provenUntil) if (until > t) out.set(key, until - t);
      for (const [key, r] of [...firstSeen, ...epochs]) if (r.until > t) out.set(key, r.until - t);
      // a tally lives in its key (shared with the account's buckets) as long as the longest-lived of them
      for (const { storeKey, until } of tallies.values())
        if (until > t) out.set(storeKey, Math.max(out.get(storeKey) ?? 0, until - t));
      for (const [key, b] of blocks) if (b.expiresAt > t) out.set(key, b.expiresAt - t);
      return out;
    },
  };
}
