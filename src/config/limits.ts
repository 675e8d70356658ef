import { CLUSTER_DIMENSIONS, DIMENSIONS } from "../request/dimensions.ts";
import { ACTIONS } from "../verdict/actions.ts";
import type { ClusterInput, HabitInput, LimitInput, RouteInput, SpreadInput } from "./input.ts";
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
  stringItem,
} from "./read.ts";
import {
  type ClusterRule,
  type HabitRule,
  type LimitRule,
  MAX_NEW_KEY_SECONDS,
  MAX_REFILL_SECONDS,
  type SpreadRule,
} from "./types.ts";

export const COSTS = ["request", "tokens"] as const;
/** What a cluster over its limit does: any action but allow (verdict/actions.ts). */
export const CLUSTER_ACTIONS = ACTIONS.filter((a): a is ClusterRule["action"] => a !== "allow");
export const SPREAD_COUNTS = ["asn", "subnet", "country"] as const;
export const SPREAD_ACTIONS = ["flag", "degrade", "challenge", "block"] as const;
export const HABIT_KINDS = ["single-shot", "reasoning"] as const;
export const HABIT_DEFAULTS = { minRequests: 20, halfLife: "1d" } as const;
const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
/** A rate: `"60 per minute"`. */
export const RATE = /^\s*(\d+)\s+per\s+(second|minute|hour|day)\s*$/;
/** A limit's or cluster's name. */
export const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A problem at `path` when a bucket of `capacity` refilling `refillPerSecond` takes longer than MAX_REFILL_SECONDS to fill. */
function checkRefill(capacity: number, refillPerSecond: number, path: string, p: Problems): boolean {
  if (capacity / refillPerSecond <= MAX_REFILL_SECONDS) return true;
  p.add(
    path,
    `refills a full bucket (${capacity}) in ${formatSeconds(capacity / refillPerSecond)}: at most 365 days (refillPerSecond >= capacity / 31536000)`,
  );
  return false;
}

/** Longest quota window: a day (a quota's bucket lives a day past its last write). */
export const MAX_QUOTA_WINDOW = 86_400;

const formatSeconds = (s: number): string =>
  Number.isFinite(s) && s < 1e9 * 86_400 ? `${Math.ceil(s / 86_400).toLocaleString("en-US")} days` : "forever";

/** `"60 per minute"` → 60 tokens per 60 s; null when malformed. */
export function parseRate(text: string): { count: number; seconds: number } | null {
  const match = RATE.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  return count > 0 && Number.isSafeInteger(count) ? { count, seconds: UNITS[match[2]!]! } : null;
}

/** A rule's `name`: 1-64 letters, digits, `_`, `.` or `-`. */
const readName = (o: Obj, path: string, p: Problems) =>
  readString(o, "name", path, p, {
    required: true,
    pattern: RULE_NAME,
    patternHint: "1-64 letters, digits, '_', '.' or '-'",
  });

/** A rule's `by`: a non-empty list of `allowed` dimensions, none repeated. */
function readDimensions<D extends string>(
  o: Obj,
  path: string,
  p: Problems,
  allowed: readonly D[],
  required: boolean,
): D[] | undefined {
  const valid = stringItem(p, (s) => (allowed as readonly string[]).includes(s), `one of ${allowed.join(", ")}`);
  const by = readArray(o, "by", path, p, valid, { required, nonEmpty: true }) as D[] | undefined;
  if (by && new Set(by).size !== by.length) p.add(at(path, "by"), "must not repeat a dimension");
  return by;
}

function readRule(raw: unknown, path: string, p: Problems): LimitRule | undefined {
  const o = readObject(
    raw,
    path,
    p,
    fieldsOf<LimitInput>()(["name", "by", "capacity", "refillPerSecond", "rate", "quota", "per", "cost"]),
  );
  if (!o) return undefined;
  const before = p.list.length;
  const name = readName(o, path, p);
  const by = readDimensions(o, path, p, DIMENSIONS, true);
  const cost = readEnum(o, "cost", path, p, COSTS) ?? "request";
  if (o.quota !== undefined || o.per !== undefined) {
    // a fixed quota: `quota` per `per` window, no refill
    for (const other of ["rate", "capacity", "refillPerSecond"] as const)
      if (o[other] !== undefined) p.add(at(path, other), 'does not go with "quota"');
    const quota = readNumber(o, "quota", path, p, { integer: true, min: 1, required: true });
    const per = o.per === undefined ? null : parseWindow(o.per);
    if (o.per === undefined) p.add(at(path, "per"), 'is required with "quota" ("1h", "1d" or seconds)');
    else if (per === null || per > MAX_QUOTA_WINDOW)
      p.add(at(path, "per"), 'must be "<n>s|m|h|d" or seconds, from 1 second to 1 day, such as "1d"');
    if (p.list.length !== before || !name || !by || quota === undefined || per === null) return undefined;
    return { name, by, capacity: quota, refillPerSecond: 0, cost, quotaWindowSeconds: per };
  }
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
  if (p.list.length !== before || !name || !by || capacity === undefined || refillPerSecond === undefined)
    return undefined;
  if (!checkRefill(capacity, refillPerSecond, o.rate !== undefined ? at(path, "rate") : at(path, "refillPerSecond"), p))
    return undefined;
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
  return readNamedItems(raw, path, p, (item, itemPath) => readRule(item, itemPath, p));
}

/** The budget of requests a signal set to `throttle` holds back, when the route does not say: 10 a minute per key. */
export const SIGNAL_BUDGET: LimitRule = {
  name: "signals",
  by: ["key"],
  capacity: 10,
  refillPerSecond: 10 / 60,
  cost: "request",
  stem: "rate.signals",
};

/**
 * Reads a route's `throttle`: `{ "rate": "10 per minute", "capacity"?, "by"? }`,
 * the bucket a request with a signal set to `throttle` (fingerprint, content,
 * hosting) is charged to, besides the route's limits: such clients share a
 * stricter budget, then get 429 with Retry-After. `by` defaults to `["key"]`.
 */
export function parseSignalBudget(raw: unknown, path: string, p: Problems): LimitRule {
  return parseBudget(raw, path, p, SIGNAL_BUDGET);
}

/** The bucket of keys the origin has not accepted yet, when the route does not say: 20 a minute per subnet, shared (config/limits.ts parseBudget). */
export const UNPROVEN_BUDGET: LimitRule = {
  name: "unproven",
  by: ["subnet"],
  capacity: 20,
  refillPerSecond: 20 / 60,
  cost: "request",
  stem: "rate.unproven",
};

/**
 * Reads a route's `unproven`: `{ "rate": "20 per minute", "capacity"?, "by"? }`, the bucket a key the origin
 * has not accepted yet is charged to, besides the route's limits (the top-level `proveKeys`). `by` defaults to
 * `["subnet"]`: made-up keys share their network's.
 */
export function parseUnprovenBudget(raw: unknown, path: string, p: Problems): LimitRule {
  return parseBudget(raw, path, p, UNPROVEN_BUDGET);
}

/** A budget bucket `{ rate, capacity?, by? }` in place of `fallback`'s size and dimensions; `fallback` when absent. */
function parseBudget(raw: unknown, path: string, p: Problems, fallback: LimitRule): LimitRule {
  if (raw === undefined) return fallback;
  const o = readObject(raw, path, p, fieldsOf<NonNullable<RouteInput["throttle"]>>()(["rate", "capacity", "by"]));
  if (!o) return fallback;
  const by = readDimensions(o, path, p, DIMENSIONS, false) ?? fallback.by;
  const rate = o.rate === undefined ? null : typeof o.rate === "string" ? parseRate(o.rate) : null;
  if (o.rate === undefined) p.add(at(path, "rate"), 'is required, such as "10 per minute"');
  else if (!rate) p.add(at(path, "rate"), 'must be "<count> per second|minute|hour|day", such as "10 per minute"');
  const capacity = readNumber(o, "capacity", path, p, { integer: true, min: 1 });
  if (!rate || !checkRefill(capacity ?? rate.count, rate.count / rate.seconds, at(path, "rate"), p)) return fallback;
  return { ...fallback, by, capacity: capacity ?? rate.count, refillPerSecond: rate.count / rate.seconds };
}

/** An array of objects with unique `name`s, each read by `read`; a duplicate name is a problem at its path. */
function readNamedItems<T>(
  raw: unknown,
  path: string,
  p: Problems,
  read: (item: unknown, itemPath: string) => T | undefined,
): T[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.add(path, "must be an array");
    return [];
  }
  const out: T[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, i) => {
    const itemPath = at(path, i);
    const name =
      typeof item === "object" && item !== null && "name" in item ? (item as { name: unknown }).name : undefined;
    if (typeof name === "string") {
      const first = seen.get(name);
      if (first !== undefined)
        p.add(at(itemPath, "name"), `duplicates ${at(path, first)}.name ${JSON.stringify(name)}`);
      else seen.set(name, i);
    }
    const value = read(item, itemPath);
    if (value !== undefined) out.push(value);
  });
  return out;
}

/** A window: `"1h"`, `"30m"`, `"90s"`, `"1d"`. */
export const WINDOW = /^\s*(\d+)\s*(s|m|h|d)\s*$/;
const WINDOW_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
/** Shortest and longest cluster window: below a minute counts little; past a week HyperLogLog keys pile up. */
export const MIN_WINDOW = 60;
export const MAX_WINDOW = 7 * 86_400;

/** `"1h"`, `"30m"`, `"90s"`, `"1d"` or a number of seconds → seconds; null when malformed. */
export function parseWindow(value: unknown): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : null;
  const m = typeof value === "string" ? WINDOW.exec(value) : null;
  return m ? Number(m[1]) * WINDOW_UNITS[m[2]!]! : null;
}

function readCluster(raw: unknown, path: string, p: Problems): ClusterRule | undefined {
  const o = readObject(
    raw,
    path,
    p,
    fieldsOf<ClusterInput>()([
      "name",
      "by",
      "maxAccounts",
      "maxAddresses",
      "window",
      "newKeys",
      "action",
      "rate",
      "capacity",
    ]),
  );
  if (!o) return undefined;
  const before = p.list.length;
  const name = readName(o, path, p);
  const by = readDimensions(o, path, p, CLUSTER_DIMENSIONS, true);
  const maxAccounts = readNumber(o, "maxAccounts", path, p, { integer: true, min: 1, required: true });
  const maxAddresses = readNumber(o, "maxAddresses", path, p, { integer: true, min: 1 }) ?? null;
  const windowSeconds = readCounterWindow(o, path, p);
  const newKeysMs = readNewKeyAge(o, "newKeys", path, p);
  const action = readEnum(o, "action", path, p, CLUSTER_ACTIONS) ?? "flag";
  let bucket: ClusterRule["bucket"] = null;
  if (o.rate !== undefined) {
    if (action !== "throttle") p.add(at(path, "rate"), 'applies to "action": "throttle" only');
    const rate = typeof o.rate === "string" ? parseRate(o.rate) : null;
    if (!rate) p.add(at(path, "rate"), 'must be "<count> per second|minute|hour|day", such as "60 per minute"');
    else {
      bucket = {
        capacity: readNumber(o, "capacity", path, p, { integer: true, min: 1 }) ?? rate.count,
        refillPerSecond: rate.count / rate.seconds,
      };
      checkRefill(bucket.capacity, bucket.refillPerSecond, at(path, "rate"), p);
    }
  } else if (o.capacity !== undefined) p.add(at(path, "capacity"), 'needs "rate"');
  if (p.list.length !== before || !name || !by || maxAccounts === undefined || windowSeconds === undefined)
    return undefined;
  return { name, by, maxAccounts, maxAddresses, windowSeconds, newKeysMs, action, bucket };
}

/** A new-key age (`"1d"`, `"6h"` or seconds, from 1 minute to 30 days) in ms; null when absent or a problem. */
export function readNewKeyAge(o: Obj, key: string, path: string, p: Problems): number | null {
  if (o[key] === undefined) return null;
  const s = parseWindow(o[key]);
  if (s !== null && s >= MIN_WINDOW && s <= MAX_NEW_KEY_SECONDS) return s * 1000;
  p.add(at(path, key), 'must be "<n>s|m|h|d" or seconds, from 1 minute to 30 days, such as "1d"');
  return null;
}

/**
 * Reads a route's `clusters`: an array of
 * `{ "name", "by": [dimensions], "maxAccounts", "maxAddresses"?, "window": "1h", "action": "flag" | "degrade" | "challenge" | "throttle" | "block", "rate"? }`.
 * A throttle without `rate` shares the route's per-key limits (`keyLimits`:
 * the names of the route's limits by key); with neither it is a problem.
 */
export function parseClusters(raw: unknown, path: string, p: Problems, keyLimits: readonly string[]): ClusterRule[] {
  return readNamedItems(raw, path, p, (item, itemPath) => {
    const rule = readCluster(item, itemPath, p);
    if (rule?.action === "throttle" && !rule.bucket && keyLimits.length === 0) {
      p.add(
        itemPath,
        'a throttle shares the route\'s limits by "key": add one to "limits", or give the cluster its own "rate"',
      );
      return undefined;
    }
    return rule;
  });
}

/** `"1h"`-style window of a counter rule, from 1 minute to 7 days; undefined (and a problem) otherwise. */
function readCounterWindow(o: Obj, path: string, p: Problems): number | undefined {
  if (o.window === undefined) {
    p.add(at(path, "window"), 'is required ("1h", "30m", "1d" or seconds)');
    return undefined;
  }
  const w = parseWindow(o.window);
  if (w !== null && w >= MIN_WINDOW && w <= MAX_WINDOW) return w;
  p.add(at(path, "window"), 'must be "<n>s|m|h|d" or seconds, from 1 minute to 7 days, such as "1h"');
  return undefined;
}

/**
 * Reads a route's `spread`: an array of `{ "name", "count": "asn" | "subnet" | "country", "max", "window": "1h",
 * "action": "flag" | "block" }`, the networks one account may use in the window.
 */
export function parseSpreads(raw: unknown, path: string, p: Problems): SpreadRule[] {
  return readNamedItems(raw, path, p, (item, itemPath) => {
    const o = readObject(item, itemPath, p, fieldsOf<SpreadInput>()(["name", "count", "max", "window", "action"]));
    if (!o) return undefined;
    const before = p.list.length;
    const name = readName(o, itemPath, p);
    const count = readEnum(o, "count", itemPath, p, SPREAD_COUNTS);
    if (o.count === undefined) p.add(at(itemPath, "count"), 'is required: "asn", "subnet" or "country"');
    const max = readNumber(o, "max", itemPath, p, { integer: true, min: 1, required: true });
    const windowSeconds = readCounterWindow(o, itemPath, p);
    const action = readEnum(o, "action", itemPath, p, SPREAD_ACTIONS) ?? "flag";
    if (p.list.length !== before || !name || !count || max === undefined || windowSeconds === undefined)
      return undefined;
    return { name, count, max, windowSeconds, action };
  });
}

/**
 * Reads a route's `habits`: an array of `{ "name", "of": "single-shot" | "reasoning", "share": 0..1,
 * "minRequests", "halfLife": "1d", "action" }`, the shares of one account's requests over time. A reasoning
 * request is what the route's content checks find: "reasoning" needs them.
 */
export function parseHabits(raw: unknown, path: string, p: Problems, contentChecks: boolean): HabitRule[] {
  return readNamedItems(raw, path, p, (item, itemPath) => {
    const o = readObject(
      item,
      itemPath,
      p,
      fieldsOf<HabitInput>()(["name", "of", "share", "minRequests", "halfLife", "action"]),
    );
    if (!o) return undefined;
    const before = p.list.length;
    const name = readName(o, itemPath, p);
    const of = readEnum(o, "of", itemPath, p, HABIT_KINDS);
    if (o.of === undefined) p.add(at(itemPath, "of"), 'is required: "single-shot" or "reasoning"');
    if (of === "reasoning" && !contentChecks) p.add(at(itemPath, "of"), 'is "reasoning": needs the route\'s "content"');
    const share = readNumber(o, "share", itemPath, p, { min: 0, max: 1, required: true });
    const minRequests = readNumber(o, "minRequests", itemPath, p, { min: 1 }) ?? HABIT_DEFAULTS.minRequests;
    const halfLife = o.halfLife ?? HABIT_DEFAULTS.halfLife;
    const halfLifeSeconds = parseWindow(halfLife);
    if (halfLifeSeconds === null || halfLifeSeconds < MIN_WINDOW || halfLifeSeconds > MAX_WINDOW)
      p.add(at(itemPath, "halfLife"), 'must be "<n>s|m|h|d" or seconds, from 1 minute to 7 days, such as "1d"');
    const action = readEnum(o, "action", itemPath, p, SPREAD_ACTIONS) ?? "flag";
    if (p.list.length !== before || !name || !of || share === undefined || halfLifeSeconds === null) return undefined;
    return { name, of, share, minRequests, halfLifeMs: halfLifeSeconds * 1000, action };
  });
}
