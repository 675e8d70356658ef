/**
 * What the store benchmarks share: a throwaway redis-server, the
 * Upstash-compatible bridge of test/setup/ in front of it, one tenant (Redis
 * database) per measured client, and the count of what requests cost there.
 * Counts, not timings: round trips are counted at the bridge, Redis commands
 * (those the scripts run included) with INFO commandstats.
 */
import { Redis } from "@upstash/redis";
import { startRedis } from "../test/setup/redis-server.ts";
import { connectRedis } from "../test/setup/resp.ts";
import { startBridge } from "../test/setup/upstash-bridge.ts";

/** The route both store benchmarks measure: per key 1,000 a minute, per IP 1,000, per ASN 60,000 (limit rules as the limiter takes them; bench/gateway.ts compares the same three). */
export const THREE_BUCKETS = [
  { name: "key", by: ["key"], capacity: 1000, refillPerSecond: 1000 / 60, cost: "request" },
  { name: "ip", by: ["ip"], capacity: 1000, refillPerSecond: 1000 / 60, cost: "request" },
  { name: "asn", by: ["asn"], capacity: 60000, refillPerSecond: 1000, cost: "request" },
];

export interface Tenant {
  /** A real @upstash/redis client of this tenant. */
  redis: Redis;
  /** HTTP requests the tenant's clients made to the bridge since the last reset. */
  requests(): Promise<number>;
  reset(): Promise<unknown>;
}

export interface Measure {
  roundTrips: number;
  commands: number;
  /** Redis commands per request, by name, most frequent first. */
  breakdown: string;
}

export interface RedisHarness {
  tenant(): Promise<Tenant>;
  /** Runs `n` requests one after another and counts, per request, what they cost at the bridge and in Redis. */
  measure(t: Tenant, n: number, request: (i: number) => Promise<unknown>): Promise<Measure>;
  close(): Promise<void>;
}

export async function startRedisHarness(): Promise<RedisHarness> {
  const server = await startRedis();
  try {
    const bridge = await startBridge(server.port);
    const admin = await connectRedis(server.port);

    const commandStats = async (): Promise<Record<string, number>> => {
      const info = String(await admin.send(["INFO", "commandstats"]));
      const out: Record<string, number> = {};
      for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
      return out;
    };

    return {
      async tenant() {
        const info = await bridge.tenant();
        const control = async (action: string) =>
          (await (await fetch(info.control, { method: "POST", body: JSON.stringify({ action }) })).json()) as {
            requests: number;
          };
        const redis = new Redis({ url: info.url, token: info.token, enableTelemetry: false });
        return { redis, requests: async () => (await control("stats")).requests, reset: () => control("reset-stats") };
      },
      async measure(t, n, request) {
        await t.reset();
        await admin.send(["CONFIG", "RESETSTAT"]);
        for (let i = 0; i < n; i++) await request(i);
        const stats = await commandStats();
        for (const name of Object.keys(stats)) if (/^(info|config)/.test(name)) delete stats[name]; // the benchmark's own
        const commands = Object.values(stats).reduce((a, b) => a + b, 0);
        const breakdown = Object.entries(stats)
          .sort((a, b) => b[1] - a[1])
          .map(([name, calls]) => `${name} ${+(calls / n).toFixed(2)}`)
          .join(", ");
        return { roundTrips: (await t.requests()) / n, commands: commands / n, breakdown };
      },
      async close() {
        admin.close();
        await bridge.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
