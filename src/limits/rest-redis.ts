import type { AccountRedis } from "./accounts.ts";
import type { ScriptRedis } from "./eval.ts";

export interface RestRedisOptions {
  /** UPSTASH_REDIS_REST_URL. */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN. */
  token: string;
  /** Sends the requests. Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * The few Redis commands the ready-made Worker sends (the limit and admin
 * scripts, the key registry's), each one POST of the command as a JSON array
 * to Upstash's REST API, answered `{"result": ...}` or `{"error": "..."}`.
 * No pipelining, no retries (the route's store timeout bounds the wait, and a
 * retried script could charge twice), no deserialisation: results are handed
 * over as Redis gave them, strings as strings (the readers take JSON text).
 * It stands in for `@upstash/redis` in the Worker, whose bundle it keeps small;
 * library users may pass either to createUpstashStore / createRedisAccounts.
 */
export function createRestRedis(options: RestRedisOptions): ScriptRedis & AccountRedis {
  const url = options.url.replace(/\/$/, "");
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  async function command<T>(...parts: Array<string | number>): Promise<T> {
    const response = await send(url, { method: "POST", headers, body: JSON.stringify(parts) });
    let body: { result?: unknown; error?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new Error(`Upstash REST: HTTP ${response.status} without a JSON answer`);
    }
    if (typeof body.error === "string") throw new Error(body.error);
    if (!response.ok || !("result" in body)) throw new Error(`Upstash REST: HTTP ${response.status}`);
    return body.result as T;
  }
  return {
    evalsha: (sha1, keys, args) => command("EVALSHA", sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => command("EVAL", script, keys.length, ...keys, ...args),
    get: (key) => command("GET", key),
    set: (key, value, { px }) => command("SET", key, value, "PX", px),
    del: (...keys) => command("DEL", ...keys),
    zadd: (key, { score, member }) => command("ZADD", key, score, member),
    zrem: (key, ...members) => command("ZREM", key, ...members),
    zremrangebyscore: (key, min, max) => command("ZREMRANGEBYSCORE", key, min, max),
    zrange: (key, min, max) => command("ZRANGE", key, min, max),
    pexpireat: (key, unixTimeMs) => command("PEXPIREAT", key, unixTimeMs),
    pttl: (key) => command("PTTL", key),
    mget: (...keys) => command("MGET", ...keys),
  };
}
