/**
 * Manual blocks: an operator denies an API key (its hash), an address, a
 * subnet, an ASN or a fingerprint for a while, with a reason. A block is one
 * store key per target, with a TTL; the limiter hands the request's block keys
 * to the same `take()` that checks its buckets, so enforcing blocks costs no
 * extra round trip. A sorted set next to them (member: block key, score: expiry
 * ms) lists them; it expires with its longest-lived block.
 */
import { BLOCK_DIMENSIONS, type BlockDimension, DIMENSION_TABLE, dimensionValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import { storedObject } from "./stored.ts";

/** A block as stored: its target (normalised like the request's own value), why, and when (the store's clock, ms). */
export interface BlockRecord {
  dimension: BlockDimension;
  target: string;
  reason: string;
  createdAt: number;
  expiresAt: number;
}

export interface BlockEntry extends BlockRecord {
  /** The store key that holds the block. */
  key: string;
  /** Milliseconds it still lives, by the store's clock. */
  ttlMs: number;
}

/** A counter the limit script listed as over its limit (CounterRequest.over), with its count now. */
export interface ListedCounter {
  /** The counter's key (CounterRequest.key). */
  key: string;
  /** Distinct members now. */
  count: number;
  /** When the listing forgets it unless the counter is over its limit again (ms, the store's clock). */
  listedUntil: number;
}

/**
 * What the admin API needs from the store (both stores implement it). Keys are
 * given whole: `index` is a listing's sorted set, `key` one block's key. Times
 * come from the store's clock (Redis TIME, or the Worker's with `clock: "worker"`).
 */
export interface AdminStore {
  /** Creates or replaces a block for `ttlMs`. */
  block(
    index: string,
    key: string,
    entry: Pick<BlockRecord, "dimension" | "target" | "reason">,
    ttlMs: number,
  ): Promise<BlockRecord>;
  /** True when the block existed. */
  unblock(index: string, key: string): Promise<boolean>;
  /** Live blocks, soonest expiry first, at most `limit`. */
  listBlocks(index: string, limit: number): Promise<BlockEntry[]>;
  /** Counters listed in `registry` as over their limit, soonest forgotten first, at most `limit`. */
  listCounters(registry: string, limit: number): Promise<ListedCounter[]>;
}

export function isAdminStore(store: object): store is AdminStore {
  const s = store as Partial<AdminStore>;
  return (
    typeof s.block === "function" &&
    typeof s.unblock === "function" &&
    typeof s.listBlocks === "function" &&
    typeof s.listCounters === "function"
  );
}

/** Longest block: 90 days. Every store key has a TTL; a permanent ban belongs in the config (geo deny lists). */
export const MAX_BLOCK_TTL_MS = 90 * 86_400_000;
export const MAX_REASON_LENGTH = 500;

export const blocksIndexKey = (prefix: string) => `${prefix}:blocks`;

/** `<prefix>:block:<dimension>:<hash>`: like bucket keys, built from a hash, never a raw address. */
export async function blockKey(
  prefix: string,
  dimension: BlockDimension,
  value: string,
  hash: (text: string) => Promise<string>,
): Promise<string> {
  return `${prefix}:block:${dimension}:${await hash(`${dimension}=${value}`)}`;
}

/** A block key a request could match, with its dimension. */
export interface RequestBlockKey {
  dimension: BlockDimension;
  key: string;
  /** The key's geo taint (taintKey), not an operator's block. */
  taint?: true;
}

/**
 * `<prefix>:block:taint:<hash>`: a key (or account) a route's geo policy refused for where it came from stays
 * refused, from anywhere, until the taint expires (the route's geo `taint`). Listed with the manual blocks.
 */
export async function taintKey(prefix: string, keyValue: string, hash: (text: string) => Promise<string>) {
  return `${prefix}:block:taint:${await hash(`key=${keyValue}`)}`;
}

/** The block keys a request could match, one per dimension it has, in BLOCK_DIMENSIONS order. */
export async function requestBlockKeys(
  prefix: string,
  facts: RequestFacts,
  hash: (text: string) => Promise<string>,
): Promise<RequestBlockKey[]> {
  const out: RequestBlockKey[] = [];
  for (const dimension of BLOCK_DIMENSIONS) {
    const value = dimensionValue(facts, dimension);
    if (value !== null) out.push({ dimension, key: await blockKey(prefix, dimension, value, hash) });
  }
  return out;
}

export type TargetResult = { ok: true; dimension: BlockDimension; target: string } | { ok: false; problem: string };

/**
 * Reads an operator's target into the value a request carries for that
 * dimension: `key` a key hash (32 hex, as logs and analytics show it);
 * `ip` an address (IPv6: its /64); `subnet` an address or its /24 (/48)
 * prefix; `asn` `64500` or `AS64500`; `fingerprint` a fingerprint id.
 */
export function parseBlockTarget(dimension: string, raw: unknown): TargetResult {
  if (!(BLOCK_DIMENSIONS as readonly string[]).includes(dimension)) {
    return {
      ok: false,
      problem: `dimension must be one of ${BLOCK_DIMENSIONS.join(", ")} (got ${JSON.stringify(dimension)})`,
    };
  }
  const d = dimension as BlockDimension;
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  const { hint, parse } = DIMENSION_TABLE[d].block;
  const target = parse(text);
  return target === null
    ? { ok: false, problem: `${d}: must be ${hint} (got ${JSON.stringify(raw)?.slice(0, 80)})` }
    : { ok: true, dimension: d, target };
}

/**
 * Manual blocks this isolate has seen. Each answers without the store until
 * its `untilMs` (a short time, so that a block lifted elsewhere is lifted
 * here soon); while the shared store is down, until the block's own
 * `expiresMs`, since nothing better is known then.
 */
export interface BlockCache {
  /** The first of `keys` blocked at `nowMs`, with its index; `outage`: judged by the blocks' own expiry. */
  find(keys: readonly string[], nowMs: number, outage?: boolean): { index: number; untilMs: number } | null;
  put(key: string, untilMs: number, expiresMs?: number): void;
  delete(key: string): void;
  size(): number;
}

export function createBlockCache(maxEntries = 10_000): BlockCache {
  const entries = new Map<string, { untilMs: number; expiresMs: number }>();
  return {
    find(keys, nowMs, outage = false) {
      for (let i = 0; i < keys.length; i++) {
        const entry = entries.get(keys[i]!);
        if (entry === undefined) continue;
        const untilMs = outage ? entry.expiresMs : entry.untilMs;
        if (nowMs < untilMs) return { index: i, untilMs };
        if (nowMs >= entry.expiresMs) entries.delete(keys[i]!);
      }
      return null;
    },
    put(key, untilMs, expiresMs = untilMs) {
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { untilMs, expiresMs: Math.max(untilMs, expiresMs) });
    },
    delete: (key) => void entries.delete(key),
    size: () => entries.size,
  };
}

/** Reads one listed record, as a REST client may hand it over: a JSON string, or already parsed. */
export function readBlockRecord(raw: unknown): BlockRecord | null {
  const r = storedObject<BlockRecord>(raw);
  if (!r) return null;
  if (!(BLOCK_DIMENSIONS as readonly string[]).includes(r.dimension as string)) return null;
  if (typeof r.target !== "string" || typeof r.reason !== "string") return null;
  if (!Number.isFinite(r.createdAt) || !Number.isFinite(r.expiresAt)) return null;
  return {
    dimension: r.dimension!,
    target: r.target,
    reason: r.reason,
    createdAt: r.createdAt!,
    expiresAt: r.expiresAt!,
  };
}
