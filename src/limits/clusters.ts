import { templateOf } from "../checks/template.ts";
import type { RequestFacts } from "../config/types.ts";
import type { Finding } from "../verdict/types.ts";
import { dimensionValue, type LimitRule } from "./rules.ts";
import type { BucketRequest, CounterRequest } from "./types.ts";

/**
 * Clusters: many accounts sharing what one operator cannot cheaply vary per
 * account (a client build, a network, a prompt template). Each cluster rule
 * counts the distinct accounts (API-key hashes) seen per value of its
 * dimensions over a rolling window, with the store's distinct counters, in the
 * same `take()` as the token buckets. Over `maxAccounts`, its action applies
 * to every member:
 *
 * - `flag`: the request goes on, and the origin is told (`x-guard-cluster`);
 * - `throttle`: the members share one set of buckets: the route's per-key
 *   buckets with the cluster in place of the key (the cluster is limited as
 *   one account), or the cluster's own `rate`. These are conditional buckets
 *   (`when: counter above maxAccounts`): the script applies them only once the
 *   count, after this request's account, is over the limit;
 * - `block`: the request is denied (403).
 *
 * Reason codes: `cluster.accounts_per_<dimensions>`, such as
 * `cluster.accounts_per_fingerprint_asn` or `cluster.accounts_per_template`.
 */

export const CLUSTER_DIMENSIONS = ["fingerprint", "ip", "subnet", "asn", "country", "template"] as const;
export type ClusterDimension = (typeof CLUSTER_DIMENSIONS)[number];

export interface ClusterRule {
  /** Unique among the route's clusters; names the cluster in headers, telemetry and store keys. */
  name: string;
  by: readonly ClusterDimension[];
  /** More distinct accounts than this in the window puts the cluster over its limit. */
  maxAccounts: number;
  windowSeconds: number;
  action: "flag" | "throttle" | "block";
  /** `throttle` with its own bucket (`rate`); null: the route's per-key buckets, shared. */
  bucket: { capacity: number; refillPerSecond: number } | null;
}

/** A cluster the request belongs to, with the count after this request. */
export interface ClusterState {
  name: string;
  /** `<name>:<16 hex>`: the cluster's identity (a hash of its dimension values), for headers and telemetry. */
  id: string;
  /** Distinct accounts after this request; null when a remembered denial answered without counting. */
  accounts: number | null;
  maxAccounts: number;
  over: boolean;
  action: ClusterRule["action"];
}

/** One cluster of this request, ready for the store: its counter, and the shared buckets of a throttle. */
export interface PlannedCluster {
  rule: ClusterRule;
  id: string;
  counter: CounterRequest;
  /** Shared buckets (throttle), each with the per-key rule it stands in for (null: the cluster's own rate). */
  buckets: Array<{ bucket: Omit<BucketRequest, "when">; rule: LimitRule | null }>;
}

export const clusterCode = (rule: Pick<ClusterRule, "by">): string => `cluster.accounts_per_${rule.by.join("_")}`;

/** The sorted set listing cluster counters over their limit (CounterRequest.over), read by the admin API. */
export const clustersIndexKey = (prefix: string) => `${prefix}:clusters`;

/** A listed counter's key back to its route, rule and id: `<prefix>:<route>:@<rule>:<digest>:accounts`. */
export function readClusterCounterKey(prefix: string, key: string): { route: string; rule: string; id: string } | null {
  const parts = key.split(":");
  if (parts.length !== 5 || parts[0] !== prefix || !parts[2]!.startsWith("@") || parts[4] !== "accounts") return null;
  const rule = parts[2]!.slice(1);
  return { route: parts[1]!, rule, id: `${rule}:${parts[3]!.slice(0, 16)}` };
}

/** The rule's own bucket as a LimitRule: for limit states and headers. */
export const ownBucketRule = (c: ClusterRule): LimitRule => ({
  name: `@${c.name}`,
  by: [],
  capacity: c.bucket!.capacity,
  refillPerSecond: c.bucket!.refillPerSecond,
  cost: "request",
});

/** The value of a cluster dimension for this request; null when it has none (the cluster then does not apply). */
export function clusterDimensionValue(facts: RequestFacts, dimension: ClusterDimension): string | null {
  return dimension === "template" ? templateOf(facts.body) : dimensionValue(facts.subject, dimension);
}

/**
 * Plans the request's clusters: one counter each (the member is the API-key
 * hash; a request without a key joins no cluster), and for a throttle its
 * shared buckets. `costOf` gives a per-key rule's cost for this request (1, or
 * the token estimate), so the shared bucket is charged what the key's is.
 */
export async function planClusters(
  clusters: readonly ClusterRule[],
  keyRules: readonly LimitRule[],
  facts: RequestFacts,
  prefix: string,
  routeName: string,
  hash: (text: string) => Promise<string>,
  costOf: (rule: LimitRule) => number,
): Promise<PlannedCluster[]> {
  const member = facts.subject.keyHash;
  if (!member || clusters.length === 0) return [];
  const out: PlannedCluster[] = [];
  for (const rule of clusters) {
    const parts: string[] = [];
    for (const d of rule.by) {
      const value = clusterDimensionValue(facts, d);
      if (value === null) break;
      parts.push(`${d}=${value}`);
    }
    if (parts.length < rule.by.length) continue;
    const digest = await hash(parts.join("\n"));
    const base = `${prefix}:${routeName}:@${rule.name}:${digest}`;
    const buckets: PlannedCluster["buckets"] = [];
    if (rule.action === "throttle") {
      if (rule.bucket) {
        buckets.push({ bucket: { key: `${base}:bucket`, capacity: rule.bucket.capacity, refillPerSecond: rule.bucket.refillPerSecond, cost: 1 }, rule: null });
      } else {
        for (const k of keyRules) {
          // the key's other dimensions stay: a rule by key and subnet becomes one by cluster and subnet
          const rest: string[] = [];
          for (const d of k.by) if (d !== "key") rest.push(`${d}=${dimensionValue(facts.subject, d) ?? ""}`);
          const key = rest.length ? `${base}:${k.name}:${await hash(rest.join("\n"))}` : `${base}:${k.name}`;
          buckets.push({ bucket: { key, capacity: k.capacity, refillPerSecond: k.refillPerSecond, cost: costOf(k) }, rule: k });
        }
      }
    }
    out.push({
      rule,
      id: `${rule.name}:${digest.slice(0, 16)}`,
      // listed while over its limit, for the admin API (readClusterCounterKey reads the key back)
      counter: { key: `${base}:accounts`, member, windowSeconds: rule.windowSeconds, over: { above: rule.maxAccounts, registry: clustersIndexKey(prefix) } },
      buckets,
    });
  }
  return out;
}

const RISK = 0.5;

/** Per planned cluster (same order): its state, and its finding when over the limit (flag, or block). */
export function judgeClusters(planned: readonly PlannedCluster[], counts: readonly number[]): Array<{ state: ClusterState; finding: Finding | null }> {
  return planned.map((p, i) => {
    const accounts = counts[i] ?? 0;
    const over = accounts > p.rule.maxAccounts;
    const state: ClusterState = { name: p.rule.name, id: p.id, accounts, maxAccounts: p.rule.maxAccounts, over, action: p.rule.action };
    if (!over) return { state, finding: null };
    const reason = { check: "cluster" as const, code: clusterCode(p.rule), detail: `${p.id}: ${accounts} accounts > ${p.rule.maxAccounts} in ${p.rule.windowSeconds}s` };
    // a throttle's denial comes from its shared buckets (the limiter); with room there, the member is flagged
    const finding: Finding =
      p.rule.action === "block" ? { reason, action: "block", status: 403, final: true, risk: RISK } : { reason, action: "flag", risk: RISK };
    return { state, finding };
  });
}

/** The finding of a throttled cluster whose shared buckets lack room (accounts null: answered from the denial cache). */
export function clusterThrottle(p: PlannedCluster, accounts: number | null, retryAfterSeconds: number): Finding {
  const count = accounts === null ? `over ${p.rule.maxAccounts} accounts` : `${accounts} accounts > ${p.rule.maxAccounts}`;
  const reason = { check: "cluster" as const, code: clusterCode(p.rule), detail: `${p.id}: ${count}, limited as one account` };
  return Number.isFinite(retryAfterSeconds)
    ? { reason, action: "throttle", status: 429, retryAfterSeconds, risk: RISK }
    : { reason, action: "throttle", status: 429, final: true, risk: RISK };
}
