import { describe, expect, it } from "vitest";
import { decide, isDenied } from "../../src/verdict/decide.ts";
import { rateLimitHeaders } from "../../src/verdict/ratelimit-headers.ts";
import { errorResponse } from "../../src/verdict/respond.ts";
import type { Finding } from "../../src/verdict/types.ts";

const geoBlock: Finding = {
  reason: { check: "geo", code: "geo.country_denied" },
  action: "block",
  status: 451,
  final: true,
};
const rateLimited: Finding = {
  reason: { check: "rate", code: "rate.key_exhausted", detail: "key-rpm" },
  action: "throttle",
  status: 429,
  retryAfterSeconds: 2.2,
};
const flagged: Finding = {
  reason: { check: "fingerprint", code: "fingerprint.automation_ua" },
  action: "flag",
  risk: 0.5,
};

describe("decide", () => {
  it("allows with no findings", () => {
    expect(decide([], [], "enforce")).toEqual({
      action: "allow",
      enforced: true,
      status: 200,
      reasons: [],
      code: null,
      final: false,
      limits: [],
      risk: 0,
      tier: null,
      evidence: null,
      topTier: false,
      retryAfterSeconds: undefined,
    });
  });

  it("takes the strongest action and its status, keeping every reason in order", () => {
    const v = decide([flagged, rateLimited, geoBlock], [], "enforce");
    expect(v).toMatchObject({ action: "block", status: 451, final: true, enforced: true, code: "geo.country_denied" });
    expect(v.reasons.map((r) => r.code)).toEqual([
      "fingerprint.automation_ua",
      "rate.key_exhausted",
      "geo.country_denied",
    ]);
    expect(isDenied(v)).toBe(true);
  });

  it("names the finding that denied, not a flag raised before it", () => {
    const clusterBlock: Finding = {
      reason: { check: "cluster", code: "cluster.accounts_per_fingerprint_asn" },
      action: "block",
      status: 403,
      final: true,
    };
    expect(decide([flagged, clusterBlock], [], "enforce")).toMatchObject({
      status: 403,
      code: "cluster.accounts_per_fingerprint_asn",
    });
    expect(decide([flagged], [], "enforce")).toMatchObject({
      action: "flag",
      status: 200,
      code: "fingerprint.automation_ua",
    });
  });

  it("gives throttles their retry time and leaves them retryable", () => {
    const v = decide([rateLimited], [], "enforce");
    expect(v).toMatchObject({ action: "throttle", status: 429, retryAfterSeconds: 2.2, final: false });
  });

  it("combines risks as independent probabilities", () => {
    expect(decide([flagged, { ...flagged, risk: 0.5 }], [], "enforce").risk).toBeCloseTo(0.75);
  });

  it("computes but does not enforce in shadow mode", () => {
    const v = decide([geoBlock], [], "shadow");
    expect(v).toMatchObject({ action: "block", status: 451, enforced: false });
    expect(isDenied(v)).toBe(false);
  });

  it("marks a request let through by a failing store as unenforced, but a denial still stands", () => {
    const storeDown: Finding = { reason: { check: "store", code: "store.unavailable" }, action: "flag" };
    expect(decide([storeDown], [], "enforce").enforced).toBe(false);
    expect(isDenied(decide([storeDown, geoBlock], [], "enforce"))).toBe(true);
  });
});

describe("errorResponse", () => {
  const spec = {
    status: 429,
    code: "rate.key_exhausted",
    requestId: "req-1",
    retryAfterSeconds: 1.2,
    reasons: ["rate.key_exhausted"],
  };

  it("anthropic: {type:error, error:{type,message}} and the request id", async () => {
    const r = errorResponse("anthropic", spec);
    expect(r.status).toBe(429);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("retry-after")).toBe("2");
    expect(r.headers.get("request-id")).toBe("req-1");
    expect(r.headers.get("x-should-retry")).toBeNull();
    expect(await r.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: expect.stringContaining("Rate limit"), code: "rate.key_exhausted" },
      request_id: "req-1",
    });
  });

  it("openai: {error:{message,type,param,code}}", async () => {
    const r = errorResponse("openai", { status: 451, code: "geo.country_denied", requestId: "req-2", final: true });
    expect(r.headers.get("x-should-retry")).toBe("false");
    expect(r.headers.get("x-request-id")).toBe("req-2");
    expect(await r.json()).toEqual({
      error: { message: expect.any(String), type: "request_forbidden", param: null, code: "geo.country_denied" },
    });
  });

  it("problem: application/problem+json (RFC 9457)", async () => {
    const r = errorResponse("problem", spec);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(await r.json()).toMatchObject({
      type: "urn:distill-guard:problem:rate.key_exhausted",
      title: "Too Many Requests",
      status: 429,
      detail: expect.any(String),
      request_id: "req-1",
      reasons: ["rate.key_exhausted"],
      retry_after: 2,
    });
  });
});

describe("rateLimitHeaders", () => {
  it("writes the IETF draft fields, most constrained bucket first", () => {
    const h = rateLimitHeaders([
      { name: "key-rpm", capacity: 60, remaining: 30, resetSeconds: 30, windowSeconds: 60, unit: "requests" },
      { name: "subnet", capacity: 600, remaining: 6, resetSeconds: 59.2, windowSeconds: 60, unit: "requests" },
    ]);
    expect(h["ratelimit-policy"]).toBe('"key-rpm";q=60;w=60, "subnet";q=600;w=60');
    expect(h.ratelimit).toBe('"subnet";r=6;t=60, "key-rpm";r=30;t=30');
    expect(rateLimitHeaders([])).toEqual({});
  });

  const limits = [
    { name: "key-rpm", capacity: 60, remaining: 30, resetSeconds: 30, windowSeconds: 60, unit: "requests" as const },
    { name: "subnet", capacity: 600, remaining: 6, resetSeconds: 3661, windowSeconds: 60, unit: "requests" as const },
    {
      name: "key-tokens",
      capacity: 400000,
      remaining: 350000,
      resetSeconds: 9,
      windowSeconds: 67,
      unit: "tokens" as const,
    },
  ];
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);

  it("adds Anthropic's headers for the tightest bucket of each unit", () => {
    expect(rateLimitHeaders(limits, "anthropic", now)).toMatchObject({
      "anthropic-ratelimit-requests-limit": "600",
      "anthropic-ratelimit-requests-remaining": "6",
      "anthropic-ratelimit-requests-reset": "2026-11-22T13:01:01Z",
      "anthropic-ratelimit-tokens-limit": "400000",
      "anthropic-ratelimit-tokens-remaining": "350000",
      "anthropic-ratelimit-tokens-reset": "2026-11-22T12:00:09Z",
    });
  });

  it("adds OpenAI's headers, durations in its format", () => {
    expect(rateLimitHeaders(limits, "openai", now)).toMatchObject({
      "x-ratelimit-limit-requests": "600",
      "x-ratelimit-remaining-requests": "6",
      "x-ratelimit-reset-requests": "1h1m1s",
      "x-ratelimit-limit-tokens": "400000",
      "x-ratelimit-reset-tokens": "9s",
    });
    expect(Object.keys(rateLimitHeaders(limits, "problem", now))).toEqual(["ratelimit-policy", "ratelimit"]);
    expect(Object.keys(rateLimitHeaders(limits, null, now))).toEqual(["ratelimit-policy", "ratelimit"]);
  });
});
