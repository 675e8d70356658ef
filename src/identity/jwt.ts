/**
 * Verifying a JWT signed with an asymmetric key (RFC 7515, 7519), with WebCrypto: the checks Hono's
 * `verifyWithJwks` made, in its order, in a fraction of its code (Hono's also signs, reads PEM and HMAC keys, and
 * fetches key sets: docs/performance.md, the Worker's size), and each public key imported once per isolate, not
 * once per token. Only asymmetric algorithms are accepted, so a token signed with a public key as an HMAC secret
 * (`HS256`) or not signed (`none`) is refused whatever the key says.
 */

export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** A public JSON Web Key as a key set holds it. */
export type Jwk = JsonWebKey & { kid?: string };

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload`, what the signature signs. */
  signed: string;
  signature: Uint8Array;
}

export interface JwtExpectations {
  issuer: string;
  /** The token's `aud` must name one of these. */
  audience: readonly string[];
  algorithms: readonly AsymmetricAlgorithm[];
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function base64url(part: string): Uint8Array {
  const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A token's header, payload and signature; null unless it is three base64url parts, the first two JSON objects. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return null;
  try {
    const [header, payload] = parts.slice(0, 2).map((part) => JSON.parse(new TextDecoder().decode(base64url(part))));
    if (!isObject(header) || !isObject(payload)) return null;
    return { header, payload, signed: `${parts[0]}.${parts[1]}`, signature: base64url(parts[2]!) };
  } catch {
    return null;
  }
}

/** WebCrypto's parameters for a JWS algorithm, to import its key and to verify (RFC 7518 section 3, RFC 8037). */
function webCryptoAlgorithm(alg: AsymmetricAlgorithm): {
  name: string;
  hash?: string;
  saltLength?: number;
  namedCurve?: string;
} {
  const bits = alg.slice(2);
  const hash = `SHA-${bits}`;
  switch (alg.slice(0, 2)) {
    case "RS":
      return { name: "RSASSA-PKCS1-v1_5", hash };
    case "PS":
      return { name: "RSA-PSS", hash, saltLength: Number(bits) / 8 };
    case "ES":
      return { name: "ECDSA", hash, namedCurve: `P-${bits === "512" ? "521" : bits}` };
    default:
      return { name: "Ed25519", namedCurve: "Ed25519" };
  }
}

/** Imported keys, per key object of a key set and algorithm: a key set's objects live as long as it is held. */
const imported = new WeakMap<Jwk, Map<string, CryptoKey>>();

async function cryptoKey(jwk: Jwk, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  let byAlg = imported.get(jwk);
  if (!byAlg) imported.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  // awaited here and stored once resolved: a request never awaits a promise another request made
  if (!key)
    byAlg.set(alg, (key = await crypto.subtle.importKey("jwk", jwk, webCryptoAlgorithm(alg), false, ["verify"])));
  return key;
}

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Whether a header's `typ` says JWT: `"JWT"`, `"jwt"`, `"application/jwt"`, or no `typ` at all. */
const isJwtType = (typ: unknown) =>
  typ === undefined || (typeof typ === "string" && typ.toLowerCase().replace(/^application\//, "") === "jwt");

/**
 * Why `token` does not verify with `key` under `expected` (words safe for logs: never the token), or null when it
 * does. `now` in seconds.
 */
export async function jwtProblem(
  token: DecodedJwt,
  key: Jwk,
  expected: JwtExpectations,
  now = Math.floor(Date.now() / 1000),
): Promise<string | null> {
  const { header, payload } = token;
  if (!isJwtType(header.typ) || "crit" in header) return "malformed header";
  const alg = header.alg as AsymmetricAlgorithm;
  if (!expected.algorithms.includes(alg) || (key.alg !== undefined && key.alg !== alg)) return "algorithm not allowed";
  if (payload.nbf !== undefined && !(isTime(payload.nbf) && payload.nbf <= now)) return "not yet valid";
  if (payload.exp !== undefined && !(isTime(payload.exp) && payload.exp > now)) return "expired";
  if (payload.iat !== undefined && !(isTime(payload.iat) && payload.iat <= now)) return "issued in the future";
  if (payload.iss !== expected.issuer) return "wrong issuer";
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.some((aud) => expected.audience.includes(aud))) return "wrong audience";
  try {
    const data = new TextEncoder().encode(token.signed);
    const valid = await crypto.subtle.verify(webCryptoAlgorithm(alg), await cryptoKey(key, alg), token.signature, data);
    return valid ? null : "bad signature";
  } catch {
    return "malformed or unverifiable";
  }
}
