import type { ClusterRule, LimitRule } from "../config/types.ts";
import { dimensionValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";
import { isAbove } from "./bucket.ts";
import type { BucketRequest, CountAbove, CounterRequest } from "./types.ts";

/**
 * Clusters: many accounts sharing what one operator cannot cheaply vary per
 * account (a client build, a network, a prompt template). Each cluster rule
 * counts the distinct accounts (API-key hashes) seen per value of its
 * dimensions over a rolling window, with the store's distinct counters, in the
 * same `take()` as the token buckets. Rules of the same name, dimensions and
 * window on several routes count together. Over `maxAccounts`, its action applies
 * to every member. With `maxAddresses`, the cluster also counts its members'
 * distinct addresses (IPv4 /32, IPv6 /64) and is over its limit only when
 * both counts are: many accounts from one or a few addresses is a company's
 * or a hosted service's NAT, many accounts rotating through many addresses of
 * one subnet is a farm evading per-address limits.
 *
 * - `flag`: the request goes on, and the origin is told (`x-guard-cluster`);
 * - `throttle`: the members share one set of buckets: the route's per-key
 *   buckets with the cluster in place of the key (the cluster is limited as
 *   one account), or the cluster's own `rate`. These are conditional buckets
 *   (`when: counter above maxAccounts`, and the address counter above
 *   maxAddresses): the script applies them only once the counts, after this
 *   request, are over the limit;
 * - `block`: the request is denied (403).
 *
 * Reason codes: `cluster.accounts_per_<dimensions>`, such as
 * `cluster.accounts_per_fingerprint_asn` or `cluster.accounts_per_template`.
 */

/** A cluster the request belongs to, with the count after this request. */
export interface ClusterState {
  name: string;
  /** `<name>:<16 hex>`: the cluster's identity (a hash of its window and dimension values), for headers and telemetry. */
  id: string;
  /** Distinct accounts after this request; null when a remembered denial answered without counting. */
  accounts: number | null;
  maxAccounts: number;
  /** Distinct addresses after this request, for a cluster with `maxAddresses` (else null, as when not counted). */
  addresses: number | null;
  maxAddresses: number | null;
  over: boolean;
  action: ClusterRule["action"];
}

/** One cluster of this request, ready for the store: its counters, and the shared buckets of a throttle. */
export interface PlannedCluster {
  rule: ClusterRule;
  id: string;
  /** The distinct-account counter, then (with `maxAddresses`) the distinct-address one. */
  counters: CounterRequest[];
  /**
   * When the cluster is over its limit, by the counters' indexes among every
   * planned cluster's counters in order (as the take() receives them).
   */
  over: CountAbove & { and?: CountAbove };
  /** Shared buckets (throttle), each with the per-key rule it stands in for (null: the cluster's own rate). */
  buckets: Array<{ bucket: Omit<BucketRequest, "when">; rule: LimitRule | null }>;
}

export const clusterCode = (rule: Pick<ClusterRule, "by" | "newKeysMs">) =>
  rule.newKeysMs === null
    ? (`cluster.accounts_per_${rule.by.join("_")}` as const)
    : (`cluster.new_accounts_per_${rule.by.join("_")}` as const);

/** The sorted set listing cluster counters over their limit (CounterRequest.over), read by the admin API. */
export const clustersIndexKey = (prefix: string) => `${prefix}:clusters`;

/** A listed counter's name (counterId) back to its rule and id: `<prefix>:@<values digest>:<rule>:<16 hex>:accounts`. */
export function readClusterCounterKey(prefix: string, key: string): { rule: string; id: string } | null {
  const parts = key.split(":");
  if (parts.length !== 5 || parts[0] !== prefix || !parts[1]!.startsWith("@") || parts[4] !== "accounts") return null;
  return { rule: parts[2]!, id: `${parts[2]}:${parts[3]}` };
}

/** The rule's own bucket as a LimitRule: for limit states and headers. */
export const ownBucketRule = (c: ClusterRule): LimitRule => ({
  name: `@${c.name}`,
  by: [],
  capacity: c.bucket!.capacity,
  refillPerSecond: c.bucket!.refillPerSecond,
  cost: "request",
});

/**
 * Plans the request's clusters: a distinct-account counter each (the member
 * is the API-key hash; a request without a key joins no cluster), a
 * distinct-address counter for those with `maxAddresses`, and for a throttle its
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
  // the member is the account (the key's, with a registry): a request without a key joins no cluster
  const member = dimensionValue(facts, "key");
  if (!member || clusters.length === 0) return [];
  const out: PlannedCluster[] = [];
  let counterIndex = 0;
  for (const rule of clusters) {
    const parts: string[] = [];
    for (const d of rule.by) {
      const value = dimensionValue(facts, d);
      if (value === null) break;
      parts.push(`${d}=${value}`);
    }
    if (parts.length < rule.by.length) continue;
    const maxAddresses = rule.maxAddresses ?? null;
    const ip = maxAddresses === null ? null : dimensionValue(facts, "ip");
    if (maxAddresses !== null && ip === null) continue;
    // Counted across routes: a farm splitting its requests between two APIs is one cluster. The window is
    // part of the identity, so rules of one name but other windows never share counter slots.
    const age = rule.newKeysMs === null ? "" : `new=${rule.newKeysMs}\n`;
    const digest = await hash(`window=${rule.windowSeconds}\n${age}${parts.join("\n")}`);
    const id = `${rule.name}:${digest.slice(0, 16)}`;
    // The counters of every cluster on the same values (other windows, cohorts of new keys) share one record: one
    // read, at most one write per take. A single dimension's text is the one its buckets hash ("subnet=…").
    const record = `${prefix}:@${await hash(parts.join("\n"))}`;
    // a throttle's shared buckets stand in for the route's per-key buckets, so they stay per route like those
    const base = `${prefix}:${routeName}:@${rule.name}:${digest}`;
    const buckets: PlannedCluster["buckets"] = [];
    if (rule.action === "throttle") {
      if (rule.bucket) {
        buckets.push({
          bucket: {
            key: base,
            field: "@own",
            capacity: rule.bucket.capacity,
            refillPerSecond: rule.bucket.refillPerSecond,
            cost: 1,
          },
          rule: null,
        });
      } else {
        for (const k of keyRules) {
          // the key's other dimensions stay: a rule by key and subnet becomes one by cluster and subnet
          const rest: string[] = [];
          for (const d of k.by) if (d !== "key") rest.push(`${d}=${dimensionValue(facts, d) ?? ""}`);
          // the rules with the same other dimensions share a key, each its own field
          const key = rest.length ? `${base}:${await hash(rest.join("\n"))}` : base;
          buckets.push({
            bucket: { key, field: k.name, capacity: k.capacity, refillPerSecond: k.refillPerSecond, cost: costOf(k) },
            rule: k,
          });
        }
      }
    }
    const accountsAt = counterIndex++;
    const over: PlannedCluster["over"] = { counter: accountsAt, above: rule.maxAccounts };
    if (maxAddresses !== null) over.and = { counter: counterIndex++, above: maxAddresses };
    // a cohort counts only new keys (the take's first-seen record)
    const cohort = rule.newKeysMs === null ? {} : { newWithinMs: rule.newKeysMs };
    // listed while over its limit, for the admin API (readClusterCounterKey reads the counter's name back)
    const counters: CounterRequest[] = [
      {
        key: record,
        field: `${id}:accounts`,
        member,
        windowSeconds: rule.windowSeconds,
        over: { above: rule.maxAccounts, registry: clustersIndexKey(prefix), ...(over.and ? { and: over.and } : {}) },
        ...cohort,
      },
    ];
    // the address is hashed like a bucket key's value: no raw address reaches the store
    if (over.and)
      counters.push({
        key: record,
        field: `${id}:addresses`,
        member: await hash(`ip=${ip}`),
        windowSeconds: rule.windowSeconds,
        ...cohort,
      });
    out.push({ rule, id, counters, over, buckets });
  }
  return out;
}

const RISK = 0.5;

/** Per planned cluster (same order): its state, and its finding when over the limit (flag, or block). `counts`: every planned counter's, in order. */
export function judgeClusters(
  planned: readonly PlannedCluster[],
  counts: readonly number[],
): Array<{ state: ClusterState; finding: Finding | null }> {
  return planned.map((p) => {
    const accounts = counts[p.over.counter] ?? 0;
    const addresses = p.over.and ? (counts[p.over.and.counter] ?? 0) : null;
    const over = isAbove(p.over, counts) && (!p.over.and || isAbove(p.over.and, counts));
    const state = clusterState(p, accounts, addresses, over);
    if (!over) return { state, finding: null };
    const from = addresses === null ? "" : ` from ${addresses} addresses > ${p.rule.maxAddresses}`;
    const detail = `${p.id}: ${accounts} accounts > ${p.rule.maxAccounts}${from} in ${p.rule.windowSeconds}s`;
    // a throttle's denial comes from its shared buckets (the limiter); with room there, the member is flagged
    const action = p.rule.action === "throttle" ? "flag" : p.rule.action;
    return { state, finding: finding(clusterCode(p.rule), action, { detail, risk: RISK }) };
  });
}

/** A planned cluster's state with these counts (null: not counted, answered from the denial cache, where it is over). */
export function clusterState(
  p: PlannedCluster,
  accounts: number | null,
  addresses: number | null,
  over = true,
): ClusterState {
  const { name, maxAccounts, maxAddresses, action } = p.rule;
  return { name, id: p.id, accounts, maxAccounts, addresses, maxAddresses, over, action };
}

/** The finding of a throttled cluster whose shared buckets lack room (accounts null: answered from the denial cache). */
export function clusterThrottle(p: PlannedCluster, accounts: number | null, retryAfterSeconds: number): Finding {
  const count =
    accounts === null ? `over ${p.rule.maxAccounts} accounts` : `${accounts} accounts > ${p.rule.maxAccounts}`;
  const detail = `${p.id}: ${count}, limited as one account`;
  return Number.isFinite(retryAfterSeconds)
    ? finding(clusterCode(p.rule), "throttle", { detail, retryAfterSeconds, risk: RISK })
    : finding(clusterCode(p.rule), "throttle", { detail, final: true, risk: RISK });
}
