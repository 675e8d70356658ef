import type { AsymmetricAlgorithm } from "hono/utils/jwt/jwa";
import { decode, verifyWithJwks } from "hono/utils/jwt/jwt";
import {
  JwtAlgorithmMismatch,
  JwtAlgorithmNotAllowed,
  JwtHeaderInvalid,
  JwtHeaderRequiresKid,
  JwtPayloadRequiresAud,
  JwtSymmetricAlgorithmNotAllowed,
  JwtTokenAudience,
  JwtTokenExpired,
  JwtTokenIssuedAt,
  JwtTokenIssuer,
  JwtTokenNotBefore,
  JwtTokenSignatureMismatched,
} from "hono/utils/jwt/types";
import type { KeySource } from "./jwks";

/**
 * Identity attestations: a signed token (a JWT) from the provider's identity
 * verification, sent by the client in a header, saying who the user is
 * (verified or not, nationality, residency). Export rules restrict models by
 * who uses them, not only where; a model rule names the claims it requires.
 *
 * Verification is Hono's (`verifyWithJwks`): signature against the key the
 * token's `kid` names, algorithm allow-list, issuer, audience, `exp`, `nbf`,
 * `iat`. This module picks the keys, insists on an expiry, and judges claims.
 */

export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

export interface AttestationRule {
  /** Lower-case name of the request header carrying the token (an optional `Bearer ` prefix is accepted). */
  header: string;
  issuer: string;
  /** The token's `aud` must name one of these. */
  audience: readonly string[];
  algorithms: readonly AsymmetricAlgorithm[];
  keys: KeySource;
  /** Names of the claims in the token. */
  claims: { verified: string; nationality: string; residency: string };
  require: {
    verified?: true;
    /** Every nationality the token claims must be in this set (a dual national of a denied country does not pass). */
    nationality?: ReadonlySet<string>;
    /** Every residency the token claims must be in this set. */
    residency?: ReadonlySet<string>;
  };
}

export type AttestationCode =
  | "identity.attestation_required"
  | "identity.attestation_invalid"
  | "identity.claim_denied"
  | "identity.keys_unavailable";

export type AttestationOutcome = { ok: true } | { ok: false; code: AttestationCode; detail: string };

export type AttestationVerifier = (headers: Headers) => Promise<AttestationOutcome>;

const MAX_TOKEN_LENGTH = 16 * 1024;

const fail = (code: AttestationCode, detail: string): AttestationOutcome => ({ ok: false, code, detail });

/** Why Hono refused a token, in words safe for logs (Hono's own messages quote the token). */
function describe(error: unknown): string {
  if (error instanceof JwtTokenExpired) return "expired";
  if (error instanceof JwtTokenNotBefore) return "not yet valid";
  if (error instanceof JwtTokenIssuedAt) return "issued in the future";
  if (error instanceof JwtTokenIssuer) return "wrong issuer";
  if (error instanceof JwtTokenAudience || error instanceof JwtPayloadRequiresAud) return "wrong audience";
  if (error instanceof JwtTokenSignatureMismatched) return "bad signature";
  if (
    error instanceof JwtAlgorithmNotAllowed ||
    error instanceof JwtSymmetricAlgorithmNotAllowed ||
    error instanceof JwtAlgorithmMismatch
  )
    return "algorithm not allowed";
  if (error instanceof JwtHeaderInvalid || error instanceof JwtHeaderRequiresKid) return "malformed header";
  return "malformed or unverifiable";
}

/** A claim as a list of upper-case codes: `"US"` and `["US", "CA"]` both read. */
function codes(value: unknown): string[] | null {
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : null;
  if (!list || list.length === 0 || !list.every((v) => typeof v === "string")) return null;
  return (list as string[]).map((v) => v.trim().toUpperCase());
}

function judgeClaims(rule: AttestationRule, payload: Record<string, unknown>): AttestationOutcome {
  const { require, claims } = rule;
  if (require.verified && payload[claims.verified] !== true) return fail("identity.claim_denied", "not verified");
  for (const kind of ["nationality", "residency"] as const) {
    const allowed = require[kind];
    if (!allowed) continue;
    const claimed = codes(payload[claims[kind]]);
    if (!claimed) return fail("identity.claim_denied", `no ${kind} claim`);
    if (!claimed.every((c) => allowed.has(c))) return fail("identity.claim_denied", `${kind} not allowed`);
  }
  return { ok: true };
}

/** Built once per rule (with the config); the verifier does per-request work only. */
export function createAttestationVerifier(rule: AttestationRule): AttestationVerifier {
  const verification = { iss: rule.issuer, aud: [...rule.audience] };
  return async (headers) => {
    const raw = headers.get(rule.header)?.trim();
    if (!raw) return fail("identity.attestation_required", `no ${rule.header} header`);
    const token = raw.replace(/^Bearer\s+/i, "");
    if (token.length > MAX_TOKEN_LENGTH) return fail("identity.attestation_invalid", "too long");
    let kid: unknown;
    try {
      kid = decode(token).header.kid;
    } catch {
      return fail("identity.attestation_invalid", "malformed");
    }
    if (typeof kid !== "string" || kid === "") return fail("identity.attestation_invalid", "no key id");
    const keys = await rule.keys.keysFor(kid);
    if ("unavailable" in keys) return fail("identity.keys_unavailable", keys.unavailable);
    if (!keys.some((k) => k.kid === kid)) return fail("identity.attestation_invalid", "unknown key id");
    let payload: Record<string, unknown>;
    try {
      payload = await verifyWithJwks(token, { keys: [...keys], allowedAlgorithms: rule.algorithms, verification });
    } catch (error) {
      return fail("identity.attestation_invalid", describe(error));
    }
    // Hono checks `exp` only when present; an attestation that never expires cannot be revoked.
    if (typeof payload.exp !== "number") return fail("identity.attestation_invalid", "no expiry");
    return judgeClaims(rule, payload);
  };
}
