import type { Action } from "../verdict/types.ts";

/** Everything recorded about one decision. Holds hashes only: never a raw API key or IP address. */
export interface DecisionEvent {
  timestamp: string;
  requestId: string;
  /** Route name; `(unmatched)` for requests no route matched. */
  route: string;
  mode: "enforce" | "shadow";
  action: Action;
  enforced: boolean;
  /** The status the client received. */
  status: number;
  /** The code that decided the action (a denial's error code); null when none did. */
  reason: string | null;
  /** Every reason code, in order. */
  reasons: string[];
  method: string;
  path: string;
  /** The body's `model`, cut to its first 64 characters when recorded (telemetry/record.ts). */
  model: string | null;
  country: string | null;
  region: string | null;
  asn: number | null;
  colo: string | null;
  /** HMAC of the API key; null without a key. */
  keyHash: string | null;
  /** Client fingerprint id (16 hex). */
  fingerprint: string | null;
  /** Clusters over their limit that this request belongs to, as `<name>:<id>`, comma-separated; null when none. */
  cluster: string | null;
  /** Prompt-template id (16 hex), when the route read the body and the prompt is long enough; else null. */
  template: string | null;
  risk: number;
  retryAfterSeconds: number | null;
  /** Milliseconds from arrival to the decision. */
  decisionMs: number;
  /** Milliseconds until the origin's response headers; null when not forwarded. */
  originMs: number | null;
  /** The degrade transformations applied (in shadow mode: that would have been), comma-separated; null when none. */
  degrade: string | null;
  /** The risk tier the request reached (the route's risk model); null when none. */
  tier: string | null;
  /** With a risk model: what made the score, `code=weight` comma-separated; null when nothing did. */
  evidence: string | null;
}
