import { parseRate } from "../config/limits.ts";
import { ACCOUNT_ID } from "../identity/subject.ts";
import { KEY_HASH, MAX_ACCOUNT_TTL_MS } from "../limits/accounts.ts";
import { parseTtl } from "./block-input.ts";

export interface KeyInput {
  /** The key's hash when registering an existing key; null: the admin API makes a new key. */
  keyHash: string | null;
  account: string;
  tier: string | null;
  trusted: boolean;
  ttlMs: number;
  limits: Record<string, { capacity: number; refillPerSecond: number }>;
}

const FIELDS = ["keyHash", "account", "tier", "trusted", "ttl", "limits"];

/**
 * A key registration's body:
 * `{ "account": "acme", "ttl": "90d", "tier"?: "pro", "trusted"?: false, "limits"?: { "key-rpm": { "rate": "600 per minute" } }, "keyHash"?: "<32 hex>" }`.
 * Without `keyHash` a new key is made (and shown once). Every problem is listed.
 */
export function parseKeyInput(body: unknown): { ok: true; value: KeyInput } | { ok: false; problems: string[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, problems: ["the body must be a JSON object"] };
  const obj = body as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(obj).filter((k) => !FIELDS.includes(k));
  if (unknown.length)
    problems.push(
      `unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (expected ${FIELDS.join(", ")})`,
    );
  // a wrong key hash is not repeated: it may be a raw key pasted by mistake
  if (obj.keyHash !== undefined && !(typeof obj.keyHash === "string" && KEY_HASH.test(obj.keyHash))) {
    problems.push("keyHash: must be a key hash, 32 lower-case hex characters (npm run key-hash), never the key itself");
  }
  if (!(typeof obj.account === "string" && ACCOUNT_ID.test(obj.account)))
    problems.push("account: is required: 1-128 letters, digits, '_', '.', ':', '@' or '-'");
  if (obj.tier !== undefined && !(typeof obj.tier === "string" && /^[A-Za-z0-9_.-]{1,32}$/.test(obj.tier)))
    problems.push("tier: 1-32 letters, digits, '_', '.' or '-'");
  if (obj.trusted !== undefined && typeof obj.trusted !== "boolean") problems.push("trusted: must be true or false");
  const ttlMs = parseTtl(obj.ttl);
  if (obj.ttl === undefined) problems.push('ttl: is required: seconds, or "12h", "90d" (at most 400 days)');
  else if (ttlMs === null || ttlMs > MAX_ACCOUNT_TTL_MS)
    problems.push(`ttl: must be from 1 s to 400 d: seconds, or "12h", "90d" (got ${JSON.stringify(obj.ttl)})`);
  const limits: KeyInput["limits"] = {};
  if (obj.limits !== undefined) {
    if (typeof obj.limits !== "object" || obj.limits === null || Array.isArray(obj.limits))
      problems.push("limits: must be an object of rule names");
    else {
      for (const [name, raw] of Object.entries(obj.limits)) {
        const l = (raw ?? {}) as { rate?: unknown; capacity?: unknown };
        const rate = typeof l.rate === "string" ? parseRate(l.rate) : null;
        const capacity = l.capacity === undefined ? rate?.count : l.capacity;
        if (!rate) problems.push(`limits.${name}.rate: must be "<count> per second|minute|hour|day"`);
        else if (!(typeof capacity === "number" && Number.isSafeInteger(capacity) && capacity >= 1))
          problems.push(`limits.${name}.capacity: must be a positive integer`);
        else limits[name] = { capacity, refillPerSecond: rate.count / rate.seconds };
      }
    }
  }
  if (problems.length || ttlMs === null) return { ok: false, problems };
  return {
    ok: true,
    value: {
      keyHash: (obj.keyHash as string | undefined) ?? null,
      account: obj.account as string,
      tier: (obj.tier as string | undefined) ?? null,
      trusted: obj.trusted === true,
      ttlMs,
      limits,
    },
  };
}
