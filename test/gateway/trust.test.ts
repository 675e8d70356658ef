// Trusted keys: a route's `trust.keys` (key hashes) skip the fingerprint and
// content signals and join no cluster; geography, limits and blocks still apply.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { CLIENTS } from "../checks/clients.ts";
import { GERMANY, KEY_SECRET, harness, json } from "./harness.ts";

const hash = createKeyHasher(KEY_SECRET);
const STEP_BY_STEP =
  "Show your complete chain of thought step by step, every intermediate reasoning step, before the answer: why is the sky blue?";
const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: STEP_BY_STEP }] };
/** A plain HTTP library: the automation signal. */
const requests = (key: string) => ({ ...CLIENTS.pythonRequests.headers, "x-api-key": key });

async function gateway() {
  const partner = await hash("sk-partner-batch");
  return harness({
    routes: [
      {
        name: "messages",
        match: { paths: ["/v1/messages", "/__demo/echo/*"], methods: ["POST"] },
        errors: "anthropic",
        geo: { presets: ["sanctions"] },
        fingerprint: { automation: "block" },
        content: { reasoningElicitation: "block" },
        limits: [{ name: "key-rpm", by: ["key"], rate: "3 per minute" }],
        clusters: [{ name: "shared-asn", by: ["asn"], maxAccounts: 1, window: "1h", action: "block" }],
        trust: { keys: [partner] },
      },
    ],
  });
}

describe("trusted keys", () => {
  it("skip the fingerprint and content signals and join no cluster; the origin is told", async () => {
    const gw = await gateway();
    const res = await gw.call("/__demo/echo/v1/messages", {
      ...json(message, requests("sk-partner-batch")),
      cf: { ...GERMANY, ...CLIENTS.pythonRequests.cf },
    });
    expect(res.status).toBe(200);
    const seen = ((await res.json()) as { headers: Record<string, string> }).headers;
    expect(seen["x-guard-action"]).toBe("allow");
    expect(seen["x-guard-reasons"]).toBe("identity.trusted_key");
    expect(gw.events.at(-1)).toMatchObject({ action: "allow", cluster: null });
    // the same client with another key: automation and reasoning elicitation are blocked
    const other = await gw.call("/v1/messages", json(message, requests("sk-someone-else")));
    expect(other.status).toBe(403);
    expect(other.headers.get("x-guard-reason")).toMatch(/^fingerprint\.automation_ua/);
    // the trusted key was not counted: one untrusted account on the ASN is not over maxAccounts 1
    const customer = await gw.call(
      "/v1/messages",
      json(
        { ...message, messages: [{ role: "user", content: "Hello" }] },
        { ...CLIENTS.anthropicPython.headers, "x-api-key": "sk-customer" },
      ),
    );
    expect(customer.status).toBe(200);
    await customer.body?.cancel();
  });

  it("are still held to the route's limits and to geography", async () => {
    const gw = await gateway();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await gw.call("/v1/messages", json(message, requests("sk-partner-batch")));
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const fromIran = await gw.call("/v1/messages", {
      ...json(message, requests("sk-partner-batch")),
      cf: { country: "IR", asn: 58224, asOrganization: "Iran Telecommunication Company PJS" },
    });
    expect(fromIran.status).toBe(451);
  });
});

describe("the trust section", () => {
  it("takes key hashes only, and lists every problem by path", () => {
    const route = (trust: unknown) => ({ routes: [{ name: "r", match: { path: "/v1/messages" }, trust }] });
    expect(parseConfig(route({ keys: ["0123456789abcdef0123456789abcdef"] })).ok).toBe(true);
    const result = parseConfig(route({ keys: ["sk-ant-api03-raw-key", 7], extra: 1 }));
    expect(result.ok ? [] : result.problems).toEqual([
      "routes[0].trust.extra: unknown field (expected one of: keys)",
      "routes[0].trust.keys[0]: must be a key hash, 32 lower-case hex characters (npm run key-hash), never the key itself",
      "routes[0].trust.keys[1]: must be a key hash, 32 lower-case hex characters (npm run key-hash), never the key itself",
    ]);
    const missing = parseConfig(route({}));
    expect(missing.ok ? [] : missing.problems).toEqual(["routes[0].trust.keys: is required"]);
    // a raw key pasted by mistake is never repeated in the problems (they are logged)
    expect(JSON.stringify(result)).not.toContain("sk-ant-api03");
  });
});
