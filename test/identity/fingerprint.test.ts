import { describe, expect, it } from "vitest";
import { parseUserAgent } from "../../src/identity/client.ts";
import { fingerprintSource } from "../../src/identity/fingerprint.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { identify } from "../../src/identity/subject.ts";
import { CLIENTS, type ClientName, type ClientSample, variant } from "../checks/clients.ts";

const hashKey = createKeyHasher("test-secret-0123456789");

async function subjectOf(sample: ClientSample, extra: Record<string, string> = {}) {
  const request = new Request("https://gw.example/v1/messages", {
    method: "POST",
    headers: { ...sample.headers, ...extra },
    body: "{}",
    cf: sample.cf as never,
  });
  return identify(request, hashKey, { credential: "x-api-key" });
}

describe("parseUserAgent", () => {
  it.each<[ClientName, object]>([
    ["anthropicNode", { kind: "sdk", family: "anthropic-js", version: "0.71.0", sdkLang: "js" }],
    ["anthropicPython", { kind: "sdk", family: "anthropic-python", version: "0.40.0", sdkLang: "python" }],
    ["openaiPythonAsync", { kind: "sdk", family: "openai-python", version: "1.55.0" }],
    ["openaiGo", { kind: "sdk", family: "openai-go", sdkLang: "go" }],
    ["anthropicJava", { kind: "sdk", family: "anthropic-java", sdkLang: "java" }],
    ["chrome", { kind: "browser", family: "chrome", major: 131, engine: "chromium" }],
    ["edge", { kind: "browser", family: "edge", major: 131, engine: "chromium" }],
    ["firefox", { kind: "browser", family: "firefox", major: 133, engine: "gecko" }],
    ["safari", { kind: "browser", family: "safari", major: 18, engine: "webkit" }],
    ["iphoneSafari", { kind: "browser", family: "safari", major: 17, engine: "webkit" }],
    ["headlessChrome", { kind: "headless", family: "headless-chrome", major: 131 }],
    ["curl", { kind: "library", family: "curl", major: 8 }],
    ["pythonRequests", { kind: "library", family: "python-requests", major: 2 }],
    ["httpx", { kind: "library", family: "python-httpx" }],
    ["aiohttp", { kind: "library", family: "aiohttp", major: 3 }],
    ["goHttp", { kind: "library", family: "go-http-client", major: 2 }],
    ["nodeFetch", { kind: "library", family: "node-fetch" }],
    ["axios", { kind: "library", family: "axios", major: 1 }],
    ["noUserAgent", { kind: "empty" }],
  ])("%s", (name, expected) => {
    expect(parseUserAgent((CLIENTS[name].headers as Record<string, string>)["user-agent"] ?? null)).toMatchObject(
      expected,
    );
  });

  it("names an unknown client by its first product token", () => {
    expect(parseUserAgent("claude-cli/1.0.60 (external, cli)")).toEqual({
      kind: "other",
      family: "claude-cli",
      version: null,
      major: null,
    });
    expect(parseUserAgent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).toMatchObject({
      kind: "other",
      family: "mozilla",
    });
    expect(
      parseUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
      ),
    ).toMatchObject({
      kind: "browser",
      family: "chrome-ios",
      engine: "webkit",
    });
  });
});

describe("the fingerprint id", () => {
  it("is 16 hex characters and set on every subject, even with no cf fields and no headers", async () => {
    const bare = await identify(new Request("https://gw.example/"), hashKey, { credential: "x-api-key" });
    expect(bare.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(bare.client.kind).toBe("empty");
  });

  it("is the same for every account and request of one client build", async () => {
    const a = await subjectOf(CLIENTS.anthropicPython, { "x-api-key": "sk-account-1", "content-length": "120" });
    const b = await subjectOf(CLIENTS.anthropicPython, {
      "x-api-key": "sk-account-2",
      "content-length": "98000",
      "x-stainless-retry-count": "2",
      "x-stainless-read-timeout": "30",
      "anthropic-beta": "prompt-caching-2024-07-31",
      "idempotency-key": "stainless-python-retry-1",
    });
    expect(a.keyHash).not.toBe(b.keyHash);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it("ignores runtime patch releases", async () => {
    const a = await subjectOf(CLIENTS.anthropicNode);
    const b = await subjectOf(variant("anthropicNode", { "x-stainless-runtime-version": "v22.11.1" }));
    const c = await subjectOf(variant("anthropicNode", { "x-stainless-runtime-version": "v22.12.0" }));
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });

  it.each<[string, ClientSample]>([
    [
      "another SDK version",
      variant("anthropicPython", { "user-agent": "Anthropic/Python 0.41.0", "x-stainless-package-version": "0.41.0" }),
    ],
    ["another OS", variant("anthropicPython", { "x-stainless-os": "Linux" })],
    ["another TLS stack", variant("anthropicPython", {}, { tlsClientCiphersSha1: "a different cipher list" })],
    ["another ClientHello length", variant("anthropicPython", {}, { tlsClientHelloLength: "517" })],
    ["HTTP/2 instead of HTTP/1.1", variant("anthropicPython", {}, { httpProtocol: "HTTP/2" })],
    ["a JA4", variant("anthropicPython", {}, { botManagement: { ja4: "t13d1715h1_5b57614c22b0_3d5424432f57" } })],
    ["sync instead of async", variant("anthropicPython", { "x-stainless-async": "async:asyncio" })],
    ["an extra telling header", variant("anthropicPython", { "sec-fetch-mode": "cors" })],
  ])("changes with %s", async (_, sample) => {
    expect((await subjectOf(sample)).fingerprint).not.toBe((await subjectOf(CLIENTS.anthropicPython)).fingerprint);
  });

  it("stays the same for the official SDK clients and HTTP libraries (ids pinned before the normal forms of issue 13)", async () => {
    const pinned: Partial<Record<ClientName, string>> = {
      anthropicNode: "95b95f8413698db0",
      anthropicPython: "3ff21ad18eb1d591",
      openaiNode: "7a9b2235f4eaa502",
      openaiPythonAsync: "f1f3208e71ee524d",
      openaiGo: "3ae83a751348fb88",
      anthropicJava: "21fb433568ce5ea9",
      curl: "a241b77d95f7efbe",
      pythonRequests: "1cff062626f9299d",
      httpx: "9e7f4ffa6ae75402",
      aiohttp: "12555cf6deceabd4",
      goHttp: "5486d6fb736563dc",
      nodeFetch: "f5cc96e0a57d01c5",
      axios: "27d4d6287256742a",
      noUserAgent: "484f540bbb5e2eb4",
    };
    for (const [name, id] of Object.entries(pinned))
      expect({ name, id: (await subjectOf(CLIENTS[name as ClientName])).fingerprint }).toEqual({ name, id });
  });

  it("keeps free-text header values out: each value is reduced to a bounded normal form (issue 13)", async () => {
    // a new accept-language per request no longer mints a new fingerprint (and store keys for the cluster window)
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++)
      ids.add(
        (await subjectOf(variant("chrome", { "accept-language": `en-X${i},en;q=0.${i % 10},de-DE;q=0.5` })))
          .fingerprint,
      );
    expect(ids.size).toBe(1);
    const source = (headers: Record<string, string>) =>
      fingerprintSource(new Headers(headers), {}, parseUserAgent(headers["user-agent"] ?? null));
    const lines = source({ "accept-language": "en-US,en;q=0.9,fr;q=0.8,de;q=0.7,es;q=0.6" }).split("\n");
    expect(lines).toContain("accept-language=de,en,es");
    const junk = `zq${"x".repeat(30)}${crypto.randomUUID()}`;
    const text = source({
      "user-agent": `Anthropic/JS 0.71.0-${junk}`,
      accept: `application/json, text/${junk}`,
      "accept-encoding": `gzip, ${junk}`,
      "accept-language": `${junk}, en`,
      "anthropic-version": junk,
      "sec-ch-ua": `"${junk}";v="1", "Chromium";v="124"`,
      "sec-ch-ua-mobile": junk,
      "sec-ch-ua-platform": junk,
      "x-stainless-arch": junk,
      "x-stainless-async": junk,
      "x-stainless-lang": junk,
      "x-stainless-os": `Other:${junk}`,
      "x-stainless-package-version": junk,
      "x-stainless-runtime": junk,
      "x-stainless-runtime-version": junk,
    });
    expect(text.split("\n").filter((l) => l.includes("zqxx"))).toEqual([]);
    for (const line of text.split("\n")) if (!line.startsWith("present=")) expect(line.length).toBeLessThan(160); // present=: names from a fixed list
    expect(text).toContain("sec-ch-ua=~other,chromium;v=124\n");
    expect(text).toContain("x-stainless-os=other:\n");
  });

  it("separates clients", async () => {
    const ids = await Promise.all(
      (Object.keys(CLIENTS) as ClientName[]).map(async (n) => (await subjectOf(CLIENTS[n])).fingerprint),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("leaves out the ClientHello hashes of browsers, which randomise them per connection", async () => {
    const first = await subjectOf(CLIENTS.chrome);
    const second = await subjectOf(
      variant(
        "chrome",
        {},
        { tlsClientExtensionsSha1: "permuted", tlsClientCiphersSha1: "greased", tlsClientHelloLength: "1892" },
      ),
    );
    expect(first.fingerprint).toBe(second.fingerprint);
    // ...but a JA4 (sorted, GREASE-free) still tells two browser TLS stacks apart
    const ja4a = await subjectOf(
      variant("chrome", {}, { botManagement: { ja4: "t13d1516h2_8daaf6152771_02713d6af862" } }),
    );
    const ja4b = await subjectOf(
      variant("chrome", {}, { botManagement: { ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1" } }),
    );
    expect(ja4a.fingerprint).not.toBe(ja4b.fingerprint);
  });

  it("has a readable source naming every part, with missing fields empty", () => {
    const headers = new Headers(CLIENTS.openaiGo.headers);
    const source = fingerprintSource(headers, { httpProtocol: "HTTP/2" }, parseUserAgent(headers.get("user-agent")));
    expect(source.split("\n")).toEqual(
      expect.arrayContaining([
        "fp1",
        "tls=||HTTP/2",
        "hello=||",
        "ja4=",
        "client=sdk|openai-go|3.52.0",
        "x-stainless-runtime-version=go1.26",
        "x-stainless-lang=go",
        "accept-language=",
      ]),
    );
    expect(source).toMatch(/^present=accept,accept-encoding,user-agent,x-stainless-arch,/m);
    expect(source).not.toContain("retry-count=");
  });
});
