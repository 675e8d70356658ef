// A signal set to `throttle` (fingerprint, content, hosting) holds the client to
// the route's signal budget: served and flagged while it has room, then 429
// with a real Retry-After; clients without the signal are not charged.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";
import { CLIENTS } from "../checks/clients.ts";
import { GERMANY, harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] };
const requests = (key: string) => ({ ...CLIENTS.pythonRequests.headers, "x-api-key": key });
const sdk = (key: string) => ({ ...CLIENTS.anthropicPython.headers, "x-api-key": key });
const AWS = { ...GERMANY, asn: 16509, asOrganization: "Amazon.com, Inc." };

describe("the signal budget", () => {
  it("holds a client with a throttle signal to the route's budget, then answers 429 with Retry-After", async () => {
    const gw = harness({
      routes: [
        {
          name: "messages",
          match: { paths: ["/v1/messages", "/__demo/echo/*"], methods: ["POST"] },
          errors: "anthropic",
          fingerprint: { automation: "throttle" },
          throttle: { rate: "3 per minute" },
        },
      ],
    });
    const seen: Record<string, string>[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await gw.call("/__demo/echo/v1/messages", {
        ...json(message, requests("sk-script")),
        cf: { ...GERMANY, ...CLIENTS.pythonRequests.cf },
      });
      expect(res.status).toBe(200);
      seen.push(((await res.json()) as { headers: Record<string, string> }).headers);
    }
    for (const h of seen) {
      expect(h["x-guard-action"]).toBe("flag");
      expect(h["x-guard-reasons"]).toBe("fingerprint.automation_ua");
    }
    const fourth = await gw.call("/v1/messages", {
      ...json(message, requests("sk-script")),
      cf: { ...GERMANY, ...CLIENTS.pythonRequests.cf },
    });
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get("x-guard-reason")).toBe("fingerprint.automation_ua,rate.signals_exhausted");
    expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(fourth.headers.get("x-should-retry")).not.toBe("false");
    expect(await fourth.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    // the same key from the official SDK raises no signal and is not charged to the budget
    const fromSdk = await gw.call("/v1/messages", json(message, sdk("sk-script")));
    expect(fromSdk.status).toBe(200);
    await fromSdk.body?.cancel();
    // another key with the signal has its own budget
    const other = await gw.call("/v1/messages", {
      ...json(message, requests("sk-other")),
      cf: { ...GERMANY, ...CLIENTS.pythonRequests.cf },
    });
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it("applies to hosting set to throttle, with the default budget (10 a minute per key), on a route without limits", async () => {
    const gw = harness({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages", methods: ["POST"] },
          errors: "openai",
          credential: "x-api-key",
          geo: { presets: ["hosting"], hosting: "throttle" },
        },
      ],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await gw.call("/v1/messages", { ...json(message, sdk("sk-cloud")), cf: AWS });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get("x-guard-reason")).toBe("network.hosting,rate.signals_exhausted");
      await res.body?.cancel();
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    // from a home network: no signal, no budget
    const home = await gw.call("/v1/messages", json(message, sdk("sk-cloud")));
    expect(home.status).toBe(200);
    await home.body?.cancel();
  });

  it("reads the route's throttle section, every problem by path", () => {
    const route = (throttle: unknown) => ({ routes: [{ name: "r", match: { path: "/v1/messages" }, throttle }] });
    const ok = parseConfig(route({ rate: "30 per hour", capacity: 5, by: ["ip"] }));
    expect(ok.ok && ok.config.routes[0]!.signalBudget).toEqual({
      name: "signals",
      by: ["ip"],
      capacity: 5,
      refillPerSecond: 30 / 3600,
      cost: "request",
      stem: "rate.signals",
    });
    const bad = parseConfig(route({ rate: "lots", capacity: 0, by: ["key", "key"], burst: 1 }));
    expect(bad.ok ? [] : bad.problems).toEqual([
      "routes[0].throttle.burst: unknown field (expected one of: rate, capacity, by)",
      "routes[0].throttle.by: must not repeat a dimension",
      'routes[0].throttle.rate: must be "<count> per second|minute|hour|day", such as "10 per minute"',
      "routes[0].throttle.capacity: must be a positive integer",
    ]);
  });
});
