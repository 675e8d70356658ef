// Geo taint: a key refused for where it came from stays refused from anywhere (VPN exits included) for the
// route's `geo.taint`, in every isolate: the taint is a block in the shared store, checked in the request's
// one round trip. On the memory store and on real Redis.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import { CLIENTS } from "../checks/clients.ts";
import { GERMANY, harness, json } from "./harness.ts";
import { GATEWAY_STORES } from "./stores.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const config = (taint?: string): ConfigInput => ({
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      geo: { presets: ["sanctions"], ...(taint ? { taint } : {}) },
      limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }],
    },
  ],
});
const IRAN: CfFields = {
  country: "IR",
  continent: "AS",
  asn: 58224,
  asOrganization: "Iran Telecommunication",
  colo: "IST",
};
/** A commercial VPN's exit in the Netherlands (a hosting network). */
const VPN_EXIT: CfFields = {
  country: "NL",
  continent: "EU",
  asn: 9009,
  asOrganization: "M247 Europe SRL",
  colo: "AMS",
};
const send = (key: string, cf: CfFields, ip: string) => ({
  ...json(message, { ...CLIENTS.anthropicPython.headers, "x-api-key": key }),
  cf: { ...CLIENTS.anthropicPython.cf, ...cf },
  ip,
});
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe.each(GATEWAY_STORES)("geo taint on the $name store", ({ make }) => {
  it("a key refused in a sanctioned country is refused from a VPN exit in another isolate; other keys are not", async () => {
    const { store, ttls } = await make();
    const tehran = harness({ ...config("30d"), store: { timeoutMs: 2000 } }, { store });
    const refused = await tehran.call("/v1/messages", send("sk-hopper", IRAN, "5.160.0.9"));
    expect([refused.status, await code(refused)]).toEqual([451, "geo.country_denied"]);
    // another isolate (another gateway instance on the same store): the same key through a VPN exit
    const amsterdam = harness({ ...config("30d"), store: { timeoutMs: 2000 } }, { store });
    const hop = await amsterdam.call("/v1/messages", send("sk-hopper", VPN_EXIT, "185.220.1.7"));
    expect([hop.status, await code(hop), hop.headers.get("x-should-retry")]).toEqual([451, "geo.key_tainted", "false"]);
    // and from Germany, any network
    expect((await amsterdam.call("/v1/messages", send("sk-hopper", GERMANY, "198.51.100.4"))).status).toBe(451);
    // a key never seen from there is served through the same exit
    expect((await amsterdam.call("/v1/messages", send("sk-traveller", VPN_EXIT, "185.220.1.8"))).status).toBe(200);
    // the taint is a store key with the route's TTL, named by a hash: no raw key or address in it
    const taints = [...(await ttls())].filter(([k]) => k.includes(":block:taint:"));
    expect(taints).toHaveLength(1);
    expect(taints[0]![1]).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(taints[0]![1]).toBeLessThanOrEqual(30 * 86_400_000);
    expect(taints[0]![0]).not.toContain("sk-hopper");
  });

  it("without geo.taint a refused key is served from the VPN exit (what the taint is for)", async () => {
    const { store } = await make();
    const gw = harness({ ...config(), store: { timeoutMs: 2000 } }, { store });
    expect((await gw.call("/v1/messages", send("sk-hopper", IRAN, "5.160.0.9"))).status).toBe(451);
    expect((await gw.call("/v1/messages", send("sk-hopper", VPN_EXIT, "185.220.1.7"))).status).toBe(200);
  });
});

describe("geo.taint in the configuration", () => {
  it("takes a duration up to 90 days", async () => {
    const { parseConfig } = await import("../../src/config/parse.ts");
    const route = (taint: unknown) => ({
      routes: [{ ...config().routes[0]!, geo: { presets: ["sanctions"], taint } }],
    });
    expect(parseConfig(route("30d")).ok).toBe(true);
    for (const bad of ["91d", "forever", -1]) {
      const parsed = parseConfig(route(bad));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problems.join("\n")).toContain("routes[0].geo.taint");
    }
  });
});
