import type { CredentialHeader } from "../identity/key-hash.ts";

// Header rules for forwarding: what a proxy must not pass on (RFC 9110 §7.6.1),
// and what the gateway replaces on the way to the origin.

/** Connection-specific headers; every `proxy-*` header is treated the same way. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Client-sent claims about where the client is. The origin must not take them
 * for the edge's word: the gateway sends its own `x-forwarded-for` (from
 * CF-Connecting-IP) and verdict headers instead.
 */
const FORGEABLE = ["forwarded", "x-forwarded-for", "x-real-ip", "true-client-ip", "cf-ipcountry", "mf-cf-blob"];

/** Verdict headers are the gateway's alone: a client must not be able to pose as verified. */
export const GUARD_PREFIX = "x-guard-";

/**
 * Removes the hop-by-hop headers from `headers` in place: the fixed list,
 * every `proxy-*` header, and every header the Connection header names.
 */
export function stripHopByHop(headers: Headers): Headers {
  const named = headers.get("connection");
  if (named) {
    for (const token of named.split(",")) {
      const name = token.trim();
      if (TOKEN.test(name)) headers.delete(name);
    }
  }
  for (const name of [...headers.keys()]) {
    if (HOP_BY_HOP.has(name) || name.startsWith("proxy-")) headers.delete(name);
  }
  return headers;
}

export interface OriginHeaderOptions {
  /** The header the origin authenticates (the route's `credential`): the only credential header sent. */
  credential: CredentialHeader;
  /** Replaces the client's credential, in the `credential` header, when set (an empty string counts as unset). */
  originApiKey?: string;
  /** The gateway's own headers for the origin (x-guard-* verdict headers), set last. */
  headers?: Record<string, string>;
}

/**
 * The headers to send to the origin for a client request: hop-by-hop headers,
 * `host`, `content-length` (the runtime sets it from the body actually sent),
 * forgeable location headers, every client-sent `x-guard-*` header and the
 * credential header the origin does not read removed; the credential swapped;
 * the gateway's headers added.
 */
export function originRequestHeaders(clientHeaders: Headers, options: OriginHeaderOptions): Headers {
  const headers = stripHopByHop(new Headers(clientHeaders));
  headers.delete("host");
  headers.delete("content-length");
  for (const name of FORGEABLE) headers.delete(name);
  for (const name of [...headers.keys()]) {
    if (name.startsWith(GUARD_PREFIX)) headers.delete(name);
  }

  // Only the header the guard read the key from: the origin must not authenticate another account.
  const { credential, originApiKey } = options;
  headers.delete(credential === "x-api-key" ? "authorization" : "x-api-key");
  if (originApiKey) headers.set(credential, credential === "x-api-key" ? originApiKey : `Bearer ${originApiKey}`);

  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  return headers;
}
