import {
  type CidrEntry,
  createGeoCheck,
  type GeoAction,
  type GeoPolicy,
  type GeoRules,
  type ModelRule,
} from "../checks/geo.ts";
import type { AttestationVerifier } from "../identity/attestation.ts";
import { parseCidr, parseIp } from "../identity/ip.ts";
import { compileGlob, GLOB_PATTERN } from "./glob.ts";
import { readIdentity } from "./identity.ts";
import { isContinentCode, isCountryCode, isRegionCode } from "./places.ts";
import { PRESET_CODES } from "./presets/codes.ts";
import type { PresetCodes } from "./presets/types.ts";
import type { GeoInput, GeoRulesInput, PlaceLists } from "./input.ts";
import { type Obj, type Problems, at, fieldsOf, readArray, readEnum, readObject, stringItem } from "./read.ts";
import { parseWindow } from "./limits.ts";
import type { PureCheck } from "./types.ts";

/**
 * The `geo` section of a route:
 *
 *   { "presets": ["sanctions"], "deny": { "countries": [], "regions": [], "continents": [], "asns": [], "ips": [] },
 *     "allow": { ... }, "tor": "deny", "unknown": "deny", "hosting": "flag",
 *     "models": { "fable-5*": { <the same fields but models>, "identity": { ... } } } }
 *
 * Validated once; every problem is recorded with its path.
 * docs/geo-and-identity.md is the user-facing description; precedence is
 * documented on src/checks/geo.ts.
 */
export interface GeoSection {
  check: PureCheck;
  /** How long a key refused for where it came from stays refused (`taint`); null when not kept. */
  taintMs: number | null;
  /** True when the section has model rules: the pipeline must read the body (once, bounded) and pass it. */
  needsBody: boolean;
}

const RULE_FIELDS = fieldsOf<GeoRulesInput>()(["preset", "presets", "allow", "deny", "tor", "unknown", "hosting"]);
const GEO_FIELDS = fieldsOf<GeoInput>()([...RULE_FIELDS, "models", "taint"]);
/** The codes that taint a key (GeoInput.taint): refused for where it came from, not for its network. */
export const TAINTING_CODES: ReadonlySet<string> = new Set([
  "geo.country_denied",
  "geo.region_denied",
  "geo.continent_denied",
]);
/** Longest taint: 90 days, the longest block (every store key has a TTL). */
export const MAX_TAINT_SECONDS = 90 * 86_400;
const MODEL_FIELDS = fieldsOf<NonNullable<GeoInput["models"]>[string]>()([...RULE_FIELDS, "identity"]);
const LIST_FIELDS = fieldsOf<PlaceLists>()(["countries", "regions", "continents", "asns", "ips"]);
/** What `tor`, `unknown` and `hosting` take: every action of the order, `deny` standing for `block`. */
export const GEO_ACTIONS: readonly GeoAction[] = ["allow", "flag", "degrade", "challenge", "throttle", "deny"];

interface Lists {
  countries: Map<string, string>;
  regions: Map<string, string>;
  continents: Map<string, string>;
  asns: Map<number, string>;
  ips: CidrEntry[];
}

const emptyLists = (): Lists => ({
  countries: new Map(),
  regions: new Map(),
  continents: new Map(),
  asns: new Map(),
  ips: [],
});

const presetLabel = (preset: PresetCodes) => `${preset.name} preset ${preset.date}`;
/** The presets by name: their codes only (presets/codes.ts; the files' names and notes stay out of the Worker). */
const PRESETS = new Map(PRESET_CODES.map((preset) => [preset.name, preset]));
const HOSTING = PRESETS.get("hosting")!;
const codesOf = (list: string) => (list ? list.split(" ") : []);

function readPresets(obj: Obj, path: string, p: Problems): PresetCodes[] {
  const known = [...PRESETS.keys()];
  const valid = stringItem(p, (name) => PRESETS.has(name), `a preset name (${known.join(", ")})`);
  const names = [...(readArray(obj, "presets", path, p, valid) ?? [])];
  if (obj.preset !== undefined) {
    const one = valid(obj.preset, at(path, "preset"));
    if (one !== undefined) names.push(one);
  }
  return [...new Set(names)].map((n) => PRESETS.get(n)!);
}

/** `13335`, `"AS13335"` or `"13335"`: a 32-bit AS number, not 0. */
export function readAsn(value: unknown): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^(AS)?\d{1,10}$/i.test(value)
        ? Number(value.replace(/^AS/i, ""))
        : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 0xffffffff ? n : undefined;
}

/** True for a CIDR that is valid but for bits set past its prefix (`10.0.0.1/8`). */
function hostBitsSet(text: string): boolean {
  const [address = "", bits] = text.split("/");
  const ip = parseIp(address);
  if (!ip || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  const v6 = address.includes(":");
  return n <= (v6 ? 128 : 32) && (!v6 || ip.version === 6 || n >= 96);
}

const cidrKey = (e: CidrEntry) => `${e.cidr.version}:${Array.from(e.cidr.network).join(".")}/${e.cidr.bits}`;

/** Reads one side's lists; `clash` names the other side's entry an item collides with, if any. */
function readLists(
  obj: Obj | undefined,
  path: string,
  p: Problems,
  into: Lists,
  clash: (field: (typeof LIST_FIELDS)[number], key: string | number) => string | undefined,
): void {
  if (!obj) return;
  const code = (v: unknown) => (typeof v === "string" ? v.trim().toUpperCase() : v);
  const add = <K>(field: (typeof LIST_FIELDS)[number], map: Map<K, string>, key: K, itemPath: string) => {
    const other = clash(field, key as string | number);
    if (other !== undefined)
      p.add(itemPath, `${JSON.stringify(key)} is also in ${other}; an entry cannot be both allowed and denied`);
    else if (!map.has(key)) map.set(key, "");
  };

  readArray(obj, "countries", path, p, (v, itemPath) => {
    const c = code(v);
    if (c === "T1" || c === "XX") {
      p.add(itemPath, `${JSON.stringify(c)} is not a country: use the ${c === "T1" ? "tor" : "unknown"} policy`);
      return undefined;
    }
    const ok = stringItem(p, isCountryCode, "an ISO 3166-1 alpha-2 code")(c, itemPath);
    if (ok) add("countries", into.countries, ok, itemPath);
    return ok;
  });
  readArray(obj, "regions", path, p, (v, itemPath) => {
    const ok = stringItem(p, isRegionCode, 'an ISO 3166-2 code such as "UA-43"')(code(v), itemPath);
    if (ok) add("regions", into.regions, ok, itemPath);
    return ok;
  });
  readArray(obj, "continents", path, p, (v, itemPath) => {
    const ok = stringItem(p, isContinentCode, "one of AF, AN, AS, EU, NA, OC, SA")(code(v), itemPath);
    if (ok) add("continents", into.continents, ok, itemPath);
    return ok;
  });
  readArray(obj, "asns", path, p, (v, itemPath) => {
    const asn = readAsn(v);
    if (asn === undefined)
      p.add(itemPath, `must be an AS number such as 13335 or "AS13335" (got ${JSON.stringify(v)})`);
    else add("asns", into.asns, asn, itemPath);
    return asn;
  });
  readArray(obj, "ips", path, p, (v, itemPath) => {
    if (typeof v !== "string") {
      p.add(itemPath, "must be an IPv4 or IPv6 address or CIDR range");
      return undefined;
    }
    const cidr = parseCidr(v.trim());
    if (!cidr) {
      const hint = hostBitsSet(v.trim()) ? " with no bits set past the prefix" : "";
      p.add(
        itemPath,
        `must be an IPv4 or IPv6 address or CIDR range such as "203.0.113.0/24" or "2001:db8::/32"${hint} (got ${JSON.stringify(v)})`,
      );
      return undefined;
    }
    const entry = { cidr, text: v.trim() };
    const other = clash("ips", cidrKey(entry));
    if (other !== undefined)
      p.add(itemPath, `${JSON.stringify(v)} is also in ${other}; an entry cannot be both allowed and denied`);
    else into.ips.push(entry);
    return cidr;
  });
}

/** The rule fields shared by a route's section and its model rules. */
function readRules(obj: Obj, path: string, p: Problems): GeoRules {
  const presets = readPresets(obj, path, p);
  const deny = emptyLists();
  const allow = emptyLists();

  // preset entries first: an entry the config repeats keeps the preset as its source, one in two presets the first
  const keepFirst = <K>(map: Map<K, string>, key: K, label: string) => {
    if (!map.has(key)) map.set(key, label);
  };
  for (const preset of presets.filter((x) => x.kind === "deny")) {
    for (const c of codesOf(preset.countries)) keepFirst(deny.countries, c, presetLabel(preset));
    for (const r of codesOf(preset.regions)) keepFirst(deny.regions, r, presetLabel(preset));
    for (const a of codesOf(preset.asns)) keepFirst(deny.asns, Number(a), presetLabel(preset));
  }
  const denyObj = obj.deny === undefined ? undefined : readObject(obj.deny, at(path, "deny"), p, LIST_FIELDS);
  const allowObj = obj.allow === undefined ? undefined : readObject(obj.allow, at(path, "allow"), p, LIST_FIELDS);
  readLists(denyObj, at(path, "deny"), p, deny, () => undefined);

  const denyIps = new Set(deny.ips.map(cidrKey));
  readLists(allowObj, at(path, "allow"), p, allow, (field, key) => {
    if (field === "ips") return denyIps.has(key as string) ? "deny.ips" : undefined;
    const source = (deny[field] as Map<string | number, string>).get(key);
    return source === undefined ? undefined : source ? `deny.${field} (the ${source})` : `deny.${field}`;
  });

  const restrictsLocation = [deny, allow].some((l) => l.countries.size + l.regions.size + l.continents.size > 0);
  const placeDefault: GeoAction = restrictsLocation ? "deny" : "allow";
  const tor = readEnum(obj, "tor", path, p, GEO_ACTIONS) ?? placeDefault;
  const unknown = readEnum(obj, "unknown", path, p, GEO_ACTIONS) ?? placeDefault;

  // naming the preset turns it on (deny); a hosting action other than allow does too
  const hostingAction =
    readEnum(obj, "hosting", path, p, GEO_ACTIONS) ?? (presets.includes(HOSTING) ? "deny" : "allow");
  const hostingAsns = new Map(codesOf(HOSTING.asns).map((a) => [Number(a), presetLabel(HOSTING)]));

  // a region entry makes a request from its country without a region unknown, unless the entry cannot change
  // the outcome: a denied region of a country denied whole (CN-HK with CN)
  const countryOf = (region: string) => region.slice(0, region.indexOf("-"));
  const regionCountries = new Set([
    ...[...deny.regions.keys()].map(countryOf).filter((c) => !deny.countries.has(c)),
    ...[...allow.regions.keys()].map(countryOf),
  ]);
  return {
    allow,
    deny,
    regionCountries,
    tor,
    unknown,
    hosting: hostingAction === "allow" ? null : { action: hostingAction, asns: hostingAsns },
  };
}

function readModels(value: unknown, path: string, p: Problems): ModelRule[] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    p.add(path, 'must be an object of model-name patterns, such as { "fable-5*": { ... } }');
    return [];
  }
  const out: ModelRule[] = [];
  for (const [pattern, raw] of Object.entries(value as Obj)) {
    const rulePath = at(path, pattern);
    if (!GLOB_PATTERN.test(pattern)) {
      p.add(rulePath, "must be a model-name pattern of printable characters, with * and ? as wildcards");
      continue;
    }
    const obj = readObject(raw, rulePath, p, MODEL_FIELDS);
    if (!obj) continue;
    const rules = readRules(obj, rulePath, p);
    let identity: AttestationVerifier | null = null;
    if (obj.identity !== undefined) identity = readIdentity(obj.identity, at(rulePath, "identity"), p) ?? null;
    out.push({ pattern, match: compileGlob(pattern), rules, identity });
  }
  return out;
}

/**
 * Reads a route's `geo` section (at `path`, such as `routes[0].geo`) into a
 * check. Undefined when the section is absent or has problems (each recorded in `p`).
 */
export function parseGeo(raw: unknown, path: string, p: Problems): GeoSection | undefined {
  if (raw === undefined) return undefined;
  const before = p.list.length;
  const obj = readObject(raw, path, p, GEO_FIELDS);
  if (!obj) return undefined;
  const policy: GeoPolicy = { rules: readRules(obj, path, p), models: readModels(obj.models, at(path, "models"), p) };
  let taintMs: number | null = null;
  if (obj.taint !== undefined) {
    const seconds = parseWindow(obj.taint);
    if (seconds === null || seconds > MAX_TAINT_SECONDS)
      p.add(at(path, "taint"), `must be a duration up to 90 days, such as "30d" (got ${JSON.stringify(obj.taint)})`);
    else taintMs = seconds * 1000;
  }
  if (p.list.length > before) return undefined;
  return { check: createGeoCheck(policy), needsBody: policy.models.length > 0, taintMs };
}
