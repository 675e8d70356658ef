// The dashboard in a real browser: headless Chromium (Debian's `chromium`) signs
// in to the ready-made Worker under `wrangler dev` after some traffic, and the
// numbers it shows must be the traffic's. Screenshots go to test/artifacts/.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoOrigin, startDemoOrigin } from "../../scripts/demo-origin.ts";
import { type WranglerDev, startWranglerDev } from "./wrangler-dev.ts";

const CHROMIUM = "/usr/bin/chromium";
const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));

// The demo configuration (wrangler.toml's [env.demo]) with a cluster rule: more than 3 accounts on one network are flagged.
const CONFIG = {
  version: "browser-1",
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      geo: { presets: ["sanctions"], hosting: "flag", models: { "fable-5*": { allow: { countries: ["US"] } } } },
      limits: [
        { name: "key-rpm", by: ["key"], rate: "60 per minute" },
        { name: "key-tokens", by: ["key"], capacity: 400000, refillPerSecond: 6000, cost: "tokens" },
      ],
      clusters: [{ name: "shared-asn", by: ["asn"], maxAccounts: 3, window: "1h", action: "flag" }],
    },
    { name: "models", match: { path: "/v1/models", methods: ["GET"] } },
  ],
};

let origin: DemoOrigin;
let gateway: WranglerDev;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  mkdirSync(artifacts, { recursive: true });
  origin = await startDemoOrigin({ test: true });
  gateway = await startWranglerDev(
    {
      ORIGIN_URL: origin.url,
      KEY_HASH_SECRET: "browser-test-key-hash-secret-0123",
      ADMIN_TOKEN,
      GATEWAY_CONFIG: JSON.stringify(CONFIG),
    },
    async (url) =>
      (await fetch(`${url}/_guard/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status === 200,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // as root, without a GPU, and without Chromium's own traffic (the network is closed)
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await origin?.close();
});

/** A client request; request.cf comes from MF-CF-Blob under wrangler dev (Cloudflare's edge sets it in production). */
async function send(
  path: string,
  options: { key?: string; cf?: Record<string, unknown>; body?: unknown; method?: string } = {},
): Promise<number> {
  const { key = "sk-browser-a", cf = { country: "DE", asn: 3320, colo: "FRA" }, method = "POST" } = options;
  const body = options.body ?? { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] };
  const r = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { "x-api-key": key, "content-type": "application/json", "mf-cf-blob": JSON.stringify(cf) },
    body: method === "GET" ? undefined : JSON.stringify(body),
  });
  await r.arrayBuffer();
  return r.status;
}

// Playwright's innerText (what a person sees), not the DOM property the lint rule is about
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator method
const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const rows = (page: Page, table: string) =>
  page.$$eval(`[data-table='${table}'] tbody tr[data-row]`, (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
  );

describe("the dashboard in headless Chromium", () => {
  it("signs in, shows the traffic's numbers, lists the blocks, and refreshes itself", async () => {
    // traffic: 9 allowed, 2 flagged, 1 throttled, 9 blocked
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await send("/v1/messages"));
    statuses.push(await send("/v1/models", { method: "GET", cf: { country: "US", asn: 7922 } }));
    for (let i = 0; i < 3; i++)
      statuses.push(await send("/v1/messages", { key: "sk-browser-ir", cf: { country: "IR", asn: 58224 } }));
    for (let i = 0; i < 2; i++)
      statuses.push(
        await send("/v1/messages", { key: "sk-browser-ua", cf: { country: "UA", regionCode: "43", asn: 6849 } }),
      );
    statuses.push(
      await send("/v1/messages", {
        body: { model: "fable-5", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] },
      }),
    );
    statuses.push(
      await send("/v1/messages", {
        body: { model: "demo-small", max_tokens: 500_000, messages: [{ role: "user", content: "Hi" }] },
      }),
    );
    statuses.push(await send("/nope", { method: "GET", cf: { country: "FR", asn: 3215 } }));
    // five accounts on one network: the 4th and 5th take the cluster over its limit (flagged, forwarded)
    for (let i = 1; i <= 5; i++)
      statuses.push(await send("/v1/messages", { key: `sk-farm-${i}`, cf: { country: "NL", asn: 64496 } }));
    // an operator blocks a key; its next two requests are refused
    const blockedKey = (
      await fetch(`${gateway.url}/_guard/blocks`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ip: "10.20.30.40", ttl: "2h", reason: "seen scraping from a rented server" }),
      })
    ).status;
    expect(blockedKey).toBe(201);
    const keyHash = await hashOf("sk-browser-blocked");
    const created = await fetch(`${gateway.url}/_guard/blocks`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ key: keyHash, ttl: "1h", reason: "one account of a 40-key farm" }),
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) statuses.push(await send("/v1/messages", { key: "sk-browser-blocked" }));
    expect(statuses).toEqual([
      200, 200, 200, 200, 200, 200, 451, 451, 451, 451, 451, 451, 429, 404, 200, 200, 200, 200, 200, 403, 403,
    ]);

    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const external: string[] = [];
    await context.route("**/*", (route) => {
      if (route.request().url().startsWith(gateway.url)) return route.continue();
      external.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));

    // signed out: the sign-in form
    const login = await page.goto(`${gateway.url}/_guard/dashboard`);
    expect(login!.status()).toBe(401);
    await page.screenshot({ path: `${artifacts}dashboard-login.png` });
    await page.fill("#token", "not-the-token");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("[role=alert]").count()).toBe(1);
    await page.fill("#token", ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${gateway.url}/_guard/dashboard`), page.click("button[type=submit]")]);
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: "dg_admin", httpOnly: true, sameSite: "Strict", path: "/_guard" }),
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe(""); // the page's script cannot read it

    // refresh every 2 s for this test
    await page.goto(`${gateway.url}/_guard/dashboard#refresh=2`);
    await page.waitForSelector("body[data-state=ready]");
    expect(await text(page, "[data-stat=decisions]")).toBe("21");
    expect(await text(page, "[data-stat=allow]")).toBe("9");
    expect(await text(page, "[data-stat=flag]")).toBe("2");
    expect(await text(page, "[data-stat=throttle]")).toBe("1");
    expect(await text(page, "[data-stat=block]")).toBe("9");
    expect(await text(page, "[data-stat=shadowDenied]")).toBe("0");
    expect(await rows(page, "reasons")).toEqual([
      ["geo.country_denied", "3"],
      ["geo.region_denied", "2"],
      ["cluster.accounts_per_asn", "2"],
      ["block.manual", "2"],
      ["geo.model_restricted", "1"],
      ["rate.key_tokens_too_large", "1"],
      ["route.not_found", "1"],
    ]);
    expect(await rows(page, "countries")).toEqual([
      ["DE", "9", "4"],
      ["NL", "5", "0"],
      ["IR", "3", "3"],
      ["UA", "2", "2"],
      ["US", "1", "0"],
      ["FR", "1", "1"],
    ]);
    // denied keys: the IR one (3), sk-browser-a (fable-5, too large, /nope), the UA one and the blocked one (2 each)
    expect((await rows(page, "keys")).map((r) => r[1])).toEqual(["3", "3", "2", "2"]);
    const clusters = await rows(page, "clusters");
    expect(clusters).toEqual([[expect.stringMatching(/^shared-asn:[0-9a-f]{16}$/), "messages", "5", "3", "flag"]]);
    const blocks = await rows(page, "blocks");
    expect(blocks.map((b) => b.slice(0, 3))).toEqual([
      ["key", keyHash, "one account of a 40-key farm"],
      ["ip", "10.20.30.40/32", "seen scraping from a rented server"],
    ]);
    expect(blocks[0]![3]).toMatch(/^(59|60) min$/);
    expect(await text(page, "[data-field=source]")).toBe("this isolate");
    expect(await text(page, "[data-field=version]")).toBe("browser-1");
    expect(await text(page, "[data-field=store]")).toMatch(/^memory · \d+ ms$/);
    // the chart: one bar segment per minute and action, adding up to the totals
    const bars = await page.$$eval("svg[data-chart=perMinute] rect", (rs) =>
      rs.map((r) => [r.getAttribute("data-action"), Number(r.getAttribute("data-count"))] as const),
    );
    const sum = (action: string) => bars.filter(([a]) => a === action).reduce((n, [, c]) => n + c, 0);
    expect([sum("allow"), sum("flag"), sum("throttle"), sum("block")]).toEqual([9, 2, 1, 9]);
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });

    // it refreshes itself: new traffic shows up without a reload
    const before = Number(await page.getAttribute("body", "data-refreshes"));
    for (let i = 0; i < 4; i++) await send("/v1/messages", { key: "sk-browser-ir", cf: { country: "IR", asn: 58224 } });
    await expect.poll(() => text(page, "[data-stat=block]"), { timeout: 10_000 }).toBe("13");
    expect(Number(await page.getAttribute("body", "data-refreshes"))).toBeGreaterThan(before);
    expect(await text(page, "[data-stat=decisions]")).toBe("25");

    // signing out ends the session
    await Promise.all([page.waitForURL(`${gateway.url}/_guard/dashboard`), page.click("header button[type=submit]")]);
    expect(await page.locator("#token").count()).toBe(1);

    expect(external).toEqual([]); // nothing but the gateway: no fonts, scripts or images from elsewhere
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]); // no CSP violation, no script error
    await context.close();
  });
});

/** The key hash the gateway computes: HMAC-SHA-256 under KEY_HASH_SECRET, 32 hex. */
async function hashOf(key: string): Promise<string> {
  const secret = new TextEncoder().encode("browser-test-key-hash-secret-0123");
  const k = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(key)));
  return Array.from(mac.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
