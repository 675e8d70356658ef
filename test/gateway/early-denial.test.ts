// A client the isolate already knows is denied is answered before its body is read (src/guard/early-denial.ts):
// the body is never pulled, the answer is the cached denial in the route's format, one data point per decision.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { type CallInit, harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] };

/** A route that reads the body (content signals, a model rule), a key bucket of one request a minute. */
const config = (route: Record<string, unknown> = {}): ConfigInput => ({
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      geo: { presets: ["sanctions"], models: { "fable-5*": { allow: { countries: ["US"] } } } },
      content: {},
      limits: [{ name: "key-rpm", by: ["key"], rate: "1 per minute" }],
      ...route,
    },
  ],
});

const withKey = (init: CallInit, key = "sk-farm-1"): CallInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), "x-api-key": key },
});

/** A body that records whether anything pulled it, and fails if anything does. */
function untouchableBody() {
  const seen = { pulled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulled = true;
        controller.error(new Error("the body was read"));
      },
    },
    { highWaterMark: 0 },
  );
  const init: CallInit = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
    ...({ duplex: "half" } as object),
  };
  return { seen, init };
}

describe("a client already denied, before its body is read", () => {
  it("is answered with the cached denial in the route's format, its body never pulled, one data point", async () => {
    const gw = harness(config());
    expect((await gw.call("/v1/messages", withKey(json(message)))).status).toBe(200);
    // the store's denial: remembered in the isolate
    expect((await gw.call("/v1/messages", withKey(json(message)))).status).toBe(429);

    const { seen, init } = untouchableBody();
    const denied = await gw.call("/v1/messages", withKey(init));
    expect(seen.pulled).toBe(false);
    expect(denied.status).toBe(429);
    expect(Number(denied.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(denied.headers.get("ratelimit")).toMatch(/^"key-rpm";r=0;t=\d+$/);
    expect(await denied.json()).toMatchObject({
      type: "error",
      error: { type: "rate_limit_error", code: "rate.key_exhausted" },
    });
    // one decision, one data point, each time
    expect(gw.points).toHaveLength(3);
    expect(gw.events.at(-1)).toMatchObject({ action: "throttle", reason: "rate.key_exhausted", model: null });
    // another key has its own bucket: its body is read as usual
    expect((await gw.call("/v1/messages", withKey(json(message), "sk-other"))).status).toBe(200);
  });

  it("a block the body-free checks find keeps its precedence: the same key from a sanctioned country gets 451", async () => {
    const gw = harness(config());
    await gw.call("/v1/messages", withKey(json(message)));
    expect((await gw.call("/v1/messages", withKey(json(message)))).status).toBe(429);
    const refused = await gw.call("/v1/messages", { ...withKey(json(message)), cf: { country: "CU", asn: 27725 } });
    expect(refused.status).toBe(451);
    expect(refused.headers.get("x-guard-reason")).toBe("geo.country_denied");
  });

  it("shadow mode computes everything: the body is read, the would-be denial reported", async () => {
    const gw = harness(config({ mode: "shadow" }));
    for (let i = 0; i < 3; i++) expect((await gw.call("/v1/messages", withKey(json(message)))).status).toBe(200);
    expect(gw.events.at(-1)).toMatchObject({ action: "throttle", enforced: false, model: "demo-small" });
  });

  it("a body declared larger than the route allows is still refused 413", async () => {
    const gw = harness(config({ maxBodyBytes: 200 }));
    await gw.call("/v1/messages", withKey(json(message)));
    expect((await gw.call("/v1/messages", withKey(json(message)))).status).toBe(429);
    const large = JSON.stringify({ ...message, messages: [{ role: "user", content: "x".repeat(400) }] });
    // the length a client declares (an in-process Request carries none of its own)
    const headers = { "content-type": "application/json", "content-length": String(large.length) };
    const refused = await gw.call("/v1/messages", withKey({ method: "POST", headers, body: large }));
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: { code: "request.too_large" } });
  });

  it("a token-weighted bucket's denial is found after the body is read (its cost comes from the body)", async () => {
    const gw = harness(
      config({ limits: [{ name: "key-tokens", by: ["key"], capacity: 100, refillPerSecond: 1, cost: "tokens" }] }),
    );
    const big = { ...message, max_tokens: 90 };
    expect((await gw.call("/v1/messages", withKey(json(big)))).status).toBe(200);
    expect((await gw.call("/v1/messages", withKey(json(big)))).status).toBe(429);
    // a small request may fit sooner: judged with its own cost, from its body
    const { seen, init } = untouchableBody();
    await gw.call("/v1/messages", withKey(init));
    expect(seen.pulled).toBe(true);
  });
});
