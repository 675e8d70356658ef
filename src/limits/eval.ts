/**
 * The Redis methods the Upstash store calls, and nothing else: an
 * `@upstash/redis` `Redis` instance fits, and so does any client of this shape.
 */
export interface ScriptRedis {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

export interface Script {
  source: string;
  sha1: string;
}

/**
 * EVALSHA, falling back to EVAL when the server does not have the script
 * (first use, a restart, SCRIPT FLUSH). EVAL also caches it for the next EVALSHA.
 */
export async function evalScript(redis: ScriptRedis, script: Script, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha1, keys, args);
  } catch (error) {
    if (String(error).includes("NOSCRIPT")) return await redis.eval(script.source, keys, args);
    throw error;
  }
}
