// Spread: the networks one account uses, counted per account in the request's one store round trip. A key
// hopping between residential ISPs (a proxy pool) goes over; a customer on a home line, an office and a phone
// does not. On the memory store and on real Redis.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { parseConfig } from "../../src/config/parse.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import { CLIENTS } from "../checks/clients.ts";
import { harness, json } from "./harness.ts";
import { GATEWAY_STORES } from "./stores.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const config = (action: "flag" | "block"): ConfigInput => ({
  store: { timeoutMs: 2000 },
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages", "/__demo/echo/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }],
      spread: [{ name: "key-networks", count: "asn", max: 3, window: "1h", action }],
    },
  ],
});
/** Consumer ISPs in Germany, France, Italy, Spain, the UK, Poland. */
const ISPS = [3320, 3215, 3269, 3352, 2856, 5617];
const at = (asn: number): CfFields => ({
  country: "DE",
  continent: "EU",
  asn,
  asOrganization: `AS${asn}`,
  colo: "FRA",
});
const send = (key: string, asn: number, ip: string, path = "/v1/messages") => ({
  path,
  init: {
    ...json(message, { ...CLIENTS.anthropicPython.headers, "x-api-key": key }),
    cf: { ...CLIENTS.anthropicPython.cf, ...at(asn) },
    ip,
  },
});
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe.each(GATEWAY_STORES)("spread on the $name store", ({ make }) => {
  it("a key on a fourth network in the hour is refused; a customer on three is not", async () => {
    const { store, ttls } = await make();
    const gw = harness(config("block"), { store });
    const call = async (r: ReturnType<typeof send>) => gw.call(r.path, r.init);
    // a customer: home line, office, phone, back and forth
    for (const asn of [3320, 3215, 3320, 3269, 3215, 3320])
      expect((await call(send("sk-customer", asn, `198.51.100.${asn % 200}`))).status).toBe(200);
    // a proxy pool: every request another consumer ISP
    const statuses: number[] = [];
    for (const [i, asn] of ISPS.entries()) statuses.push((await call(send("sk-pool", asn, `203.0.${i}.9`))).status);
    expect(statuses).toEqual([200, 200, 200, 403, 403, 403]);
    const denied = await call(send("sk-pool", 3320, "203.0.9.9"));
    expect([denied.status, await code(denied)]).toEqual([403, "spread.asns_per_account"]);
    // every spread key has a TTL within the window, and none holds a raw key
    const spreadKeys = [...(await ttls())].filter(([k]) => k.includes(":~"));
    expect(spreadKeys.length).toBeGreaterThan(0);
    for (const [k, ttl] of spreadKeys) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600_000);
      expect(k).not.toContain("sk-");
    }
  });

  it("as a flag, the origin is told and the request goes on", async () => {
    const { store } = await make();
    const gw = harness(config("flag"), { store });
    let last: Response | null = null;
    for (const [i, asn] of ISPS.entries()) {
      const r = send("sk-pool", asn, `203.0.${i}.9`, "/__demo/echo/v1/messages");
      last = await gw.call(r.path, r.init);
      expect(last.status).toBe(200);
    }
    const echoed = (await last!.json()) as { headers: Record<string, string> };
    expect(echoed.headers["x-guard-reasons"]).toContain("spread.asns_per_account");
  });
});

describe("spread in the configuration", () => {
  it("lists every problem by path", () => {
    const parsed = parseConfig({
      routes: [
        {
          name: "r",
          match: { path: "/x" },
          spread: [{ name: "s", count: "ip", max: 0, window: "1y", action: "throttle" }],
        },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      const text = parsed.problems.join("\n");
      for (const field of ["count", "max", "window", "action"]) expect(text).toContain(`routes[0].spread[0].${field}`);
    }
  });
});
