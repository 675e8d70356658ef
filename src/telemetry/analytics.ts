import type { DecisionEvent } from "./event.ts";

/**
 * The Analytics Engine data point, one per decision. The order of blobs and
 * doubles is the schema users query (`blob1`, `double1`, ...): append, never
 * reorder. What each holds: analytics-schema.ts (apart, so that the request
 * path does not carry it), and docs/telemetry.md, the same table.
 */
export const BLOB_NAMES = [
  "route",
  "action",
  "reason",
  "reasons",
  "country",
  "region",
  "keyHash",
  "mode",
  "colo",
  "method",
  "model",
  "requestId",
  "fingerprint",
  "cluster",
  "path",
  "template",
  "degrade",
  "tier",
  "evidence",
] as const;

export const DOUBLE_NAMES = [
  "status",
  "asn",
  "decisionMs",
  "originMs",
  "risk",
  "enforced",
  "retryAfterSeconds",
] as const;

export type BlobName = (typeof BLOB_NAMES)[number];
export type DoubleName = (typeof DOUBLE_NAMES)[number];

/** A data point as an Analytics Engine dataset takes it (the runtime's AnalyticsEngineDataPoint). */
export interface AnalyticsDataPoint {
  indexes?: (string | ArrayBuffer | null)[];
  blobs?: (string | ArrayBuffer | null)[];
  doubles?: number[];
}

/**
 * What the guard needs of an Analytics Engine dataset binding: `env.ANALYTICS` fits it. Declared here, not taken
 * from the runtime's types, so the package's types need neither @cloudflare/workers-types nor `wrangler types`.
 */
export interface AnalyticsDataset {
  writeDataPoint(point?: AnalyticsDataPoint): void;
}

/** Index (the sampling key): the route name. */
export function toDataPoint(e: DecisionEvent): AnalyticsDataPoint {
  const blob: Record<BlobName, string> = {
    route: e.route,
    action: e.action,
    reason: e.reason ?? "",
    reasons: e.reasons.join(","),
    country: e.country ?? "",
    region: e.region ?? "",
    keyHash: e.keyHash ?? "",
    mode: e.mode,
    colo: e.colo ?? "",
    method: e.method,
    model: e.model ?? "",
    requestId: e.requestId,
    fingerprint: e.fingerprint ?? "",
    cluster: e.cluster ?? "",
    path: e.path.slice(0, 256),
    template: e.template ?? "",
    degrade: (e.degrade ?? "").slice(0, 256),
    tier: e.tier ?? "",
    evidence: (e.evidence ?? "").slice(0, 256),
  };
  const double: Record<DoubleName, number> = {
    status: e.status,
    asn: e.asn ?? 0,
    decisionMs: e.decisionMs,
    originMs: e.originMs ?? -1,
    risk: e.risk,
    enforced: e.enforced ? 1 : 0,
    retryAfterSeconds: e.retryAfterSeconds ?? 0,
  };
  return {
    indexes: [e.route.slice(0, 96)],
    blobs: BLOB_NAMES.map((name) => blob[name]),
    doubles: DOUBLE_NAMES.map((name) => double[name]),
  };
}
