import type { ClientInfo } from "./client.ts";
import type { CfFields } from "./cf.ts";

/**
 * The client fingerprint: a short id for the client *build* (TLS stack, HTTP
 * library, SDK and its version, locale), the same for every account that
 * client runs, and different when any of it changes. Built from what a client
 * cannot cheaply vary per account:
 *
 * - TLS, from `request.cf` (every Cloudflare plan): `tlsVersion`, `tlsCipher`,
 *   `httpProtocol` (ALPN), and for clients with a fixed ClientHello also
 *   `tlsClientCiphersSha1`, `tlsClientExtensionsSha1`, `tlsClientHelloLength`.
 *   Chromium and WebKit randomise their ClientHello (GREASE values, extension
 *   order since Chrome 110), so for a browser User-Agent those three would
 *   change with every connection and are left out.
 * - `botManagement.ja4` (Enterprise Bot Management): sorted and GREASE-free,
 *   stable for every client, always used when present; `ja3Hash` only for
 *   clients with a fixed ClientHello.
 * - The header shape: which of a fixed list of telling headers are present
 *   (Workers do not preserve header order, so the set, not the sequence), the
 *   User-Agent's family and version, the values of `accept`, `accept-encoding`,
 *   `accept-language`, `sec-ch-ua*` and the SDK's `x-stainless-*` platform
 *   headers. Values that change per request (`x-stainless-retry-count`, the
 *   timeout, `content-length`, credentials, `anthropic-beta`) count only by
 *   presence, or not at all.
 *
 * Every field may be missing (local runs, plans, HTTP/3 without some TLS
 * fields); a missing field is written as empty, so the id stays defined.
 */

/** Headers whose presence is part of the shape. */
const SHAPE_HEADERS = [
  "accept",
  "accept-encoding",
  "accept-language",
  "anthropic-dangerous-direct-browser-access",
  "anthropic-version",
  "cache-control",
  "dnt",
  "origin",
  "pragma",
  "priority",
  "referer",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "sec-fetch-dest",
  "sec-fetch-mode",
  "sec-fetch-site",
  "user-agent",
  "x-requested-with",
  "x-stainless-arch",
  "x-stainless-async",
  "x-stainless-lang",
  "x-stainless-os",
  "x-stainless-package-version",
  "x-stainless-read-timeout",
  "x-stainless-retry-count",
  "x-stainless-runtime",
  "x-stainless-runtime-version",
  "x-stainless-timeout",
] as const;

/** Headers whose value is part of the fingerprint, each in a bounded normal form (VALUE_FORMS). */
const VALUE_HEADERS = [
  "accept",
  "accept-encoding",
  "accept-language",
  "anthropic-version",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "x-stainless-arch",
  "x-stainless-async",
  "x-stainless-lang",
  "x-stainless-os",
  "x-stainless-package-version",
  "x-stainless-runtime",
] as const;

const norm = (value: string | null): string => (value ?? "").toLowerCase().replace(/\s+/g, "");

/** Stands for a value outside a header's normal form: every such value is one. */
const OTHER = "~other";
/** A short token: a User-Agent's product name, `browser:chrome`. */
const TOKEN = /^[a-z0-9*][a-z0-9:._+*/-]{0,31}$/;
const token = (v: string): string => (TOKEN.test(v) ? v : OTHER);
/** Items of a comma-separated list, parameters (`;q=0.9`) dropped, each read by `item` (null: left out), at most `max`. */
const list = (v: string, item: (s: string) => string | null, max: number, sort = false): string => {
  const items = [
    ...new Set(
      v
        .split(",")
        .map((s) => item(s.split(";")[0]!))
        .filter((s): s is string => s !== null),
    ),
  ];
  return (sort ? items.sort() : items).slice(0, max).join(",");
};
/** A value from a fixed vocabulary (`other:<anything>` as one), else `~other`. */
const oneOf = (words: string[]) => {
  const known = new Set(words);
  return (v: string): string => (known.has(v) ? v : v.startsWith("other:") ? "other:" : OTHER);
};
/** A release number: `0.71.0`, `1.2.0-beta.1`. */
const release = (v: string): string =>
  /^\d{1,4}(?:\.\d{1,4}){1,3}(?:-(?:alpha|beta|rc|dev|pre)\.?\d{0,4})?$/.test(v) ? v : OTHER;
const MEDIA_TYPES = new Set([
  "*/*",
  "application/json",
  "text/event-stream",
  "text/plain",
  "text/html",
  "application/xhtml+xml",
  "application/xml",
  "application/x-ndjson",
  "application/octet-stream",
  "application/signed-exchange",
  "image/avif",
  "image/webp",
  "image/apng",
  "image/png",
  "image/*",
  "text/*",
  "application/*",
]);
const ENCODINGS = new Set(["gzip", "deflate", "br", "zstd", "compress", "identity", "x-gzip", "*"]);
// (whitespace is gone by then: `"Chrome OS"` reads `"chromeos"`)
const PLATFORMS = new Set([
  '"android"',
  '"chromeos"',
  '"chromiumos"',
  '"fuchsia"',
  '"ios"',
  '"linux"',
  '"macos"',
  '"windows"',
  '"unknown"',
  '""',
]);
/** A `sec-ch-ua` item: `"brand";v="major"`. */
const BRAND_ITEM = /^"([^"]{1,48})";v="(\d{1,4})"$/;
const GREASE_BRAND = /^not[^a-z]*a[^a-z]*brand$/;
const KNOWN_BRANDS = new Set([
  "chromium",
  "googlechrome",
  "microsoftedge",
  "opera",
  "brave",
  "vivaldi",
  "yandex",
  "samsunginternet",
  "headlesschrome",
  "duckduckgo",
]);
const brand = (s: string): string => {
  const m = BRAND_ITEM.exec(s);
  if (!m) return OTHER;
  return `${GREASE_BRAND.test(m[1]!) ? "grease" : KNOWN_BRANDS.has(m[1]!) ? m[1] : OTHER};v=${m[2]}`;
};

/**
 * Each value header's normal form: bounded in length and kept to the shapes
 * real clients send, so a client cannot mint a new fingerprint (and with it
 * new store keys for the cluster window) per request with free text in a
 * header. Every value an official SDK sends reads as before (lower case,
 * whitespace removed); anything else becomes `~other` or is left out.
 */
const VALUE_FORMS: Record<(typeof VALUE_HEADERS)[number], (v: string) => string> = {
  // media types without parameters, at most 4: `application/json`, `text/event-stream`, a browser's list
  accept: (v) => list(v, (s) => (MEDIA_TYPES.has(s) ? s : OTHER), 6),
  "accept-encoding": (v) => list(v, (s) => (ENCODINGS.has(s) ? s : OTHER), 6),
  // the primary language tags only, sorted, at most 3: `en-us,en;q=0.9,de;q=0.8` → `de,en`
  "accept-language": (v) =>
    list(v, (s) => (/^[a-z]{2,3}(?:-|$)/.test(s) ? s.split("-")[0]! : s === "*" ? "*" : OTHER), 3, true),
  "anthropic-version": (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : OTHER),
  // known brands with their major versions, a GREASE brand as one, at most 4: `"chromium";v="124"`
  "sec-ch-ua": (v) =>
    v
      .split(",")
      .map(brand)
      .filter((s, i, all) => all.indexOf(s) === i)
      .slice(0, 4)
      .join(","),
  "sec-ch-ua-mobile": (v) => (v === "?0" || v === "?1" ? v : OTHER),
  "sec-ch-ua-platform": (v) => (PLATFORMS.has(v) ? v : OTHER),
  "x-stainless-arch": oneOf(["x32", "x64", "arm", "arm64", "ia32", "unknown"]),
  "x-stainless-async": oneOf(["false", "true", "async:asyncio", "async:trio", "async:curio"]),
  "x-stainless-lang": oneOf(["js", "python", "go", "java", "kotlin", "ruby", "php", "csharp", "rust", "node"]),
  "x-stainless-os": oneOf(["macos", "linux", "windows", "freebsd", "openbsd", "ios", "android", "unknown"]),
  "x-stainless-package-version": release,
  "x-stainless-runtime": (v) =>
    v.startsWith("browser:")
      ? token(v)
      : oneOf([
          "node",
          "deno",
          "bun",
          "edge",
          "workerd",
          "cpython",
          "pypy",
          "ironpython",
          "jython",
          "go",
          "jre",
          "unknown",
        ])(v),
};

/** `v22.11.0` → `22.11`, `3.12.4` → `3.12`, `go1.23.2` → `go1.23`: patch releases of a runtime are one client. */
const minorOf = (version: string | null): string => {
  if (!version) return "";
  const m = /^((?:v|go)?\d{1,4}(?:\.\d{1,4})?)/i.exec(version.trim());
  return m ? m[1]!.toLowerCase().slice(0, 32) : version.trim().toLowerCase() === "unknown" ? "unknown" : OTHER;
};

/** True when the client's TLS stack randomises its ClientHello per connection. */
const randomisesHello = (client: ClientInfo): boolean => client.engine === "chromium" || client.engine === "webkit";

/**
 * The text the id is the hash of: one line per part, `name=value`, in a fixed
 * order. Exposed for tests and for operators who want to see why two requests
 * share (or do not share) an id.
 */
export function fingerprintSource(headers: Headers, cf: CfFields, client: ClientInfo): string {
  const fixedHello = !randomisesHello(client);
  const bot = cf.botManagement ?? {};
  const s = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
  const lines = [
    "fp1",
    `tls=${s(cf.tlsVersion)}|${s(cf.tlsCipher)}|${s(cf.httpProtocol)}`,
    `hello=${fixedHello ? `${s(cf.tlsClientCiphersSha1)}|${s(cf.tlsClientExtensionsSha1)}|${s(cf.tlsClientHelloLength)}` : "random"}`,
    `ja4=${s(bot.ja4)}`,
    `ja3=${fixedHello ? s(bot.ja3Hash) : ""}`,
    `client=${client.kind}|${token(client.family.toLowerCase())}|${client.kind === "sdk" ? (client.version === null ? "" : release(client.version.toLowerCase())) : (client.major ?? "")}`,
    `present=${SHAPE_HEADERS.filter((h) => headers.has(h)).join(",")}`,
    ...VALUE_HEADERS.map((h) => {
      const value = headers.get(h);
      return `${h}=${value === null ? "" : VALUE_FORMS[h](norm(value).slice(0, 512))}`;
    }),
    `x-stainless-runtime-version=${minorOf(headers.get("x-stainless-runtime-version"))}`,
  ];
  return lines.join("\n");
}

const encoder = new TextEncoder();

async function sha256Prefix(source: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(source)));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += digest[i]!.toString(16).padStart(2, "0");
  return hex;
}

/** Ids of the last sources seen (a few KB each at most): one client build sends request after request. */
const MEMO_SIZE = 1_000;
const memo = new Map<string, Promise<string>>();

/** The fingerprint id: the first 64 bits of SHA-256 over fingerprintSource(), as 16 hex characters. */
export function fingerprintId(headers: Headers, cf: CfFields, client: ClientInfo): Promise<string> {
  const source = fingerprintSource(headers, cf, client);
  let id = memo.get(source);
  if (!id) {
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(source, (id = sha256Prefix(source)));
  }
  return id;
}
