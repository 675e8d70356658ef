import type { Action, Check, Finding, Reason } from "./types.ts";

/**
 * Every reason code the gateway writes, once: which check writes it, the
 * status its denial answers with, whether retrying can help, and what the
 * client is told. Checks, the limiter, the verdict and the error bodies read
 * this table; docs/reasons.md lists the same codes (a test compares them).
 * A new reason code is one entry here, its use, and its line in the docs.
 *
 * A `*` stands for the dimensions of a rule (`rate.key_exhausted`,
 * `cluster.accounts_per_fingerprint_asn`).
 */
export interface ReasonSpec {
  check: Check;
  /** The status of a denial by this code (action `block`); null when it never denies. */
  status: number | null;
  /** The status when the code throttles instead (a signal or cluster set to `throttle`): 429 unless given. */
  throttleStatus?: number;
  /** Retrying the same request can succeed (a blocking finding otherwise sends `x-should-retry: false`). */
  retry: boolean;
  /** What the client is told: never more than it needs. */
  message: string;
}

const GEO = "This API is not available in your country or region.";
const NETWORK = "Requests from your network are not accepted.";
const IDENTITY = "Your identity attestation does not permit access to this model.";
const RATE = "Rate limit exceeded. Retry after the time given in the retry-after header.";
const CLIENT = "This client is not permitted.";
const NOT_PERMITTED = "This request is not permitted.";
const UNAVAILABLE = "The service is temporarily unavailable. Please retry shortly.";

const geo = (message = GEO) => ({ check: "geo", status: 451, retry: false, message }) as const;
const network = { check: "network", status: 403, retry: false, message: NETWORK } as const;
const fingerprint = { check: "fingerprint", status: 403, retry: false, message: CLIENT } as const;
const content = { check: "content", status: 403, retry: false, message: NOT_PERMITTED } as const;

export const REASONS = {
  "geo.country_denied": geo(),
  "geo.region_denied": geo(),
  "geo.continent_denied": geo(),
  "geo.tor": geo(),
  "geo.unknown_location": geo(),
  "geo.model_restricted": geo("This model is not available in your country or region."),
  "geo.key_tainted": geo(),
  "network.asn_denied": network,
  "network.ip_denied": network,
  "network.hosting": network,
  "identity.attestation_required": {
    check: "identity",
    status: 403,
    retry: false,
    message: "This model requires a verified identity attestation.",
  },
  "identity.attestation_invalid": { check: "identity", status: 403, retry: false, message: IDENTITY },
  "identity.attestation_unbound": { check: "identity", status: 403, retry: false, message: IDENTITY },
  "identity.claim_denied": { check: "identity", status: 451, retry: false, message: IDENTITY },
  // keys we could not fetch may be back on the next try
  "identity.keys_unavailable": { check: "identity", status: 503, retry: true, message: IDENTITY },
  "identity.key_missing": { check: "identity", status: 401, retry: false, message: "This API requires an API key." },
  "identity.key_unknown": { check: "identity", status: 401, retry: false, message: "Invalid API key." },
  // a challenge (action "challenge") the request did not meet: it must come again with an attestation
  "identity.step_up_required": {
    check: "identity",
    status: 403,
    retry: false,
    message: "This request requires a verified identity attestation bound to your API key.",
  },
  // a challenge met by a valid attestation: the request went on
  "identity.challenge_passed": { check: "identity", status: null, retry: true, message: NOT_PERMITTED },
  "identity.trusted_key": { check: "identity", status: null, retry: true, message: NOT_PERMITTED },
  // evidence for a route's risk model: the key or account was first seen at the edge recently
  "identity.new_key": { check: "identity", status: null, retry: true, message: NOT_PERMITTED },
  "fingerprint.automation_ua": fingerprint,
  "fingerprint.browser_headers_missing": fingerprint,
  "fingerprint.browser_headers_mismatch": fingerprint,
  "fingerprint.sdk_mismatch": fingerprint,
  "fingerprint.tls_mismatch": fingerprint,
  "fingerprint.low_bot_score": fingerprint,
  "fingerprint.verified_bot": fingerprint,
  "content.reasoning_elicitation": content,
  "content.large_reasoning_budget": content,
  "rate.*_exhausted": { check: "rate", status: 429, retry: true, message: RATE },
  "rate.*_too_large": { check: "rate", status: 429, retry: false, message: RATE },
  "spread.*_per_account": {
    check: "cluster",
    status: 403,
    retry: false,
    message: "This API key is being used from too many networks.",
  },
  // an account's habits over days (limits/habits.ts): `account.single_shot_share`, `account.reasoning_share`
  "account.*_share": {
    check: "cluster",
    status: 403,
    retry: false,
    message: "Requests from this API key are not accepted.",
  },
  "cluster.accounts_per_*": {
    check: "cluster",
    status: 403,
    retry: false,
    message: "Too many requests from clients sharing this network or configuration.",
  },
  // a cohort cluster (`newKeys`): many new accounts arriving together
  "cluster.new_accounts_per_*": {
    check: "cluster",
    status: 403,
    retry: false,
    message: "Too many new accounts from clients sharing this network or configuration.",
  },
  // the tier a route's risk model put the request in (its detail names the tier, the score and the evidence)
  "risk.tier": { check: "risk", status: 403, retry: false, message: NOT_PERMITTED },
  "block.manual": { check: "block", status: 403, retry: false, message: "Access for this client has been suspended." },
  "store.unavailable": { check: "store", status: 503, throttleStatus: 503, retry: true, message: UNAVAILABLE },
  "store.fallback": { check: "store", status: null, retry: true, message: UNAVAILABLE },
  "request.invalid_json": {
    check: "request",
    status: 400,
    retry: false,
    message: "The request body must be valid JSON.",
  },
  "request.ambiguous_path": {
    check: "request",
    status: 400,
    retry: false,
    message:
      "The request path is ambiguous: send it without escaped slashes, backslashes, dot segments or control characters.",
  },
  "request.conflicting_credentials": {
    check: "request",
    status: 400,
    retry: false,
    message: "Send one API key: x-api-key and Authorization name different credentials.",
  },
  "request.model_unknown": {
    check: "request",
    status: 400,
    retry: false,
    message: "The request body must name its model: a `model` field, or `params.model` in every request of a batch.",
  },
  "request.too_large": { check: "request", status: 413, retry: false, message: "The request body is too large." },
  "route.not_found": { check: "request", status: 404, retry: false, message: "Not found." },
  "origin.unreachable": {
    check: "origin",
    status: 502,
    retry: true,
    message: "The upstream API could not be reached.",
  },
  "origin.timeout": { check: "origin", status: 504, retry: true, message: "The upstream API did not answer in time." },
  "gateway.misconfigured": {
    check: "gateway",
    status: 503,
    retry: true,
    message: "The gateway is not configured correctly.",
  },
} as const satisfies Record<string, ReasonSpec>;

type Expand<K> = K extends `${infer Head}*${infer Tail}` ? `${Head}${string}${Tail}` : K;
/** A code of the registry; `*` entries stand for any dimensions. */
export type ReasonCode = Expand<keyof typeof REASONS>;

/** Said when no registered code decided (it never should). */
const FALLBACK: ReasonSpec = { check: "request", status: 403, retry: false, message: NOT_PERMITTED };

const PATTERNS: ReadonlyArray<[RegExp, ReasonSpec]> = Object.entries(REASONS)
  .filter(([code]) => code.includes("*"))
  .map(([code, spec]) => [new RegExp(`^${code.replace(/\./g, "\\.").replace("*", "[a-z0-9_]+")}$`), spec]);

/** The registry's entry for a code, exact or by pattern; undefined for a code it does not know. */
export function reasonSpec(code: string): ReasonSpec | undefined {
  return (REASONS as Record<string, ReasonSpec>)[code] ?? PATTERNS.find(([pattern]) => pattern.test(code))?.[1];
}

/** What the client is told for a code. */
export const messageFor = (code: string): string => (reasonSpec(code) ?? FALLBACK).message;

/** The reason for a code, its check from the registry. */
export function reason(code: ReasonCode, detail?: string): Reason {
  return detail === undefined
    ? { check: reasonSpec(code)!.check, code }
    : { check: reasonSpec(code)!.check, code, detail };
}

interface FindingExtras {
  detail?: string;
  risk?: number;
  /** A throttle's wait; without it a throttle is retryable at once unless `final`. */
  retryAfterSeconds?: number;
  /** Retrying can never help (a throttle whose wait is infinite, a cost that never fits). */
  final?: boolean;
}

/**
 * A finding for a code. `block` answers the registry's status and is final
 * unless the code says retrying helps; `throttle` answers its throttle
 * status (429 unless the registry says otherwise), final only when told;
 * `allow` and `flag` carry no status.
 */
export function finding(code: ReasonCode, action: Action, extras: FindingExtras = {}): Finding {
  const spec = reasonSpec(code)!;
  const out: Finding = { reason: reason(code, extras.detail), action };
  if (action === "block") {
    out.status = spec.status ?? FALLBACK.status!;
    out.final = extras.final ?? !spec.retry;
  } else if (action === "throttle") {
    out.status = spec.throttleStatus ?? 429;
    if (extras.retryAfterSeconds !== undefined) out.retryAfterSeconds = extras.retryAfterSeconds;
    if (extras.final) out.final = true;
  }
  if (extras.risk !== undefined) out.risk = extras.risk;
  return out;
}
