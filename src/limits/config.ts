import { type Problems, at, readArray, readEnum, readNumber, readObject, readString, stringItem } from "../config/read.ts";
import { DIMENSIONS, type Dimension, type LimitRule } from "./rules.ts";

const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
const RATE = /^\s*(\d+)\s+per\s+(second|minute|hour|day)\s*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `"60 per minute"` → 60 tokens per 60 s; null when malformed. */
export function parseRate(text: string): { count: number; seconds: number } | null {
  const match = RATE.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  return count > 0 && Number.isSafeInteger(count) ? { count, seconds: UNITS[match[2]!]! } : null;
}

function readRule(raw: unknown, path: string, p: Problems): LimitRule | undefined {
  const o = readObject(raw, path, p, ["name", "by", "capacity", "refillPerSecond", "rate", "cost"]);
  if (!o) return undefined;
  const before = p.list.length;
  const name = readString(o, "name", path, p, { required: true, pattern: NAME, patternHint: "1-64 letters, digits, '_', '.' or '-'" });
  const by = readArray(o, "by", path, p, stringItem(p, (s) => (DIMENSIONS as readonly string[]).includes(s), `one of ${DIMENSIONS.join(", ")}`), {
    required: true,
    nonEmpty: true,
  }) as Dimension[] | undefined;
  if (by && new Set(by).size !== by.length) p.add(at(path, "by"), "must not repeat a dimension");
  const cost = readEnum(o, "cost", path, p, ["request", "tokens"] as const) ?? "request";
  let capacity = readNumber(o, "capacity", path, p, { integer: true, min: 1 });
  let refillPerSecond: number | undefined;
  if (o.rate !== undefined && o.refillPerSecond !== undefined) {
    p.add(path, 'give either "rate" or "refillPerSecond", not both');
  } else if (o.rate !== undefined) {
    const rate = typeof o.rate === "string" ? parseRate(o.rate) : null;
    if (!rate) p.add(at(path, "rate"), 'must be "<count> per second|minute|hour|day", such as "60 per minute"');
    else {
      refillPerSecond = rate.count / rate.seconds;
      capacity ??= rate.count;
    }
  } else if (o.refillPerSecond !== undefined) {
    refillPerSecond = readNumber(o, "refillPerSecond", path, p, { min: Number.MIN_VALUE });
    if (o.capacity === undefined) p.add(at(path, "capacity"), 'is required with "refillPerSecond"');
  } else {
    p.add(path, 'needs "rate" (such as "60 per minute") or "capacity" and "refillPerSecond"');
  }
  if (p.list.length !== before || !name || !by || capacity === undefined || refillPerSecond === undefined) return undefined;
  return { name, by, capacity, refillPerSecond, cost };
}

/**
 * Reads a route's `limits`: an array of buckets, each
 * `{ "name", "by": [dimensions], "capacity", "refillPerSecond", "cost"? }` or
 * `{ "name", "by", "rate": "60 per minute", "capacity"?, "cost"? }` (capacity
 * defaults to the rate's count). `cost`: "request" (default) or "tokens".
 * Every problem is recorded with its path; names must be unique in the route.
 * Returns the valid rules (an empty list when the section is absent).
 */
export function parseLimits(raw: unknown, path: string, p: Problems): LimitRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.add(path, "must be an array");
    return [];
  }
  const rules: LimitRule[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, i) => {
    const itemPath = at(path, i);
    const name = typeof item === "object" && item !== null && "name" in item ? (item as { name: unknown }).name : undefined;
    if (typeof name === "string") {
      const first = seen.get(name);
      if (first !== undefined) p.add(at(itemPath, "name"), `duplicates ${at(path, first)}.name ${JSON.stringify(name)}`);
      else seen.set(name, i);
    }
    const rule = readRule(item, itemPath, p);
    if (rule) rules.push(rule);
  });
  return rules;
}
