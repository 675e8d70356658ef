import type { DecisionEvent } from "./event.ts";

/**
 * The Analytics Engine data point, one per decision. The order of blobs and
 * doubles is the schema users query (`blob1`, `double1`, ...): append, never
 * reorder. docs/telemetry.md documents the same table.
 */
export const BLOBS = [
  ["route", "route name, or (unmatched)"],
  ["action", "allow | flag | degrade | challenge | throttle | block (in shadow mode: what would have been done)"],
  ["reason", "the reason code that decided the action (a denial's error code), empty when none did"],
  ["reasons", "every reason code, comma-separated"],
  ["country", "ISO 3166-1 alpha-2 from request.cf (XX unknown, T1 Tor)"],
  ["region", "ISO 3166-2 code such as UA-43"],
  ["keyHash", "HMAC-SHA-256 of the API key (32 hex), empty without a key"],
  ["mode", "enforce | shadow"],
  ["colo", "Cloudflare data centre"],
  ["method", "HTTP method"],
  ["model", "model named in the request body (its first 64 characters), when the route read it"],
  ["requestId", "the request id sent to the client and the origin"],
  ["fingerprint", "client fingerprint id (16 hex)"],
  ["cluster", "clusters over their limit the request belongs to, as name:id, comma-separated"],
  ["path", "request path (no query)"],
  ["template", "prompt-template id (16 hex), when the route read the body"],
  [
    "degrade",
    "degrade transformations applied (shadow mode: that would have been), comma-separated, e.g. thinking=off",
  ],
  ["tier", "the risk tier the request reached (the route's `risk` model), empty when none"],
  ["evidence", "what made the risk score: code=weight, strongest first, comma-separated (at most 256 characters)"],
] as const;

export const DOUBLES = [
  ["status", "HTTP status sent to the client"],
  ["asn", "autonomous system number, 0 when unknown"],
  ["decisionMs", "milliseconds from arrival to the decision"],
  ["originMs", "milliseconds until the origin's response headers, -1 when not forwarded"],
  ["risk", "risk 0..1"],
  ["enforced", "1 when the verdict was enforced, 0 in shadow mode or failing open"],
  ["retryAfterSeconds", "retry-after sent, 0 when none"],
] as const;

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
  const blob: Record<(typeof BLOBS)[number][0], string> = {
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
  const double: Record<(typeof DOUBLES)[number][0], number> = {
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
    blobs: BLOBS.map(([name]) => blob[name]),
    doubles: DOUBLES.map(([name]) => double[name]),
  };
}
