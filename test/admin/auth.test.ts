// Who may use the admin API: the Bearer token (constant-time), the dashboard's
// session cookie for reading, nobody without a token configured.
import { afterEach, describe, expect, it, vi } from "vitest";
import { bytesEqual, createAdminAuth } from "../../src/admin/auth.ts";
import { buildFromEnv } from "../../src/worker-with-admin.ts";
import { ADMIN_TOKEN, messagesConfig, workerWithAdmin } from "./harness.ts";

afterEach(() => vi.restoreAllMocks());

describe("the admin token", () => {
  it("missing, wrong or right", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    const missing = await gw.admin("/health", { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="distill-guard admin"');
    expect(await missing.json()).toEqual({ error: "unauthorized: send Authorization: Bearer <ADMIN_TOKEN>" });
    for (const wrong of ["wrong", `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), ADMIN_TOKEN.toUpperCase(), ""]) {
      expect({ wrong, status: (await gw.admin("/health", { token: wrong })).status }).toEqual({ wrong, status: 401 });
    }
    expect(
      (await gw.admin("/health", { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` }, token: null }))
        .status,
    ).toBe(401);
    const right = await gw.admin("/health");
    expect(right.status).toBe(200);
    expect(right.headers.get("cache-control")).toBe("no-store");
    expect(
      (await gw.admin("/health", { token: null, headers: { authorization: `bearer   ${ADMIN_TOKEN}` } })).status,
    ).toBe(200);
  });

  it("ten wrong tokens from one address, then 429 with Retry-After even for the right one, counted in the shared store; right tokens cost nothing", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    const guesser = "203.0.113.66";
    for (let i = 0; i < 20; i++) expect((await gw.admin("/health", { ip: guesser })).status).toBe(200);
    for (let i = 0; i < 10; i++)
      expect((await gw.admin("/health", { ip: guesser, token: `wrong-${i}` })).status).toBe(401);
    const limited = await gw.admin("/health", { ip: guesser });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({
      error: expect.stringMatching(/^too many wrong admin tokens from this address: try again in \d+ s$/),
    });
    // the sign-in form draws on the same budget
    const form = await gw.admin("/login", {
      method: "POST",
      token: null,
      ip: guesser,
      body: new URLSearchParams({ token: ADMIN_TOKEN }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(429);
    // another address is not held back, and its right token leaves nothing behind (a full budget is no key)
    expect((await gw.admin("/health", { ip: "198.51.100.9" })).status).toBe(200);
    const keys = (await gw.tenant!.command("KEYS", "*")) as string[];
    // the guesser's budget only, under the address's hash
    expect(keys.filter((k) => k.includes("admin-attempts"))).toHaveLength(1);
    expect(keys.some((k) => k.includes("203.0.113.66"))).toBe(false);
  });

  it("one budget per IPv6 /64 (one host's usual allocation), not per address", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    // ten guesses, each from another address of the same /64
    for (let i = 0; i < 10; i++)
      expect(
        (await gw.admin("/health", { ip: `2001:db8:1:2::${(i + 1).toString(16)}`, token: `wrong-${i}` })).status,
      ).toBe(401);
    expect((await gw.admin("/health", { ip: "2001:db8:1:2:ffff:ffff:ffff:ffff" })).status).toBe(429);
    expect((await gw.admin("/health", { ip: "2001:DB8:1:2:0:0:0:abc" })).status).toBe(429);
    // the next /64 has its own budget
    expect((await gw.admin("/health", { ip: "2001:db8:1:3::1" })).status).toBe(200);
    const keys = (await gw.tenant!.command("KEYS", "*")) as string[];
    expect(keys.filter((k) => k.includes("admin-attempts"))).toHaveLength(1);
    expect(keys.some((k) => k.includes("2001"))).toBe(false);
  });

  it("every admin endpoint needs it, and unknown admin paths are 404 behind it", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    for (const [method, path] of [
      ["GET", "/health"],
      ["GET", "/stats"],
      ["GET", "/clusters"],
      ["GET", "/blocks"],
      ["POST", "/blocks"],
      ["DELETE", "/blocks/ip/203.0.113.7"],
      ["GET", "/nothing"],
    ] as const) {
      expect({ method, path, status: (await gw.admin(path, { method, token: null })).status }).toEqual({
        method,
        path,
        status: 401,
      });
    }
    expect((await gw.admin("/nothing")).status).toBe(404);
  });

  it("is compared in constant time: both sides hashed to 32 bytes, then timingSafeEqual", async () => {
    const spy = vi.spyOn(
      crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean },
      "timingSafeEqual",
    );
    const auth = createAdminAuth(ADMIN_TOKEN);
    expect(await auth.tokenMatches("x")).toBe(false);
    expect(await auth.tokenMatches(`${ADMIN_TOKEN}-and-longer`)).toBe(false);
    expect(await auth.tokenMatches(ADMIN_TOKEN)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(3);
    for (const [a, b] of spy.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
  });

  it("bytesEqual without workerd's primitive scans every byte the same way", () => {
    const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: unknown };
    const own = Object.getOwnPropertyDescriptor(subtle, "timingSafeEqual");
    Object.defineProperty(subtle, "timingSafeEqual", { value: undefined, configurable: true });
    try {
      expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
      expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
      expect(bytesEqual(new Uint8Array([9, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(false);
      expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    } finally {
      if (own) Object.defineProperty(subtle, "timingSafeEqual", own);
      else Reflect.deleteProperty(subtle, "timingSafeEqual");
    }
    expect(typeof subtle.timingSafeEqual).toBe("function");
  });
});

describe("without ADMIN_TOKEN the admin API does not exist", () => {
  it("its paths are like any other: unmatched, so 404 in the route's error format", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false, env: { ADMIN_TOKEN: undefined } });
    for (const path of ["/health", "/dashboard", "/blocks"]) {
      const r = await gw.admin(path);
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ type: "error", error: { code: "route.not_found" } });
    }
  });

  it("…and forwarded to the origin when unmatched requests are", async () => {
    const gw = await workerWithAdmin(
      { ...messagesConfig(), unmatched: "forward", admin: { prefix: "/__demo/echo" } },
      { redis: false, env: { ADMIN_TOKEN: "" } },
    );
    const r = await gw.fetchWorker(
      new Request("https://gw.test/__demo/echo/health", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ method: "GET", path: "/__demo/echo/health" });
  });

  it("a token too short to be a secret, or half of the analytics credentials, is a configuration problem", () => {
    const base = {
      ORIGIN_URL: "https://origin.test",
      KEY_HASH_SECRET: "k".repeat(20),
      GATEWAY_CONFIG: messagesConfig(),
    };
    expect(buildFromEnv({ ...base, ADMIN_TOKEN: "short" })).toMatchObject({
      ok: false,
      problems: [
        "ADMIN_TOKEN: must be at least 16 characters (e.g. the output of: openssl rand -hex 32), or unset to turn the admin API off",
      ],
    });
    expect(buildFromEnv({ ...base, ADMIN_TOKEN, ANALYTICS_ACCOUNT_ID: "abc" })).toMatchObject({
      ok: false,
      problems: ["ANALYTICS_ACCOUNT_ID, ANALYTICS_API_TOKEN: set both or neither"],
    });
    expect(
      buildFromEnv({ ...base, ADMIN_TOKEN, GATEWAY_CONFIG: { ...messagesConfig(), admin: { prefix: "guard/" } } }),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^GATEWAY_CONFIG\.admin\.prefix: must be a path such as "\/_guard"/)],
    });
  });
});

describe("the prefix is configurable", () => {
  it("serves the admin API where the config says", async () => {
    const gw = await workerWithAdmin({ ...messagesConfig(), admin: { prefix: "/ops/guard" } }, { redis: false });
    const r = await gw.fetchWorker(
      new Request("https://gw.test/ops/guard/health", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ version: "admin-test-7" });
    expect((await gw.admin("/health")).status).toBe(404); // /_guard is an ordinary, unmatched path now
  });
});
