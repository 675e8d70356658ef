import { type AsymmetricAlgorithm, decodeJwt, jwtProblem } from "./jwt.ts";
import type { KeySource } from "./jwks.ts";
import type { Subject } from "./subject.ts";

/**
 * Identity attestations: a signed token (a JWT) from the provider's identity
 * verification, sent by the client in a header, saying who the user is
 * (verified or not, nationality, residency). Export rules restrict models by
 * who uses them, not only where; a model rule names the claims it requires.
 *
 * Verification is jwt.ts's: signature against the key the token's `kid`
 * names, algorithm allow-list, issuer, audience, `exp`, `nbf`, `iat`. This
 * module picks the keys, insists on an expiry no further than the
 * rule's longest lifetime, binds the token to the request's API key, and
 * judges claims.
 *
 * A token alone is a bearer credential: anyone holding one verified person's
 * attestation could present it. Bound, it is good only with the API key whose
 * HMAC (`subject.keyHash`, what `npm run key-hash` prints) it names in a claim.
 */

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
  /**
   * The claim that must name the request's API key by its HMAC (a string, or a
   * list for an account's keys); null when the rule was told `bind: false`.
   */
  bind: { claim: string } | null;
  /** The longest lifetime accepted, in seconds: `exp - iat`, or `exp - now` without `iat`. */
  maxLifetimeSeconds: number;
}

export type AttestationCode =
  | "identity.attestation_required"
  | "identity.attestation_invalid"
  | "identity.attestation_unbound"
  | "identity.claim_denied"
  | "identity.keys_unavailable";

export type AttestationOutcome = { ok: true } | { ok: false; code: AttestationCode; detail: string };

/** Verifies the attestation in `headers` for the request of `subject`. */
export type AttestationVerifier = (headers: Headers, subject: Pick<Subject, "keyHash">) => Promise<AttestationOutcome>;

const MAX_TOKEN_LENGTH = 16 * 1024;

const fail = (code: AttestationCode, detail: string): AttestationOutcome => ({ ok: false, code, detail });

/** A claim as a list of upper-case codes: `"US"` and `["US", "CA"]` both read. */
function codes(value: unknown): string[] | null {
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : null;
  if (!list || list.length === 0 || !list.every((v) => typeof v === "string")) return null;
  return (list as string[]).map((v) => v.trim().toUpperCase());
}

/** Why the token is not for this API key, or null when it is. */
function unbound(claim: string, payload: Record<string, unknown>, keyHash: string | null): string | null {
  if (keyHash === null) return "no API key to bind to";
  const value = payload[claim];
  const named =
    typeof value === "string"
      ? [value]
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === "string")
        : [];
  if (named.length === 0) return `no ${claim} claim`;
  return named.some((v) => v.toLowerCase() === keyHash) ? null : "bound to another API key";
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
  return async (headers, subject) => {
    const raw = headers.get(rule.header)?.trim();
    if (!raw) return fail("identity.attestation_required", `no ${rule.header} header`);
    const token = raw.replace(/^Bearer\s+/i, "");
    if (token.length > MAX_TOKEN_LENGTH) return fail("identity.attestation_invalid", "too long");
    const decoded = decodeJwt(token);
    if (!decoded) return fail("identity.attestation_invalid", "malformed");
    const kid = decoded.header.kid;
    if (typeof kid !== "string" || kid === "") return fail("identity.attestation_invalid", "no key id");
    const keys = await rule.keys.keysFor(kid);
    if ("unavailable" in keys) return fail("identity.keys_unavailable", keys.unavailable);
    const key = keys.find((k) => k.kid === kid);
    if (!key) return fail("identity.attestation_invalid", "unknown key id");
    const problem = await jwtProblem(decoded, key, rule);
    if (problem) return fail("identity.attestation_invalid", problem);
    const { payload } = decoded;
    // a JWT's `exp` is optional; an attestation that never expires cannot be revoked
    if (typeof payload.exp !== "number") return fail("identity.attestation_invalid", "no expiry");
    // a leaked token is good for its lifetime: a long one is refused, whatever the issuer thought
    const issuedAt = typeof payload.iat === "number" ? payload.iat : Math.floor(Date.now() / 1000);
    if (payload.exp - issuedAt > rule.maxLifetimeSeconds)
      return fail("identity.attestation_invalid", `lives longer than ${rule.maxLifetimeSeconds} s`);
    const notOurs = rule.bind && unbound(rule.bind.claim, payload, subject.keyHash);
    if (notOurs) return fail("identity.attestation_unbound", notOurs);
    return judgeClaims(rule, payload);
  };
}
