/**
 * Test helpers for the limiter: a bridge tenant (its own Redis database behind
 * the Upstash-compatible bridge of test/setup/), the two stores under the same
 * names, and request facts.
 */
import { Redis } from "@upstash/redis/cloudflare";
import { expect, inject } from "vitest";
import { loadConfig } from "../../src/config/parse.ts";
import type { RouteConfig } from "../../src/config/types.ts";
import type { RequestFacts } from "../../src/request/facts.ts";
import type { Subject } from "../../src/identity/subject.ts";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import type { AdminStore } from "../../src/limits/blocks.ts";
import type { LimitStore } from "../../src/limits/types.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { createRestRedis } from "../../src/limits/rest-redis.ts";

export type BridgeMode = "ok" | "drop" | "hang" | "fail";

export interface Tenant {
  url: string;
  token: string;
  redis: Redis;
  mode(mode: BridgeMode): Promise<void>;
  stats(): Promise<{ requests: number; noscript: number; commands: Record<string, number> }>;
  resetStats(): Promise<void>;
  /** One raw Redis command in the tenant's database, not counted in stats. */
  command(...args: (string | number)[]): Promise<unknown>;
}

export async function newTenant(options: { autoPipelining?: boolean } = {}): Promise<Tenant> {
  const bridge = inject("upstashBridge");
  const info = (await (await fetch(`${bridge.url}/tenant`, { method: "POST" })).json()) as {
    url: string;
    token: string;
    control: string;
  };
  const control = async (body: unknown) => {
    const res = await fetch(info.control, { method: "POST", body: JSON.stringify(body) });
    const json = (await res.json()) as { result?: unknown; error?: string };
    if (!res.ok) throw new Error(json.error ?? `control failed: ${res.status}`);
    return json;
  };
  const redis = new Redis({
    url: info.url,
    token: info.token,
    enableTelemetry: false,
    enableAutoPipelining: options.autoPipelining ?? true,
    retry: { retries: 1, backoff: () => 0 },
  });
  return {
    url: info.url,
    token: info.token,
    redis,
    mode: async (mode) => void (await control({ action: "mode", mode })),
    stats: async () => (await control({ action: "stats" })) as never,
    resetStats: async () => void (await control({ action: "reset-stats" })),
    command: async (...args) => (await control({ action: "command", command: args.map(String) })).result,
  };
}

/** Every key of the tenant's database with its PTTL (-1: none). */
export async function keysWithTtl(tenant: Tenant): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = (await tenant.command("SCAN", cursor, "COUNT", 1000)) as [string, string[]];
    for (const key of keys) out.set(key, Number(await tenant.command("PTTL", key)));
    cursor = next;
  } while (cursor !== "0");
  return out;
}

/** A virtual clock for the memory store and the worker-clock option. */
export function virtualClock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

export interface StoreUnderTest {
  kind: "upstash" | "memory";
  store: LimitStore & AdminStore;
  /** The virtual clock the store refills by (memory, and the worker clock for Upstash). */
  now(): number;
  advance(ms: number): void;
  tenant?: Tenant;
}

/** The stores every behavioural test runs against: Upstash through both clients (worker clock, so time is virtual) and memory. */
export const STORES: { name: string; make: () => Promise<StoreUnderTest> }[] = [
  {
    name: "upstash",
    make: async () => {
      const tenant = await newTenant();
      const clock = virtualClock();
      return {
        kind: "upstash",
        tenant,
        store: createUpstashStore(tenant.redis, { clock: "worker", now: clock.now }),
        ...clock,
      };
    },
  },
  {
    // the ready-made Worker's own REST client (src/limits/rest-redis.ts) instead of @upstash/redis
    name: "upstash (REST client)",
    make: async () => {
      const tenant = await newTenant();
      const clock = virtualClock();
      const redis = createRestRedis({ url: tenant.url, token: tenant.token });
      return {
        kind: "upstash",
        tenant,
        store: createUpstashStore(redis, { clock: "worker", now: clock.now }),
        ...clock,
      };
    },
  },
  {
    name: "memory",
    make: async () => {
      const clock = virtualClock();
      return { kind: "memory", store: createMemoryStore({ now: clock.now }), ...clock };
    },
  },
];

export function subject(overrides: Partial<Subject> = {}): Subject {
  return {
    keyHash: "0123456789abcdef0123456789abcdef",
    keySource: "x-api-key",
    account: null,
    ip: { version: 4, bytes: new Uint8Array([203, 0, 113, 7]) },
    ipPrefix: "203.0.113.7/32",
    subnet: "203.0.113.0/24",
    country: "DE",
    region: null,
    continent: "EU",
    asn: 64500,
    asOrganization: "Example Net",
    colo: "FRA",
    client: { kind: "sdk", family: "anthropic-js", version: "0.40.0", major: 0, sdkLang: "js" },
    fingerprint: "f1f2f3f4f5f6f7f8",
    cf: {},
    ...overrides,
  };
}

/** A route as the config parser builds it (the limiter is given its rules directly). */
export function route(name = "messages"): RouteConfig {
  return loadConfig({ routes: [{ name, match: { path: "/v1/messages", methods: ["POST"] } }] }).routes[0]!;
}

export function facts(options: { subject?: Partial<Subject>; json?: unknown } = {}): RequestFacts {
  const text = options.json === undefined ? null : JSON.stringify(options.json);
  return {
    request: new Request("https://gateway.test/v1/messages", { method: "POST", body: text }),
    subject: subject(options.subject),
    body: text === null ? null : { bytes: new TextEncoder().encode(text), json: options.json, model: null, models: [] },
  };
}

/** A real store, wrapped to count its calls (the limiter under test must not know). */
export function counting(store: LimitStore): LimitStore & { takes: number; adjusts: number } {
  const counted = {
    kind: store.kind,
    takes: 0,
    adjusts: 0,
    take: (...args: Parameters<LimitStore["take"]>) => {
      counted.takes++;
      return store.take(...args);
    },
    adjust: (...args: Parameters<LimitStore["adjust"]>) => {
      counted.adjusts++;
      return store.adjust(...args);
    },
  };
  return counted;
}

/**
 * The two stores on a virtual clock, for gateway tests whose store keys live in time (ages, tallies): memory, and
 * real Redis through the bridge with the worker clock; `ttls` lists every key's remaining life.
 */
export const CLOCKED_STORES = [
  {
    name: "memory",
    make: async () => {
      const clock = virtualClock();
      const store = createMemoryStore({ now: clock.now });
      return { store, clock, ttls: async () => store.ttls() };
    },
  },
  {
    name: "upstash",
    make: async () => {
      const tenant = await newTenant();
      const clock = virtualClock();
      return {
        store: createUpstashStore(tenant.redis, { clock: "worker", now: clock.now }),
        clock,
        ttls: () => keysWithTtl(tenant),
      };
    },
  },
];

/** Every store key has a TTL, and none holds a raw API key (test keys start with `sk-`). */
export function expectTtlsAndNoRawKeys(keys: ReadonlyMap<string, number>): void {
  for (const [k, ttl] of keys) {
    expect(ttl, k).toBeGreaterThan(0);
    expect(k).not.toContain("sk-");
  }
}
