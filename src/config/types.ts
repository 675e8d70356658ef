import type { AttestationVerifier } from "../identity/attestation.ts";
import type { CredentialSetting } from "../identity/key-hash.ts";
import type { ClusterDimension, Dimension } from "../request/dimensions.ts";
import type { RequestFacts } from "../request/facts.ts";
import type { Action } from "../verdict/actions.ts";
import type { Finding } from "../verdict/types.ts";

export type ErrorFormat = "anthropic" | "openai" | "problem";
export type Mode = "enforce" | "shadow";

/**
 * A check with no I/O (the one exception: a JWKS fetched once and cached per
 * isolate). Built once per config from its section; run once per request.
 */
export type PureCheck = (facts: RequestFacts) => Finding[] | Promise<Finding[]>;

/** One token bucket of a route, as configured (config/limits.ts). */
/**
 * Longest time a bucket may take to refill from empty to full: 365 days (the
 * config refuses a slower rule, the stores a slower bucket). A slower refill
 * (say `refillPerSecond: 1e-300`) would make the store keys' TTLs, the time to
 * wait and the RateLimit window meaningless numbers.
 */
export const MAX_REFILL_SECONDS = 365 * 86_400;

/** Longest "new key" age (risk `newKey`, cluster `newKeys`): 30 days; the first-seen record lives twice as long. */
export const MAX_NEW_KEY_SECONDS = 30 * 86_400;

export interface LimitRule {
  /** Unique within the route; part of the store key and of the RateLimit-Policy name. */
  name: string;
  /** Dimensions that identify one bucket, in the order written (request/dimensions.ts). */
  by: readonly Dimension[];
  /** Most tokens the bucket holds: the largest burst. */
  capacity: number;
  /** Tokens added per second (> 0; 0 for a quota). */
  refillPerSecond: number;
  /**
   * Set for a fixed quota (`"quota": 1000, "per": "1d"`): no refill; `capacity` tokens per window of this
   * many seconds, windows aligned to multiples of it since the Unix epoch (a day: UTC midnight), each with
   * a bucket of its own.
   */
  quotaWindowSeconds?: number;
  /** "request": one token per request; "tokens": the model tokens a request uses (estimated, then reconciled). */
  cost: "request" | "tokens";
  /** The start of its reason codes, when not the one its dimensions give (limits/rules.ts reasonStem). */
  stem?: `rate.${string}`;
}

/** Distinct accounts per value of shared dimensions (limits/clusters.ts), as configured (config/limits.ts). */
export interface ClusterRule {
  /** Unique among the route's clusters; names the cluster in headers, telemetry and store keys. */
  name: string;
  by: readonly ClusterDimension[];
  /** More distinct accounts than this in the window puts the cluster over its limit. */
  maxAccounts: number;
  /** When set, the cluster is over its limit only with more distinct addresses (/32, /64) than this too. */
  maxAddresses: number | null;
  windowSeconds: number;
  /**
   * A cohort cluster: only accounts first seen at the edge less than this long ago are counted and judged (many
   * new keys arriving together on one network, build or template); null: every account.
   */
  newKeysMs: number | null;
  action: Exclude<Action, "allow">;
  /** `throttle` with its own bucket (`rate`); null: the route's per-key buckets, shared. */
  bucket: { capacity: number; refillPerSecond: number } | null;
}

/** The networks one account uses: counted per account (the key, or the registry's account) over a window. */
export type SpreadDimension = "asn" | "subnet" | "country";

/**
 * Distinct values of one dimension per account (a route's `spread`): an honest key lives on one or two
 * networks; a key hopping between residential ISPs or clouds every few requests is a proxy pool.
 */
export interface SpreadRule {
  name: string;
  count: SpreadDimension;
  /** More distinct values than this in the window puts the account over. */
  max: number;
  windowSeconds: number;
  action: "flag" | "degrade" | "challenge" | "block";
}

/** What a habit counts, of an account's requests: those without an earlier assistant turn, or that ask for reasoning. */
export type HabitKind = "single-shot" | "reasoning";

/**
 * A share of one account's requests over time (a route's `habits`, limits/habits.ts): of its requests, decayed
 * with a half-life, the share that are single-shot or ask for reasoning. Honest keys mix; a harvesting key asks
 * the same kind of question, one shot at a time, day after day.
 */
export interface HabitRule {
  name: string;
  of: HabitKind;
  /** A share at or above this (0..1) puts the account over. */
  share: number;
  /** Judged only once the account's decayed request count reaches this. */
  minRequests: number;
  halfLifeMs: number;
  action: "flag" | "degrade" | "challenge" | "block";
}

/** One tier of a route's risk model: from `score` up (0..1), its action applies. */
export interface RiskTier {
  name: string;
  score: number;
  action: Action;
}

/**
 * A route's graded risk (config/risk.ts): the evidence of every check combines into one score, and the highest
 * tier it reaches decides. A finding whose action is `flag` and whose weight is above 0 is evidence: it adds to
 * the score and is listed, but does not flag the request on its own.
 */
export interface RiskPolicy {
  /** A key or account first seen less than this long ago is new (evidence `identity.new_key`); null: not read. */
  newKeyMs: number | null;
  /** Weights by reason code, over each finding's own. */
  weights: ReadonlyMap<string, number>;
  /** Ascending by score; at least one. */
  tiers: readonly RiskTier[];
}

export interface RouteConfig {
  name: string;
  /** Position in `routes`, for messages. */
  index: number;
  /** Upper-case methods; null matches every method. */
  methods: ReadonlySet<string> | null;
  /** The patterns as written, and compiled. */
  paths: readonly string[];
  pathPatterns: readonly RegExp[];
  mode: Mode;
  errors: ErrorFormat;
  /** The header the origin authenticates: the Subject's key is read from it alone, the other is stripped. */
  credential: CredentialSetting;
  maxBodyBytes: number;
  /** Time allowed until the origin's response headers arrive; then 504. */
  originTimeoutMs: number;
  /** True when a check needs the parsed body (model rules, token costs, content signals, a template dimension). */
  needsBody: boolean;
  /** True when the store keys use the fingerprint id (a bucket or cluster by it, or manual blocks): computed before the decision. */
  needsFingerprint: boolean;
  /** The route's pure checks, in the order they run. */
  checks: readonly PureCheck[];
  /** Also send the API family's own rate-limit headers (anthropic-ratelimit-*, x-ratelimit-*). */
  providerHeaders: boolean;
  /** Token buckets, checked and charged in one store round trip after the pure checks. */
  limits: readonly LimitRule[];
  /** The bucket a request with a signal set to `throttle` is charged to, besides `limits` (config/limits.ts). */
  signalBudget: LimitRule;
  /** The bucket a key the origin has not accepted yet is charged to, besides `limits` (limits/proven.ts). */
  unprovenBudget: LimitRule;
  /** Distinct-account counters over shared dimensions, counted in the same store round trip as the limits. */
  clusters: readonly ClusterRule[];
  /** Distinct networks per account, counted in that same round trip. */
  spreads: readonly SpreadRule[];
  /** Shares of an account's requests over time, tallied in that same round trip. */
  habits: readonly HabitRule[];
  /** Check manual blocks (admin API) in that same round trip. Absent: false. */
  blocks?: boolean;
  /** How long a key the geo section refused for where it came from stays refused (geo `taint`); null: not kept. */
  taintMs: number | null;
  /** Key hashes that skip the fingerprint and content signals and join no cluster (config/trust.ts). */
  trustedKeys?: ReadonlySet<string>;
  /** What `degrade` does on this route (config/degrade.ts): its section, else the defaults. */
  degrade: DegradePolicy;
  /** What meets a `challenge` on this route: its identity attestation rule; null when none is configured. */
  challenge: AttestationVerifier | null;
  /** The route's graded risk; null: every finding acts on its own. */
  risk: RiskPolicy | null;
}

export interface StoreConfig {
  /** How long one store round trip may take before the fail mode applies. */
  timeoutMs: number;
  /** What a store timeout or error does: allow (flagged), deny with 503, or decide with the in-memory store. */
  onError: "open" | "closed" | "local";
  /** Prefix of every store key. */
  prefix: string;
  /** Whose clock refills buckets: Redis `TIME` (one clock for every edge location) or the Worker's (for managed Redis that rejects TIME in scripts). */
  clock: "redis" | "worker";
  /**
   * After a store failure, requests skip the shared store for this long (deciding at once by `onError`), then
   * one request tries it again: with `closed`, requests keep getting 503 for up to this long after the store
   * recovers, and their Retry-After says when the next try is. Default 1,000 ms.
   */
  recoverAfterMs?: number;
}

export interface GatewayConfig {
  /** Free-form version label, reported by health checks and telemetry. */
  version: string;
  routes: readonly RouteConfig[];
  /**
   * What the ready-made gateway (createGateway, the Worker) does with requests no route matches. The middleware
   * takes its own `unmatched` option (default: the app's own handlers).
   */
  unmatched: "forward" | "404";
  /** Error format for responses outside any route (unmatched 404, config errors). */
  errors: ErrorFormat;
  /** Origin timeout for forwarded unmatched requests (routes carry their own). */
  originTimeoutMs: number;
  /** Count a key in clusters only once the origin has accepted it (limits/proven.ts). */
  proveKeys: boolean;
  store: StoreConfig;
  /** The admin API (on only when an admin token is given): where it lives. */
  admin: AdminConfig;
}

export interface AdminConfig {
  /** Path prefix of the admin API and the dashboard, e.g. "/_guard". */
  prefix: string;
}

/** Reasoning efforts, lowest first: OpenAI `reasoning_effort` / `reasoning.effort`, Anthropic `output_config.effort`. */
export const EFFORT_LEVELS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORT_LEVELS)[number];
/** The efforts that can stand for reasoning off: "none" (gpt-5.1 and later), "minimal" (gpt-5), "low" (o-series). */
export const OFF_EFFORTS = ["none", "minimal", "low"] as const satisfies readonly Effort[];
export type OffEffort = (typeof OFF_EFFORTS)[number];

/** What a degraded request and its answer are turned into (config/degrade.ts; transform/ applies it). */
export interface DegradeRules {
  /** Extended thinking / reasoning in the request: off, down to `budgetTokens` / `effort`, or as asked. */
  thinking: "off" | "low" | "keep";
  /** Anthropic `thinking.budget_tokens` with thinking "low" (at least 1024, the API's minimum). */
  budgetTokens: number;
  /** The OpenAI effort a request asking for more is lowered to (thinking "low", and "off" without `offEffort`); never raised. */
  effort: Effort;
  /**
   * OpenAI, thinking "off": the effort that turns reasoning off (or as far down as these models go), set on every
   * request, added where it names none (a lower one it names stays); null: `effort`, only lowered, never added.
   */
  offEffort: OffEffort | null;
  /** Cap on `max_tokens` / `max_completion_tokens` / `max_output_tokens`; null: as asked. */
  maxTokens: number | null;
  /** The model the request is sent to instead; null: its own. */
  model: string | null;
  /** Reasoning in the answer (thinking blocks, reasoning items and summaries): removed, replaced by a notice, or kept. */
  reasoning: "drop" | "replace" | "keep";
}

export interface DegradePolicy {
  /** The route's rules, for models no model rule matches. */
  rules: DegradeRules;
  /** Per model-name glob, the route's rules with the model rule's fields over them; the first match applies. */
  models: ReadonlyArray<{ pattern: string; match: RegExp; rules: DegradeRules }>;
}
