// Graded risk through the gateway, on the memory store and on real Redis: a key's first-seen age and a cohort of
// new keys on one subnet are read in the request's one round trip; weak evidence alone (a new key on a hosting
// network) goes on unflagged, a cohort of new keys rotating through one subnet reaches the top tier and is refused
// with risk.tier; an old key in the same subnet is not judged by the cohort. Headers say the tier, the score and
// the evidence.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { CLIENTS } from "../checks/clients.ts";
import { CLOCKED_STORES, expectTtlsAndNoRawKeys } from "../limits/helpers.ts";
import { harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const config: ConfigInput = {
  store: { timeoutMs: 2000 },
  proveKeys: false,
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages", "/__demo/echo/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      geo: { hosting: "flag" },
      limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }],
      clusters: [
        { name: "new-keys-subnet", by: ["subnet"], newKeys: "1d", maxAccounts: 3, maxAddresses: 3, window: "1h" },
      ],
      risk: {
        newKey: "1d",
        weights: { "network.hosting": 0.15 },
        tiers: [
          { name: "watch", score: 0.5, action: "flag" },
          { name: "top", score: 0.75, action: "block" },
        ],
      },
    },
  ],
};
/** An AWS address: a hosting network (the hosting preset lists AS16509). */
const aws = { country: "US", continent: "NA", asn: 16509, asOrganization: "AMAZON-02", colo: "IAD" };
const send = (key: string, ip: string, path = "/__demo/echo/v1/messages") => ({
  path,
  init: {
    ...json(message, { ...CLIENTS.anthropicPython.headers, "x-api-key": key }),
    cf: { ...CLIENTS.anthropicPython.cf, ...aws },
    ip,
  },
});
type Echo = { headers: Record<string, string> };

describe.each(CLOCKED_STORES)("graded risk on the $name store", ({ make }) => {
  it("a new key alone goes on; a cohort of new keys rotating through a subnet reaches the top tier", async () => {
    const { store, clock, ttls } = await make();
    const gw = harness(config, { store });
    const call = (r: ReturnType<typeof send>) => gw.call(r.path, r.init);
    // an old customer, first seen two days before the farm arrives
    expect((await call(send("sk-old", "198.51.100.7"))).status).toBe(200);
    clock.advance(2 * 86_400_000);

    const first = await call(send("sk-new-0", "198.51.100.10"));
    const echoed = (await first.json()) as Echo;
    // new key (0.2) and hosting (0.15): 0.32, below every tier, so no flag
    expect(echoed.headers["x-guard-action"]).toBe("allow");
    expect(echoed.headers["x-guard-reasons"]).toBe("network.hosting,identity.new_key");
    expect(Number(echoed.headers["x-guard-risk"])).toBeCloseTo(0.32, 2);
    expect(echoed.headers["x-guard-tier"]).toBeUndefined();
    // the score's evidence, strongest first, goes to the origin with every request
    expect(echoed.headers["x-guard-evidence"]).toBe("identity.new_key=0.20,network.hosting=0.15");

    const statuses: number[] = [];
    for (let i = 1; i < 6; i++) statuses.push((await call(send(`sk-new-${i}`, `198.51.100.${10 + i}`))).status);
    // the fourth new key from a fourth address puts the cohort over: 0.2, 0.15 and 0.5 make 0.66 (watch, flagged)
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const flagged = (await (await call(send("sk-new-6", "198.51.100.30"))).json()) as Echo;
    expect([flagged.headers["x-guard-action"], flagged.headers["x-guard-tier"]]).toEqual(["flag", "watch"]);
    expect(flagged.headers["x-guard-reasons"]).toContain("cluster.new_accounts_per_subnet");

    // with the cohort's weight at the top tier's reach, the same farm is refused, explained by risk.tier
    const strict = harness(
      {
        ...config,
        routes: [
          {
            ...config.routes[0]!,
            risk: { ...config.routes[0]!.risk!, weights: { "cluster.new_accounts_per_subnet": 0.7 } },
          },
        ],
      },
      { store },
    );
    const call7 = send("sk-new-7", "198.51.100.31", "/v1/messages");
    const refused = await strict.call(call7.path, call7.init);
    const body = (await refused.json()) as { error: { type: string; code?: string } };
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-should-retry")).toBe("false");
    expect(JSON.stringify(body)).toContain("risk.tier");
    // an old key in the same subnet is not judged by the cohort: it goes on
    const again = send("sk-old", "198.51.100.7");
    const old = (await (await strict.call(again.path, again.init)).json()) as Echo;
    expect([old.headers["x-guard-action"], old.headers["x-guard-reasons"]]).toEqual(["allow", "network.hosting"]);

    // first-seen records and cohort slots have TTLs, and no store key holds a raw key
    const keys = await ttls();
    // nine keys' first-seen records and the store's recording epoch
    const seen = [...keys].filter(([k]) => k.includes(":seen:"));
    expect(seen.length).toBe(10);
    expectTtlsAndNoRawKeys(keys);
  });
});
