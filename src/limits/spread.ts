import type { SpreadRule } from "../config/types.ts";
import { dimensionValue } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";
import type { CounterRequest } from "./types.ts";

/**
 * Spread: the networks one account uses. Each rule counts, per account (the
 * key's hash, or the registry's account), the distinct ASNs, subnets or
 * countries of its requests over a rolling window, with the store's distinct
 * counters, in the same `take()` as the buckets. An honest key lives on one
 * or two networks (home, office, a phone, a cloud region); a key that hops
 * between residential ISPs or clouds every few requests is a proxy pool,
 * however few requests it sends. Members are hashes of the values, like
 * every other store key part: the store never holds an address.
 *
 * Reason codes: `spread.asns_per_account`, `spread.subnets_per_account`,
 * `spread.countries_per_account`.
 */

export interface PlannedSpread {
  rule: SpreadRule;
  /** The counter's index among the take's counters. */
  counter: number;
}

const CODES = {
  asn: "spread.asns_per_account",
  subnet: "spread.subnets_per_account",
  country: "spread.countries_per_account",
} as const;

/** Plans the request's spread counters, indexed from `firstCounter`; none for a request without a key. */
export async function planSpreads(
  rules: readonly SpreadRule[],
  facts: RequestFacts,
  prefix: string,
  hash: (text: string) => Promise<string>,
  firstCounter: number,
): Promise<{ spreads: PlannedSpread[]; counters: CounterRequest[] }> {
  const account = rules.length > 0 ? dimensionValue(facts, "key") : null;
  const spreads: PlannedSpread[] = [];
  const counters: CounterRequest[] = [];
  if (account === null) return { spreads, counters };
  for (const rule of rules) {
    const value = dimensionValue(facts, rule.count);
    if (value === null) continue;
    // the same texts the buckets and blocks hash ("key=…", "subnet=…"): hashed once per request
    const [who, member] = await Promise.all([hash(`key=${account}`), hash(`${rule.count}=${value}`)]);
    spreads.push({ rule, counter: firstCounter + counters.length });
    // the account's spread counters share one record: one read, at most one write per take
    counters.push({
      key: `${prefix}:~${who}`,
      field: `${rule.name}:${rule.windowSeconds}`,
      member,
      windowSeconds: rule.windowSeconds,
      own: true,
    });
  }
  return { spreads, counters };
}

/** The findings of the accounts over a rule: flag or block, with the count in the detail. */
export function judgeSpreads(planned: readonly PlannedSpread[], counts: readonly number[]): Finding[] {
  return planned.flatMap(({ rule, counter }) => {
    const count = counts[counter] ?? 0;
    if (count <= rule.max) return [];
    const detail = `${rule.name}: ${count} ${rule.count} values > ${rule.max} in ${rule.windowSeconds}s`;
    return [finding(CODES[rule.count], rule.action, { detail, risk: 0.5 })];
  });
}
