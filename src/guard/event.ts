import { fingerprintId } from "../identity/fingerprint.ts";
import { templateOf } from "../request/template.ts";
import type { DecisionEvent } from "../telemetry/event.ts";
import { type GuardState, overClusters } from "./state.ts";

const UNMATCHED = "(unmatched)";

/** The decision's telemetry event, after the response (the fingerprint id and template are computed here when the request did not need them). */
export async function eventFor(
  state: GuardState,
  request: Request,
  path: string,
  status: number,
  decisionMs: number,
): Promise<DecisionEvent> {
  const { verdict, subject, route } = state;
  const reasons = verdict.reasons.map((r) => r.code);
  if (state.originError) reasons.push(state.originError);
  return {
    timestamp: new Date().toISOString(),
    requestId: state.requestId,
    route: route?.name ?? UNMATCHED,
    mode: route?.mode ?? "enforce",
    action: verdict.action,
    enforced: verdict.enforced,
    status,
    reason: state.originError ?? verdict.code,
    reasons,
    method: request.method,
    path,
    model: state.body?.model ?? null,
    country: subject.country,
    region: subject.region,
    asn: subject.asn,
    colo: subject.colo,
    keyHash: subject.keyHash,
    fingerprint: subject.fingerprint || (await fingerprintId(request.headers, subject.cf, subject.client)),
    cluster: overClusters(state).join(",") || null,
    // after the response (telemetry runs in waitUntil): computed once, shared with the checks that ran
    template: templateOf(state.body),
    risk: verdict.risk,
    retryAfterSeconds: verdict.retryAfterSeconds ?? null,
    decisionMs,
    originMs: state.originMs,
    degrade: state.degrade?.applied.join(",") || null,
    tier: verdict.tier,
    evidence: verdict.evidence,
  };
}
