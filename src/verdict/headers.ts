import type { Verdict } from "./types.ts";

/**
 * Headers the origin receives with a forwarded request, so it can act on the
 * verdict (answer a flagged client with less, for example without reasoning
 * traces). Any client-sent `x-guard-*` header is removed before these are added.
 */
export function originHeaders(
  verdict: Verdict,
  requestId: string,
  mode: "enforce" | "shadow",
  clusters: readonly string[] = [],
  degraded: readonly string[] = [],
): Record<string, string> {
  const headers: Record<string, string> = {
    "x-guard-request-id": requestId,
    "x-guard-action": verdict.action,
    "x-guard-mode": mode,
    "x-guard-risk": verdict.risk.toFixed(2),
  };
  if (verdict.reasons.length) headers["x-guard-reasons"] = verdict.reasons.map((r) => r.code).join(",");
  // the risk model's tier, and what made its score (x-guard-risk), e.g. "cluster.new_accounts_per_subnet=0.80,…"
  if (verdict.tier) headers["x-guard-tier"] = verdict.tier;
  if (verdict.evidence) headers["x-guard-evidence"] = verdict.evidence;
  // clusters over their limit, as <name>:<id>: the origin can group a farm's accounts
  if (clusters.length) headers["x-guard-cluster"] = clusters.join(",");
  // the degrade transformations applied (in shadow mode: that would have been), e.g. "thinking=off,max_tokens=1024"
  if (degraded.length) headers["x-guard-degrade"] = degraded.join(",");
  return headers;
}

/** In shadow mode the would-be verdict is visible to the client (and its operator) in response headers. */
export function shadowHeaders(verdict: Verdict, degraded: readonly string[] = []): Record<string, string> {
  return {
    "x-guard-shadow": verdict.action,
    ...(verdict.reasons.length ? { "x-guard-reason": verdict.reasons.map((r) => r.code).join(",") } : {}),
    ...(degraded.length ? { "x-guard-shadow-degrade": degraded.join(",") } : {}),
  };
}
