import type { Subject } from "../identity/subject.ts";

/**
 * What a bucket is counted by. `key`: the API key (its HMAC); `ip`: IPv4 /32,
 * IPv6 /64; `subnet`: IPv4 /24, IPv6 /48; `asn`, `country`: from `request.cf`;
 * `fingerprint`: the client fingerprint (src/identity/fingerprint.ts);
 * `route`: the whole route, every client together.
 */
export const DIMENSIONS = ["key", "ip", "subnet", "asn", "country", "fingerprint", "route"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** One token bucket of a route, as configured (see config.ts). */
export interface LimitRule {
  /** Unique within the route; part of the store key and of the RateLimit-Policy name. */
  name: string;
  /** Dimensions that identify one bucket, in the order written. */
  by: readonly Dimension[];
  /** Most tokens the bucket holds: the largest burst. */
  capacity: number;
  /** Tokens added per second (> 0). */
  refillPerSecond: number;
  /** "request": one token per request; "tokens": the model tokens a request uses (estimated, then reconciled). */
  cost: "request" | "tokens";
  /** The start of its reason codes, when not the one its dimensions give (see reasonStem). */
  stem?: string;
}

/** The value of one dimension for this request; null when the request has none (the rule then does not apply). */
export function dimensionValue(subject: Subject, dimension: Dimension): string | null {
  switch (dimension) {
    case "key":
      return subject.keyHash;
    case "ip":
      return subject.ipPrefix;
    case "subnet":
      return subject.subnet;
    case "asn":
      return subject.asn === null ? null : String(subject.asn);
    case "country":
      return subject.country;
    case "fingerprint":
      return subject.fingerprint || null;
    case "route":
      return "*";
  }
}

/**
 * The stable start of a rule's reason codes: `rate.` + its dimensions joined
 * by `_`, + `_tokens` for token-weighted buckets. Codes are `<start>_exhausted`
 * (no room now) and `<start>_too_large` (the request can never fit):
 * `rate.key_exhausted`, `rate.subnet_exhausted`, `rate.key_tokens_too_large`.
 */
export function reasonStem(rule: Pick<LimitRule, "by" | "cost" | "stem">): string {
  return rule.stem ?? `rate.${rule.by.join("_")}${rule.cost === "tokens" ? "_tokens" : ""}`;
}

/** The RateLimit-Policy window: seconds of refill that make one capacity, rounded up. */
export function windowSeconds(rule: Pick<LimitRule, "capacity" | "refillPerSecond">): number {
  return Math.ceil(rule.capacity / rule.refillPerSecond);
}

const encoder = new TextEncoder();

/** SHA-256 as 32 hex characters: the default hash of dimension values. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (let i = 0; i < 16; i++) hex += digest[i]!.toString(16).padStart(2, "0");
  return hex;
}

/**
 * The store key of a rule's bucket for this request: `<prefix>:<route>:<rule>:<hash>`,
 * the hash taken over the dimension values, so no raw IP or key ever reaches
 * the store. Null when the request lacks one of the rule's dimensions.
 */
export async function bucketKey(
  prefix: string,
  routeName: string,
  rule: Pick<LimitRule, "name" | "by">,
  subject: Subject,
  hash: (text: string) => Promise<string>,
): Promise<string | null> {
  const parts: string[] = [];
  for (const dimension of rule.by) {
    const value = dimensionValue(subject, dimension);
    if (value === null) return null;
    parts.push(`${dimension}=${value}`);
  }
  return `${prefix}:${routeName}:${rule.name}:${await hash(parts.join("\n"))}`;
}
