// Account farms end to end: the gateway app in workerd, the limiter on real
// Redis (redis-server behind the Upstash-compatible bridge), the demo origin.
// Every client's headers and request.cf are set here; nothing comes from the test runner.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { CLIENTS } from "../checks/clients.ts";
import { UNRELATED } from "../request/prompts.ts";
import { newTenant } from "../limits/helpers.ts";
import { harness, json } from "./harness.ts";

const ROUTE = {
  name: "messages",
  match: { paths: ["/v1/messages", "/__demo/echo/*"], methods: ["POST"] },
  errors: "anthropic",
} as const;
const message = (text = "Hello") => ({
  model: "demo-small",
  max_tokens: 16,
  messages: [{ role: "user", content: text }],
});

/** The official Anthropic Python SDK's request headers, with one account's key. */
const sdkHeaders = (key: string) => ({ ...CLIENTS.anthropicPython.headers, "x-api-key": key });
/** Where a client connects from: its network's ASN, and an address in its own /24. */
const network = (asn: number, org: string, country = "DE"): CfFields => ({
  ...CLIENTS.anthropicPython.cf,
  country,
  continent: "EU",
  asn,
  asOrganization: org,
  colo: "FRA",
});
const address = (i: number) => `81.${10 + (i >> 8)}.${i & 255}.${((i * 7) % 250) + 2}`;
/** Residential and mobile networks (ASNs of consumer ISPs). */
const RESIDENTIAL = [
  3320, 6805, 3209, 8881, 3215, 12322, 5410, 2856, 5089, 5607, 7922, 7018, 701, 20115, 22773, 6830, 1136, 9143, 3352,
  12479, 6739, 2119, 3301, 1257, 5432, 6848, 812, 577, 852, 6327,
];

async function gateway(config: Omit<ConfigInput, "routes"> & { routes: object[] }) {
  const tenant = await newTenant({ autoPipelining: false });
  // a generous store timeout: on a loaded machine the default 150 ms would turn into fail-mode decisions
  const h = harness({ store: { timeoutMs: 2_000 }, ...config } as ConfigInput, {
    store: createUpstashStore(tenant.redis),
  });
  return { ...h, tenant };
}

describe("account farms through the gateway, on real Redis", () => {
  it("500 keys from one fingerprint on one hosting ASN are limited as one account after maxAccounts, at one store round trip each", async () => {
    const gw = await gateway({
      routes: [
        {
          ...ROUTE,
          limits: [{ name: "key-rph", by: ["key"], rate: "5 per hour" }],
          clusters: [
            {
              name: "shared-fingerprint",
              by: ["fingerprint", "asn"],
              maxAccounts: 20,
              window: "1h",
              action: "throttle",
            },
          ],
        },
      ],
    });
    await gw.tenant.resetStats();
    const statuses: number[] = [];
    let firstCluster: Response | null = null;
    for (let i = 0; i < 500; i++) {
      const res = await gw.call("/v1/messages", {
        ...json(message(), sdkHeaders(`sk-farm-${i}`)),
        cf: network(16509, "Amazon.com, Inc."),
        ip: address(i),
      });
      statuses.push(res.status);
      if (res.status === 429 && !firstCluster) firstCluster = res;
      else await res.body?.cancel();
    }
    // 20 accounts on their own limits, then the cluster as one account: 5 requests an hour, for all 480 others
    expect(statuses.slice(0, 25).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(25).every((s) => s === 429)).toBe(true);
    expect(firstCluster!.headers.get("x-guard-reason")).toBe("cluster.accounts_per_fingerprint_asn");
    expect(Number(firstCluster!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await firstCluster!.json()).toMatchObject({
      error: { type: "rate_limit_error", code: "cluster.accounts_per_fingerprint_asn" },
    });
    expect(new Set(gw.events.map((e) => e.fingerprint)).size).toBe(1);
    // at most one store round trip per request, however many buckets and counters: the 26 that decided, then
    // the cluster's remembered denial answers without the store until its retry time
    // (the first call loads the script: EVALSHA answers NOSCRIPT, then EVAL)
    const stats = await gw.tenant.stats();
    expect(stats.noscript).toBeLessThanOrEqual(1);
    expect(stats.requests - stats.noscript).toBeGreaterThanOrEqual(26);
    expect(stats.requests - stats.noscript).toBeLessThanOrEqual(500);
    expect(gw.events[499]).toMatchObject({
      cluster: expect.stringMatching(/^shared-fingerprint:[0-9a-f]{16}$/),
      action: "throttle",
    });
  });

  it("500 legitimate keys sharing the official SDK's fingerprint from many ASNs and subnets are not", async () => {
    const gw = await gateway({
      routes: [
        {
          ...ROUTE,
          limits: [{ name: "key-rph", by: ["key"], rate: "5 per hour" }],
          clusters: [
            {
              name: "shared-fingerprint",
              by: ["fingerprint", "asn"],
              maxAccounts: 20,
              window: "1h",
              action: "throttle",
            },
          ],
        },
      ],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 500; i++) {
      const asn = RESIDENTIAL[i % RESIDENTIAL.length]! * 10 + (i % 7); // 210 networks, at most 3 customers each
      const res = await gw.call("/v1/messages", {
        ...json(message(), sdkHeaders(`sk-customer-${i}`)),
        cf: network(asn, `ISP ${asn}`),
        ip: address(i),
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(new Set(gw.events.map((e) => e.fingerprint)).size).toBe(1);
    expect(gw.events.filter((e) => e.cluster !== null || e.reasons.length > 0)).toEqual([]);
  });

  it("a cluster of keys reusing one prompt template across residential networks is flagged to the origin; other customers are not", async () => {
    const gw = await gateway({
      routes: [
        {
          ...ROUTE,
          fingerprint: {},
          content: {},
          clusters: [{ name: "shared-template", by: ["template"], maxAccounts: 10, window: "1h", action: "flag" }],
        },
      ],
    });
    // the farm: 30 accounts, each on its own residential network, each sending prompts of one template with other fills
    const topics = [
      "why do transformers use layer normalization?",
      "how does TCP congestion control work?",
      "what limits the efficiency of solar cells?",
      "how do hash tables resize?",
      "why is the halting problem undecidable?",
      "how do vaccines train the immune system?",
    ];
    const farm: Response[] = [];
    for (let i = 0; i < 30; i++) {
      const text = `Act as a world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: ${topics[i % topics.length]}`;
      const res = await gw.call("/__demo/echo/v1/messages", {
        ...json(message(text), sdkHeaders(`sk-farm-${i}`)),
        cf: network(RESIDENTIAL[i]!, "Residential ISP"),
        ip: address(i),
      });
      farm.push(res);
    }
    const seen = await Promise.all(
      farm.map(async (r) => ((await r.json()) as { headers: Record<string, string> }).headers),
    );
    expect(farm.every((r) => r.status === 200)).toBe(true);
    expect(seen.slice(0, 10).map((h) => h["x-guard-cluster"] ?? null)).toEqual(Array(10).fill(null));
    for (const h of seen.slice(10)) {
      expect(h["x-guard-cluster"]).toMatch(/^shared-template:[0-9a-f]{16}$/);
      expect(h["x-guard-action"]).toBe("flag");
      expect(h["x-guard-reasons"]).toBe("content.reasoning_elicitation,cluster.accounts_per_template");
      expect(Number(h["x-guard-risk"])).toBeGreaterThan(0.7);
    }
    expect(new Set(seen.slice(10).map((h) => h["x-guard-cluster"])).size).toBe(1);
    // 30 other customers with their own prompts on the same networks: nothing in common, nothing flagged
    for (let i = 0; i < 30; i++) {
      const res = await gw.call("/__demo/echo/v1/messages", {
        ...json(message(UNRELATED[i]!), sdkHeaders(`sk-customer-${i}`)),
        cf: network(RESIDENTIAL[i]!, "Residential ISP"),
        ip: address(100 + i),
      });
      const h = ((await res.json()) as { headers: Record<string, string> }).headers;
      expect(h["x-guard-cluster"]).toBeUndefined();
    }
    // telemetry names the template and the cluster
    const flagged = gw.events.filter((e) => e.cluster);
    expect(flagged).toHaveLength(20);
    expect(new Set(flagged.map((e) => e.template)).size).toBe(1);
    expect(gw.points.at(-31)!.blobs![15]).toBe(flagged[19]!.template);
  });
  it("a farm rotating through one /24's addresses is denied once over both limits; 300 keys behind one NAT address are not", async () => {
    const rotating = {
      name: "rotating-subnet",
      by: ["subnet"],
      maxAccounts: 20,
      maxAddresses: 20,
      window: "10m",
      action: "block",
    };
    const gw = await gateway({
      // every key here is new: with proveKeys, the company's 300 would share their address's unproven bucket
      // (20 a minute) before the origin has accepted any (test/gateway/proven-keys.test.ts)
      proveKeys: false,
      routes: [{ ...ROUTE, limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }], clusters: [rotating] }],
    });
    const aws = network(16509, "Amazon.com, Inc.", "US");
    // a company: 300 employees' keys behind one egress address of a business line
    const company: number[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await gw.call("/v1/messages", {
        ...json(message(), sdkHeaders(`sk-employee-${i}`)),
        cf: network(3356, "Level 3 Parent, LLC", "GB"),
        ip: "198.51.100.20",
      });
      company.push(res.status);
      await res.body?.cancel();
    }
    expect(company.filter((s) => s !== 200)).toEqual([]);
    // the farm: every request another key from another address of its /24
    const farm: number[] = [];
    let firstDenied: Response | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await gw.call("/v1/messages", {
        ...json(message(), sdkHeaders(`sk-farm-${i}`)),
        cf: aws,
        ip: `203.0.113.${i + 2}`,
      });
      farm.push(res.status);
      if (res.status === 403 && !firstDenied) firstDenied = res;
      else await res.body?.cancel();
    }
    // accounts and addresses both reach 21 with the 21st request (the HyperLogLog may count one off)
    const allowed = farm.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(19);
    expect(allowed).toBeLessThanOrEqual(22);
    expect(farm.slice(allowed).filter((s) => s !== 403)).toEqual([]);
    expect(firstDenied!.headers.get("x-guard-reason")).toBe("cluster.accounts_per_subnet");
    expect(firstDenied!.headers.get("x-should-retry")).toBe("false");
    expect(await firstDenied!.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
    // a member already counted is denied too, from any address of the /24
    const member = await gw.call("/v1/messages", {
      ...json(message(), sdkHeaders("sk-farm-0")),
      cf: aws,
      ip: "203.0.113.2",
    });
    expect(member.status).toBe(403);
    // the addresses reached the store hashed: no raw address in any key
    const keys = (await gw.tenant.command("KEYS", "*")) as string[];
    expect(keys.some((k) => /:@[0-9a-f]+:rotating-subnet:[0-9a-f]{16}:addresses:[01]$/.test(k))).toBe(true);
    expect(keys.some((k) => k.includes("203.0.113") || k.includes("198.51.100"))).toBe(false);
  });
});
