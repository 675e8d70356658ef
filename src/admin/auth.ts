/**
 * Who may use the admin API: a client that shows the admin token, as
 * `Authorization: Bearer <token>`, or a browser holding the session cookie the
 * dashboard's login form set. Comparisons are constant-time; the cookie holds
 * an expiry and an HMAC under the token, never the token itself, so rotating
 * ADMIN_TOKEN ends every session.
 */
const encoder = new TextEncoder();

export const SESSION_COOKIE = "dg_admin";

type Subtle = SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };

/** Equal-length bytes compared without an early exit: workerd's timingSafeEqual, else a full XOR scan. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as Subtle;
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface AdminAuth {
  /** Whether `given` is the admin token. Both sides are hashed first: the time taken says nothing about the length or any prefix. */
  tokenMatches(given: string): Promise<boolean>;
  /** A session cookie value that lasts `ttlSeconds` from `nowMs`. */
  newSession(nowMs: number, ttlSeconds: number): Promise<string>;
  /** Whether a cookie value is a session this token made, not yet expired. */
  sessionValid(value: string, nowMs: number): Promise<boolean>;
}

export function createAdminAuth(token: string): AdminAuth {
  const expected = sha256(token);
  const key = crypto.subtle.importKey("raw", encoder.encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = async (expiresAt: number) =>
    new Uint8Array(
      await crypto.subtle.sign("HMAC", await key, encoder.encode(`distill-guard admin session ${expiresAt}`)),
    );

  return {
    async tokenMatches(given) {
      return bytesEqual(await sha256(given), await expected);
    },
    async newSession(nowMs, ttlSeconds) {
      const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
      return `v1.${expiresAt}.${base64url(await mac(expiresAt))}`;
    },
    async sessionValid(value, nowMs) {
      const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
      if (!match) return false;
      const expiresAt = Number(match[1]);
      const valid = bytesEqual(encoder.encode(match[2]!), encoder.encode(base64url(await mac(expiresAt))));
      return valid && expiresAt * 1000 > nowMs;
    },
  };
}

/** The Bearer token of an Authorization header, or null. */
export function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match ? match[1]! : null;
}

/** One cookie's value from a Cookie header, or null. */
export function cookieValue(headers: Headers, name: string): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
