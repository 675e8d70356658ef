import { BLOB_NAMES, type BlobName, DOUBLE_NAMES, type DoubleName } from "./analytics.ts";

/**
 * What each column of the Analytics Engine data point holds, in the schema's order (analytics.ts): what
 * `ANALYTICS_BLOBS` and `ANALYTICS_DOUBLES` export, and what docs/telemetry.md says (a test compares). Apart from
 * analytics.ts so that the request path, which writes the columns, does not carry their descriptions.
 */
const BLOB_MEANINGS: Record<BlobName, string> = {
  route: "route name, or (unmatched)",
  action: "allow | flag | degrade | challenge | throttle | block (in shadow mode: what would have been done)",
  reason: "the reason code that decided the action (a denial's error code), empty when none did",
  reasons: "every reason code, comma-separated",
  country: "ISO 3166-1 alpha-2 from request.cf (XX unknown, T1 Tor)",
  region: "ISO 3166-2 code such as UA-43",
  keyHash: "HMAC-SHA-256 of the API key (32 hex), empty without a key",
  mode: "enforce | shadow",
  colo: "Cloudflare data centre",
  method: "HTTP method",
  model: "model named in the request body (its first 64 characters), when the route read it",
  requestId: "the request id sent to the client and the origin",
  fingerprint: "client fingerprint id (16 hex)",
  cluster: "clusters over their limit the request belongs to, as name:id, comma-separated",
  path: "request path (no query)",
  template: "prompt-template id (16 hex), when the route read the body",
  degrade: "degrade transformations applied (shadow mode: that would have been), comma-separated, e.g. thinking=off",
  tier: "the risk tier the request reached (the route's `risk` model), empty when none",
  evidence: "what made the risk score: code=weight, strongest first, comma-separated (at most 256 characters)",
};

const DOUBLE_MEANINGS: Record<DoubleName, string> = {
  status: "HTTP status sent to the client",
  asn: "autonomous system number, 0 when unknown",
  decisionMs: "milliseconds from arrival to the decision",
  originMs: "milliseconds until the origin's response headers, -1 when not forwarded",
  risk: "risk 0..1",
  enforced: "1 when the verdict was enforced, 0 in shadow mode or failing open",
  retryAfterSeconds: "retry-after sent, 0 when none",
};

/** `[name, meaning]` of `blob1`, `blob2`, ... */
export const BLOBS: ReadonlyArray<readonly [BlobName, string]> = /* @__PURE__ */ BLOB_NAMES.map(
  (name) => [name, BLOB_MEANINGS[name]] as const,
);

/** `[name, meaning]` of `double1`, `double2`, ... */
export const DOUBLES: ReadonlyArray<readonly [DoubleName, string]> = /* @__PURE__ */ DOUBLE_NAMES.map(
  (name) => [name, DOUBLE_MEANINGS[name]] as const,
);
