import { MAX_BLOCK_TTL_MS, MAX_REASON_LENGTH, parseBlockTarget } from "../limits/blocks.ts";
import { BLOCK_DIMENSIONS, type BlockDimension } from "../request/dimensions.ts";

export interface BlockInput {
  dimension: BlockDimension;
  target: string;
  ttlMs: number;
  reason: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `3600` (seconds) or `"90s"`, `"30m"`, `"12h"`, `"7d"` → milliseconds; null when malformed. */
export function parseTtl(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isInteger(raw) && raw > 0 ? raw * 1000 : null;
  const match = typeof raw === "string" ? /^\s*(\d{1,7})\s*([smhd])?\s*$/.exec(raw) : null;
  return match ? Number(match[1]) * UNITS[match[2] ?? "s"]! : null;
}

/**
 * A block request's body: exactly one target field named after its dimension,
 * a TTL and a reason. `{ "ip": "203.0.113.7", "ttl": "1h", "reason": "scraping" }`.
 * Every problem is listed.
 */
export function parseBlockInput(body: unknown): { ok: true; value: BlockInput } | { ok: false; problems: string[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, problems: ["the body must be a JSON object"] };
  const obj = body as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(obj).filter(
    (k) => !(BLOCK_DIMENSIONS as readonly string[]).includes(k) && k !== "ttl" && k !== "reason",
  );
  if (unknown.length) problems.push(`unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  const named = BLOCK_DIMENSIONS.filter((d) => obj[d] !== undefined);
  let target: { dimension: BlockDimension; target: string } | null = null;
  if (named.length !== 1) {
    problems.push(
      `give exactly one of ${BLOCK_DIMENSIONS.join(", ")} (got ${named.length ? named.join(", ") : "none"})`,
    );
  } else {
    const parsed = parseBlockTarget(named[0]!, obj[named[0]!]);
    if (parsed.ok) target = parsed;
    else problems.push(parsed.problem);
  }
  const ttlMs = parseTtl(obj.ttl);
  if (obj.ttl === undefined) problems.push('ttl: is required: seconds, or "30m", "12h", "7d"');
  else if (ttlMs === null || ttlMs > MAX_BLOCK_TTL_MS)
    problems.push(`ttl: must be from 1 s to 90 d: seconds, or "30m", "12h", "7d" (got ${JSON.stringify(obj.ttl)})`);
  const reason = typeof obj.reason === "string" ? obj.reason.trim() : "";
  if (!reason) problems.push("reason: is required: a few words saying why (it is listed with the block)");
  else if (reason.length > MAX_REASON_LENGTH) problems.push(`reason: at most ${MAX_REASON_LENGTH} characters`);
  if (problems.length || !target || ttlMs === null) return { ok: false, problems };
  return { ok: true, value: { ...target, ttlMs, reason } };
}
