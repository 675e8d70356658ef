import { parseIp, prefixOf } from "../identity/ip.ts";
import { ACCOUNT_ID } from "../identity/subject.ts";
import type { RequestFacts } from "./facts.ts";
import { attestationSubject } from "./attestation-subject.ts";
import { templateOf } from "./template.ts";

/**
 * The dimensions a token bucket, a cluster or a manual block can be keyed by,
 * each once: how its value is read from the request's facts, what may use it,
 * how an operator's block target is read, and what must be computed before
 * the decision on a route that uses it. A new dimension is one entry here
 * (and its test); the config's validation, the limiter's store keys, the
 * clusters, the blocks and the admin API all read this table.
 */
export interface DimensionSpec {
  /** The request's value; null when it has none (a bucket or cluster by it then does not apply). */
  read(facts: RequestFacts): string | null;
  /** A token bucket may be counted by it (`limits[].by`, `throttle.by`). */
  limits: boolean;
  /** A cluster may count accounts per value of it (`clusters[].by`). A key is what clusters count, never what they share. */
  clusters: boolean;
  /** How an operator's block target is read into the value a request carries; null: nobody can be blocked by it. */
  block: BlockTarget | null;
  /**
   * What a route that uses it must prepare before the decision: `fingerprint`,
   * the fingerprint id (else computed after the response, for telemetry only);
   * `body`, the request body read. Null: always at hand.
   */
  needs: "fingerprint" | "body" | null;
  /** The value a token bucket uses when the request has none; absent: the bucket does not apply to it. */
  bucketFallback?: (facts: RequestFacts) => string;
}

/** Reads an operator's target (admin API) into the value a request carries for the dimension, or null; `hint` says what is expected. */
export interface BlockTarget {
  hint: string;
  parse(text: string): string | null;
}

/** An address, or the prefix of the dimension's length, as the dimension's prefix text. */
const prefixTarget =
  (v4Bits: number, v6Bits: number) =>
  (text: string): string | null => {
    const [address, bits, extra] = text.split("/");
    const ip = extra === undefined ? parseIp(address) : null;
    if (!ip) return null;
    const want = ip.version === 4 ? v4Bits : v6Bits;
    if (bits !== undefined && bits !== String(want)) return null;
    return prefixOf(ip, want);
  };

const asnTarget = (text: string): string | null => {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(text);
  const n = match ? Number(match[1]) : Number.NaN;
  return n >= 1 && n <= 4_294_967_295 ? String(n) : null;
};

/** In this order: error messages list the dimensions so, and a request's block keys are checked so. */
export const DIMENSION_TABLE = {
  /** The API key's HMAC; with a key registry, the key's account (its keys count together). */
  key: {
    read: (f) => (f.subject.account ? `account:${f.subject.account.id}` : f.subject.keyHash),
    limits: true,
    clusters: false,
    block: {
      hint: "a key hash: 32 hex characters, as logs show it; with a key registry, account:<id>",
      parse: (t) =>
        /^[0-9a-f]{32}$/i.test(t)
          ? t.toLowerCase()
          : t.startsWith("account:") && ACCOUNT_ID.test(t.slice(8))
            ? t
            : null,
    },
    needs: null,
    // requests without a key share their network's per-key buckets: never unmetered
    bucketFallback: (f) => `keyless@${f.subject.subnet ?? "unknown"}`,
  },
  /** IPv4 /32, IPv6 /64 (one host's usual allocation). */
  ip: {
    read: (f) => f.subject.ipPrefix,
    limits: true,
    clusters: true,
    block: { hint: "an IPv4 or IPv6 address (IPv6: it blocks the /64)", parse: prefixTarget(32, 64) },
    needs: null,
  },
  /** IPv4 /24, IPv6 /48. */
  subnet: {
    read: (f) => f.subject.subnet,
    limits: true,
    clusters: true,
    block: {
      hint: "an address or its /24 (IPv4) or /48 (IPv6) prefix; other ranges belong in geo.deny.ips",
      parse: prefixTarget(24, 48),
    },
    needs: null,
  },
  /** From `request.cf.asn`. */
  asn: {
    read: (f) => (f.subject.asn === null ? null : String(f.subject.asn)),
    limits: true,
    clusters: true,
    block: { hint: "an AS number: 64500 or AS64500", parse: asnTarget },
    needs: null,
  },
  /** From `request.cf.country`. */
  country: { read: (f) => f.subject.country, limits: true, clusters: true, block: null, needs: null },
  /** The client build (src/identity/fingerprint.ts). */
  fingerprint: {
    read: (f) => f.subject.fingerprint || null,
    limits: true,
    clusters: true,
    block: { hint: "a fingerprint id", parse: (t) => (/^[A-Za-z0-9_.:+/=-]{1,128}$/.test(t) ? t : null) },
    needs: "fingerprint",
  },
  /** The whole route, every client together. */
  route: { read: () => "*", limits: true, clusters: false, block: null, needs: null },
  /** The prompt-template id (src/request/template.ts). */
  template: { read: (f) => templateOf(f.body), limits: false, clusters: true, block: null, needs: "body" },
  /** The subject (`sub`) of the request's identity attestation: accounts per verified person. */
  attestation: {
    read: (f) => attestationSubject(f.request.headers),
    limits: false,
    clusters: true,
    block: null,
    needs: null,
  },
} as const satisfies Record<string, DimensionSpec>;

export type AnyDimension = keyof typeof DIMENSION_TABLE;
type Table = typeof DIMENSION_TABLE;
type Where<P extends "limits" | "clusters"> = {
  [D in AnyDimension]: Table[D][P] extends true ? D : never;
}[AnyDimension];

/** What a bucket may be counted by. */
export type Dimension = Where<"limits">;
/** What a cluster may count accounts per. */
export type ClusterDimension = Where<"clusters">;
/** What an operator may block. */
export type BlockDimension = { [D in AnyDimension]: Table[D]["block"] extends null ? never : D }[AnyDimension];

const names = <D extends AnyDimension>(keep: (spec: DimensionSpec) => boolean): readonly D[] =>
  (Object.keys(DIMENSION_TABLE) as AnyDimension[]).filter((d) => keep(DIMENSION_TABLE[d])) as D[];

export const DIMENSIONS: readonly Dimension[] = names((s) => s.limits);
export const CLUSTER_DIMENSIONS: readonly ClusterDimension[] = names((s) => s.clusters);
export const BLOCK_DIMENSIONS: readonly BlockDimension[] = names((s) => s.block !== null);

/** The request's value of a dimension; null when it has none. */
export const dimensionValue = (facts: RequestFacts, dimension: AnyDimension): string | null =>
  DIMENSION_TABLE[dimension].read(facts);

/** The value a token bucket keys the request by: its own, else the dimension's fallback (DimensionSpec.bucketFallback), else null. */
export function bucketValue(facts: RequestFacts, dimension: AnyDimension): string | null {
  const spec: DimensionSpec = DIMENSION_TABLE[dimension];
  return spec.read(facts) ?? spec.bucketFallback?.(facts) ?? null;
}

/** What a route keyed by these dimensions must prepare before its decision (DimensionSpec.needs). */
export function dimensionNeeds(dimensions: Iterable<AnyDimension>): { fingerprint: boolean; body: boolean } {
  const out = { fingerprint: false, body: false };
  for (const d of dimensions) {
    const needs = DIMENSION_TABLE[d].needs;
    if (needs) out[needs] = true;
  }
  return out;
}
