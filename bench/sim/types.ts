/**
 * What one simulation run produces. Plain data (JSON), no imports: Node-side
 * code (scripts/simulate.ts) reads these types too.
 */

export type RunKind = "gateway" | "baseline";

export interface SegmentResult {
  name: string;
  description: string;
  legitimate: boolean;
  /** The hard-case group (legitimate) or campaign family the report sums it under. */
  group: string;
  accounts: number;
  /** Per account, as the scenario wrote it ("26 per day"). */
  rate: string;
  /** Requests sent. */
  attempted: number;
  /** Requests that reached the origin (for a campaign: exchanges harvested). */
  harvested: number;
  /** Of those, requests forwarded with a flag the origin could act on (x-guard-action: flag). */
  harvestedFlagged: number;
  /** Requests answered by the gateway itself (4xx/5xx without reaching the origin). */
  denied: number;
  /** Denials by the reason code that decided them (`rate.key_exhausted`, `geo.tor`...). */
  deniedByReason: Record<string, number>;
  /** Flag reasons on forwarded requests; a request flagged for two reasons counts under both. */
  flaggedByReason: Record<string, number>;
  /** Virtual ms from the scenario's start to the segment's first request; null if it sent none. */
  firstRequestMs: number | null;
  /**
   * Virtual ms from the scenario's start after which, in every containment
   * window with traffic, at most `maxAllowedShare` of the segment's requests
   * reached the origin; null when that never held.
   */
  containedAtMs: number | null;
  /** Per chart bucket: requests sent, requests that reached the origin, and of those the flagged ones. */
  timeline: { attempted: number[]; harvested: number[]; flagged: number[] };
  /** Requests in the top tier (bench/sim/tiers.ts: denied, or a block-level verdict). */
  topTier: number;
  /** Browsers' CORS preflights (OPTIONS before a call), apart from the calls: how many, how many denied and why. */
  preflights: { attempted: number; denied: number; deniedByReason: Record<string, number> };
  /** What the answers were worth to the client (absent in results written before it was counted). */
  value?: SegmentValue;
}

/** The value a segment received: what a distiller harvests, and how often the gateway degraded or challenged it. */
export interface SegmentValue {
  /** Reasoning (thinking) tokens of the answers as the client received them: 0 for reasoning removed or never made. */
  reasoningTokens: number;
  /** Answer tokens (output less reasoning) of the answers that reached the client. */
  outputTokens: number;
  /** Requests forwarded degraded (`x-guard-action: degrade`). */
  degraded: number;
  /** Requests challenged (refused for want of an identity attestation, or let through with one). */
  challenged: number;
}

export interface RunResult {
  kind: RunKind;
  scenario: string;
  seed: number;
  /** The gateway configuration's name ("recommended", "inline"); "baseline" for the baseline. */
  config: string;
  durationMs: number;
  chartBucketMs: number;
  containment: { windowMs: number; maxAllowedShare: number };
  /** Requests replayed (calls; preflights and history not included). */
  requests: number;
  /** Requests of the accounts' history replayed before the start (not in any count). */
  historyRequests: number;
  segments: SegmentResult[];
}

export interface Goals {
  /** The campaign whose harvest reduction is judged. */
  campaign: string;
  minReduction: number;
  /** Largest share of legitimate requests denied. */
  maxLegitimateDenied: number;
}
