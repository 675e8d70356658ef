import { describe, expect, it } from "vitest";
import { createFingerprintCheck, type FingerprintPolicy } from "../../src/checks/fingerprint.ts";
import { FINGERPRINT_DEFAULTS } from "../../src/config/fingerprint.ts";
import { loadConfig, parseConfig } from "../../src/config/parse.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import type { Finding } from "../../src/verdict/types.ts";
import { CLIENTS, type ClientName, type ClientSample, variant } from "./clients.ts";
import { facts } from "./facts.ts";

async function run(sample: ClientSample, policy: Partial<FingerprintPolicy> = {}): Promise<Finding[]> {
  const check = createFingerprintCheck({ ...FINGERPRINT_DEFAULTS, ...policy });
  return check(
    await facts({
      headers: { ...sample.headers, "x-api-key": "sk-test" },
      cf: sample.cf as Record<string, unknown>,
      ip: "198.51.100.7",
    }),
  );
}
const codes = async (sample: ClientSample, policy: Partial<FingerprintPolicy> = {}) =>
  (await run(sample, policy)).map((f) => f.reason.code);

const SDKS: ClientName[] = [
  "anthropicNode",
  "anthropicPython",
  "openaiNode",
  "openaiPythonAsync",
  "openaiGo",
  "anthropicJava",
];
const BROWSERS: ClientName[] = ["chrome", "edge", "firefox", "safari", "iphoneSafari", "anthropicInChrome"];

describe("fingerprint signals: genuine clients", () => {
  it.each([...SDKS, ...BROWSERS])("%s shows none", async (name) => {
    expect(await run(CLIENTS[name])).toEqual([]);
  });
});

describe("fingerprint.automation_ua", () => {
  it.each<[ClientName, RegExp]>([
    ["curl", /HTTP library curl 8/],
    ["pythonRequests", /HTTP library python-requests 2/],
    ["httpx", /python-httpx/],
    ["aiohttp", /aiohttp/],
    ["goHttp", /go-http-client/],
    ["nodeFetch", /node-fetch/],
    ["axios", /axios/],
    ["headlessChrome", /headless browser headless-chrome 131/],
    ["noUserAgent", /no user-agent/],
  ])("%s", async (name, detail) => {
    const findings = await run(CLIENTS[name]);
    const f = findings.find((x) => x.reason.code === "fingerprint.automation_ua");
    expect(f).toMatchObject({
      action: "flag",
      reason: { check: "fingerprint", detail: expect.stringMatching(detail) },
    });
    expect(f!.risk).toBeGreaterThan(0);
  });

  it("sees headless Chrome behind a desktop User-Agent by its client-hint brand", async () => {
    const spoofed = variant("headlessChrome", {
      "user-agent": CLIENTS.chrome.headers["user-agent"],
      "sec-ch-ua-platform": '"Windows"',
    });
    expect(await codes(spoofed)).toEqual(["fingerprint.automation_ua"]);
  });

  it("weighs a headless browser above a plain library", async () => {
    const [headless] = await run(CLIENTS.headlessChrome);
    const [curl] = await run(CLIENTS.curl);
    expect(headless!.risk!).toBeGreaterThan(curl!.risk!);
  });

  it("does not call a custom User-Agent over the official SDK automation", async () => {
    expect(await run(variant("anthropicNode", { "user-agent": "claude-cli/1.0.60 (external, cli)" }))).toEqual([]);
  });
});

describe("fingerprint.browser_headers_missing", () => {
  it("a Chrome User-Agent on a script's headers", async () => {
    const script = variant("pythonRequests", { "user-agent": CLIENTS.chrome.headers["user-agent"] });
    const [f] = await run(script);
    expect(f).toMatchObject({ reason: { code: "fingerprint.browser_headers_missing" }, action: "flag" });
    expect(f!.reason.detail).toBe(
      "chrome 131 without accept-language, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, sec-fetch-site, sec-fetch-mode, sec-fetch-dest",
    );
  });

  it("Firefox without fetch metadata", async () => {
    const sample = variant("firefox", { "sec-fetch-site": null, "sec-fetch-mode": null, "sec-fetch-dest": null });
    expect(await codes(sample)).toEqual(["fingerprint.browser_headers_missing"]);
  });

  it("does not ask old browsers or WebViews for headers they never sent", async () => {
    const oldChrome = variant("chrome", {
      "user-agent":
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.142 Safari/537.36",
      "sec-ch-ua": null,
      "sec-ch-ua-mobile": null,
      "sec-ch-ua-platform": null,
      "sec-fetch-site": null,
      "sec-fetch-mode": null,
      "sec-fetch-dest": null,
    });
    expect(await codes(oldChrome, { inconsistent: "flag", tls13: true })).not.toContain(
      "fingerprint.browser_headers_missing",
    );
    const webView = variant("chrome", {
      "user-agent":
        "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36",
      "sec-ch-ua": null,
      "sec-ch-ua-mobile": null,
      "sec-ch-ua-platform": null,
      "sec-fetch-site": null,
      "sec-fetch-mode": null,
      "sec-fetch-dest": null,
    });
    expect(await codes(webView)).toEqual([]);
  });
});

describe("fingerprint.browser_headers_mismatch", () => {
  it.each<[string, ClientSample, RegExp]>([
    [
      "Firefox sending client hints",
      variant("firefox", { "sec-ch-ua": CLIENTS.chrome.headers["sec-ch-ua"] }),
      /firefox never sends client hints/,
    ],
    [
      "client hints of another Chrome version",
      variant("chrome", { "sec-ch-ua": '"Google Chrome";v="120", "Chromium";v="120", "Not_A Brand";v="8"' }),
      /Chromium 120, user-agent Chrome 131/,
    ],
    [
      "client hints of another platform",
      variant("chrome", { "sec-ch-ua-platform": '"Linux"' }),
      /sec-ch-ua-platform linux, user-agent windows/,
    ],
    [
      "Node's accept-language under a browser User-Agent",
      variant("chrome", { "accept-language": "*" }),
      /accept-language \*/,
    ],
  ])("%s", async (_, sample, detail) => {
    const [f] = await run(sample);
    expect(f).toMatchObject({
      reason: { code: "fingerprint.browser_headers_mismatch", detail: expect.stringMatching(detail) },
    });
  });
});

describe("fingerprint.sdk_mismatch", () => {
  it.each<[string, ClientSample, RegExp]>([
    ["another language", variant("anthropicPython", { "x-stainless-lang": "js" }), /x-stainless-lang js/],
    [
      "another package version",
      variant("openaiNode", { "x-stainless-package-version": "4.76.0" }),
      /x-stainless-package-version 4\.76\.0/,
    ],
    [
      "a runtime the language does not have",
      variant("anthropicPython", { "x-stainless-runtime": "node" }),
      /x-stainless-runtime node/,
    ],
    [
      "a runtime version in another runtime's format",
      variant("anthropicNode", { "x-stainless-runtime-version": "3.12.4" }),
      /runtime-version 3\.12\.4 for node/,
    ],
    [
      "Go's runtime written like Python's",
      variant("openaiGo", { "x-stainless-runtime-version": "1.26.0" }),
      /runtime-version 1\.26\.0/,
    ],
    [
      "no platform headers at all (a relay stripped them, or a script copied the User-Agent)",
      variant("anthropicPython", {
        "x-stainless-lang": null,
        "x-stainless-package-version": null,
        "x-stainless-os": null,
        "x-stainless-arch": null,
        "x-stainless-runtime": null,
        "x-stainless-runtime-version": null,
        "x-stainless-async": null,
        "x-stainless-retry-count": null,
        "x-stainless-read-timeout": null,
      }),
      /no x-stainless-lang/,
    ],
    [
      "an Anthropic SDK without anthropic-version",
      variant("anthropicNode", { "anthropic-version": null }),
      /no anthropic-version/,
    ],
    [
      "a retry count that is not a count",
      variant("openaiPythonAsync", { "x-stainless-retry-count": "abc" }),
      /retry-count abc/,
    ],
    [
      "client hints from a Node SDK",
      variant("anthropicNode", { "sec-ch-ua": CLIENTS.chrome.headers["sec-ch-ua"] }),
      /sec-ch-ua/,
    ],
    [
      "SDK headers under python-requests",
      variant("pythonRequests", { "x-stainless-lang": "python", "x-stainless-runtime": "CPython" }),
      /x-stainless-lang python under python-requests/,
    ],
    [
      "a browser User-Agent over the SDK's Node runtime",
      variant("anthropicNode", { "user-agent": CLIENTS.chrome.headers["user-agent"] }),
      /x-stainless-runtime node under chrome/,
    ],
    [
      "Firefox's User-Agent with the SDK saying Chrome",
      variant("anthropicInChrome", {
        "user-agent": CLIENTS.firefox.headers["user-agent"],
        "sec-ch-ua": null,
        "sec-ch-ua-mobile": null,
        "sec-ch-ua-platform": null,
      }),
      /browser:chrome under firefox/,
    ],
  ])("%s", async (_, sample, detail) => {
    const found = await run(sample);
    expect(found.find((f) => f.reason.code === "fingerprint.sdk_mismatch")?.reason.detail).toMatch(detail);
  });

  it("accepts every runtime the JS SDK reports", async () => {
    for (const [runtime, version] of [
      ["deno", "2.1.4"],
      ["bun", "1.1.38"],
      ["edge", "unknown"],
      ["unknown", "unknown"],
    ]) {
      expect(
        await codes(
          variant("anthropicNode", { "x-stainless-runtime": runtime!, "x-stainless-runtime-version": version! }),
        ),
      ).toEqual([]);
    }
  });
});

describe("fingerprint.tls_mismatch", () => {
  const tls12: CfFields = { tlsVersion: "TLSv1.2", tlsCipher: "ECDHE-RSA-AES128-GCM-SHA256" };
  it.each<[string, ClientSample, RegExp]>([
    ["Chrome over TLS 1.2", variant("chrome", {}, tls12), /chrome 131 over TLS 1\.2/],
    ["Firefox over HTTP/1.1", variant("firefox", {}, { httpProtocol: "HTTP/1.1" }), /firefox 133 over HTTP\/1\.1/],
    [
      "Safari offering no ALPN (JA4)",
      variant("safari", {}, { botManagement: { ja4: "t13d1812h1_85036bcba153_b26ce05bbdd6" } }),
      /ALPN http\/1\.1 only/,
    ],
    [
      "an SDK over TLS 1.0",
      variant("anthropicPython", {}, { tlsVersion: "TLSv1" }),
      /anthropic-python 0\.40\.0 over TLS 1\.0/,
    ],
  ])("%s", async (_, sample, detail) => {
    const [f] = await run(sample);
    expect(f).toMatchObject({ reason: { code: "fingerprint.tls_mismatch", detail: expect.stringMatching(detail) } });
  });

  it("leaves TLS 1.2 alone where it happens: SDKs behind old OpenSSL, zones without TLS 1.3", async () => {
    expect(await run(variant("anthropicPython", {}, tls12))).toEqual([]);
    expect(await run(variant("chrome", {}, tls12), { tls13: false })).toEqual([]);
    expect(await codes(variant("chrome", {}, { tlsVersion: "TLSv1.1" }), { tls13: false })).toEqual([
      "fingerprint.tls_mismatch",
    ]);
  });

  it("leaves a corporate proxy's handshake alone (Bot Management says so)", async () => {
    expect(await run(variant("chrome", {}, { ...tls12, botManagement: { score: 80, corporateProxy: true } }))).toEqual(
      [],
    );
  });

  it("uses the JA4's TLS version when cf has none", async () => {
    expect(
      await codes(
        variant(
          "chrome",
          {},
          { tlsVersion: undefined, botManagement: { ja4: "t12d1516h2_8daaf6152771_02713d6af862" } },
        ),
      ),
    ).toEqual(["fingerprint.tls_mismatch"]);
  });
});

describe("Bot Management signals", () => {
  it("fingerprint.low_bot_score under minBotScore, weighted by how low", async () => {
    const low = await run(variant("anthropicPython", {}, { botManagement: { score: 2 } }));
    const lowish = await run(variant("anthropicPython", {}, { botManagement: { score: 20 } }));
    expect(low).toMatchObject([
      { reason: { code: "fingerprint.low_bot_score", detail: "bot score 2 < 30" }, action: "flag" },
    ]);
    expect(low[0]!.risk!).toBeGreaterThan(lowish[0]!.risk!);
    expect(await run(variant("anthropicPython", {}, { botManagement: { score: 45 } }))).toEqual([]);
    expect(await run(variant("anthropicPython", {}, { botManagement: { score: 20 } }), { minBotScore: 5 })).toEqual([]);
    // 0: no score was computed
    expect(await run(variant("anthropicPython", {}, { botManagement: { score: 0 } }))).toEqual([]);
  });

  it("fingerprint.verified_bot as verifiedBots says; an allowed verified bot is not judged by its score", async () => {
    const bot = variant("anthropicPython", {}, { botManagement: { score: 1, verifiedBot: true } });
    expect(await run(bot)).toEqual([]);
    expect(await codes(bot, { verifiedBots: "flag" })).toEqual([
      "fingerprint.verified_bot",
      "fingerprint.low_bot_score",
    ]);
    expect(await run(bot, { verifiedBots: "block" })).toMatchObject([
      { reason: { code: "fingerprint.verified_bot" }, action: "block", status: 403, final: true },
      { action: "flag" },
    ]);
  });
});

describe("the route's fingerprint section", () => {
  it("maps each group to its action", async () => {
    const spoof = variant(
      "pythonRequests",
      { "user-agent": CLIENTS.chrome.headers["user-agent"] },
      { botManagement: { score: 3 } },
    );
    const findings = await run(spoof, { inconsistent: "throttle", lowBotScore: "block" });
    expect(findings.map((f) => [f.reason.code, f.action, f.status, f.final])).toEqual([
      ["fingerprint.browser_headers_missing", "throttle", 429, undefined],
      // requests speaks HTTP/1.1, which no Chrome does to Cloudflare
      ["fingerprint.tls_mismatch", "throttle", 429, undefined],
      ["fingerprint.low_bot_score", "block", 403, true],
    ]);
    expect(await run(CLIENTS.curl, { automation: "allow" })).toEqual([]);
  });

  it("is validated with every problem by path", () => {
    const result = parseConfig({
      routes: [
        {
          name: "r",
          match: { path: "/v1/messages" },
          fingerprint: { automation: "deny", minBotScore: 0, tls13: "yes", extra: 1 },
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "routes[0].fingerprint.extra: unknown field (expected one of: automation, inconsistent, lowBotScore, minBotScore, verifiedBots, tls13)",
      'routes[0].fingerprint.automation: must be one of "allow", "flag", "degrade", "challenge", "throttle", "block"',
      "routes[0].fingerprint.minBotScore: must be a positive integer",
      "routes[0].fingerprint.tls13: must be true or false",
    ]);
  });

  it("runs after geo, on the route that has it", async () => {
    const config = loadConfig({
      routes: [{ name: "r", match: { path: "/v1/messages" }, geo: { deny: { countries: ["IR"] } }, fingerprint: {} }],
    });
    const route = config.routes[0]!;
    expect(route.checks).toHaveLength(2);
    const f = await facts({ headers: CLIENTS.curl.headers, cf: { country: "DE" } });
    expect(await route.checks[0]!(f)).toEqual([]);
    expect((await route.checks[1]!(f)).map((x) => x.reason.code)).toEqual(["fingerprint.automation_ua"]);
  });
});
