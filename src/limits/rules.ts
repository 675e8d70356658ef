import type { LimitRule } from "../config/types.ts";
import { bucketValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";

/**
 * The stable start of a rule's reason codes: `rate.` + its dimensions joined
 * by `_`, + `_tokens` for token-weighted buckets. Codes are `<start>_exhausted`
 * (no room now) and `<start>_too_large` (the request can never fit):
 * `rate.key_exhausted`, `rate.subnet_exhausted`, `rate.key_tokens_too_large`.
 */
export function reasonStem(rule: Pick<LimitRule, "by" | "cost" | "stem">): `rate.${string}` {
  return rule.stem ?? `rate.${rule.by.join("_")}${rule.cost === "tokens" ? "_tokens" : ""}`;
}

/** The RateLimit-Policy window: seconds of refill that make one capacity, rounded up. */
export function windowSeconds(rule: Pick<LimitRule, "capacity" | "refillPerSecond" | "quotaWindowSeconds">): number {
  return rule.quotaWindowSeconds ?? Math.ceil(rule.capacity / rule.refillPerSecond);
}

/** A quota's current window: its index since the epoch and when it ends (ms). */
export function quotaWindow(windowSeconds: number, nowMs: number): { index: number; endsMs: number } {
  const index = Math.floor(nowMs / (windowSeconds * 1000));
  return { index, endsMs: (index + 1) * windowSeconds * 1000 };
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
 * Where a rule's bucket for this request is stored: the key
 * `<prefix>:<route>:<dimensions>:<hash>` (dimensions joined by `+`, the hash
 * taken over their values, so no raw IP or key ever reaches the store) and the
 * rule's name as its field: the rules of a route with the same dimensions share
 * the client's key, read and written once per take. A quota's key ends with
 * `:q<window index>` (a bucket per window). Null when the request lacks one of
 * the rule's dimensions (and the dimension has no fallback: a keyless request
 * shares its subnet's per-key buckets).
 */
export async function bucketKey(
  prefix: string,
  routeName: string,
  rule: Pick<LimitRule, "name" | "by" | "quotaWindowSeconds">,
  facts: RequestFacts,
  hash: (text: string) => Promise<string>,
  nowMs = Date.now(),
): Promise<{ key: string; field: string } | null> {
  const parts: string[] = [];
  for (const dimension of rule.by) {
    const value = bucketValue(facts, dimension);
    if (value === null) return null;
    parts.push(`${dimension}=${value}`);
  }
  const window = rule.quotaWindowSeconds ? `:q${quotaWindow(rule.quotaWindowSeconds, nowMs).index}` : "";
  const key = `${prefix}:${routeName}:${rule.by.join("+")}:${await hash(parts.join("\n"))}${window}`;
  return { key, field: rule.name };
}
