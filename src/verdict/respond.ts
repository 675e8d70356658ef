import type { ErrorFormat } from "../config/types.ts";
import { messageFor } from "./reasons.ts";
import type { Verdict } from "./types.ts";

// Error `type`s the official SDKs and their users know, by status.
const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  451: "permission_error",
  504: "timeout_error",
  529: "overloaded_error",
};
const OPENAI_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  403: "request_forbidden",
  404: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_exceeded",
  451: "request_forbidden",
};
const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Content Too Large",
  429: "Too Many Requests",
  451: "Unavailable For Legal Reasons",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export interface ErrorSpec {
  status: number;
  /** The primary reason code: the error's `code`. */
  code: string;
  requestId: string;
  /** Every reason code, for the problem format and the `x-guard-reason` header. */
  reasons?: readonly string[];
  retryAfterSeconds?: number;
  /** Retrying cannot help: `x-should-retry: false`, so official SDKs do not retry. */
  final?: boolean;
  headers?: HeadersInit;
}

/** A denial or gateway error in the route's error format, so official SDKs raise their matching error class. */
export function errorResponse(format: ErrorFormat, spec: ErrorSpec): Response {
  const message = messageFor(spec.code);
  const headers = new Headers(spec.headers);
  let body: unknown;
  if (format === "anthropic") {
    headers.set("content-type", "application/json");
    body = {
      type: "error",
      error: { type: ANTHROPIC_TYPES[spec.status] ?? "api_error", message, code: spec.code },
      request_id: spec.requestId,
    };
  } else if (format === "openai") {
    headers.set("content-type", "application/json");
    body = { error: { message, type: OPENAI_TYPES[spec.status] ?? "server_error", param: null, code: spec.code } };
  } else {
    headers.set("content-type", "application/problem+json");
    body = {
      type: `urn:distill-guard:problem:${spec.code}`,
      title: TITLES[spec.status] ?? "Error",
      status: spec.status,
      detail: message,
      instance: `urn:distill-guard:request:${spec.requestId}`,
      code: spec.code,
      reasons: spec.reasons ?? [spec.code],
      request_id: spec.requestId,
      ...(spec.retryAfterSeconds !== undefined ? { retry_after: retryAfterValue(spec.retryAfterSeconds) } : {}),
    };
  }
  // Official SDKs read the request id from these (Anthropic: request-id, OpenAI: x-request-id).
  headers.set("request-id", spec.requestId);
  headers.set("x-request-id", spec.requestId);
  headers.set("x-guard-request-id", spec.requestId);
  headers.set("x-guard-reason", (spec.reasons ?? [spec.code]).join(","));
  if (spec.retryAfterSeconds !== undefined) headers.set("retry-after", String(retryAfterValue(spec.retryAfterSeconds)));
  if (spec.final) headers.set("x-should-retry", "false");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status: spec.status, headers });
}

/** Whole seconds, at least 1: a retry sooner than the bucket can refill would fail again. */
const retryAfterValue = (seconds: number): number => Math.max(1, Math.ceil(seconds));

/** A denial response for an enforced verdict; `limitHeaders` are the RateLimit fields to send with it. */
export function denialResponse(
  format: ErrorFormat,
  verdict: Verdict,
  requestId: string,
  limitHeaders: Record<string, string> = {},
): Response {
  const headers = new Headers(limitHeaders);
  headers.set("x-guard-action", verdict.action);
  return errorResponse(format, {
    status: verdict.status,
    code: verdict.code ?? "policy.denied",
    requestId,
    reasons: verdict.reasons.map((r) => r.code),
    retryAfterSeconds: verdict.retryAfterSeconds,
    final: verdict.final,
    headers,
  });
}
