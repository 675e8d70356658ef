// Made-up keys cannot poison clusters: without a key registry (proveKeys, on by default), a cluster judges a key
// the origin has accepted by the count of accepted keys only; until then a key is judged by every key's count
// and shares its network's unproven bucket.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import { PROVEN_TTL_MS, provenMarker } from "../../src/limits/proven.ts";
import { CLIENTS } from "../checks/clients.ts";
import { GERMANY, KEY_SECRET, harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const SDK = CLIENTS.anthropicPython;
const config: ConfigInput = {
  proveKeys: true,
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      limits: [{ name: "key-rpm", by: ["key"], rate: "30 per minute" }],
      clusters: [{ name: "shared-build", by: ["fingerprint", "asn"], maxAccounts: 3, window: "1h", action: "block" }],
    },
  ],
};
/** A customer's request with the SDK's headers from one network; `origin` answers the status given (401: the origin refuses the key). */
const send = (key: string, ip: string, origin?: number) => ({
  ...json(message, { ...SDK.headers, "x-api-key": key, ...(origin ? { "x-demo-status": String(origin) } : {}) }),
  cf: { ...GERMANY, ...SDK.cf },
  ip,
});

describe("keys the origin has accepted", () => {
  it("made-up keys the origin refuses never push real customers' cluster over its limit", async () => {
    const store = createMemoryStore();
    const gw = harness(config, { store });
    // three customers; each success marks the key, written by its next request's take
    for (const round of [1, 2])
      for (const n of [1, 2, 3])
        expect([round, (await gw.call("/v1/messages", send(`sk-customer-${n}`, `198.51.100.${n}`))).status]).toEqual([
          round,
          200,
        ]);
    // 30 made-up keys with the customers' build on their network (ASN), spread over 30 /24s: judged with every
    // key the cluster saw, the gateway refuses them (403) once the cluster is over; the origin would (401)
    const fakes: number[] = [];
    for (let n = 0; n < 30; n++)
      fakes.push((await gw.call("/v1/messages", send(`sk-fake-${n}`, `203.0.${n}.7`, 401))).status);
    expect(fakes).toEqual(Array(30).fill(403));
    // the three customers are still three accepted accounts in the cluster: none is blocked
    for (const n of [1, 2, 3])
      expect((await gw.call("/v1/messages", send(`sk-customer-${n}`, `198.51.100.${n}`))).status).toBe(200);
    // the customers' keys are marked (by their HMAC, for 30 days); the refused keys stay unmarked
    const marker = async (key: string) => store.ttls().get(provenMarker("dg", await createKeyHasher(KEY_SECRET)(key)));
    expect(await marker("sk-customer-1")).toBeGreaterThan(PROVEN_TTL_MS - 60_000);
    expect(await marker("sk-fake-1")).toBeUndefined();
    // the cost: a key the origin has not accepted yet is judged with every key the cluster saw (34 > 3), so a
    // new key of that build and network is refused while the made-up keys are in the window
    const fresh = await gw.call("/v1/messages", send("sk-customer-4", "198.51.100.4"));
    expect([fresh.status, ((await fresh.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      "cluster.accounts_per_fingerprint_asn",
    ]);
  });

  it("a fourth accepted customer puts the cluster over its limit", async () => {
    const gw = harness(config);
    for (const n of [1, 2, 3])
      for (const round of [1, 2])
        expect([round, (await gw.call("/v1/messages", send(`sk-customer-${n}`, `198.51.100.${n}`))).status]).toEqual([
          round,
          200,
        ]);
    const fourth = await gw.call("/v1/messages", send("sk-customer-4", "198.51.100.4"));
    expect([fourth.status, ((await fourth.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      "cluster.accounts_per_fingerprint_asn",
    ]);
  });

  it("keys not yet accepted share their subnet's unproven bucket: 20 a minute by default", async () => {
    const noClusters: ConfigInput = { ...config, routes: [{ ...config.routes[0]!, clusters: [] }] };
    const gw = harness(noClusters);
    const statuses: number[] = [];
    for (let n = 0; n < 22; n++)
      statuses.push((await gw.call("/v1/messages", send(`sk-new-${n}`, `192.0.2.${n}`, 401))).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const denied = await gw.call("/v1/messages", send("sk-new-99", "192.0.2.99", 401));
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("rate.unproven_exhausted");
    // an accepted key is not charged to it: its success marks it, so its next request passes the empty bucket
    const other = harness(noClusters);
    expect((await other.call("/v1/messages", send("sk-real", "192.0.2.200"))).status).toBe(200);
    for (let n = 0; n < 20; n++) await other.call("/v1/messages", send(`sk-new-${n}`, `192.0.2.${n}`, 401));
    expect((await other.call("/v1/messages", send("sk-new-99", "192.0.2.99", 401))).status).toBe(429);
    expect((await other.call("/v1/messages", send("sk-real", "192.0.2.200"))).status).toBe(200);
  });
});
