import type { Subject } from "../identity/subject";
import type { ClusterRule } from "../limits/clusters";
import type { LimitRule } from "../limits/rules";
import type { Finding, LimitState } from "../verdict/types";

export type ErrorFormat = "anthropic" | "openai" | "problem";
export type Mode = "enforce" | "shadow";
/** The header a client's API key is read from, and the only credential header the origin receives. */
export type CredentialHeader = "x-api-key" | "authorization";

/** The request body, read at most once and bounded, on routes that need it. */
export interface RequestBody {
  bytes: Uint8Array;
  /** The parsed JSON; undefined when the body is not JSON. */
  json: unknown;
  /** The `model` field of a JSON body, when it is a string. */
  model: string | null;
}

/** What a check may look at. Checks never see the Hono context. */
export interface RequestFacts {
  request: Request;
  subject: Subject;
  route: RouteConfig;
  body: RequestBody | null;
}

/**
 * A check with no I/O (the one exception: a JWKS fetched once and cached per
 * isolate). Built once per config from its section; run once per request.
 */
export type PureCheck = (facts: RequestFacts) => Finding[] | Promise<Finding[]>;

/** What the limiter decided for one request. */
export interface LimitOutcome {
  findings: Finding[];
  limits: LimitState[];
  /** Work to finish after the response (token reconciliation), for `waitUntil`. */
  pending?: Promise<unknown>;
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
  credential: CredentialHeader;
  maxBodyBytes: number;
  /** Time allowed until the origin's response headers arrive; then 504. */
  originTimeoutMs: number;
  /** True when a check needs the parsed body (model rules, token costs, content signals). */
  needsBody: boolean;
  /** The route's pure checks, in the order they run. */
  checks: readonly PureCheck[];
  /** Also send the API family's own rate-limit headers (anthropic-ratelimit-*, x-ratelimit-*). */
  providerHeaders: boolean;
  /** Token buckets, checked and charged in one store round trip after the pure checks. */
  limits: readonly LimitRule[];
  /** The bucket a request with a signal set to `throttle` is charged to, besides `limits` (limits/config.ts). */
  signalBudget: LimitRule;
  /** Distinct-account counters over shared dimensions, counted in the same store round trip as the limits. */
  clusters: readonly ClusterRule[];
  /** Check manual blocks (admin API) in that same round trip. Absent: false. */
  blocks?: boolean;
  /** Key hashes that skip the fingerprint and content signals and join no cluster (config/trust.ts). */
  trustedKeys?: ReadonlySet<string>;
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
}

export interface GatewayConfig {
  /** Free-form version label, reported by health checks and telemetry. */
  version: string;
  routes: readonly RouteConfig[];
  /** What happens to requests no route matches. */
  unmatched: "forward" | "404";
  /** Error format for responses outside any route (unmatched 404, config errors). */
  errors: ErrorFormat;
  /** Origin timeout for forwarded unmatched requests (routes carry their own). */
  originTimeoutMs: number;
  store: StoreConfig;
  /** The admin API (on only when an admin token is given): where it lives. */
  admin: AdminConfig;
}

export interface AdminConfig {
  /** Path prefix of the admin API and the dashboard, e.g. "/_guard". */
  prefix: string;
}
