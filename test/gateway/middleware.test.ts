// The guard as Hono middleware inside an app of its own: unmatched paths are the app's, the account can come from
// the app's own authentication, and denials can go through app.onError.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { createAdmin } from "../../src/admin/admin.ts";
import { isolateStats } from "../../src/admin/stats.ts";
import { type GuardOptions, createGuard, distillGuard } from "../../src/guard/guard.ts";
import { createDecisionWindow } from "../../src/telemetry/window.ts";
import { GuardDenial } from "../../src/guard/denial.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";
import { GERMANY, KEY_SECRET, registry } from "./harness.ts";

const config: ConfigInput = {
  errors: "openai",
  routes: [
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      limits: [{ name: "key-rpm", by: ["key"], rate: "2 per minute" }],
    },
  ],
};

const ADMIN_TOKEN = "middleware-admin-token-0123456789";

/**
 * The host app: its own sign-in (a session token → the organisation it verified), the guard, its own handlers;
 * with `admin`, the admin API under /_guard on the guard's store.
 */
function app(options: Partial<GuardOptions> = {}, admin = false) {
  const events: DecisionEvent[] = [];
  const sessions = new Map([
    ["session-alice", "acme"],
    ["session-bob", "acme"],
    ["session-carol", "globex"],
  ]);
  const app = new Hono<{ Variables: { org: string | undefined } }>();
  app.use("*", async (c, next) => {
    c.set("org", sessions.get(c.req.header("x-session") ?? ""));
    await next();
  });
  const guard = createGuard({
    config,
    keyHashSecret: KEY_SECRET,
    onDecision: (e) => events.push(e),
    log: () => {},
    ...options,
  });
  if (admin)
    app.route(
      "/_guard",
      createAdmin({ token: ADMIN_TOKEN, ...guard, stats: isolateStats(createDecisionWindow(), Date.now) }),
    );
  app.use("*", guard.middleware);
  app.get("/health", (c) => c.text("ok"));
  app.post("/login", (c) => c.json({ signedIn: true }));
  app.post("/v1/chat/completions", (c) => {
    const guard = c.get("guard"); // typed: GuardState
    return c.json({ action: guard.verdict.action, route: guard.route?.name ?? null });
  });

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const ctx = createExecutionContext();
    const request = new Request(`https://api.example${path}`, {
      method: init.method ?? "GET",
      headers: { "cf-connecting-ip": "198.51.100.23", ...init.headers },
      body: init.body,
      cf: GERMANY as never,
    });
    const response = await app.fetch(request, {}, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }
  const chat = (headers: Record<string, string>) => call("/v1/chat/completions", { method: "POST", headers });
  return { app, events, call, chat };
}

describe("unmatched requests", () => {
  it("go to the app's own handlers by default: untouched, nothing recorded", async () => {
    const host = app();
    const health = await host.call("/health");
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    expect(health.headers.get("x-guard-request-id")).toBeNull();
    // the app's own 404, not the guard's
    const missing = await host.call("/nowhere");
    expect([missing.status, await missing.text()]).toEqual([404, "404 Not Found"]);
    expect(host.events).toEqual([]);
    // the guarded route is still guarded
    const chat = await host.chat({ authorization: "Bearer sk-1" });
    expect(await chat.json()).toEqual({ action: "allow", route: "chat" });
    expect(host.events.map((e) => e.route)).toEqual(["chat"]);
  });

  it("need no key with a key registry: the registry guards the routes, the app's sign-in is its own", async () => {
    const host = app({ accounts: await registry(["sk-known"]) });
    expect((await host.call("/login", { method: "POST" })).status).toBe(200);
    expect((await host.chat({})).status).toBe(401);
    expect((await host.chat({ authorization: "Bearer sk-known" })).status).toBe(200);
  });

  it("are still refused when their path is ambiguous: it could be a guarded route spelled another way", async () => {
    const host = app();
    const r = await host.call("/v1/%2Fchat/completions", { method: "POST" });
    expect(r.status).toBe(400);
    expect(host.events.map((e) => e.reason)).toEqual(["request.ambiguous_path"]);
  });

  it('are answered 404 in the configuration\'s format with unmatched: "404"', async () => {
    const host = app({ unmatched: "404" });
    const r = await host.call("/health");
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: "route.not_found" } });
  });

  it('go on as requests the guard saw with unmatched: "forward": recorded, c.get("guard") set', async () => {
    const host = app({ unmatched: "forward" });
    host.app.get("/whoami", (c) => c.json({ route: c.get("guard").route, action: c.get("guard").verdict.action }));
    expect(await (await host.call("/whoami")).json()).toEqual({ route: null, action: "allow" });
    expect(host.events.map((e) => e.route)).toEqual(["(unmatched)"]);
  });
});

describe("the account from the app's own authentication", () => {
  const account: GuardOptions["account"] = (c) => c.get("org" as never);

  it("counts the verified account, not the key: two people of one organisation share its per-key bucket", async () => {
    const host = app({ account });
    const statuses: number[] = [];
    for (const [session, key] of [
      ["session-alice", "sk-alice"],
      ["session-bob", "sk-bob"],
      ["session-alice", "sk-alice"],
      ["session-carol", "sk-carol"],
    ])
      statuses.push((await host.chat({ "x-session": session!, authorization: `Bearer ${key}` })).status);
    expect(statuses).toEqual([200, 200, 429, 200]);
  });

  it("is what an operator blocks, as account:<id> through the admin API", async () => {
    const host = app({ account }, true);
    const blocked = await host.call("/_guard/blocks", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ key: "account:acme", ttl: "1h", reason: "a farm behind one organisation" }),
    });
    expect(blocked.status).toBe(201);
    const denied = await host.chat({ "x-session": "session-bob", authorization: "Bearer sk-bob-new-key" });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: "block.manual" } });
    expect((await host.chat({ "x-session": "session-carol", authorization: "Bearer sk-carol" })).status).toBe(200);
  });

  it("counts the key when the app knows no account, and never reads a header the client sets", async () => {
    const host = app({ account });
    const statuses: number[] = [];
    for (const key of ["sk-1", "sk-2", "sk-1", "sk-2"])
      statuses.push((await host.chat({ "x-account": "acme", authorization: `Bearer ${key}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it("counts the key when the function returns something that is not an account id", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const host = app({ account: () => "not an id: spaces" });
    const statuses: number[] = [];
    for (const key of ["sk-1", "sk-2", "sk-1"])
      statuses.push((await host.chat({ authorization: `Bearer ${key}` })).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it("is refused together with a key registry, which decides the account itself", async () => {
    const accounts = await registry(["sk-known"]);
    expect(() => distillGuard({ config, keyHashSecret: KEY_SECRET, accounts, account })).toThrow(/not both/);
  });
});

describe("denials", () => {
  it('go to app.onError as a GuardDenial carrying the response, with denials: "throw"', async () => {
    const host = app({ denials: "throw" });
    host.app.onError((error, c) => {
      if (error instanceof GuardDenial)
        return c.json({ denied: error.verdict.code, requestId: error.requestId }, error.status);
      return c.text("unexpected", 500);
    });
    for (let i = 0; i < 2; i++) await host.chat({ authorization: "Bearer sk-1" });
    const denied = await host.chat({ authorization: "Bearer sk-1" });
    expect(denied.status).toBe(429);
    const body = (await denied.json()) as { denied: string; requestId: string };
    expect(body.denied).toBe("rate.key_exhausted");
    expect(body.requestId).toBe(host.events.at(-1)!.requestId);
  });

  it("answer as the guard would when thrown into an app without onError", async () => {
    const [thrown, answered] = [app({ denials: "throw" }), app()];
    const responses: Response[] = [];
    for (const host of [thrown, answered]) {
      for (let i = 0; i < 2; i++) await host.chat({ authorization: "Bearer sk-1" });
      responses.push(await host.chat({ authorization: "Bearer sk-1" }));
    }
    const [a, b] = responses as [Response, Response];
    expect([a.status, a.headers.get("retry-after"), a.headers.get("content-type")]).toEqual([
      b.status,
      b.headers.get("retry-after"),
      b.headers.get("content-type"),
    ]);
    const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;
    expect([await code(a), await code(b)]).toEqual(["rate.key_exhausted", "rate.key_exhausted"]);
  });

  it("throw a refusal before any check too (no key with a registry)", async () => {
    const host = app({ denials: "throw", accounts: await registry(["sk-known"]) });
    let caught: unknown;
    host.app.onError((error, c) => ((caught = error), c.text("handled", 418)));
    expect((await host.chat({})).status).toBe(418);
    expect(caught).toBeInstanceOf(GuardDenial);
    expect((caught as GuardDenial).getResponse().status).toBe(401);
  });
});
