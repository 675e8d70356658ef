import type { ErrorFormat } from "../config/types.ts";
import type { LimitState } from "./types.ts";

/**
 * The rate-limit fields for a response: the IETF draft fields always
 * (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "key-rpm";q=60;w=60`
 * and `RateLimit: "key-rpm";r=12;t=3`, one item per bucket, most constrained
 * first), and with `provider` the headers the route's API family uses
 * (`anthropic-ratelimit-requests-remaining`, `x-ratelimit-remaining-requests`...),
 * each from the most constrained bucket of its unit.
 */
export function rateLimitHeaders(
  limits: readonly LimitState[],
  provider: ErrorFormat | null = null,
  nowMs = Date.now(),
): Record<string, string> {
  if (limits.length === 0) return {};
  const name = (l: LimitState) => JSON.stringify(l.name);
  const byPressure = [...limits].sort((a, b) => a.remaining / a.capacity - b.remaining / b.capacity);
  const headers: Record<string, string> = {
    "ratelimit-policy": limits
      .map((l) => `${name(l)};q=${l.capacity};w=${Math.max(1, Math.ceil(l.windowSeconds))}`)
      .join(", "),
    ratelimit: byPressure
      .map((l) => `${name(l)};r=${Math.max(0, Math.floor(l.remaining))};t=${Math.max(0, Math.ceil(l.resetSeconds))}`)
      .join(", "),
  };
  if (provider !== "anthropic" && provider !== "openai") return headers;
  for (const unit of ["requests", "tokens"] as const) {
    const tightest = byPressure.find((l) => l.unit === unit);
    if (!tightest) continue;
    const remaining = String(Math.max(0, Math.floor(tightest.remaining)));
    if (provider === "anthropic") {
      headers[`anthropic-ratelimit-${unit}-limit`] = String(tightest.capacity);
      headers[`anthropic-ratelimit-${unit}-remaining`] = remaining;
      headers[`anthropic-ratelimit-${unit}-reset`] = new Date(nowMs + tightest.resetSeconds * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
    } else {
      headers[`x-ratelimit-limit-${unit}`] = String(tightest.capacity);
      headers[`x-ratelimit-remaining-${unit}`] = remaining;
      headers[`x-ratelimit-reset-${unit}`] = duration(tightest.resetSeconds);
    }
  }
  return headers;
}

/** OpenAI's reset format: `1s`, `6m0s`, `1h2m3s`. */
function duration(seconds: number): string {
  let s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}
