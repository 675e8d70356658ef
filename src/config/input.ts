import type { CredentialSetting } from "../identity/key-hash.ts";
import type { Action } from "../verdict/actions.ts";
import type { ErrorFormat, Mode } from "./types.ts";

/**
 * The configuration as users write it (TypeScript value, or JSON in
 * `GATEWAY_CONFIG`). Every field but `routes` is optional; docs/configuration.md
 * gives each default. Validated by parseConfig().
 */
export interface ConfigInput {
  /** The JSON Schema the file follows (src/config/config.schema.json), for editors; the gateway ignores it. */
  $schema?: string;
  /** Free-form label reported in health checks. */
  version?: string;
  routes: RouteInput[];
  /** Requests no route matches: answered 404 (default) or forwarded unchecked. */
  unmatched?: "forward" | "404";
  /** Error format outside any route, and the default for routes. Default "anthropic". */
  errors?: ErrorFormat;
  /** Default mode for routes. Default "enforce". */
  mode?: Mode;
  /** Default largest request body in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Default wait for the origin's response headers, in ms. Default 300000. */
  originTimeoutMs?: number;
  store?: {
    timeoutMs?: number;
    onError?: "open" | "closed" | "local";
    prefix?: string;
    clock?: "redis" | "worker";
    recoverAfterMs?: number;
  };
  /**
   * Keep the keys the origin has accepted (a 2xx answer; remembered by their HMAC for 30 days) apart in every
   * cluster: an accepted key is judged by the count of accepted members, so keys the origin never accepted
   * cannot push its customers' cluster over the limit; a key not yet accepted is judged by everyone's count and
   * is charged its route's `unproven` bucket. Read in the request's one store round trip. Keys of a key
   * registry are accepted already. Default true.
   */
  proveKeys?: boolean;
  /** The admin API and dashboard (on only when ADMIN_TOKEN is set). Default prefix "/_guard". */
  admin?: { prefix?: string };
}

export interface RouteInput {
  name: string;
  match: { path?: string; paths?: string[]; methods?: string[] };
  mode?: Mode;
  errors?: ErrorFormat;
  /**
   * The header the origin authenticates; the other is stripped. "either": an origin that reads both, the one the
   * client sent is counted and forwarded (two different keys are refused). Default "either" for errors "anthropic"
   * (its SDKs send x-api-key or Authorization: Bearer, by version), else "authorization".
   */
  credential?: CredentialSetting;
  maxBodyBytes?: number;
  originTimeoutMs?: number;
  /** Geo, network and identity policy (docs/geo-and-identity.md). */
  geo?: GeoInput;
  /** Client fingerprint signals (docs/fingerprints-and-clusters.md). */
  fingerprint?: FingerprintInput;
  /** Content signals; naming the section makes the route read the body (docs/fingerprints-and-clusters.md). */
  content?: ContentInput;
  /** Also send anthropic-ratelimit-* or x-ratelimit-* headers, after the route's error format. Default false. */
  providerHeaders?: boolean;
  /** Token buckets (docs/limits.md). */
  limits?: LimitInput[];
  /** Distinct accounts per shared dimension (docs/fingerprints-and-clusters.md). */
  clusters?: ClusterInput[];
  /** Distinct networks per account (README: "Fingerprints and clusters"). */
  spread?: SpreadInput[];
  habits?: HabitInput[];
  /** Check manual blocks (admin API) on this route. Default: true when the route has limits (same store round trip), else false. */
  blocks?: boolean;
  /**
   * The signal budget: a request with a signal set to "throttle" is flagged and charged to this bucket
   * too, then answered 429 once it is empty. Default { rate: "10 per minute", by: ["key"] }.
   */
  throttle?: { rate: string; capacity?: number; by?: string[] };
  /**
   * A request without an API key: "share" (default), it is held to the route's per-key buckets shared by every
   * keyless request of its subnet (IPv4 /24, IPv6 /48); "refuse", it is answered 401 (`identity.key_missing`).
   */
  keyless?: "share" | "refuse";
  /**
   * The bucket of keys the origin has not accepted yet (with the top-level `proveKeys`): charged besides the
   * route's limits until a key's first success, and such keys join no cluster.
   * Default { rate: "20 per minute", by: ["subnet"] }.
   */
  unproven?: { rate: string; capacity?: number; by?: string[] };
  /** Keys you trust, as key hashes (`npm run key-hash`): they skip the fingerprint and content signals and join no cluster. */
  trust?: { keys: string[] };
  /** What the `degrade` action does on this route (docs/actions.md). Default { thinking: "off", reasoning: "drop" }. */
  degrade?: DegradeInput;
  /** What meets the `challenge` action: an identity attestation rule. Required when any of the route's actions is "challenge". */
  challenge?: { identity: IdentityInput };
  /** Graded risk: the evidence combined into one score, tiers mapped to actions (docs/risk.md). */
  risk?: RiskInput;
}

/** A route's risk model (docs/risk.md). */
export interface RiskInput {
  /** A key or account first seen at the edge less than this long ago is new: evidence `identity.new_key`. "1d"; absent: not read. */
  newKey?: string | number;
  /** Weights 0..1 by reason code (`"network.hosting": 0.1`), over the built-in ones. */
  weights?: Record<string, number>;
  /** From `score` (0..1) up, the tier's action applies; the highest tier reached wins. At least one. */
  tiers: Array<{ name: string; score: number; action: Action }>;
}

/** The transformations of a degraded request and its answer (docs/actions.md). */
export interface DegradeRulesInput {
  /** Thinking / reasoning in the request: "off" (default), "low" (down to budgetTokens / effort) or "keep". */
  thinking?: "off" | "low" | "keep";
  /** Anthropic thinking budget with thinking "low". Default 1024 (the API's minimum). */
  budgetTokens?: number;
  /** The OpenAI reasoning effort a request asking for more is lowered to. Default "low". */
  effort?: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
  /**
   * OpenAI, with thinking "off": the effort that turns reasoning off on these models, set on every request (added
   * where it names none): "none" (gpt-5.1 and later), "minimal" (gpt-5), "low" (o-series, which cannot turn it
   * off). Set it per model glob: a model without reasoning refuses the field. Default null: `effort`, only lowered.
   */
  offEffort?: "none" | "minimal" | "low" | null;
  /** Cap on max_tokens / max_completion_tokens / max_output_tokens. Default: none. */
  maxTokens?: number;
  /** The model the request goes to instead (a fallback such as "fable-4-small"). Default: its own. */
  model?: string;
  /** Reasoning in the answer: "drop" (default), "replace" (a notice in its place) or "keep". */
  reasoning?: "drop" | "replace" | "keep";
}

export interface DegradeInput extends DegradeRulesInput {
  /** Per model-name glob ("fable-5*"), fields over the route's; the first pattern that matches applies. */
  models?: Record<string, DegradeRulesInput>;
}

export interface ClusterInput {
  name: string;
  /** fingerprint, ip, subnet, asn, country, template, attestation (the identity attestation's subject) */
  by: string[];
  /** More distinct accounts (API keys) than this in the window puts the cluster over its limit. */
  maxAccounts: number;
  /**
   * Also count the members' distinct addresses (IPv4 /32, IPv6 /64): the
   * cluster is then over its limit only with more addresses than this too.
   * Tells a farm rotating through a subnet from a company or service behind NAT.
   */
  maxAddresses?: number;
  /** "1h", "30m", "1d", or seconds: from 1 minute to 7 days. */
  window: string | number;
  /**
   * A cohort: count and judge only accounts first seen at the edge less than this long ago ("1d"): many new keys
   * arriving together on one network, build or template. Default: every account.
   */
  newKeys?: string | number;
  /**
   * Over the limit: flag (tell the origin), degrade (the route's degrade transformations), challenge (an identity
   * attestation is required), throttle (the members share one account's limits), block (403). Default "flag".
   */
  action?: Exclude<Action, "allow">;
  /** throttle: the members' shared bucket instead of the route's per-key limits, such as "60 per minute". */
  rate?: string;
  /** With rate: the bucket's size. Default the rate's count. */
  capacity?: number;
}

export interface SpreadInput {
  name: string;
  /** What to count per account: "asn" (networks), "subnet" (IPv4 /24, IPv6 /48) or "country". */
  count: "asn" | "subnet" | "country";
  /** More distinct values than this in the window puts the account over. */
  max: number;
  /** "1h", "30m", "1d", or seconds: from 1 minute to 7 days. */
  window: string | number;
  /** Over: flag (tell the origin), degrade, challenge (docs/actions.md) or block (403). Default "flag". */
  action?: "flag" | "degrade" | "challenge" | "block";
}

export interface HabitInput {
  name: string;
  /** What to count among the account's requests: "single-shot" (no earlier assistant turn) or "reasoning" (the content checks find a reasoning request). */
  of: "single-shot" | "reasoning";
  /** A share at or above this (0 to 1) puts the account over. */
  share: number;
  /** Judged only from this many requests (decayed). Default 20. */
  minRequests?: number;
  /** How fast old requests fade: "12h", "1d", or seconds, from 1 minute to 7 days. Default "1d". */
  halfLife?: string | number;
  /** Over: flag (tell the origin), degrade, challenge (docs/actions.md) or block (403). Default "flag". */
  action?: "flag" | "degrade" | "challenge" | "block";
}

export interface LimitInput {
  name: string;
  /** key, ip, subnet, asn, country, fingerprint, route */
  by: string[];
  /** "60 per minute" (also per second, hour, day); capacity defaults to the count. */
  rate?: string;
  capacity?: number;
  refillPerSecond?: number;
  /** A fixed quota: this many per `per` window, no refill (instead of rate / capacity / refillPerSecond). */
  quota?: number;
  /** The quota's window: "1h", "30m", "1d" or seconds, from 1 second to 1 day. */
  per?: string | number;
  cost?: "request" | "tokens";
}

export interface ContentInput {
  /** `content.reasoning_elicitation`: prompts asking for step-by-step or internal reasoning. Default "flag". */
  reasoningElicitation?: Action;
  /** `content.large_reasoning_budget`. Default "flag". */
  largeReasoningBudget?: Action;
  /** `thinking.budget_tokens` above this is large. Default 16384. */
  maxBudgetTokens?: number;
  /** `reasoning_effort`, `reasoning.effort`, `output_config.effort` above this are large. Default "medium". */
  maxEffort?: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
}

/** What each group of fingerprint signals does: allow | flag | degrade | challenge | throttle | block. */
export interface FingerprintInput {
  /** `fingerprint.automation_ua`: HTTP libraries without an SDK, headless browsers, no User-Agent. Default "flag". */
  automation?: Action;
  /** `fingerprint.browser_headers_missing` / `_mismatch`, `sdk_mismatch`, `tls_mismatch`. Default "flag". */
  inconsistent?: Action;
  /** `fingerprint.low_bot_score` (Bot Management). Default "flag". */
  lowBotScore?: Action;
  /** Scores (1–99) under this are low. Default 30. */
  minBotScore?: number;
  /** `fingerprint.verified_bot`. Default "allow". */
  verifiedBots?: Action;
  /** The zone negotiates TLS 1.3 (Cloudflare's default); false: only TLS below 1.2 under a modern browser is a mismatch. Default true. */
  tls13?: boolean;
}

export interface PlaceLists {
  /** ISO 3166-1 alpha-2 codes. */
  countries?: string[];
  /** ISO 3166-2 codes such as "UA-43". */
  regions?: string[];
  /** AF, AN, AS, EU, NA, OC, SA. */
  continents?: string[];
  /** 13335, "AS13335" or "13335". */
  asns?: Array<number | string>;
  /** IPv4 or IPv6 CIDR ranges, or single addresses. */
  ips?: string[];
}

/** allow | flag | degrade | challenge | throttle | deny (the `block` action, geo's word for it). */
export type GeoActionInput = Exclude<Action, "block"> | "deny";

export interface GeoRulesInput {
  preset?: string;
  presets?: string[];
  allow?: PlaceLists;
  deny?: PlaceLists;
  /** Tor exits (`geo.tor`). Default "deny" when the rules restrict locations, else "allow". */
  tor?: GeoActionInput;
  /** No country, or no region or continent where the rules need one (`geo.unknown_location`). Default as `tor`. */
  unknown?: GeoActionInput;
  /** Networks of the hosting preset (`network.hosting`). Default "deny" when the hosting preset is named, else "allow". */
  hosting?: GeoActionInput;
}

export interface IdentityInput {
  header?: string;
  jwksUrl?: string;
  jwks?: { keys: JsonWebKey[] };
  jwk?: JsonWebKey;
  issuer: string;
  audience: string;
  algorithms?: string[];
  claims?: { verified?: string; nationality?: string; residency?: string };
  require?: { verified?: boolean; nationality?: string[]; residency?: string[] };
  cacheTtlSeconds?: number;
  refetchMinSeconds?: number;
  timeoutMs?: number;
  /** The claim naming the API key's HMAC the token is good for (default `{ claim: "key_hash" }`); `false`: not bound. */
  bind?: false | { claim?: string };
  /** The longest token lifetime accepted (default 3600). */
  maxLifetimeSeconds?: number;
}

export interface GeoInput extends GeoRulesInput {
  /** Stricter policies per model, keyed by glob ("fable-5*"). */
  models?: Record<string, GeoRulesInput & { identity?: IdentityInput }>;
  /**
   * A key (or account) this section refuses for its country, region or continent stays refused from anywhere,
   * VPN exits included, for this long ("30d", at most "90d"; `geo.key_tainted`). Default: not kept.
   */
  taint?: string | number;
}
