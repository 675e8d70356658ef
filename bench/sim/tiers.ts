/**
 * Which requests the report counts in the **top tier**: what an origin would
 * treat as the highest risk (withhold everything, or refuse). A request is
 * top tier when the gateway denied it, when its route's risk model put it in
 * its highest tier (docs/risk.md), or when its verdict carries a block-level
 * action without enforcing it (shadow mode, failing open).
 */
import type { Verdict } from "../../src/verdict/types.ts";

export interface Outcome {
  /** The gateway answered it itself (it did not reach the origin). */
  denied: boolean;
  /** The decision's verdict; null when the gateway recorded none. */
  verdict: Verdict | null;
}

export function isTopTier(outcome: Outcome): boolean {
  return outcome.denied || outcome.verdict?.topTier === true || outcome.verdict?.action === "block";
}
