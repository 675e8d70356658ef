import type { Action } from "./actions.ts";

/** What the gateway did with a request (in shadow mode: what it would have done): actions.ts orders them. */
export type { Action } from "./actions.ts";

export type Check =
  | "geo"
  | "network"
  | "identity"
  | "rate"
  | "fingerprint"
  | "cluster"
  | "risk"
  | "content"
  | "store"
  | "request"
  | "block"
  | "origin"
  | "gateway";

/**
 * Why a check contributed to a verdict. `code` is a stable string such as
 * `geo.country_denied` or `rate.key_exhausted`: it appears in logs, analytics
 * and the `x-guard-reason` header, and users write queries on it. Every code
 * is registered in reasons.ts.
 */
export interface Reason {
  check: Check;
  code: string;
  detail?: string;
}

/** The state of one token bucket after this request, for the RateLimit headers. */
export interface LimitState {
  name: string;
  capacity: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds of refill that make one capacity: the RateLimit-Policy window. */
  windowSeconds: number;
  /** What the bucket counts: requests, or model tokens (`cost: "tokens"`). */
  unit: "requests" | "tokens";
}

/**
 * One finding of one check: a reason and what it asks the gateway to do.
 * Checks return findings; `decide()` combines them into one Verdict.
 */
export interface Finding {
  reason: Reason;
  action: Action;
  /** The status a denial answers with: 451 legal/geo, 403 policy, 429 rate, 503 store. */
  status?: number;
  /** For throttles: when a retry can succeed. */
  retryAfterSeconds?: number;
  /** Contribution to the verdict's risk, 0..1 (combined as independent probabilities). */
  risk?: number;
  /** True when retrying the same request can never succeed (sends `x-should-retry: false`). */
  final?: boolean;
}

export interface Verdict {
  /** What was done (in shadow mode: what would have been done). */
  action: Action;
  /** False in shadow mode or when failing open. */
  enforced: boolean;
  /** 200 for forwarded, else the denial's status (400/403/413/429/451/503). */
  status: number;
  /** Every check that contributed, in order. */
  reasons: Reason[];
  /** The code of the finding that decided the action (a denial's error `code`); null when nothing did. */
  code: string | null;
  retryAfterSeconds?: number;
  /** True when retrying cannot help: the response carries `x-should-retry: false`. */
  final: boolean;
  limits: LimitState[];
  /** 0..1, from signals and clusters (with a risk model: its score, verdict/risk.ts). */
  risk: number;
  /** The risk model's tier the score reached; null without a model or below its first tier. */
  tier: string | null;
  /** With a risk model: what made the score, `code=weight` strongest first, comma-separated; null when nothing did. */
  evidence: string | null;
  /** The route's highest tier was reached. */
  topTier: boolean;
}
