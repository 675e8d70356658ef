import type { RiskPolicy, RiskTier } from "../config/types.ts";
import { ACTION_SEVERITY } from "./actions.ts";
import { finding } from "./reasons.ts";
import type { Finding } from "./types.ts";

/**
 * Graded risk (docs/risk.md). Every finding carries a weight, 0..1: its
 * check's own (`Finding.risk`), or the route's `risk.weights` for its code.
 * The score combines the weights as independent probabilities,
 * `1 − Π(1 − w)`: two weak signals (0.2 each) make 0.36, a strong one (0.8)
 * and a weak one 0.84. The highest tier whose `score` it reaches decides.
 *
 * A finding whose action is `flag` and whose weight is above 0 is evidence:
 * it adds to the score and stays in the verdict's reasons, but does not flag
 * the request by itself (a hosting network alone, a shared build alone). Other
 * findings keep their action (a geo denial still denies, a flag of weight 0,
 * such as a trusted key or a store failing open, still flags). The tier's
 * finding (`risk.tier`) is added only when its action is stronger than every
 * finding's: a geo denial scores 1 and needs no second denial. `evidence`
 * explains every score, in the origin's `x-guard-evidence` and telemetry.
 */
export interface Graded {
  /** The findings as they act: evidence turned to `allow`, and the tier's finding (`risk.tier`) after them. */
  findings: Finding[];
  score: number;
  tier: RiskTier | null;
  /** The highest tier of the route was reached. */
  top: boolean;
  /** What made the score: each weighted finding as `code=weight`, strongest first, comma-separated; "" when none. */
  evidence: string;
}

/** A finding's weight under the route's model: the configured weight for its code, else its own. */
export const weightOf = (f: Finding, risk: RiskPolicy | null): number =>
  Math.min(1, Math.max(0, risk?.weights.get(f.reason.code) ?? f.risk ?? 0));

/** The combined score of findings: independent probabilities. */
export const combine = (weights: readonly number[]): number => 1 - weights.reduce((keep, w) => keep * (1 - w), 1);

export function grade(findings: readonly Finding[], risk: RiskPolicy): Graded {
  const weights = findings.map((f) => weightOf(f, risk));
  const score = combine(weights);
  let tier: RiskTier | null = null;
  for (const t of risk.tiers) if (score >= t.score) tier = t;
  const acting = findings.map((f, i) =>
    f.action === "flag" && weights[i]! > 0 ? { ...f, action: "allow" as const } : f,
  );
  const evidence = findings
    .map((f, i) => ({ code: f.reason.code, w: weights[i]! }))
    .filter((e) => e.w > 0)
    .sort((a, b) => b.w - a.w)
    .map((e) => `${e.code}=${e.w.toFixed(2)}`)
    .join(",");
  // the tier acts when it asks for more than the findings do (a geo denial's score needs no second denial)
  const strongest = acting.reduce((a, f) => Math.max(a, ACTION_SEVERITY[f.action]), 0);
  if (tier && ACTION_SEVERITY[tier.action] > strongest)
    acting.push(finding("risk.tier", tier.action, { detail: `${tier.name} ${score.toFixed(2)}: ${evidence}` }));
  const top = tier !== null && tier === risk.tiers[risk.tiers.length - 1];
  return { findings: acting, score, tier, top, evidence };
}
