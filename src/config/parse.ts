import { BLOCK_DIMENSIONS, dimensionNeeds } from "../request/dimensions.ts";
import {
  parseClusters,
  parseHabits,
  parseSpreads,
  parseLimits,
  parseSignalBudget,
  parseUnprovenBudget,
} from "./limits.ts";
import { requireKey } from "../checks/credential.ts";
import { parseContent } from "./content.ts";
import { parseTrust, untrustedOnly } from "./trust.ts";
import { parseFingerprint } from "./fingerprint.ts";
import { parseGeo } from "./geo.ts";
import { parseDegrade } from "./degrade.ts";
import { parseRisk } from "./risk.ts";
import { readIdentity } from "./identity.ts";
import type { AttestationVerifier } from "../identity/attestation.ts";
import { compilePathPattern } from "./routes.ts";
import { CREDENTIAL_HEADERS, defaultCredential } from "./credential.ts";
import {
  type Obj,
  Problems,
  at,
  fieldsOf,
  readArray,
  readBoolean,
  readEnum,
  readNumber,
  readObject,
  readSection,
  readString,
  stringItem,
} from "./read.ts";
import type { ConfigInput, RouteInput } from "./input.ts";
import type { AdminConfig, ErrorFormat, GatewayConfig, Mode, PureCheck, RouteConfig, StoreConfig } from "./types.ts";

export type { ConfigInput } from "./input.ts";

export const ERROR_FORMATS: readonly ErrorFormat[] = ["anthropic", "openai", "problem"];
export const MODES: readonly Mode[] = ["enforce", "shadow"];
export const UNMATCHED = ["forward", "404"] as const;
export const KEYLESS = ["share", "refuse"] as const;
export const STORE_ON_ERROR = ["open", "closed", "local"] as const;
export const STORE_CLOCKS = ["redis", "worker"] as const;
export const STORE_PREFIX = /^[A-Za-z0-9_-]{1,32}$/;
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Every default in one place; docs/configuration.md lists the same values. */
export const DEFAULTS = {
  version: "unversioned",
  unmatched: "404",
  errors: "anthropic",
  mode: "enforce",
  maxBodyBytes: 32 * 1024 * 1024,
  originTimeoutMs: 300_000,
  store: { timeoutMs: 150, onError: "local", prefix: "dg", clock: "redis", recoverAfterMs: 1000 },
  admin: { prefix: "/_guard" },
} as const satisfies {
  version: string;
  unmatched: GatewayConfig["unmatched"];
  errors: ErrorFormat;
  mode: Mode;
  maxBodyBytes: number;
  originTimeoutMs: number;
  store: StoreConfig;
  admin: AdminConfig;
};

/** An invalid configuration, with every problem by path. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid distill-guard configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const ROUTE_FIELDS = fieldsOf<RouteInput>()([
  "name",
  "match",
  "mode",
  "errors",
  "maxBodyBytes",
  "originTimeoutMs",
  "geo",
  "fingerprint",
  "content",
  "limits",
  "clusters",
  "spread",
  "habits",
  "providerHeaders",
  "blocks",
  "trust",
  "throttle",
  "keyless",
  "credential",
  "unproven",
  "degrade",
  "challenge",
  "risk",
]);

export const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function parseRoute(raw: unknown, path: string, p: Problems, index: number, top: TopDefaults): RouteConfig | undefined {
  const obj = readObject(raw, path, p, ROUTE_FIELDS);
  if (!obj) return undefined;
  const name = readString(obj, "name", path, p, {
    required: true,
    pattern: ROUTE_NAME,
    patternHint: "letters, digits, '-', '_' or '.', at most 64 characters",
  });
  const match =
    obj.match === undefined
      ? (p.add(at(path, "match"), "is required"), undefined)
      : readSection(obj, "match", path, p, fieldsOf<RouteInput["match"]>()(["path", "paths", "methods"]));
  const matchPath = at(path, "match");
  let paths: string[] = [];
  const pathPatterns: RegExp[] = [];
  let methods: Set<string> | null = null;
  if (match) {
    if (match.path !== undefined && match.paths !== undefined) p.add(matchPath, "give either path or paths, not both");
    const single = match.path !== undefined ? readString(match, "path", matchPath, p) : undefined;
    const many = readArray(match, "paths", matchPath, p, stringItem(p), { nonEmpty: true });
    paths = single !== undefined ? [single] : (many ?? []);
    if (match.path === undefined && match.paths === undefined) p.add(at(matchPath, "path"), "is required");
    paths.forEach((pattern, i) => {
      const compiled = compilePathPattern(pattern);
      const where = single !== undefined ? at(matchPath, "path") : at(at(matchPath, "paths"), i);
      if (compiled) pathPatterns.push(compiled);
      else
        p.add(
          where,
          `must be a path starting with "/" (":name" matches one segment, "*" anything); got ${JSON.stringify(pattern)}`,
        );
    });
    const list = readArray(
      match,
      "methods",
      matchPath,
      p,
      stringItem(p, (m) => HTTP_METHODS.includes(m.toUpperCase()), `an HTTP method (${HTTP_METHODS.join(", ")})`),
    );
    if (list) methods = new Set(list.map((m) => m.toUpperCase()));
  }
  const checks: PureCheck[] = [];
  let needsBody = false;
  // Geo first: a geo denial stops the request before any store call.
  const geo = parseGeo(obj.geo, at(path, "geo"), p);
  if (geo) {
    checks.push(geo.check);
    needsBody ||= geo.needsBody;
  }
  // then the key: a keyless request on a route that refuses it is answered 401 before any store call
  if (readEnum(obj, "keyless", path, p, KEYLESS) === "refuse") checks.push(requireKey);
  const trustedKeys = parseTrust(obj.trust, at(path, "trust"), p);
  // trusted keys, and accounts the key registry trusts, skip the signals
  const signal = (check: PureCheck) => untrustedOnly(trustedKeys ?? new Set(), check);
  const fingerprint = parseFingerprint(obj.fingerprint, at(path, "fingerprint"), p);
  if (fingerprint) checks.push(signal(fingerprint.check));
  const content = parseContent(obj.content, at(path, "content"), p);
  if (content) {
    checks.push(signal(content.check));
    needsBody = true;
  }
  const limits = obj.limits === undefined ? [] : parseLimits(obj.limits, at(path, "limits"), p);
  // token-weighted buckets are charged an estimate made from the body
  needsBody ||= limits.some((r) => r.cost === "tokens");
  // a throttled cluster shares the key's rates, not its quotas
  const keyLimits = limits.filter((l) => l.by.includes("key") && !l.quotaWindowSeconds).map((l) => l.name);
  const clusters = parseClusters(obj.clusters, at(path, "clusters"), p, keyLimits);
  const spreads = parseSpreads(obj.spread, at(path, "spread"), p);
  // a reasoning request is what the content checks find; a single-shot one is read from the body
  const habits = parseHabits(obj.habits, at(path, "habits"), p, content !== null && content !== undefined);
  needsBody ||= habits.length > 0;
  // (read in this order: problems are listed in it)
  const mode = readEnum(obj, "mode", path, p, MODES) ?? top.mode;
  const errors = readEnum(obj, "errors", path, p, ERROR_FORMATS) ?? top.errors;
  const credential = readEnum(obj, "credential", path, p, CREDENTIAL_HEADERS) ?? defaultCredential(errors);
  const maxBodyBytes = readNumber(obj, "maxBodyBytes", path, p, { integer: true, min: 1 }) ?? top.maxBodyBytes;
  const originTimeoutMs = readNumber(obj, "originTimeoutMs", path, p, { integer: true, min: 1 }) ?? top.originTimeoutMs;
  const signalBudget = parseSignalBudget(obj.throttle, at(path, "throttle"), p);
  const unprovenBudget = parseUnprovenBudget(obj.unproven, at(path, "unproven"), p);
  const providerHeaders = readBoolean(obj, "providerHeaders", path, p) ?? false;
  // Blocks ride along with the limits' store call: on by default where there is one.
  const blocks =
    readBoolean(obj, "blocks", path, p) ??
    (limits.length > 0 || clusters.length > 0 || spreads.length > 0 || habits.length > 0);
  const degrade = parseDegrade(obj.degrade, at(path, "degrade"), p);
  const used = actionsUsed(obj);
  const risk = parseRisk(obj.risk, at(path, "risk"), p);
  for (const tier of risk?.tiers ?? []) used.add(tier.action);
  const challenge = parseChallenge(obj.challenge, at(path, "challenge"), p, used.has("challenge"));
  // what the store keys are made of must be at hand before the decision (a template is read from the body)
  const needs = dimensionNeeds([
    ...[...limits, signalBudget, unprovenBudget, ...clusters].flatMap((r) => r.by),
    ...(blocks ? BLOCK_DIMENSIONS : []),
  ]);
  const route: RouteConfig = {
    name: name ?? `route-${index}`,
    index,
    methods,
    paths,
    pathPatterns,
    mode,
    errors,
    credential,
    maxBodyBytes,
    originTimeoutMs,
    // a degraded request is rewritten from its body
    needsBody: needsBody || needs.body || used.has("degrade"),
    needsFingerprint: needs.fingerprint,
    checks,
    limits,
    signalBudget,
    unprovenBudget,
    clusters,
    spreads,
    habits,
    providerHeaders,
    blocks,
    taintMs: geo?.taintMs ?? null,
    ...(trustedKeys?.size ? { trustedKeys } : {}),
    degrade,
    challenge,
    risk,
  };
  return route;
}

/**
 * The actions a route's sections name (signals, Tor, unknown location, hosting, clusters, spread, habits): a route
 * that can degrade reads the body, one that can challenge needs a challenge rule.
 */
function actionsUsed(route: Obj): Set<string> {
  const used = new Set<string>();
  const add = (v: unknown) => typeof v === "string" && used.add(v);
  const section = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
  for (const v of Object.values(section(route.fingerprint))) add(v);
  for (const v of Object.values(section(route.content))) add(v);
  const geo = section(route.geo);
  for (const rules of [geo, ...Object.values(section(geo.models)).map(section)]) {
    add(rules.tor);
    add(rules.unknown);
    add(rules.hosting);
  }
  if (Array.isArray(route.clusters)) for (const c of route.clusters) add(section(c).action);
  if (Array.isArray(route.spread)) for (const r of route.spread) add(section(r).action);
  if (Array.isArray(route.habits)) for (const r of route.habits) add(section(r).action);
  return used;
}

/** A route's `challenge`: `{ "identity": { <an identity attestation rule> } }`; required when an action is "challenge". */
function parseChallenge(raw: unknown, path: string, p: Problems, needed: boolean): AttestationVerifier | null {
  if (raw === undefined) {
    if (needed) p.add(path, 'is required: an action is "challenge", and a challenge is met by an identity attestation');
    return null;
  }
  const obj = readObject(raw, path, p, fieldsOf<NonNullable<RouteInput["challenge"]>>()(["identity"]));
  if (!obj) return null;
  if (obj.identity === undefined) {
    p.add(at(path, "identity"), "is required (an identity attestation rule, as in geo.models)");
    return null;
  }
  return readIdentity(obj.identity, at(path, "identity"), p) ?? null;
}

interface TopDefaults {
  mode: Mode;
  errors: ErrorFormat;
  maxBodyBytes: number;
  originTimeoutMs: number;
}

function parseStore(obj: Obj, p: Problems): StoreConfig {
  const store =
    readSection(
      obj,
      "store",
      "",
      p,
      fieldsOf<NonNullable<ConfigInput["store"]>>()(["timeoutMs", "onError", "prefix", "clock", "recoverAfterMs"]),
    ) ?? {};
  return {
    timeoutMs:
      readNumber(store, "timeoutMs", "store", p, { integer: true, min: 1, max: 10_000 }) ?? DEFAULTS.store.timeoutMs,
    onError: readEnum(store, "onError", "store", p, STORE_ON_ERROR) ?? DEFAULTS.store.onError,
    prefix:
      readString(store, "prefix", "store", p, {
        pattern: STORE_PREFIX,
        patternHint: "1 to 32 letters, digits, '-' or '_'",
      }) ?? DEFAULTS.store.prefix,
    clock: readEnum(store, "clock", "store", p, STORE_CLOCKS) ?? DEFAULTS.store.clock,
    recoverAfterMs:
      readNumber(store, "recoverAfterMs", "store", p, { integer: true, min: 0, max: 300_000 }) ??
      DEFAULTS.store.recoverAfterMs,
  };
}

export const ADMIN_PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/;

function parseAdmin(obj: Obj, p: Problems): AdminConfig {
  const admin = readSection(obj, "admin", "", p, fieldsOf<NonNullable<ConfigInput["admin"]>>()(["prefix"])) ?? {};
  return {
    prefix:
      readString(admin, "prefix", "admin", p, {
        pattern: ADMIN_PREFIX,
        patternHint: 'a path such as "/_guard": segments of letters, digits, ".", "_", "~" or "-", no trailing "/"',
      }) ?? DEFAULTS.admin.prefix,
  };
}

/** Configs this module produced: passing one again skips validation. */
const loaded = new WeakSet<GatewayConfig>();

/**
 * Validates a configuration given as data and compiles it (path patterns,
 * checks). Returns every problem by path rather than stopping at the first.
 */
export function parseConfig(raw: unknown): { ok: true; config: GatewayConfig } | { ok: false; problems: string[] } {
  const p = new Problems();
  const obj = readObject(
    raw,
    "",
    p,
    fieldsOf<ConfigInput>()([
      "$schema",
      "version",
      "routes",
      "proveKeys",
      "unmatched",
      "errors",
      "mode",
      "maxBodyBytes",
      "originTimeoutMs",
      "store",
      "admin",
    ]),
  );
  if (!obj) return { ok: false, problems: p.list };
  readString(obj, "$schema", "", p); // for editors only
  const top: TopDefaults = {
    mode: readEnum(obj, "mode", "", p, MODES) ?? DEFAULTS.mode,
    errors: readEnum(obj, "errors", "", p, ERROR_FORMATS) ?? DEFAULTS.errors,
    maxBodyBytes: readNumber(obj, "maxBodyBytes", "", p, { integer: true, min: 1 }) ?? DEFAULTS.maxBodyBytes,
    originTimeoutMs: readNumber(obj, "originTimeoutMs", "", p, { integer: true, min: 1 }) ?? DEFAULTS.originTimeoutMs,
  };
  const routes =
    readArray(obj, "routes", "", p, (value, path, index) => parseRoute(value, path, p, index, top), {
      required: true,
    }) ?? [];
  const seen = new Map<string, number>();
  routes.forEach((route) => {
    const first = seen.get(route.name);
    if (first !== undefined)
      p.add(`routes[${route.index}].name`, `duplicates routes[${first}].name ${JSON.stringify(route.name)}`);
    else seen.set(route.name, route.index);
  });
  const config: GatewayConfig = {
    version: readString(obj, "version", "", p) ?? DEFAULTS.version,
    routes,
    unmatched: readEnum(obj, "unmatched", "", p, UNMATCHED) ?? DEFAULTS.unmatched,
    errors: top.errors,
    originTimeoutMs: top.originTimeoutMs,
    proveKeys: readBoolean(obj, "proveKeys", "", p) ?? true,
    store: parseStore(obj, p),
    admin: parseAdmin(obj, p),
  };
  if (!p.ok) return { ok: false, problems: p.list };
  loaded.add(config);
  return { ok: true, config };
}

/** Like parseConfig, but throws a ConfigError listing every problem. A config it already loaded is returned as it is. */
export function loadConfig(raw: ConfigInput | GatewayConfig): GatewayConfig {
  if (typeof raw === "object" && raw !== null && loaded.has(raw as GatewayConfig)) return raw as GatewayConfig;
  const result = parseConfig(raw);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}
