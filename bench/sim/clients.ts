/**
 * The clients simulated traffic comes from: the official SDKs in their
 * languages and versions, browsers running the SDK in a web app, HTTP
 * libraries and tools. Each kind draws a concrete *build* (package version,
 * runtime, OS, architecture) with the header set that build really sends and
 * the TLS handshake the edge would describe in `request.cf`.
 *
 * Header sets follow what the clients send on the wire (the Stainless-built
 * SDKs' `x-stainless-*` headers, Node's fetch adding `accept-language: *` and
 * `sec-fetch-mode: cors`, Chrome's client hints and fetch metadata). The TLS
 * figures (`tlsClientCiphersSha1`, `tlsClientExtensionsSha1`, JA3/JA4) are
 * synthetic but consistent: one value per TLS stack, so two clients on the
 * same stack look the same, as they would. Chrome permutes its extension order
 * on every connection, so its extensions hash changes per request while its
 * JA4 (which sorts extensions) does not.
 */
import { type Random, hashString } from "./random.ts";

export type Api = "anthropic" | "openai";

export const CLIENT_KINDS = [
  "anthropic-python",
  "anthropic-typescript",
  "openai-python",
  "openai-node",
  "browser-chrome",
  "browser-firefox",
  "browser-safari",
  "headless-chrome",
  "curl",
  "python-requests",
  "python-httpx",
  "go-http",
] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export interface TlsStack {
  name: string;
  tlsVersion: string;
  tlsCipher: string;
  tlsClientCiphersSha1: string;
  tlsClientExtensionsSha1: string;
  tlsClientHelloLength: string;
  ja3Hash: string;
  ja4: string;
  /** Extension order randomised per connection (Chrome since 110): the extensions hash and JA3 change every time. */
  permutesExtensions: boolean;
}

export interface ClientBuild {
  kind: ClientKind;
  /** A readable label: "anthropic-python 0.49.0 CPython 3.12.3 Linux x64". */
  label: string;
  /** Which API it speaks (SDKs: their own; tools: as the segment says). */
  api: Api | null;
  /** How it sends the key: `x-api-key` (Anthropic style) or `Authorization: Bearer` (OpenAI style); null: by API. */
  auth: "x-api-key" | "bearer" | null;
  /** Every header but the credential, `content-length` and what the edge adds. */
  headers: Record<string, string>;
  tls: TlsStack;
  httpProtocol: string;
  /** Bot Management score range the edge would give it (zones with Bot Management only). */
  botScore: readonly [number, number];
}

/** A 20-byte SHA-1-shaped value in base64, as `request.cf` gives TLS hashes; stable per label. */
function fakeSha1Base64(label: string): string {
  const bytes: number[] = [];
  for (let i = 0; bytes.length < 20; i++) {
    const h = hashString(`${label}#${i}`);
    bytes.push(h & 255, (h >>> 8) & 255, (h >>> 16) & 255, h >>> 24);
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < 21; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  return `${out.slice(0, 27)}=`;
}

const hex = (label: string, n: number) => {
  let out = "";
  for (let i = 0; out.length < n; i++) out += hashString(`${label}/${i}`).toString(16).padStart(8, "0");
  return out.slice(0, n);
};

function stack(name: string, o: { cipher: string; hello: number; ja4: string; permutes?: boolean }): TlsStack {
  return {
    name,
    tlsVersion: "TLSv1.3",
    tlsCipher: o.cipher,
    tlsClientCiphersSha1: fakeSha1Base64(`${name}:ciphers`),
    tlsClientExtensionsSha1: fakeSha1Base64(`${name}:extensions`),
    tlsClientHelloLength: String(o.hello),
    ja3Hash: hex(`${name}:ja3`, 32),
    ja4: `${o.ja4}_${hex(`${name}:ja4b`, 12)}_${hex(`${name}:ja4c`, 12)}`,
    permutesExtensions: o.permutes ?? false,
  };
}

// One per TLS library and configuration: what separates clients at the handshake.
const TLS = {
  pythonOpenssl3: stack("python-openssl3", { cipher: "AEAD-AES256-GCM-SHA384", hello: 517, ja4: "t13d3112h1" }),
  pythonOpenssl3NoAlpn: stack("python-openssl3-noalpn", {
    cipher: "AEAD-AES256-GCM-SHA384",
    hello: 508,
    ja4: "t13d311200",
  }),
  pythonOpenssl11: stack("python-openssl1.1", { cipher: "AEAD-AES256-GCM-SHA384", hello: 512, ja4: "t13d4907h1" }),
  nodeOpenssl3: stack("node-openssl3", { cipher: "AEAD-AES128-GCM-SHA256", hello: 517, ja4: "t13d1812h1" }),
  chrome: stack("chrome-boringssl", {
    cipher: "AEAD-AES128-GCM-SHA256",
    hello: 1733,
    ja4: "t13d1516h2",
    permutes: true,
  }),
  firefox: stack("firefox-nss", { cipher: "AEAD-AES128-GCM-SHA256", hello: 1786, ja4: "t13d1717h2" }),
  safari: stack("safari-securetransport", { cipher: "AEAD-AES128-GCM-SHA256", hello: 1623, ja4: "t13d2014h2" }),
  curl: stack("curl-openssl3", { cipher: "AEAD-AES256-GCM-SHA384", hello: 517, ja4: "t13d3113h2" }),
  go: stack("go-crypto-tls", { cipher: "AEAD-AES128-GCM-SHA256", hello: 298, ja4: "t13d1311h2" }),
} as const;

const pickWeighted = <T extends string>(r: Random, w: Record<T, number>): T => r.weighted(w);

const ANTHROPIC_PY = [
  "0.39.0",
  "0.42.0",
  "0.45.2",
  "0.49.0",
  "0.51.0",
  "0.54.0",
  "0.57.1",
  "0.60.0",
  "0.64.0",
  "0.68.1",
];
const ANTHROPIC_TS = ["0.32.1", "0.36.3", "0.39.0", "0.50.4", "0.52.0", "0.56.0", "0.60.0", "0.65.0"];
const OPENAI_PY = ["1.40.6", "1.54.4", "1.59.7", "1.66.3", "1.82.0", "1.99.9", "1.109.1"];
const OPENAI_NODE = ["4.67.3", "4.77.0", "4.85.4", "5.10.2", "5.20.0", "6.1.0"];
const CPYTHON = ["3.9.19", "3.10.14", "3.11.9", "3.11.10", "3.12.3", "3.12.7", "3.13.0", "3.13.1"];
const NODE = ["v18.20.4", "v20.17.0", "v20.18.1", "v22.11.0", "v22.12.0", "v23.3.0"];
const CHROME = ["129", "130", "131", "132"];
const FIREFOX = ["131.0", "132.0", "133.0"];
const SAFARI = ["17.6", "18.0", "18.1"];
const CURL = ["7.81.0", "7.88.1", "8.5.0", "8.7.1", "8.11.0"];
const REQUESTS = ["2.28.2", "2.31.0", "2.32.3"];
const HTTPX = ["0.25.2", "0.27.0", "0.27.2", "0.28.1"];

const semverAtLeast = (v: string, min: string) => {
  const a = v.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

interface Platform {
  os: string;
  arch: string;
}
/** Where an SDK runs: a developer's machine, or a server (Linux; a fifth on ARM, as Graviton and Ampere instances). */
const serverPlatform = (r: Random, ctx: BuildContext): Platform =>
  ctx.server
    ? { os: "Linux", arch: pickWeighted(r, { x64: 4, arm64: 1 }) }
    : { os: pickWeighted(r, { MacOS: 5, Linux: 3, Windows: 2 }), arch: pickWeighted(r, { arm64: 5, x64: 5 }) };

/**
 * A version from a list ordered oldest to newest. Adoption is skewed: each
 * version is half again as common as the one before it, so the newest few
 * carry most traffic, as in real SDK download statistics.
 */
function recent(r: Random, versions: readonly string[]): string {
  const weights = versions.map((_, i) => 1.5 ** i);
  let x = r.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < versions.length; i++) if ((x -= weights[i]!) < 0) return versions[i]!;
  return versions[versions.length - 1]!;
}

/** The `x-stainless-*` headers every Stainless-generated SDK sends. */
function stainless(
  lang: string,
  version: string,
  runtime: string,
  runtimeVersion: string,
  p: Platform,
  extra: Record<string, string> = {},
) {
  return {
    "x-stainless-arch": p.arch,
    "x-stainless-lang": lang,
    "x-stainless-os": p.os,
    "x-stainless-package-version": version,
    "x-stainless-retry-count": "0",
    "x-stainless-runtime": runtime,
    "x-stainless-runtime-version": runtimeVersion,
    "x-stainless-timeout": "600",
    ...extra,
  };
}

function pythonTls(runtimeVersion: string, os: string): TlsStack {
  // python.org's macOS and Windows builds bundle OpenSSL 3; older Linux distributions' 3.9/3.10 link 1.1.1.
  return os === "Linux" && /^3\.(9|10)\./.test(runtimeVersion) ? TLS.pythonOpenssl11 : TLS.pythonOpenssl3;
}

const BROWSER_LANGUAGE: Record<string, string> = {
  US: "en-US,en;q=0.9",
  GB: "en-GB,en;q=0.9",
  CA: "en-CA,en;q=0.9,fr-CA;q=0.8",
  AU: "en-AU,en;q=0.9",
  DE: "de-DE,de;q=0.9,en;q=0.8",
  FR: "fr-FR,fr;q=0.9,en;q=0.8",
  NL: "nl-NL,nl;q=0.9,en;q=0.8",
  ES: "es-ES,es;q=0.9",
  IT: "it-IT,it;q=0.9,en;q=0.8",
  PL: "pl-PL,pl;q=0.9,en;q=0.8",
  BR: "pt-BR,pt;q=0.9,en;q=0.8",
  MX: "es-MX,es;q=0.9,en;q=0.8",
  JP: "ja,en-US;q=0.9,en;q=0.8",
  KR: "ko-KR,ko;q=0.9,en-US;q=0.8",
  IN: "en-IN,en;q=0.9,hi;q=0.8",
  TR: "tr-TR,tr;q=0.9,en;q=0.8",
  UA: "uk-UA,uk;q=0.9,en;q=0.8",
  IR: "fa-IR,fa;q=0.9,en-US;q=0.8,en;q=0.7",
  ID: "id-ID,id;q=0.9,en;q=0.8",
  VN: "vi-VN,vi;q=0.9,en;q=0.8",
  PH: "en-PH,en;q=0.9,fil;q=0.8",
  SG: "en-SG,en;q=0.9",
  NG: "en-NG,en;q=0.9",
  EG: "ar-EG,ar;q=0.9,en;q=0.8",
};

/** Context a build may depend on: the browser's language, the web app it runs in. */
export interface BuildContext {
  /** `Accept-Language` of browsers; default from the country. */
  acceptLanguage?: string;
  country: string;
  /** The web app a browser client runs in (its Origin). */
  appOrigin?: string;
  /** The client runs on a server (hosting network): Linux, not a laptop. */
  server?: boolean;
}

function browserSdkHeaders(r: Random, runtime: string, runtimeVersion: string, ctx: BuildContext) {
  const origin =
    ctx.appOrigin ??
    r.pick([
      "https://chat.example-app.com",
      "https://notes.example.org",
      "https://studio.example.io",
      "https://tutor.example.net",
    ]);
  return {
    accept: "application/json",
    "accept-language": ctx.acceptLanguage ?? BROWSER_LANGUAGE[ctx.country] ?? "en-US,en;q=0.9",
    "anthropic-dangerous-direct-browser-access": "true",
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
    origin,
    referer: `${origin}/`,
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "cross-site",
    ...stainless("js", recent(r, ANTHROPIC_TS.slice(3)), runtime, runtimeVersion, { os: "Unknown", arch: "unknown" }),
  };
}

/** Draws one concrete build of a client kind. */
export function drawBuild(kind: ClientKind, r: Random, ctx: BuildContext): ClientBuild {
  switch (kind) {
    case "anthropic-python": {
      const v = recent(r, ANTHROPIC_PY);
      const py = recent(r, CPYTHON);
      const p = serverPlatform(r, ctx);
      const isAsync = r.chance(0.3);
      return {
        kind,
        api: "anthropic",
        auth: "x-api-key",
        httpProtocol: "HTTP/1.1",
        botScore: [1, 5],
        tls: pythonTls(py, p.os),
        label: `anthropic-python ${v} CPython ${py} ${p.os} ${p.arch}${isAsync ? " async" : ""}`,
        headers: {
          accept: "application/json",
          "accept-encoding": "gzip, deflate",
          "anthropic-version": "2023-06-01",
          connection: "keep-alive",
          "content-type": "application/json",
          "user-agent": `Anthropic/Python ${v}`,
          ...stainless("python", v, "CPython", py, p, {
            "x-stainless-async": isAsync ? "async:asyncio" : "false",
            "x-stainless-read-timeout": "600",
          }),
        },
      };
    }
    case "openai-python": {
      const v = recent(r, OPENAI_PY);
      const py = recent(r, CPYTHON);
      const p = serverPlatform(r, ctx);
      const isAsync = r.chance(0.3);
      return {
        kind,
        api: "openai",
        auth: "bearer",
        httpProtocol: "HTTP/1.1",
        botScore: [1, 5],
        tls: pythonTls(py, p.os),
        label: `openai-python ${v} CPython ${py} ${p.os} ${p.arch}${isAsync ? " async" : ""}`,
        headers: {
          accept: "application/json",
          "accept-encoding": "gzip, deflate",
          connection: "keep-alive",
          "content-type": "application/json",
          "user-agent": `OpenAI/Python ${v}`,
          ...stainless("python", v, "CPython", py, p, {
            "x-stainless-async": isAsync ? "async:asyncio" : "false",
            "x-stainless-read-timeout": "600",
          }),
        },
      };
    }
    case "anthropic-typescript":
    case "openai-node": {
      const anthropic = kind === "anthropic-typescript";
      const v = recent(r, anthropic ? ANTHROPIC_TS : OPENAI_NODE);
      const node = recent(r, NODE);
      const p = serverPlatform(r, ctx);
      // Versions on the runtime's own fetch (undici), which adds these two headers.
      const undici = anthropic ? semverAtLeast(v, "0.50.0") : semverAtLeast(v, "5.0.0");
      return {
        kind,
        api: anthropic ? "anthropic" : "openai",
        auth: anthropic ? "x-api-key" : "bearer",
        httpProtocol: "HTTP/1.1",
        botScore: [1, 5],
        tls: TLS.nodeOpenssl3,
        label: `${kind} ${v} node ${node} ${p.os} ${p.arch}`,
        headers: {
          accept: "application/json",
          "accept-encoding": undici ? "gzip, deflate" : "gzip,deflate",
          "content-type": "application/json",
          ...(anthropic ? { "anthropic-version": "2023-06-01" } : {}),
          ...(undici ? { "accept-language": "*", "sec-fetch-mode": "cors" } : { connection: "keep-alive" }),
          "user-agent": `${anthropic ? "Anthropic" : "OpenAI"}/JS ${v}`,
          ...stainless("js", v, "node", node, p),
        },
      };
    }
    case "browser-chrome":
    case "headless-chrome": {
      const v = recent(r, CHROME);
      const headless = kind === "headless-chrome";
      const platform = headless ? "Linux" : r.weighted({ Windows: 6, macOS: 3, Linux: 1 });
      const osPart = {
        Windows: "Windows NT 10.0; Win64; x64",
        macOS: "Macintosh; Intel Mac OS X 10_15_7",
        Linux: "X11; Linux x86_64",
      }[platform];
      const brand = headless ? "HeadlessChrome" : "Google Chrome";
      return {
        kind,
        api: "anthropic",
        auth: "x-api-key",
        httpProtocol: headless ? "HTTP/2" : r.pick(["HTTP/2", "HTTP/3"]),
        botScore: headless ? [1, 10] : [40, 99],
        tls: TLS.chrome,
        label: `${kind} ${v} ${platform}`,
        headers: {
          ...browserSdkHeaders(r, "browser:chrome", `${v}.0.0`, ctx),
          "accept-encoding": "gzip, deflate, br, zstd",
          priority: "u=1, i",
          "sec-ch-ua": `"${brand}";v="${v}", "Chromium";v="${v}", "Not_A Brand";v="24"`,
          "sec-ch-ua-mobile": "?0",
          "sec-ch-ua-platform": `"${platform}"`,
          "user-agent": `Mozilla/5.0 (${osPart}) AppleWebKit/537.36 (KHTML, like Gecko) ${headless ? "HeadlessChrome" : "Chrome"}/${v}.0.0.0 Safari/537.36`,
        },
      };
    }
    case "browser-firefox": {
      const v = recent(r, FIREFOX);
      const osPart = r.pick([
        "Windows NT 10.0; Win64; x64",
        "Macintosh; Intel Mac OS X 10.15",
        "X11; Linux x86_64",
        "X11; Ubuntu; Linux x86_64",
      ]);
      return {
        kind,
        api: "anthropic",
        auth: "x-api-key",
        httpProtocol: r.pick(["HTTP/2", "HTTP/3"]),
        botScore: [40, 99],
        tls: TLS.firefox,
        label: `browser-firefox ${v}`,
        headers: {
          ...browserSdkHeaders(r, "browser:firefox", v, ctx),
          "accept-encoding": "gzip, deflate, br, zstd",
          priority: "u=4",
          "user-agent": `Mozilla/5.0 (${osPart}; rv:${v}) Gecko/20100101 Firefox/${v}`,
        },
      };
    }
    case "browser-safari": {
      const v = recent(r, SAFARI);
      return {
        kind,
        api: "anthropic",
        auth: "x-api-key",
        httpProtocol: "HTTP/2",
        botScore: [40, 99],
        tls: TLS.safari,
        label: `browser-safari ${v}`,
        headers: {
          ...browserSdkHeaders(r, "browser:safari", v, ctx),
          "accept-encoding": "gzip, deflate, br",
          "user-agent": `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v} Safari/605.1.15`,
        },
      };
    }
    case "curl": {
      const v = recent(r, CURL);
      return {
        kind,
        api: null,
        auth: null,
        httpProtocol: "HTTP/2",
        botScore: [1, 2],
        tls: TLS.curl,
        label: `curl ${v}`,
        headers: { accept: "*/*", "content-type": "application/json", "user-agent": `curl/${v}` },
      };
    }
    case "python-requests": {
      const v = recent(r, REQUESTS);
      return {
        kind,
        api: null,
        auth: null,
        httpProtocol: "HTTP/1.1",
        botScore: [1, 2],
        tls: TLS.pythonOpenssl3NoAlpn,
        label: `python-requests ${v}`,
        headers: {
          accept: "*/*",
          "accept-encoding": "gzip, deflate",
          connection: "keep-alive",
          "content-type": "application/json",
          "user-agent": `python-requests/${v}`,
        },
      };
    }
    case "python-httpx": {
      const v = recent(r, HTTPX);
      return {
        kind,
        api: null,
        auth: null,
        httpProtocol: "HTTP/1.1",
        botScore: [1, 2],
        tls: TLS.pythonOpenssl3,
        label: `python-httpx ${v}`,
        headers: {
          accept: "*/*",
          "accept-encoding": "gzip, deflate",
          connection: "keep-alive",
          "content-type": "application/json",
          "user-agent": `python-httpx/${v}`,
        },
      };
    }
    case "go-http": {
      const h2 = r.chance(0.5);
      return {
        kind,
        api: null,
        auth: null,
        httpProtocol: h2 ? "HTTP/2" : "HTTP/1.1",
        botScore: [1, 2],
        tls: TLS.go,
        label: `go-http ${h2 ? "2.0" : "1.1"}`,
        headers: {
          "accept-encoding": "gzip",
          "content-type": "application/json",
          "user-agent": `Go-http-client/${h2 ? "2.0" : "1.1"}`,
        },
      };
    }
  }
}
