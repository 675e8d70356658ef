import { ATTESTATION_HEADER } from "../request/attestation-subject.ts";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, type Jwk } from "../identity/jwt.ts";
import { type AttestationRule, type AttestationVerifier, createAttestationVerifier } from "../identity/attestation.ts";
import { isPublicVerificationKey, RemoteJwks, staticKeys } from "../identity/jwks.ts";
import { isCountryCode } from "./places.ts";
import type { IdentityInput } from "./input.ts";
import {
  type Obj,
  type Problems,
  at,
  fieldsOf,
  readArray,
  readBoolean,
  readNumber,
  readObject,
  readSection,
  readString,
  stringItem,
} from "./read.ts";

const IDENTITY_FIELDS = fieldsOf<IdentityInput>()([
  "header",
  "jwksUrl",
  "jwks",
  "jwk",
  "issuer",
  "audience",
  "algorithms",
  "claims",
  "require",
  "cacheTtlSeconds",
  "refetchMinSeconds",
  "timeoutMs",
  "bind",
  "maxLifetimeSeconds",
]);
const CLAIM_FIELDS = fieldsOf<NonNullable<IdentityInput["claims"]>>()(["verified", "nationality", "residency"]);
const REQUIRE_FIELDS = fieldsOf<NonNullable<IdentityInput["require"]>>()(["verified", "nationality", "residency"]);

export const IDENTITY_DEFAULTS = {
  header: ATTESTATION_HEADER,
  cacheTtlSeconds: 600,
  refetchMinSeconds: 30,
  timeoutMs: 3000,
  /** Tokens are bound to the API key (its HMAC) under this claim unless the rule says `bind: false`. */
  bindClaim: "key_hash",
  maxLifetimeSeconds: 3600,
} as const;

/** The longest `maxLifetimeSeconds` accepted: 30 days. */
export const MAX_LIFETIME_LIMIT = 30 * 86_400;

export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function readJwksUrl(obj: Obj, path: string, p: Problems): string | undefined {
  const text = readString(obj, "jwksUrl", path, p);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    p.add(at(path, "jwksUrl"), `must be an absolute URL (got ${JSON.stringify(text)})`);
    return undefined;
  }
  // keys fetched in clear text could be swapped on the way; loopback is for local runs and tests
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    p.add(at(path, "jwksUrl"), "must be an https URL");
    return undefined;
  }
  return url.href;
}

function readKey(value: unknown, path: string, p: Problems, algorithms: readonly string[]): Jwk | undefined {
  if (!isPublicVerificationKey(value)) {
    p.add(path, "must be a public RSA, EC or OKP signature key (JWK) with a kid and no private part");
    return undefined;
  }
  if (value.alg !== undefined && !algorithms.includes(value.alg)) {
    p.add(at(path, "alg"), `must be one of the allowed algorithms (${algorithms.join(", ")})`);
    return undefined;
  }
  return value;
}

/** A string or a non-empty array of strings. */
function readAudience(obj: Obj, path: string, p: Problems): string[] | undefined {
  const value = obj.audience;
  if (typeof value === "string") return readString(obj, "audience", path, p) === undefined ? undefined : [value];
  if (value === undefined) {
    p.add(at(path, "audience"), "is required");
    return undefined;
  }
  return readArray(obj, "audience", path, p, stringItem(p), { nonEmpty: true });
}

function readCountrySet(obj: Obj, key: string, path: string, p: Problems): ReadonlySet<string> | undefined {
  const list = readArray(
    obj,
    key,
    path,
    p,
    (v, itemPath) => {
      const code = typeof v === "string" ? v.toUpperCase() : v;
      return stringItem(p, isCountryCode, "an ISO 3166-1 alpha-2 code")(code, itemPath);
    },
    { nonEmpty: true },
  );
  return list && new Set(list);
}

/** `bind`: absent binds under the default claim, `false` turns binding off, `{ "claim": "name" }` names the claim. */
function readBind(obj: Obj, path: string, p: Problems): AttestationRule["bind"] | undefined {
  const value = obj.bind;
  if (value === undefined) return { claim: IDENTITY_DEFAULTS.bindClaim };
  if (value === false) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    p.add(at(path, "bind"), `must be false or an object such as { "claim": "${IDENTITY_DEFAULTS.bindClaim}" }`);
    return undefined;
  }
  const section = readSection(obj, "bind", path, p, ["claim"]);
  if (!section) return undefined;
  const claim =
    section.claim === undefined ? IDENTITY_DEFAULTS.bindClaim : readString(section, "claim", at(path, "bind"), p);
  return claim === undefined ? undefined : { claim };
}

/**
 * A model rule's `identity` section, read into a verifier with its own JWKS
 * cache (built here, once per config per isolate).
 */
export function readIdentity(raw: unknown, path: string, p: Problems): AttestationVerifier | undefined {
  const before = p.list.length;
  const obj = readObject(raw, path, p, IDENTITY_FIELDS);
  if (!obj) return undefined;

  const header = (
    readString(obj, "header", path, p, { pattern: HEADER_NAME, patternHint: "an HTTP header name" }) ??
    IDENTITY_DEFAULTS.header
  ).toLowerCase();
  const issuer = readString(obj, "issuer", path, p, { required: true });
  const audience = readAudience(obj, path, p);
  const algorithms =
    readArray(
      obj,
      "algorithms",
      path,
      p,
      stringItem(
        p,
        (a) => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a),
        `one of ${ASYMMETRIC_ALGORITHMS.join(", ")}`,
      ),
      { nonEmpty: true },
    ) ?? ASYMMETRIC_ALGORITHMS;

  const sources = (["jwksUrl", "jwks", "jwk"] as const).filter((k) => obj[k] !== undefined);
  if (sources.length !== 1)
    p.add(path, `needs exactly one of jwksUrl, jwks, jwk${sources.length ? ` (got ${sources.join(", ")})` : ""}`);
  const cacheTtlSeconds = readNumber(obj, "cacheTtlSeconds", path, p) ?? IDENTITY_DEFAULTS.cacheTtlSeconds;
  const refetchMinSeconds = readNumber(obj, "refetchMinSeconds", path, p) ?? IDENTITY_DEFAULTS.refetchMinSeconds;
  const timeoutMs =
    readNumber(obj, "timeoutMs", path, p, { integer: true, min: 1, max: 60_000 }) ?? IDENTITY_DEFAULTS.timeoutMs;
  const bind = readBind(obj, path, p);
  const maxLifetimeSeconds =
    readNumber(obj, "maxLifetimeSeconds", path, p, { integer: true, min: 1, max: MAX_LIFETIME_LIMIT }) ??
    IDENTITY_DEFAULTS.maxLifetimeSeconds;

  let keys: AttestationRule["keys"] | undefined;
  if (obj.jwksUrl !== undefined) {
    const url = readJwksUrl(obj, path, p);
    if (url)
      keys = new RemoteJwks(url, { ttlMs: cacheTtlSeconds * 1000, refetchMinMs: refetchMinSeconds * 1000, timeoutMs });
  } else if (obj.jwks !== undefined) {
    const jwks = readObject(obj.jwks, at(path, "jwks"), p, fieldsOf<NonNullable<IdentityInput["jwks"]>>()(["keys"]));
    const list =
      jwks &&
      readArray(jwks, "keys", at(path, "jwks"), p, (v, itemPath) => readKey(v, itemPath, p, algorithms), {
        required: true,
        nonEmpty: true,
      });
    if (list) keys = staticKeys(list);
  } else if (obj.jwk !== undefined) {
    const key = readKey(obj.jwk, at(path, "jwk"), p, algorithms);
    if (key) keys = staticKeys([key]);
  }

  const claimsSection = readSection(obj, "claims", path, p, CLAIM_FIELDS);
  const claims = {
    verified: (claimsSection && readString(claimsSection, "verified", at(path, "claims"), p)) ?? "verified",
    nationality: (claimsSection && readString(claimsSection, "nationality", at(path, "claims"), p)) ?? "nationality",
    residency: (claimsSection && readString(claimsSection, "residency", at(path, "claims"), p)) ?? "residency",
  };

  const require: AttestationRule["require"] = {};
  const requireSection = readSection(obj, "require", path, p, REQUIRE_FIELDS);
  if (requireSection) {
    const requirePath = at(path, "require");
    const verified = readBoolean(requireSection, "verified", requirePath, p);
    if (verified === false)
      p.add(at(requirePath, "verified"), "must be true when given (leave it out to not require it)");
    if (verified) require.verified = true;
    const nationality = readCountrySet(requireSection, "nationality", requirePath, p);
    if (nationality) require.nationality = nationality;
    const residency = readCountrySet(requireSection, "residency", requirePath, p);
    if (residency) require.residency = residency;
  }

  if (p.list.length > before || !keys || !issuer || !audience || bind === undefined) return undefined;
  return createAttestationVerifier({
    header,
    issuer,
    audience,
    algorithms: algorithms as readonly AsymmetricAlgorithm[],
    keys,
    claims,
    require,
    bind,
    maxLifetimeSeconds,
  });
}
