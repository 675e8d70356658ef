import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";
import type { RouteInput } from "./input.ts";
import { type Problems, fieldsOf, readArray, readObject } from "./read.ts";
import type { PureCheck } from "./types.ts";

/** A key hash as the gateway writes it (identity/key-hash.ts): 32 lower-case hex characters. */
export const KEY_HASH = /^[0-9a-f]{32}$/;

/**
 * The `trust` section of a route:
 *
 *   { "keys": ["<key hash>", …] }
 *
 * Keys you know (partners, your own services, customers you have vetted),
 * named by their HMAC under KEY_HASH_SECRET, never the raw key: the same hash
 * telemetry's `key` column and the denial log show, or `npm run key-hash`.
 * A trusted key skips the fingerprint and content signals and joins no
 * cluster; geography, the route's limits and manual blocks still apply to it.
 */
export function parseTrust(raw: unknown, path: string, p: Problems): ReadonlySet<string> | undefined {
  if (raw === undefined) return undefined;
  const obj = readObject(raw, path, p, fieldsOf<NonNullable<RouteInput["trust"]>>()(["keys"]));
  if (!obj) return undefined;
  const keys = readArray(obj, "keys", path, p, keyHashItem(p), { required: true });
  return keys ? new Set(keys) : undefined;
}

/** Reads one key hash. A wrong value is not repeated in the problem: it may be a raw API key pasted by mistake, and problems are logged. */
const keyHashItem =
  (p: Problems) =>
  (value: unknown, path: string): string | undefined => {
    if (typeof value === "string" && KEY_HASH.test(value)) return value;
    p.add(path, "must be a key hash, 32 lower-case hex characters (npm run key-hash), never the key itself");
    return undefined;
  };

/** The finding that tells telemetry and the origin a trusted key skipped the signals and clusters. */
export const TRUSTED_KEY: Finding = finding("identity.trusted_key", "allow");

/** A signal check that trusted keys skip. */
export const untrustedOnly =
  (trusted: ReadonlySet<string>, check: PureCheck): PureCheck =>
  (facts) =>
    facts.subject.account?.trusted || (facts.subject.keyHash !== null && trusted.has(facts.subject.keyHash))
      ? []
      : check(facts);
