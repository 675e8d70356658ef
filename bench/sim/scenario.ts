/**
 * Scenario files: the traffic a simulation replays and the gateway it replays
 * it through. JSON, validated here with every problem listed by path
 * (`campaigns[1].networks[0].countries.ZZ: …`), with the same readers the
 * gateway's own configuration uses. docs/results.md and
 * bench/scenarios/README.md document the format.
 */
import type { ConfigInput } from "../../src/config/input.ts";
import { parseConfig } from "../../src/config/parse.ts";
import {
  type Obj,
  Problems,
  at,
  readArray,
  readBoolean,
  readEnum,
  readNumber,
  readObject,
  readSection,
  readString,
} from "../../src/config/read.ts";
import { parseRate } from "../../src/config/limits.ts";
import { type Api, CLIENT_KINDS, type ClientKind } from "./clients.ts";
import { SHIPPED_CONFIGS } from "./configs.ts";
import { parseDuration } from "./duration.ts";
import { AS_ORGANIZATIONS, COUNTRIES } from "./networks.ts";
import { POPULATIONS } from "./populations.ts";
import type { Goals } from "./types.ts";

export type NetworkKind = "residential" | "mobile" | "business" | "hosting" | "tor";
/** What changes between an account's requests: nothing, its address inside its network's pool, or the whole network (country, ASN, address). */
export type Rotation = "never" | "address" | "network";

export interface NetworkSpec {
  kind: NetworkKind;
  /** Share of the segment's accounts on this network (relative weight). */
  weight: number;
  /** Where the addresses are, weighted (`T1` for Tor). */
  countries: Record<string, number>;
  /** ASNs to draw from; null: the country's consumer ISPs (residential) or carriers (mobile). */
  asns: number[] | null;
  /** /24s in the pool, per ASN and country; null: the ASN's whole space. */
  subnets: number | null;
  /** Distinct addresses in the pool, per ASN and country; null: any host of the pool's subnets. */
  addresses: number | null;
  rotate: Rotation;
  /** Share of accounts on IPv6 (residential only). */
  ipv6: number;
}

export interface PromptSpec {
  kind: "varied" | "templates";
  /** Scaffolds reused, for `templates`. */
  templates: number;
  /** Share of prompts asking for step-by-step reasoning (`varied`; templates always ask). */
  stepByStep: number;
  /** Share of prompts with pasted material, and its median length in words. */
  pasteShare: number;
  pasteWords: number;
}

export interface RequestSpec {
  /** Model names, weighted. */
  models: Record<string, number>;
  /** `max_tokens` values, one drawn per request. */
  maxTokens: number[];
  /** Share of streamed requests. */
  stream: number;
  /** Share of requests with an extended-thinking budget, and the budget (tokens); such requests raise `max_tokens` above the budget, as the API requires. */
  thinkingShare: number;
  thinkingBudget: number;
  /**
   * Share of requests that continue a conversation: one to four earlier exchanges (user and assistant turns)
   * before the new prompt. 0: every request is a first message. A shipped population's own share applies only in
   * a scenario that asks for it (`"conversations": true` beside the population), so older scenarios send the
   * traffic they always sent.
   */
  turns: number;
}

export interface Segment {
  name: string;
  description: string;
  /** True for the legitimate population; false for a campaign. */
  legitimate: boolean;
  /** What the report sums it under: a hard-case group (legitimate) or a campaign family; default the name. */
  group: string;
  /**
   * Accounts that existed before the scenario starts: the first `share` of
   * them each sent `requests` requests at random times over `periodMs` before
   * the start (replayed first, not reported). Null: every account is new.
   */
  history: { share: number; requests: number; periodMs: number } | null;
  /**
   * Null: an account stays on the network it drew. Else every `everyMs` of
   * virtual time (sessions, offset per account) it draws one of the segment's
   * networks by weight: on the first (its home) it is at its home address,
   * on another at an address of that network for the session (or per
   * request, as that network rotates). Travellers, VPN users.
   */
  roamingMs: number | null;
  /** `request`: every request draws another client build (jittered SDK versions); `never`: one per account. */
  rotateBuild: "never" | "request";
  accounts: number;
  /** Requests per account per millisecond (Poisson arrivals). */
  ratePerMs: number;
  /** The rate as written ("26 per day"), for reports. */
  rate: string;
  startMs: number;
  endMs: number;
  clients: Partial<Record<ClientKind, number>>;
  /**
   * Distinct client builds shared by the segment's accounts; null: every
   * account draws its own; `most-common`: one, the most common build of the
   * segment's most weighted client kind (every draw at its most likely value:
   * the newest versions, Linux x64 on servers), copied byte for byte.
   */
  builds: number | "most-common" | null;
  /** API used by clients that are not an SDK (curl, HTTP libraries), weighted. */
  api: Partial<Record<Api, number>>;
  /** Browsers' Accept-Language; default from the network's country. */
  acceptLanguage: string | null;
  networks: NetworkSpec[];
  prompts: PromptSpec;
  request: RequestSpec;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  durationMs: number;
  /** Virtual wall clock of the first request (ms since the epoch). */
  startsAtMs: number;
  chartBucketMs: number;
  containment: { windowMs: number; maxAllowedShare: number };
  /** Whether the zone has Bot Management (request.cf.botManagement present). */
  botManagement: boolean;
  /** The gateway under test: a shipped configuration's name, or "inline". */
  gatewayName: string;
  gateway: ConfigInput;
  /** The baseline: one per-key token bucket. */
  baseline: { capacity: number; refillPerSecond: number; rate: string };
  /** Upper bound on the requests of one run (the expected count must stay under it). */
  maxRequests: number;
  /** What the report judges: a campaign's harvest reduction and the legitimate requests denied. */
  goals: Goals | null;
  segments: Segment[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NETWORK_KINDS: readonly NetworkKind[] = ["residential", "mobile", "business", "hosting", "tor"];
const ROTATIONS: readonly Rotation[] = ["never", "address", "network"];
const KNOWN_COUNTRIES = Object.keys(COUNTRIES);

const NETWORK_DEFAULTS: Record<NetworkKind, Pick<NetworkSpec, "subnets" | "addresses" | "rotate" | "ipv6">> = {
  residential: { subnets: null, addresses: null, rotate: "never", ipv6: 0.3 },
  mobile: { subnets: 4, addresses: 64, rotate: "address", ipv6: 0 },
  business: { subnets: 1, addresses: 1, rotate: "never", ipv6: 0 },
  hosting: { subnets: 16, addresses: null, rotate: "never", ipv6: 0 },
  tor: { subnets: null, addresses: 6, rotate: "network", ipv6: 0 },
};

const readDuration = (
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  opts: { required?: boolean } = {},
): number | undefined => {
  const raw = readString(obj, key, path, p, { required: opts.required });
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === null)
    p.add(at(path, key), `must be a duration such as "90s", "30m", "2h" or "1h30m" (got ${JSON.stringify(raw)})`);
  return ms ?? undefined;
};

/** A segment's start or end: a duration, or a share of the scenario's duration (`"40%"`), so a population fits any length. */
const readOffset = (obj: Obj, key: string, path: string, p: Problems, durationMs: number): number | undefined => {
  const raw = obj[key];
  if (typeof raw === "string" && /^\d+(\.\d+)?%$/.test(raw.trim())) {
    const share = Number(raw.trim().slice(0, -1)) / 100;
    if (share > 1) p.add(at(path, key), `must be at most 100% (got ${JSON.stringify(raw)})`);
    return Math.round(share * durationMs);
  }
  return readDuration(obj, key, path, p);
};

const readShare = (obj: Obj, key: string, path: string, p: Problems, fallback: number): number => {
  const n = readNumber(obj, key, path, p, { max: 1 });
  return n ?? fallback;
};

/** `{ "name": weight, ... }` with names checked by `valid`. */
function readWeights<T extends string>(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  valid: (name: string) => boolean,
  hint: string,
  opts: { required?: boolean } = {},
): Partial<Record<T, number>> | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (opts.required) p.add(at(path, key), "is required");
    return undefined;
  }
  // A list means equal weights: ["US", "DE"].
  let entries: [string, unknown][];
  if (Array.isArray(value)) entries = value.map((v) => [String(v), 1]);
  else if (typeof value === "object" && value !== null) entries = Object.entries(value);
  else {
    p.add(at(path, key), 'must be an object of weights ({"US": 3, "DE": 1}) or a list');
    return undefined;
  }
  const out: Partial<Record<T, number>> = {};
  if (entries.length === 0) p.add(at(path, key), "must name at least one entry");
  for (const [name, weight] of entries) {
    const where = at(at(path, key), name);
    if (!valid(name)) p.add(where, `must be ${hint} (got ${JSON.stringify(name)})`);
    else if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0)
      p.add(where, "must be a positive number (a weight)");
    else out[name as T] = weight;
  }
  return out;
}

function readNetwork(raw: unknown, path: string, p: Problems): NetworkSpec | undefined {
  const o = readObject(raw, path, p, ["kind", "weight", "countries", "asns", "subnets", "addresses", "rotate", "ipv6"]);
  if (!o) return undefined;
  const kind = readEnum(o, "kind", path, p, NETWORK_KINDS);
  if (o.kind === undefined) p.add(at(path, "kind"), `is required (one of ${NETWORK_KINDS.join(", ")})`);
  const d = NETWORK_DEFAULTS[kind ?? "residential"];
  const countries =
    kind === "tor"
      ? (o.countries !== undefined && p.add(at(path, "countries"), "is not allowed for Tor: the edge reports T1"),
        { T1: 1 })
      : readWeights(
          o,
          "countries",
          path,
          p,
          (c) => KNOWN_COUNTRIES.includes(c),
          `a country the simulator knows (${KNOWN_COUNTRIES.join(" ")})`,
          {
            required: true,
          },
        );
  const asns = readArray(
    o,
    "asns",
    path,
    p,
    (v, where) => {
      if (typeof v === "number" && Number.isInteger(v) && AS_ORGANIZATIONS[v] !== undefined) return v;
      p.add(
        where,
        `must be an ASN the simulator knows (bench/sim/networks.ts AS_ORGANIZATIONS) (got ${JSON.stringify(v)})`,
      );
      return undefined;
    },
    { nonEmpty: true },
  );
  if ((kind === "hosting" || kind === "business") && o.asns === undefined)
    p.add(at(path, "asns"), `is required for ${kind} networks`);
  const ipv6 = readShare(o, "ipv6", path, p, d.ipv6);
  if (ipv6 > 0 && kind !== undefined && kind !== "residential")
    p.add(at(path, "ipv6"), "is supported for residential networks only");
  const nullable = (key: "subnets" | "addresses") =>
    o[key] === null ? null : (readNumber(o, key, path, p, { integer: true, min: 1, max: 65_536 }) ?? d[key]);
  return {
    kind: kind ?? "residential",
    weight: readNumber(o, "weight", path, p, { min: Number.MIN_VALUE }) ?? 1,
    countries: (countries ?? {}) as Record<string, number>,
    asns: asns ?? null,
    subnets: nullable("subnets"),
    addresses: nullable("addresses"),
    rotate: readEnum(o, "rotate", path, p, ROTATIONS) ?? d.rotate,
    ipv6,
  };
}

function readSegment(
  raw: unknown,
  path: string,
  p: Problems,
  legitimate: boolean,
  durationMs: number,
): Segment | undefined {
  const rateScale = (typeof raw === "object" && raw !== null && rateScales.get(raw)) || 1;
  const o = readObject(raw, path, p, [
    "name",
    "description",
    "accounts",
    "rate",
    "start",
    "end",
    "clients",
    "builds",
    "api",
    "acceptLanguage",
    "networks",
    "prompts",
    "request",
    "group",
    "history",
    "roaming",
    "rotateBuild",
  ]);
  if (!o) return undefined;
  const name = readString(o, "name", path, p, {
    required: true,
    pattern: NAME,
    patternHint: "1-64 letters, digits, '_', '.' or '-'",
  });
  const accounts = readNumber(o, "accounts", path, p, { integer: true, min: 1, max: 1_000_000, required: true });
  const rateText = readString(o, "rate", path, p, { required: true });
  const rate = rateText === undefined ? null : parseRate(rateText);
  if (rateText !== undefined && !rate)
    p.add(at(path, "rate"), 'must be "<count> per second|minute|hour|day" per account, such as "26 per day"');
  const startMs = readOffset(o, "start", path, p, durationMs) ?? 0;
  const endMs = readOffset(o, "end", path, p, durationMs) ?? durationMs;
  if (endMs <= startMs) p.add(at(path, "end"), "must be after start");
  if (endMs > durationMs) p.add(at(path, "end"), "must not be after the scenario's duration");
  const clients = readWeights<ClientKind>(
    o,
    "clients",
    path,
    p,
    (k) => (CLIENT_KINDS as readonly string[]).includes(k),
    `a client kind (${CLIENT_KINDS.join(", ")})`,
    {
      required: true,
    },
  );
  const api = readWeights<Api>(
    o,
    "api",
    path,
    p,
    (k) => k === "anthropic" || k === "openai",
    '"anthropic" or "openai"',
  ) ?? { anthropic: 1 };
  const networks = readArray(o, "networks", path, p, (v, where) => readNetwork(v, where, p), {
    required: true,
    nonEmpty: true,
  });

  const pr = readSection(o, "prompts", path, p, ["kind", "templates", "stepByStep", "pasteShare", "pasteWords"]) ?? {};
  const prPath = at(path, "prompts");
  const prompts: PromptSpec = {
    kind: readEnum(pr, "kind", prPath, p, ["varied", "templates"] as const) ?? "varied",
    templates: readNumber(pr, "templates", prPath, p, { integer: true, min: 1, max: 8 }) ?? 4,
    stepByStep: readShare(pr, "stepByStep", prPath, p, 0.03),
    pasteShare: readShare(pr, "pasteShare", prPath, p, 0.2),
    pasteWords: readNumber(pr, "pasteWords", prPath, p, { integer: true, min: 1, max: 8000 }) ?? 300,
  };

  const rq =
    readSection(o, "request", path, p, ["models", "maxTokens", "stream", "thinkingShare", "thinkingBudget", "turns"]) ??
    {};
  const rqPath = at(path, "request");
  const maxTokens = readArray(
    rq,
    "maxTokens",
    rqPath,
    p,
    (v, where) => {
      if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 200_000) return v;
      p.add(where, "must be an integer from 1 to 200000");
      return undefined;
    },
    { nonEmpty: true },
  );
  const request: RequestSpec = {
    models: (readWeights(rq, "models", rqPath, p, (m) => /^[A-Za-z0-9._:/-]{1,100}$/.test(m), "a model name") ?? {
      "demo-small": 1,
    }) as Record<string, number>,
    maxTokens: maxTokens ?? [1024],
    stream: readShare(rq, "stream", rqPath, p, 0.3),
    thinkingShare: readShare(rq, "thinkingShare", rqPath, p, 0),
    thinkingBudget: readNumber(rq, "thinkingBudget", rqPath, p, { integer: true, min: 1024, max: 128_000 }) ?? 8192,
    turns: readShare(rq, "turns", rqPath, p, 0),
  };
  const h = readSection(o, "history", path, p, ["share", "requests", "period"]);
  const hPath = at(path, "history");
  const history = h
    ? {
        share: readShare(h, "share", hPath, p, 1),
        requests: readNumber(h, "requests", hPath, p, { integer: true, min: 1, max: 100 }) ?? 1,
        periodMs: readDuration(h, "period", hPath, p, { required: true }) ?? 0,
      }
    : null;
  if (history && history.periodMs > 90 * 86_400_000) p.add(at(hPath, "period"), "must be at most 90d");
  const roaming = readSection(o, "roaming", path, p, ["every"]);
  const roamingMs = roaming
    ? (readDuration(roaming, "every", at(path, "roaming"), p, { required: true }) ?? null)
    : null;
  if (roaming && (networks?.length ?? 0) < 2)
    p.add(at(path, "roaming"), "needs at least two networks: the first is home, the others where sessions go");
  const builds =
    o.builds === "most-common"
      ? ("most-common" as const)
      : (readNumber(o, "builds", path, p, { integer: true, min: 1, max: 1000 }) ?? null);
  if (!name || !accounts || !rate || !clients || !networks) return undefined;
  return {
    name,
    description: readString(o, "description", path, p) ?? "",
    legitimate,
    group:
      readString(o, "group", path, p, { pattern: NAME, patternHint: "1-64 letters, digits, '_', '.' or '-'" }) ?? name,
    history,
    roamingMs,
    rotateBuild: readEnum(o, "rotateBuild", path, p, ["never", "request"] as const) ?? "never",
    accounts,
    ratePerMs: (rateScale * rate.count) / (rate.seconds * 1000),
    rate: rateScale === 1 ? rateText! : `${rateText} × ${rateScale}`,
    startMs,
    endMs,
    clients,
    builds,
    api,
    acceptLanguage: readString(o, "acceptLanguage", path, p) ?? null,
    networks,
    prompts,
    request,
  };
}

/** Requests a segment is expected to send: accounts × rate × active time, and its history. */
export const expectedRequests = (s: Segment): number =>
  s.accounts * s.ratePerMs * (s.endMs - s.startMs) + historyAccounts(s) * (s.history?.requests ?? 0);

/** Accounts with history: the first `share` of the segment's. */
export const historyAccounts = (s: Segment): number => (s.history ? Math.floor(s.history.share * s.accounts) : 0);

/**
 * A shipped population (bench/sim/populations.ts) in the `legitimate` list:
 * `{ "population": "hard-cases", "rateScale": 0.25 }` stands for its
 * segments, every account's rate multiplied by `rateScale` (default 1). With
 * `"conversations": true` its segments continue conversations as often as
 * each says (`request.turns`); without, every request is a first message, as
 * in the scenarios written before conversations were simulated.
 */
function expandPopulations(raw: unknown, p: Problems): unknown {
  if (!Array.isArray(raw)) return raw;
  return raw.flatMap((item, i) => {
    if (typeof item !== "object" || item === null || !("population" in item)) return [item];
    const path = at("legitimate", i);
    const o = readObject(item, path, p, ["population", "rateScale", "conversations"]);
    const name = o?.population;
    const population = typeof name === "string" ? POPULATIONS[name] : undefined;
    if (!population) {
      p.add(at(path, "population"), `must name a shipped population (${Object.keys(POPULATIONS).join(", ")})`);
      return [];
    }
    const scale = (o && readNumber(o, "rateScale", path, p, { min: Number.MIN_VALUE, max: 100 })) ?? 1;
    const conversations = (o && readBoolean(o, "conversations", path, p)) ?? false;
    return population.segments.map((segment) => {
      const copy = conversations
        ? { ...segment }
        : { ...segment, request: { ...(segment.request as object), turns: 0 } };
      rateScales.set(copy, scale);
      return copy;
    });
  });
}

/** Segments expanded from a population, and the scale of their rates. */
const rateScales = new WeakMap<object, number>();

/**
 * Validates a scenario given as data (parsed JSON). Every problem is listed
 * by path; the gateway configuration's own problems come prefixed with
 * `gateway.`.
 */
export function parseScenario(raw: unknown): { ok: true; scenario: Scenario } | { ok: false; problems: string[] } {
  const p = new Problems();
  const o = readObject(raw, "", p, [
    "$comment",
    "name",
    "description",
    "seed",
    "duration",
    "startsAt",
    "chart",
    "containment",
    "zone",
    "gateway",
    "baseline",
    "maxRequests",
    "goals",
    "legitimate",
    "campaigns",
  ]);
  if (!o) return { ok: false, problems: p.list };
  const durationMs = readDuration(o, "duration", "", p, { required: true }) ?? 3_600_000;
  if (durationMs > 7 * 86_400_000) p.add("duration", "must be at most 7d");
  const startsAtText = readString(o, "startsAt", "", p) ?? "2026-04-22T00:00:00Z";
  const startsAtMs = Date.parse(startsAtText);
  if (!Number.isFinite(startsAtMs))
    p.add("startsAt", `must be an ISO 8601 date-time (got ${JSON.stringify(startsAtText)})`);

  const chart = readSection(o, "chart", "", p, ["bucket"]) ?? {};
  const containment = readSection(o, "containment", "", p, ["window", "maxAllowedShare"]) ?? {};
  const zone = readSection(o, "zone", "", p, ["botManagement"]) ?? {};
  if (zone.botManagement !== undefined && typeof zone.botManagement !== "boolean")
    p.add("zone.botManagement", "must be true or false");

  let gatewayName = "inline";
  let gateway: ConfigInput = { routes: [] };
  if (typeof o.gateway === "string") {
    gatewayName = o.gateway;
    const shipped = SHIPPED_CONFIGS[o.gateway];
    if (shipped) gateway = shipped.config;
    else
      p.add(
        "gateway",
        `must be a configuration object or the name of a shipped one (${Object.keys(SHIPPED_CONFIGS).join(", ")}); got ${JSON.stringify(o.gateway)}`,
      );
  } else if (o.gateway === undefined) {
    p.add("gateway", "is required: a configuration object or the name of a shipped one");
  } else {
    const parsed = parseConfig(o.gateway);
    if (!parsed.ok) for (const problem of parsed.problems) p.list.push(`gateway.${problem}`);
    gateway = o.gateway as ConfigInput;
  }

  const b =
    o.baseline === undefined
      ? (p.add("baseline", 'is required: { "rate": "60 per minute" } or { "capacity", "refillPerSecond" }'), {})
      : (readObject(o.baseline, "baseline", p, ["rate", "capacity", "refillPerSecond"]) ?? {});
  let baseline = { capacity: 60, refillPerSecond: 1, rate: "60 per minute" };
  if (b.rate !== undefined) {
    const rate = typeof b.rate === "string" ? parseRate(b.rate) : null;
    if (!rate) p.add("baseline.rate", 'must be "<count> per second|minute|hour|day", such as "60 per minute"');
    else
      baseline = {
        capacity: readNumber(b, "capacity", "baseline", p, { integer: true, min: 1 }) ?? rate.count,
        refillPerSecond: rate.count / rate.seconds,
        rate: b.rate as string,
      };
    if (b.refillPerSecond !== undefined) p.add("baseline", 'give either "rate" or "refillPerSecond", not both');
  } else if (b.capacity !== undefined || b.refillPerSecond !== undefined) {
    const capacity = readNumber(b, "capacity", "baseline", p, { integer: true, min: 1, required: true });
    const refillPerSecond = readNumber(b, "refillPerSecond", "baseline", p, { min: Number.MIN_VALUE, required: true });
    if (capacity && refillPerSecond)
      baseline = { capacity, refillPerSecond, rate: `${capacity} tokens, ${refillPerSecond}/s` };
  }

  // populations expanded into a copy: the caller's scenario stays as written (it may be parsed again elsewhere)
  const expanded = { legitimate: expandPopulations(o.legitimate, p) };
  const legitimate =
    readArray(expanded, "legitimate", "", p, (v, where) => readSegment(v, where, p, true, durationMs), {
      required: true,
      nonEmpty: true,
    }) ?? [];
  const campaigns =
    readArray(o, "campaigns", "", p, (v, where) => readSegment(v, where, p, false, durationMs), { required: true }) ??
    [];
  const segments = [...legitimate, ...campaigns];
  const seen = new Set<string>();
  for (const s of segments) {
    if (seen.has(s.name))
      p.add(s.legitimate ? "legitimate" : "campaigns", `segment name ${JSON.stringify(s.name)} is used twice`);
    seen.add(s.name);
  }
  const maxRequests = readNumber(o, "maxRequests", "", p, { integer: true, min: 1, max: 20_000_000 }) ?? 2_000_000;
  const expected = segments.reduce((n, s) => n + expectedRequests(s), 0);
  if (expected > maxRequests) {
    p.add(
      "maxRequests",
      `the segments are expected to send ${Math.round(expected)} requests, more than maxRequests (${maxRequests}): shorten the duration or raise maxRequests`,
    );
  }

  let goals: Goals | null = null;
  const g = readSection(o, "goals", "", p, ["campaign", "minReduction", "maxLegitimateDenied"]);
  if (g) {
    const campaign = readString(g, "campaign", "goals", p, { required: true });
    if (campaign !== undefined && !campaigns.some((c) => c.name === campaign))
      p.add("goals.campaign", `must name one of the campaigns (got ${JSON.stringify(campaign)})`);
    goals = {
      campaign: campaign ?? "",
      minReduction: readNumber(g, "minReduction", "goals", p, { min: 1 }) ?? 100,
      maxLegitimateDenied: readShare(g, "maxLegitimateDenied", "goals", p, 0.001),
    };
  }

  const scenario: Scenario = {
    name:
      readString(o, "name", "", p, {
        required: true,
        pattern: NAME,
        patternHint: "1-64 letters, digits, '_', '.' or '-'",
      }) ?? "scenario",
    description: readString(o, "description", "", p) ?? "",
    seed: readNumber(o, "seed", "", p, { integer: true }) ?? 1,
    durationMs,
    startsAtMs,
    chartBucketMs: readDuration(chart, "bucket", "chart", p) ?? Math.max(60_000, Math.round(durationMs / 60)),
    containment: {
      windowMs: readDuration(containment, "window", "containment", p) ?? 60_000,
      maxAllowedShare: readShare(containment, "maxAllowedShare", "containment", p, 0.01),
    },
    botManagement: zone.botManagement === true,
    gatewayName,
    gateway,
    baseline,
    maxRequests,
    goals,
    segments,
  };
  return p.ok ? { ok: true, scenario } : { ok: false, problems: p.list };
}

/**
 * The baseline: what a standard rate limiter gives. One route for every
 * path, one token bucket per API key, nothing else (no geo, no network, no
 * fingerprint, no cluster, no content check); unmatched never happens.
 */
export function baselineConfig(scenario: Pick<Scenario, "baseline">): ConfigInput {
  return {
    version: "baseline",
    proveKeys: false,
    routes: [
      {
        name: "baseline",
        match: { path: "/*" },
        limits: [
          {
            name: "key",
            by: ["key"],
            capacity: scenario.baseline.capacity,
            refillPerSecond: scenario.baseline.refillPerSecond,
          },
        ],
      },
    ],
  };
}
