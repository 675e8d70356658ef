import { reasonSpec } from "../verdict/reasons.ts";
import { ACTIONS } from "../verdict/actions.ts";
import type { RiskInput } from "./input.ts";
import { readNewKeyAge } from "./limits.ts";
import {
  type Obj,
  type Problems,
  at,
  fieldsOf,
  readArray,
  readEnum,
  readNumber,
  readObject,
  readString,
} from "./read.ts";
import type { RiskPolicy, RiskTier } from "./types.ts";

export const TIER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/**
 * What a tier may do: every action but `throttle`. A tier is known only after the request's one store round trip,
 * when its budgets are charged already, so it has no budget to hold a client to.
 */
export const TIER_ACTIONS = ACTIONS.filter((a) => a !== "throttle");

/**
 * Reads a route's `risk`: `{ "newKey"?: "1d", "weights"?: { code: 0..1 }, "tiers": [{ "name", "score", "action" }] }`.
 * Tiers are listed in ascending score, names unique; a weight names a registered reason code
 * (docs/reasons.md) with a number from 0 to 1.
 */
export function parseRisk(raw: unknown, path: string, p: Problems): RiskPolicy | null {
  if (raw === undefined) return null;
  const o = readObject(raw, path, p, fieldsOf<RiskInput>()(["newKey", "weights", "tiers"]));
  if (!o) return null;
  const before = p.list.length;
  const newKeyMs = readNewKeyAge(o, "newKey", path, p);
  const weights = readWeights(o.weights, at(path, "weights"), p);
  const tiers = readArray(o, "tiers", path, p, (item, itemPath) => readTier(item, itemPath, p), {
    required: true,
    nonEmpty: true,
  });
  tiers?.forEach((tier, i) => {
    const prev = tiers[i - 1];
    if (prev && tier.score <= prev.score)
      p.add(at(at(at(path, "tiers"), i), "score"), `must be above the tier before it (${prev.score})`);
    if (tiers.findIndex((t) => t.name === tier.name) !== i)
      p.add(at(at(at(path, "tiers"), i), "name"), `repeats "${tier.name}"`);
  });
  if (p.list.length !== before || !tiers) return null;
  return { newKeyMs, weights, tiers };
}

function readTier(raw: unknown, path: string, p: Problems): RiskTier | undefined {
  const o = readObject(raw, path, p, ["name", "score", "action"]);
  if (!o) return undefined;
  const before = p.list.length;
  const name = readString(o, "name", path, p, {
    required: true,
    pattern: TIER_NAME,
    patternHint: "lower-case letters, digits, '-' or '_', at most 32 characters",
  });
  const score = readNumber(o, "score", path, p, { required: true, max: 1 });
  if (score === 0) p.add(at(path, "score"), "must be above 0");
  const action = readEnum(o, "action", path, p, TIER_ACTIONS);
  if (o.action === undefined) p.add(at(path, "action"), `is required: one of ${TIER_ACTIONS.join(", ")}`);
  if (p.list.length !== before || !name || score === undefined || !action) return undefined;
  return { name, score, action };
}

function readWeights(raw: unknown, path: string, p: Problems): Map<string, number> {
  const out = new Map<string, number>();
  if (raw === undefined) return out;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    p.add(path, "must be an object of reason code to weight (0..1)");
    return out;
  }
  for (const [code, value] of Object.entries(raw as Obj)) {
    if (!reasonSpec(code)) p.add(at(path, code), "is not a reason code (docs/reasons.md)");
    else if (typeof value !== "number" || !(value >= 0 && value <= 1)) p.add(at(path, code), "must be 0 to 1");
    else out.set(code, value);
  }
  return out;
}
