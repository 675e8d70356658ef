import { assertValidRequests } from "./bucket.ts";
import { type ScriptRedis, evalScript } from "./eval.ts";
import { LIMIT_SCRIPT, LIMIT_SCRIPT_SHA1 } from "./script.ts";
import type { BucketAdjustment, BucketRequest, CounterRequest, LimitStore, TakeResult } from "./types.ts";

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

/** Builds the script's KEYS and ARGV (see script.ts). */
export function scriptCall(
  mode: "take" | "adjust",
  buckets: readonly Omit<BucketRequest, "key">[],
  bucketKeys: readonly string[],
  counters: readonly CounterRequest[],
  nowMs: number | null,
): { keys: string[]; args: string[] } {
  const keys = [...bucketKeys];
  const args = [mode, nowMs === null ? "" : String(Math.floor(nowMs)), String(buckets.length), String(counters.length)];
  for (const b of buckets) {
    args.push(String(b.capacity), String(b.refillPerSecond), String(b.cost), String(b.when ? b.when.counter + 1 : 0), String(b.when?.above ?? 0));
  }
  for (const c of counters) {
    keys.push(`${c.key}:0`, `${c.key}:1`);
    args.push(c.member, String(c.windowSeconds));
  }
  return { keys, args };
}

/** Reads the script's reply (see script.ts) into a TakeResult. */
export function readReply(reply: unknown, buckets: number, counters: number): TakeResult {
  const n = Array.isArray(reply) ? reply.map(Number) : [];
  if (n.length !== 2 + buckets * 4 + counters || n.some((v) => !Number.isFinite(v))) {
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
    counters: n.slice(2 + buckets * 4),
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
export function createUpstashStore(redis: ScriptRedis, options: UpstashStoreOptions = {}): LimitStore {
  const { clock = "redis", now = Date.now } = options;
  const run = async (mode: "take" | "adjust", buckets: readonly BucketRequest[], counters: readonly CounterRequest[]) => {
    const call = scriptCall(
      mode,
      buckets,
      buckets.map((b) => b.key),
      counters,
      clock === "worker" ? now() : null,
    );
    return readReply(await evalScript(redis, LIMIT, call.keys, call.args), buckets.length, counters.length);
  };
  return {
    kind: "upstash",
    async take(buckets, counters) {
      assertValidRequests(buckets, counters);
      return run("take", buckets, counters);
    },
    async adjust(adjustments) {
      const buckets = adjustments.map((a: BucketAdjustment) => ({ ...a, cost: a.delta }));
      assertValidRequests(buckets, []);
      if (buckets.length > 0) await run("adjust", buckets, []);
    },
  };
}
