import type { Mode } from "../config/types.ts";
import { ACTION_SEVERITY, type Action, DENYING, stronger } from "./actions.ts";
import { type Graded, combine, weightOf } from "./risk.ts";
import type { Finding, LimitState, Verdict } from "./types.ts";

const DENIAL_STATUS: Partial<Record<Action, number>> = { throttle: 429, block: 403 };

/** Codes whose finding means a limit was not enforced (the store failed and the route fails open). */
const UNENFORCED_CODES = new Set(["store.unavailable"]);

/**
 * Combines the findings of every check and the limiter into one Verdict.
 * The strongest action wins; its first finding gives the status. Risk combines
 * the findings' weights as independent probabilities; with the route's risk
 * model, the findings come graded (verdict/risk.ts: flags turned to evidence,
 * the tier's finding added) with their score and tier. In shadow mode the verdict says what would have been done and
 * `enforced` is false.
 */
export function decide(
  findings: readonly Finding[],
  limits: readonly LimitState[],
  mode: Mode,
  graded: Pick<Graded, "score" | "tier" | "top" | "evidence"> | null = null,
): Verdict {
  let action: Action = "allow";
  for (const f of findings) action = stronger(action, f.action);
  const denying = findings.filter((f) => f.action === action && DENYING.has(action));
  const retries = denying
    .map((f) => f.retryAfterSeconds)
    .filter((s): s is number => s !== undefined && Number.isFinite(s));
  const failedOpen = findings.some(
    (f) => UNENFORCED_CODES.has(f.reason.code) && ACTION_SEVERITY[f.action] < ACTION_SEVERITY.throttle,
  );
  const denied = denying.length > 0;
  return {
    action,
    // a store that failed open leaves limits unenforced; a denial by another check still stands
    enforced: mode === "enforce" && (denied || !failedOpen),
    status: denied ? (denying[0]!.status ?? DENIAL_STATUS[action] ?? 403) : 200,
    reasons: findings.map((f) => f.reason),
    // the first finding of the winning action: a flag raised earlier must not name a later denial
    code: findings.find((f) => f.action === action)?.reason.code ?? null,
    retryAfterSeconds: retries.length ? Math.max(...retries) : undefined,
    final: denying.some((f) => f.final === true),
    limits: [...limits],
    risk: graded?.score ?? combine(findings.map((f) => weightOf(f, null))),
    tier: graded?.tier?.name ?? null,
    evidence: graded?.evidence || null,
    topTier: graded?.top ?? false,
  };
}

/** Whether the verdict stops the request here (a challenge is settled by the guard first: guard/challenge.ts). */
export const isDenied = (v: Verdict): boolean => v.enforced && DENYING.has(v.action);
