import type { RouteConfig } from "../config/types.ts";
import type { LimitCheck, Limiter } from "../limits/limiter.ts";
import type { RequestFacts } from "../request/facts.ts";
import type { Finding } from "../verdict/types.ts";

/**
 * A client this isolate already knows is denied, answered before its body is read: one of the route's buckets
 * remembered empty for it (the denial cache), or a manual block it remembers. A farm's key hammering an empty
 * bucket then costs no body read or parse, no content signals, no template hash and no store call.
 *
 * The answer is the one the full path would give from the same caches, with these limits:
 * - enforce mode only: shadow mode computes everything (the guard does not call this there);
 * - only buckets whose key and cost need no body (limiter.cached()): a token-weighted bucket's cost and a
 *   template's key come from the body, so their denials are found on the full path, after it is read;
 * - the route's checks run first, without the body (route-level geo and network, keyless, fingerprint; model
 *   rules and content signals need the body and find nothing): a block among them sends the request down the
 *   full path, which gives it precedence over the rate denial and writes its geo taint;
 * - a body declared larger than the route allows is refused as before (413), on the full path.
 * What the body would have added (a model rule's 451, a content signal's block) is not looked for: the client
 * is refused either way, and its next request after the cached denial ends is judged in full.
 */
export async function earlyDenial(
  route: RouteConfig,
  facts: RequestFacts,
  limiter: Limiter,
  taint: boolean,
  /** Findings already made (a key registry's flag). */
  before: readonly Finding[],
): Promise<{ findings: Finding[]; check: LimitCheck } | null> {
  const check = await limiter.cached(
    { route: route.name, limits: route.limits, blocks: route.blocks === true, taint },
    facts,
  );
  if (!check) return null;
  const findings = [...before];
  for (const run of route.checks) {
    for (const f of await run({ ...facts, body: null })) {
      if (f.action === "block") return null;
      // as on the full path (holdToSignalBudget): a signal's throttle is a flag, the client held to the signal
      // budget, which a denied request is not charged
      findings.push(
        f.action === "throttle"
          ? { reason: f.reason, action: "flag", ...(f.risk === undefined ? {} : { risk: f.risk }) }
          : f,
      );
    }
  }
  findings.push(...check.findings);
  return { findings, check };
}
