// The dashboard's numbers from the Analytics Engine SQL API: the gateway's own
// data points, stored in the fake SQL API (which checks every query against the
// schema in docs/telemetry.md), must give the same summary as the isolate's window.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createGateway } from "../../src/gateway.ts";
import { toDataPoint } from "../../src/telemetry/analytics.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";
import { createDecisionWindow } from "../../src/telemetry/window.ts";
import { ADMIN_TOKEN, SECRET, messagesConfig } from "./harness.ts";

const sql = inject("analyticsSql");

function setup(account: string) {
  // each point with the time it was written, as Analytics Engine stamps it
  const points: Array<AnalyticsEngineDataPoint & { timestamp?: number }> = [];
  const window = createDecisionWindow();
  const app = createGateway({
    config: messagesConfig({}, { limits: [{ name: "key-rpm", by: ["key"], rate: "2 per minute" }] }),
    keyHashSecret: SECRET,
    origin: { url: inject("originUrl") },
    analytics: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push({ ...p!, timestamp: Date.now() }) },
    log: () => {},
    onDecision: (event) => window.add(event, Date.now()),
    admin: {
      token: ADMIN_TOKEN,
      analytics: {
        accountId: account,
        apiToken: sql.token,
        url: `${sql.base}/client/v4/accounts/${account}/analytics_engine/sql`,
        dataset: "distill_guard",
      },
    },
  });
  const fetchApp = async (request: Request) => {
    const ctx = createExecutionContext();
    const response = await app.fetch(request, {}, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
  const call = (key: string, country: string, path = "/v1/messages") =>
    fetchApp(
      new Request(`https://gw.test${path}`, {
        method: path === "/v1/messages" ? "POST" : "GET",
        headers: { "x-api-key": key, "cf-connecting-ip": "198.51.100.7", "content-type": "application/json" },
        body:
          path === "/v1/messages"
            ? JSON.stringify({ model: "demo-small", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
            : undefined,
        cf: { country, asn: 3320 } as never,
      }),
    );
  const admin = (path: string) =>
    fetchApp(new Request(`https://gw.test/_guard${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
  /** What Analytics Engine would hold: every point written so far. */
  const flush = async () => {
    const r = await fetch(`${sql.base}/__points/${account}`, {
      method: "POST",
      body: JSON.stringify(points.splice(0)),
    });
    expect(r.ok).toBe(true);
  };
  return { call, admin, flush, window, points };
}

const clustered = (keyHash: string, action: DecisionEvent["action"]): DecisionEvent => ({
  timestamp: new Date().toISOString(),
  requestId: crypto.randomUUID(),
  route: "messages",
  mode: "enforce",
  action,
  enforced: true,
  status: action === "allow" ? 200 : 429,
  reason: action === "allow" ? null : "cluster.accounts_per_fingerprint",
  reasons: action === "allow" ? [] : ["cluster.accounts_per_fingerprint"],
  method: "POST",
  path: "/v1/messages",
  model: null,
  country: "NL",
  region: null,
  asn: 64500,
  colo: "AMS",
  keyHash,
  fingerprint: "fp1",
  cluster: "shared-fingerprint",
  template: null,
  risk: 0.5,
  retryAfterSeconds: null,
  decisionMs: 1,
  originMs: null,
  degrade: null,
  tier: null,
  evidence: null,
});

describe("dashboard numbers from the Analytics Engine SQL API", () => {
  it("equal the isolate's window for the same decisions", async () => {
    const account = `acct-${crypto.randomUUID().slice(0, 8)}`;
    const gw = setup(account);
    for (let i = 0; i < 3; i++) await gw.call("sk-a", "DE"); // 2 allowed, 1 throttled
    await gw.call("sk-b", "IR"); // geo
    await gw.call("sk-c", "CU"); // geo
    await gw.call("sk-b", "US", "/v1/models");
    // decisions of a cluster over its limit, as the fingerprint checks will record them
    for (const [key, action] of [
      ["k1", "allow"],
      ["k2", "throttle"],
      ["k3", "throttle"],
    ] as const) {
      const event = clustered(key.repeat(16), action);
      gw.points.push({ ...toDataPoint(event), timestamp: Date.now() });
      gw.window.add(event, Date.now());
    }
    await gw.flush();

    const r = await gw.admin("/stats?minutes=10");
    expect(r.status).toBe(200);
    const body = (await r.json()) as { source: string; summary: Record<string, unknown>; note: string };
    expect(body.source).toBe("analytics-engine");
    expect(body.note).toContain("every isolate");
    const expected = gw.window.summary(10, Date.now());
    expect(body.summary).toEqual({ ...expected, reasons: expect.any(Array), keys: expect.any(Array) });
    // ties may come in another order
    expect(new Set(body.summary.reasons as unknown[])).toEqual(new Set(expected.reasons));
    expect(new Set(body.summary.keys as unknown[])).toEqual(new Set(expected.keys));
    expect(expected.totals).toEqual({
      allow: 4,
      flag: 0,
      degrade: 0,
      challenge: 0,
      throttle: 3,
      block: 2,
      decisions: 9,
      denied: 5,
      shadowDenied: 0,
    });
    expect(expected.clusters).toEqual([{ cluster: "shared-fingerprint", decisions: 3, keys: 3 }]);
  });

  it("five queries per refresh, reused for a few seconds", async () => {
    const account = `acct-${crypto.randomUUID().slice(0, 8)}`;
    const gw = setup(account);
    await gw.call("sk-a", "DE");
    await gw.flush();
    await gw.admin("/stats");
    await gw.admin("/stats");
    const queries = (await (await fetch(`${sql.base}/__queries/${account}`)).json()) as string[];
    expect(queries).toHaveLength(5);
    expect(queries.every((q) => q.includes("FROM distill_guard") && q.endsWith("FORMAT JSON"))).toBe(true);
  });

  it("a failing SQL API is a 502 with the reason, and the next refresh tries again", async () => {
    const app = createGateway({
      config: messagesConfig(),
      keyHashSecret: SECRET,
      origin: { url: inject("originUrl") },
      admin: {
        token: ADMIN_TOKEN,
        analytics: {
          accountId: "a",
          apiToken: "wrong-token",
          url: `${sql.base}/client/v4/accounts/a/analytics_engine/sql`,
          dataset: "distill_guard",
        },
      },
    });
    const get = () =>
      app.fetch(
        new Request("https://gw.test/_guard/stats", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
        {},
        createExecutionContext(),
      );
    const r = await get();
    expect(r.status).toBe(502);
    expect(await r.json()).toEqual({ error: expect.stringContaining("the SQL API answered 401") });
    expect((await get()).status).toBe(502);
  });
});
