import { ADMIN_SCRIPT, ADMIN_SCRIPT_SHA1 } from "./admin-script.ts";
import { type AdminStore, type BlockEntry, type ListedCounter, MAX_BLOCK_TTL_MS, readBlockRecord } from "./blocks.ts";
import { assertValidRequests, assertValidSettlements, counterId } from "./bucket.ts";
import { type ScriptRedis, evalScript } from "./eval.ts";
import { LIMIT_SCRIPT, LIMIT_SCRIPT_SHA1 } from "./script.ts";
import type {
  BucketAdjustment,
  BucketRequest,
  CountAbove,
  CounterRequest,
  FirstSeen,
  LimitStore,
  ProvenMarker,
  TallyRequest,
  TakeResult,
} from "./types.ts";

export interface UpstashStoreOptions {
  /**
   * Whose clock refills the buckets. "redis" (default): the script reads Redis
   * `TIME`, one clock for every edge location. "worker": the Worker's clock is
   * passed in, for managed services that reject non-deterministic commands in scripts.
   */
  clock?: "redis" | "worker";
  /** The Worker's clock in ms, for `clock: "worker"`. Default `Date.now`. */
  now?: () => number;
}

const LIMIT = { source: LIMIT_SCRIPT, sha1: LIMIT_SCRIPT_SHA1 };
const ADMIN = { source: ADMIN_SCRIPT, sha1: ADMIN_SCRIPT_SHA1 };

/** A condition as the script reads it: the 1-based counter (0: none) and the count it must be above. */
const condition = (c: CountAbove | undefined): [string, string] =>
  c ? [String(c.counter + 1), String(c.above)] : ["0", "0"];

/** A bucket's field in its key (BucketRequest.field): "-" for a bucket alone in its key. */
const fieldOf = (b: { field?: string }) => b.field ?? "-";

/** Builds the script's KEYS and ARGV (see script.ts): the settlements, then the take. */
export function scriptCall(
  buckets: readonly BucketRequest[],
  counters: readonly CounterRequest[],
  nowMs: number | null,
  blockKeys: readonly string[] = [],
  proven?: ProvenMarker,
  seen?: FirstSeen,
  settlements: readonly BucketAdjustment[] = [],
  tallies: readonly TallyRequest[] = [],
): { keys: string[]; args: string[] } {
  const keys = [...settlements.map((a) => a.key), ...buckets.map((b) => b.key)];
  const args = [
    String(settlements.length),
    nowMs === null ? "" : String(Math.floor(nowMs)),
    String(settlements.length + buckets.length),
    String(counters.length),
  ];
  for (const a of settlements)
    args.push(String(a.capacity), String(a.refillPerSecond), String(a.delta), "0", "0", "0", "0", fieldOf(a));
  for (const b of buckets) {
    args.push(
      String(b.capacity),
      String(b.refillPerSecond),
      String(b.cost),
      // the unproven bucket: when-counter -1 (applies while the proven marker is missing)
      ...(b.unprovenOnly ? (["-1", "0"] as [string, string]) : condition(b.when)),
      ...condition(b.when?.and),
      fieldOf(b),
    );
  }
  for (const c of counters) {
    const id = counterId(c);
    keys.push(c.key, `${id}:0`, `${id}:1`);
    args.push(memberToken(c.member), String(c.windowSeconds), counterKind(c), c.field ?? "-");
  }
  keys.push(...blockKeys);
  args.push(String(blockKeys.length));
  const tracked = counters.flatMap((c, i) => (c.over ? [{ index: i + 1, ...c.over }] : []));
  if (tracked.length > 0) {
    if (tracked.some((t) => t.registry !== tracked[0]!.registry))
      throw new RangeError("every tracked counter of one take must name the same registry");
    keys.push(tracked[0]!.registry);
    args.push(String(tracked.length));
    for (const t of tracked) args.push(String(t.index), String(t.above), ...condition(t.and));
  } else if (proven || seen || tallies.length > 0) args.push("0");
  if (proven) {
    // the marker, then each counter's proven-members slots
    keys.push(proven.key, ...counters.flatMap((c) => [`${counterId(c)}:proven:0`, `${counterId(c)}:proven:1`]));
    args.push(...(proven.write ? ["2", String(Math.floor(proven.ttlMs))] : ["1"]));
  } else if (seen || tallies.length > 0) args.push("0");
  if (seen) {
    keys.push(seen.key, seen.epochKey);
    args.push("1", String(Math.floor(seen.ttlMs)));
  } else if (tallies.length > 0) args.push("0");
  if (tallies.length > 0) {
    // the tallies' keys come last in KEYS
    args.push(String(tallies.length));
    for (const t of tallies) {
      keys.push(t.key);
      args.push(t.field, String(Math.max(1, Math.floor(t.halfLifeMs))), t.hit ? "1" : "0");
    }
  }
  return { keys, args };
}

/**
 * A member as a counter's record holds it: 12 hex digits (48 bits) of a 53-bit string hash (cyrb53), so a record
 * stays small whatever the members look like. Members are already hashes of key values (an HMAC with the key
 * hasher), which no client can steer; two of a counter's members (at most 64 per record) share a token with odds
 * under 1 in 10^10.
 */
export function memberToken(member: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < member.length; i++) {
    const ch = member.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 & 0xffff).toString(16).padStart(4, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}

/** A registry member ("<record> <field>", script.ts) as the counter's own name (counterId). */
const listedCounterId = (member: string): string => {
  const at = member.lastIndexOf(" ");
  if (at < 0) return member;
  const field = member.slice(at + 1);
  return counterId({ key: member.slice(0, at), ...(field === "-" ? {} : { field }) });
};

/** A counter's kind as the script reads it: "0" one account's own, "1" shared, "n<ms>" a cohort of new keys. */
const counterKind = (c: CounterRequest): string =>
  c.newWithinMs !== undefined ? `n${Math.floor(c.newWithinMs)}` : c.own ? "0" : "1";

/** Reads the script's reply (see script.ts) into a TakeResult. */
export function readReply(
  reply: unknown,
  buckets: number,
  counters: number,
  proven = false,
  seen = false,
  tallies = 0,
): TakeResult {
  const n = Array.isArray(reply) ? reply.map(Number) : [];
  if (n.length === 4 && n[0] === -1 && Number.isInteger(n[2]) && n[2]! >= 1 && Number.isFinite(n[3])) {
    return {
      allowed: false,
      nowMs: n[1]!,
      buckets: [],
      counters: [],
      blocked: { index: n[2]! - 1, ttlMs: n[3]! < 0 ? Infinity : n[3]! },
    };
  }
  const tail = 2 + buckets * 4 + counters;
  const talliesAt = tail + (proven ? 1 : 0) + (seen ? 2 : 0);
  if (n.length !== talliesAt + tallies * 2 || n.some((v) => !Number.isFinite(v))) {
    throw new Error(`unexpected reply from the limit script: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
  const ms = (v: number) => (v < 0 ? Infinity : v / 1000);
  return {
    allowed: n[0] === 1,
    nowMs: n[1]!,
    buckets: Array.from({ length: buckets }, (_, i) => ({
      applied: n[2 + i * 4] === 1,
      remaining: n[3 + i * 4]! / 1000,
      resetSeconds: ms(n[4 + i * 4]!),
      retryAfterSeconds: ms(n[5 + i * 4]!),
    })),
    counters: n.slice(2 + buckets * 4, 2 + buckets * 4 + counters),
    ...(proven ? { proven: n[tail] === 1 } : {}),
    ...(seen ? { ageMs: n[tail + (proven ? 1 : 0)]!, watchedMs: n[tail + (proven ? 1 : 0) + 1]! } : {}),
    ...(tallies > 0
      ? {
          tallies: Array.from({ length: tallies }, (_, i) => ({
            hits: n[talliesAt + 2 * i]! / 1000,
            requests: n[talliesAt + 2 * i + 1]! / 1000,
          })),
        }
      : {}),
  };
}

/**
 * The shared store: one EVALSHA per `take()` against Redis over Upstash's REST
 * API (or any client of the `ScriptRedis` shape). Keys are used as given: the
 * limiter prefixes them and builds them from hashes only.
 *
 * @param redis an `@upstash/redis` `Redis` (for Workers: `@upstash/redis/cloudflare`), or any client with `evalsha` and `eval`
 * @param options.clock "redis" (default) or "worker"
 * @example
 * const store = createUpstashStore(new Redis({ url, token, retry: { retries: 1 } }));
 */
export function createUpstashStore(redis: ScriptRedis, options: UpstashStoreOptions = {}): LimitStore & AdminStore {
  const { clock = "redis", now = Date.now } = options;
  const run = async (
    buckets: readonly BucketRequest[],
    counters: readonly CounterRequest[],
    blocks: readonly string[] = [],
    proven?: ProvenMarker,
    seen?: FirstSeen,
    settlements: readonly BucketAdjustment[] = [],
    tallies: readonly TallyRequest[] = [],
  ) => {
    const clockMs = clock === "worker" ? now() : null;
    const call = scriptCall(buckets, counters, clockMs, blocks, proven, seen, settlements, tallies);
    const reply = await evalScript(redis, LIMIT, call.keys, call.args);
    return readReply(reply, buckets.length, counters.length, proven !== undefined, seen !== undefined, tallies.length);
  };
  return {
    kind: "upstash",
    async take(buckets, counters, blocks = [], proven, seen, settlements = [], tallies = []) {
      assertValidRequests(buckets, counters);
      assertValidSettlements(settlements);
      return run(buckets, counters, blocks, proven, seen, settlements, tallies);
    },
    async adjust(adjustments) {
      assertValidSettlements(adjustments);
      if (adjustments.length > 0) await run([], [], [], undefined, undefined, adjustments);
    },
    ...adminMethods(redis, () => (clock === "worker" ? String(Math.floor(now())) : "")),
  };
}

const integers = (reply: unknown, at: number, count: number): number[] => {
  const n = Array.isArray(reply) ? reply.slice(at, at + count).map(Number) : [];
  if (n.length !== count || !n.every(Number.isFinite))
    throw new Error(`unexpected reply from the block script: ${JSON.stringify(reply)?.slice(0, 200)}`);
  return n;
};

/** Blocks and listed counters through the admin script (admin-script.ts): one round trip per operation. */
function adminMethods(redis: ScriptRedis, clockArg: () => string): AdminStore {
  const call = (mode: string, keys: string[], ...args: string[]) =>
    evalScript(redis, ADMIN, keys, [mode, clockArg(), ...args]);
  return {
    async block(index, key, entry, ttlMs) {
      if (!(ttlMs >= 1 && ttlMs <= MAX_BLOCK_TTL_MS)) throw new RangeError(`block TTL out of range: ${ttlMs} ms`);
      const record = JSON.stringify({ dimension: entry.dimension, target: entry.target, reason: entry.reason });
      const [createdAt, expiresAt] = integers(
        await call("block", [index, key], String(Math.floor(ttlMs)), record),
        0,
        2,
      );
      return { ...entry, createdAt: createdAt!, expiresAt: expiresAt! };
    },
    async unblock(index, key) {
      return integers(await call("unblock", [index, key]), 0, 1)[0] === 1;
    },
    async listBlocks(index, limit) {
      const reply = await call("list", [index], String(Math.max(0, Math.floor(limit))));
      if (!Array.isArray(reply) || (reply.length - 1) % 3 !== 0)
        throw new Error("unexpected reply from the block script");
      const out: BlockEntry[] = [];
      for (let i = 1; i < reply.length; i += 3) {
        const record = readBlockRecord(reply[i + 1]);
        const ttlMs = Number(reply[i + 2]);
        if (record && typeof reply[i] === "string")
          out.push({ ...record, key: reply[i], ttlMs: ttlMs < 0 ? Infinity : ttlMs });
      }
      return out;
    },
    async listCounters(registry, limit) {
      const reply = await call("counters", [registry], String(Math.max(0, Math.floor(limit))));
      if (!Array.isArray(reply) || (reply.length - 1) % 3 !== 0)
        throw new Error("unexpected reply from the admin script");
      const out: ListedCounter[] = [];
      for (let i = 1; i < reply.length; i += 3) {
        const [count, listedUntil] = [Number(reply[i + 1]), Number(reply[i + 2])];
        if (typeof reply[i] === "string" && Number.isFinite(count) && Number.isFinite(listedUntil))
          out.push({ key: listedCounterId(reply[i]), count, listedUntil });
      }
      return out;
    },
  };
}
