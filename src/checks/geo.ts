import type { PureCheck } from "../config/types.ts";
import type { RequestFacts } from "../request/facts.ts";
import type { AttestationVerifier } from "../identity/attestation.ts";
import { type Cidr, cidrContains } from "../identity/ip.ts";
import type { Subject } from "../identity/subject.ts";
import { type ReasonCode, finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";

/**
 * The geo, network and identity check. It judges a request against a policy
 * compiled once by `parseGeo` (src/config/geo.ts); per request it does set
 * look-ups and a short prefix scan, and no I/O except an identity rule's JWKS.
 *
 * Precedence, for locations and networks alike: the most specific entry that
 * matches decides (region over country over continent; a longer IP prefix
 * over a shorter one, any IP entry over an ASN entry); at the same level deny
 * wins. When no entry matches, a policy with any allow entry of that kind
 * (location, network) denies; one without lets the request through. Location
 * and network are judged separately and a request must pass both.
 */

/**
 * What a Tor exit, a request of unknown location or a hosting network gets: any action of the order
 * (src/verdict/actions.ts), `deny` standing for `block`.
 */
export type GeoAction = "allow" | "flag" | "degrade" | "challenge" | "throttle" | "deny";

export interface CidrEntry {
  cidr: Cidr;
  /** The entry as configured, for details. */
  text: string;
}

/** Lists of one side (allow or deny). Map values name the entry's source: "" for the config's own, else the preset. */
export interface RuleLists {
  countries: ReadonlyMap<string, string>;
  regions: ReadonlyMap<string, string>;
  continents: ReadonlyMap<string, string>;
  asns: ReadonlyMap<number, string>;
  ips: readonly CidrEntry[];
}

export interface GeoRules {
  allow: RuleLists;
  deny: RuleLists;
  /** Countries where a region entry can decide (not only denied regions of a country denied whole): a request from one without a region is of unknown location. */
  regionCountries: ReadonlySet<string>;
  tor: GeoAction;
  unknown: GeoAction;
  /** The hosting preset's ASNs and what to do with them; null when off. */
  hosting: { action: Exclude<GeoAction, "allow">; asns: ReadonlyMap<number, string> } | null;
}

export interface ModelRule {
  /** The glob as configured (details name it; the client's model string never reaches a header). */
  pattern: string;
  match: RegExp;
  rules: GeoRules;
  identity: AttestationVerifier | null;
}

export interface GeoPolicy {
  rules: GeoRules;
  /** Every rule whose pattern matches the body's model applies. */
  models: readonly ModelRule[];
}

const FLAG_RISK: Partial<Record<ReasonCode, number>> = {
  "geo.tor": 0.6,
  "geo.unknown_location": 0.3,
  "network.hosting": 0.4,
};

const block = (code: ReasonCode, detail: string): Finding => finding(code, "block", { detail, risk: 1 });

/** The finding for a configured action (Tor, unknown location, hosting); null for allow. */
function byAction(action: GeoAction, code: ReasonCode, detail: string): Finding | null {
  if (action === "allow") return null;
  if (action === "deny") return block(code, detail);
  // throttle: answered like a rate limit (429, retryable) once the signal budget is spent, not as a final denial
  if (action === "throttle") return finding(code, "throttle", { detail, risk: 0.5 });
  return finding(code, action, { detail, risk: FLAG_RISK[code] ?? 0.3 });
}

const from = (source: string | undefined): string => (source ? ` (${source})` : "");

const allowLevel = (allow: RuleLists): "country" | "region" | "continent" | null =>
  allow.countries.size ? "country" : allow.regions.size ? "region" : allow.continents.size ? "continent" : null;

/** Where the request comes from: null when the location passes. */
export function judgeLocation(rules: GeoRules, s: Subject): Finding | null {
  const { allow, deny } = rules;
  const country = s.country;
  if (country === "T1") return byAction(rules.tor, "geo.tor", "Tor exit");
  if (!country || country === "XX") return byAction(rules.unknown, "geo.unknown_location", "no country");

  if (s.region) {
    if (deny.regions.has(s.region))
      return block("geo.region_denied", `region ${s.region}${from(deny.regions.get(s.region))}`);
    if (allow.regions.has(s.region)) return null;
  } else if (rules.regionCountries.has(country)) {
    // the policy names regions of this country, and we cannot tell which one the client is in
    return byAction(rules.unknown, "geo.unknown_location", `no region in ${country}`);
  }

  if (deny.countries.has(country))
    return block("geo.country_denied", `country ${country}${from(deny.countries.get(country))}`);
  if (allow.countries.has(country)) return null;

  const continent = s.continent;
  if (continent && continent !== "T1") {
    if (deny.continents.has(continent)) {
      return block("geo.continent_denied", `continent ${continent}${from(deny.continents.get(continent))}`);
    }
    if (allow.continents.has(continent)) return null;
  } else if (deny.continents.size || allow.continents.size) {
    return byAction(rules.unknown, "geo.unknown_location", "no continent");
  }

  const level = allowLevel(allow);
  if (!level) return null;
  const where =
    level === "region" && s.region
      ? `region ${s.region}`
      : level === "continent"
        ? `continent ${continent}`
        : `country ${country}`;
  return block(`geo.${level}_denied` as const, `${where} not in the allow list`);
}

/** The longest prefix containing the address among allow and deny entries; on a tie, deny. */
function longestMatch(rules: GeoRules, s: Subject): { side: "allow" | "deny"; entry: CidrEntry } | null {
  const ip = s.ip;
  if (!ip) return null;
  let best: { side: "allow" | "deny"; entry: CidrEntry } | null = null;
  for (const side of ["deny", "allow"] as const) {
    for (const entry of rules[side].ips) {
      if (entry.cidr.version !== ip.version || (best && entry.cidr.bits <= best.entry.cidr.bits)) continue;
      if (cidrContains(entry.cidr, ip)) best = { side, entry };
    }
  }
  return best;
}

/** Which network the request comes from: null when it passes. */
export function judgeNetwork(rules: GeoRules, s: Subject): Finding | null {
  const { allow, deny } = rules;
  const ipMatch = longestMatch(rules, s);
  if (ipMatch?.side === "deny") return block("network.ip_denied", `address in ${ipMatch.entry.text}`);
  if (ipMatch?.side === "allow") return null;

  const asn = s.asn;
  if (asn !== null) {
    if (deny.asns.has(asn)) return block("network.asn_denied", `AS${asn}${from(deny.asns.get(asn))}`);
    if (allow.asns.has(asn)) return null;
  }
  if (allow.asns.size)
    return block("network.asn_denied", `${asn === null ? "no ASN" : `AS${asn}`} not in the allow list`);
  if (allow.ips.length) return block("network.ip_denied", `${s.ip ? "address" : "no address"} not in the allow list`);

  const hosting = rules.hosting;
  if (hosting && asn !== null && hosting.asns.has(asn)) {
    return byAction(hosting.action, "network.hosting", `AS${asn}${from(hosting.asns.get(asn))}`);
  }
  return null;
}

/** The route's (or a model rule's) findings: location first, then network. */
function judge(rules: GeoRules, s: Subject): Finding[] {
  const out: Finding[] = [];
  const place = judgeLocation(rules, s);
  if (place) out.push(place);
  const network = judgeNetwork(rules, s);
  if (network) out.push(network);
  return out;
}

/** Findings of a model rule: location denials become `geo.model_restricted`; every detail names the rule. */
function underModelRule(rule: ModelRule, f: Finding): Finding {
  const detail = `model rule "${rule.pattern}": ${f.reason.detail}`;
  const code = f.action === "block" && f.reason.check === "geo" ? "geo.model_restricted" : f.reason.code;
  return { ...f, reason: { ...f.reason, code, detail } };
}

const blocks = (findings: readonly Finding[]) => findings.some((f) => f.action === "block");

export const INVALID_JSON: Finding = finding("request.invalid_json", "block", {
  detail: "the route has model rules and the body is not JSON",
  risk: 0,
});

export const MODEL_UNKNOWN: Finding = finding("request.model_unknown", "block", {
  detail: "the route has model rules and the body names no model the gateway can read",
  risk: 0,
});

async function attest(findings: Finding[], rules: readonly ModelRule[], facts: RequestFacts): Promise<Finding[]> {
  for (const rule of rules) {
    if (!rule.identity) continue;
    const outcome = await rule.identity(facts.request.headers, facts.subject);
    if (outcome.ok) continue;
    const detail = `model rule "${rule.pattern}": ${outcome.detail}`;
    // the registry says which may succeed on a retry (keys we could not fetch may be back)
    findings.push(
      finding(outcome.code, "block", { detail, risk: outcome.code === "identity.keys_unavailable" ? 0 : 1 }),
    );
    return findings;
  }
  return findings;
}

/** The check for one route, from its compiled policy. Synchronous unless an identity rule applies. */
export function createGeoCheck(policy: GeoPolicy): PureCheck {
  return (facts) => {
    const findings = judge(policy.rules, facts.subject);
    if (blocks(findings) || policy.models.length === 0) return findings;

    const body = facts.body;
    // An empty body (or none read) names no model. A non-empty one must be JSON that names its models
    // (a model call, a batch): one that does not could ask for any model, so it is refused, not waved through.
    if (body && body.bytes.byteLength > 0) {
      if (body.json === undefined) return [...findings, INVALID_JSON];
      if (body.models === null || body.models.length === 0) return [...findings, MODEL_UNKNOWN];
    }
    const models = body?.models ?? [];
    // every rule that matches any of the body's models applies once (a batch may name several)
    const matched = policy.models.filter((m) => models.some((model) => m.match.test(model)));
    for (const rule of matched)
      for (const f of judge(rule.rules, facts.subject)) findings.push(underModelRule(rule, f));
    if (blocks(findings) || !matched.some((m) => m.identity)) return findings;
    return attest(findings, matched, facts);
  };
}
