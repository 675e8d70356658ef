import type { ClientInfo } from "./client";
import type { CfFields } from "./cf";

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

/** Headers whose value is part of the fingerprint (normalised, cut to 96 characters). */
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

const norm = (value: string | null): string => (value ?? "").toLowerCase().replace(/\s+/g, "").slice(0, 96);

/** `v22.11.0` → `22.11`, `3.12.4` → `3.12`, `go1.23.2` → `go1.23`: patch releases of a runtime are one client. */
const minorOf = (version: string | null): string => {
  if (!version) return "";
  const m = /^([a-z]*\d+(?:\.\d+)?)/i.exec(version.trim());
  return (m ? m[1]! : version).toLowerCase().slice(0, 32);
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
    `client=${client.kind}|${client.family}|${client.kind === "sdk" ? (client.version ?? "") : (client.major ?? "")}`,
    `present=${SHAPE_HEADERS.filter((h) => headers.has(h)).join(",")}`,
    ...VALUE_HEADERS.map((h) => `${h}=${norm(headers.get(h))}`),
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
