// The dashboard's sign-in (a form that sets an HttpOnly session cookie), its
// strict CSP, and the numbers its API serves from the isolate's window.
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, createAdminAuth } from "../../src/admin/auth.ts";
import { ADMIN_TOKEN, messagesConfig, workerWithAdmin } from "./harness.ts";

const signIn = (gw: Awaited<ReturnType<typeof workerWithAdmin>>, token: string) =>
  gw.admin("/login", { method: "POST", token: null, body: new URLSearchParams({ token }) });

const cookieOf = (r: Response) => /^dg_admin=([^;]*)/.exec(r.headers.get("set-cookie") ?? "")?.[1] ?? null;

describe("signing in to the dashboard", () => {
  it("without a session the dashboard is a sign-in form (401), under a strict CSP", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const r = await gw.admin("/dashboard", { token: null });
    expect(r.status).toBe(401);
    expect(r.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    const html = await r.text();
    expect(html).toContain('<form method="post" action="/_guard/login">');
    expect(html).toContain('type="password"');
    expect(html).not.toMatch(/<script>|style=|https?:\/\//); // nothing inline, nothing external
    expect((await gw.admin("", { token: null })).headers.get("location")).toBe("/_guard/dashboard");
  });

  it("a wrong token is refused; the right one sets an HttpOnly, SameSite=Strict cookie scoped to the prefix", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const wrong = await signIn(gw, "not-the-token");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await wrong.text()).toContain("That token is not right.");

    expect((await signIn(gw, `${ADMIN_TOKEN}${"x".repeat(20_000)}`)).status).toBe(401); // read no further than 16 KiB
    const json = await gw.admin("/login", { method: "POST", token: null, body: { token: ADMIN_TOKEN } });
    expect(json.status).toBe(401); // a form, nothing else

    const right = await signIn(gw, ADMIN_TOKEN);
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/_guard/dashboard");
    const setCookie = right.headers.get("set-cookie")!;
    expect(setCookie).toMatch(
      /^dg_admin=v1\.\d+\.[A-Za-z0-9_-]{43}; Path=\/_guard; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/,
    );
    expect(setCookie).not.toContain(ADMIN_TOKEN);

    const session = cookieOf(right)!;
    const page = await gw.admin("/dashboard", {
      token: null,
      headers: { cookie: `other=1; ${SESSION_COOKIE}=${session}` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/_guard/dashboard.js"></script>');
    expect(html).toContain('data-prefix="/_guard"');
    expect(html).not.toMatch(/<script>|style=|https?:\/\//);
  });

  it("the session cookie reads, but cannot change anything: blocks need the Bearer token", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const cookie = `${SESSION_COOKIE}=${cookieOf(await signIn(gw, ADMIN_TOKEN))}`;
    expect((await gw.admin("/stats", { token: null, headers: { cookie } })).status).toBe(200);
    expect((await gw.admin("/blocks", { token: null, headers: { cookie } })).status).toBe(200);
    const post = await gw.admin("/blocks", {
      token: null,
      method: "POST",
      headers: { cookie },
      body: { ip: "203.0.113.7", ttl: 60, reason: "csrf?" },
    });
    expect(post.status).toBe(401);
    expect(
      (await gw.admin("/blocks/ip/203.0.113.7", { token: null, method: "DELETE", headers: { cookie } })).status,
    ).toBe(401);
  });

  it("a forged, expired or other token's session is refused; signing out clears the cookie", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const other = createAdminAuth("another-admin-token-0123456789");
    const mine = createAdminAuth(ADMIN_TOKEN);
    const expired = await mine.newSession(Date.now() - 13 * 3600_000, 12 * 3600);
    for (const value of [await other.newSession(Date.now(), 3600), expired, "v1.99999999999.AAAA", ADMIN_TOKEN]) {
      expect(
        (await gw.admin("/stats", { token: null, headers: { cookie: `${SESSION_COOKIE}=${value}` } })).status,
      ).toBe(401);
    }
    expect(await mine.sessionValid(await mine.newSession(Date.now(), 60), Date.now())).toBe(true);
    const out = await gw.admin("/logout", { method: "POST", token: null });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/^dg_admin=; Path=\/_guard; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  it("serves its own script and stylesheet, with the same headers", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const js = await gw.admin("/dashboard.js", { token: null });
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    const source = await js.text();
    expect(source).not.toMatch(/innerHTML|eval\(|new Function/);
    expect(() => new Function(source)).not.toThrow(); // it parses
    const css = await gw.admin("/dashboard.css", { token: null });
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).not.toMatch(/@import|url\(\s*["']?https?:/);
  });
});

describe("the dashboard's numbers (this isolate's window)", () => {
  it("counts decisions by action, reason, country and denied key", async () => {
    const gw = await workerWithAdmin(
      messagesConfig({}, { limits: [{ name: "key-rpm", by: ["key"], rate: "2 per minute" }] }),
      { redis: false },
    );
    for (let i = 0; i < 3; i++) await gw.call("/v1/messages"); // 2 allowed, 1 throttled
    await gw.call("/v1/messages", { key: "sk-customer-2", cf: { country: "IR" } }); // geo
    await gw.call("/v1/messages", { key: "sk-customer-3", cf: { country: "KP" } }); // geo
    await gw.call("/v1/models", { key: "sk-customer-2", cf: { country: "US" } }, { method: "GET" });
    const r = await gw.admin("/stats?minutes=5");
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      source: string;
      minutes: number;
      summary: Record<string, unknown>;
      note: string;
    };
    expect(body.source).toBe("isolate");
    expect(body.minutes).toBe(5);
    expect(body.summary.totals).toEqual({
      allow: 3,
      flag: 0,
      degrade: 0,
      challenge: 0,
      throttle: 1,
      block: 2,
      decisions: 6,
      denied: 3,
      shadowDenied: 0,
    });
    expect(body.summary.reasons).toEqual([
      { reason: "geo.country_denied", decisions: 2 },
      { reason: "rate.key_exhausted", decisions: 1 },
    ]);
    expect(body.summary.countries).toEqual([
      { country: "DE", decisions: 3, denied: 1 },
      { country: "IR", decisions: 1, denied: 1 },
      { country: "KP", decisions: 1, denied: 1 },
      { country: "US", decisions: 1, denied: 0 },
    ]);
    const keys = body.summary.keys as Array<{ key: string; denials: number }>;
    expect(keys.map((k) => k.denials)).toEqual([1, 1, 1]);
    const perMinute = body.summary.perMinute as Array<Record<string, number | string>>;
    expect(perMinute.reduce((n, m) => n + (m.allow as number) + (m.throttle as number) + (m.block as number), 0)).toBe(
      6,
    );
    expect((await gw.admin("/stats?minutes=0")).status).toBe(400);
    expect(await (await gw.admin("/clusters")).json()).toEqual({ clusters: [] });
  });

  it("shadow-mode would-be denials are counted apart", async () => {
    const gw = await workerWithAdmin(messagesConfig({ mode: "shadow" }), { redis: false });
    await gw.call("/v1/messages", { cf: { country: "IR" } });
    await gw.call("/v1/messages");
    const body = (await (await gw.admin("/stats")).json()) as { summary: { totals: Record<string, number> } };
    expect(body.summary.totals).toMatchObject({ allow: 1, block: 1, denied: 1, shadowDenied: 1 });
  });
});
