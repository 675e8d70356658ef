import type { RouteConfig } from "../config/types.ts";
import type { RequestFacts } from "../request/facts.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";

/**
 * Settles a `challenge` verdict (enforce mode): the request must carry an
 * identity attestation that the route's challenge rule accepts (valid,
 * bound to the API key, its claims as required). Met: the challenging
 * findings become flags and a note is added, so the request goes on under
 * what else the checks said (a `degrade`, a flag). Not met: a blocking
 * finding saying why, `identity.step_up_required` when no attestation came.
 * A real customer can get an attestation and continue; a farm of fresh
 * accounts cannot.
 */
export async function settleChallenge(
  route: RouteConfig,
  findings: readonly Finding[],
  facts: RequestFacts,
): Promise<Finding[]> {
  const verify = route.challenge;
  const outcome = verify
    ? await verify(facts.request.headers, facts.subject)
    : ({ ok: false, code: "identity.attestation_required", detail: "the route has no challenge rule" } as const);
  if (outcome.ok) {
    const met = findings.map((f) => (f.action === "challenge" ? { ...f, action: "flag" as const } : f));
    return [...met, finding("identity.challenge_passed", "flag", { risk: 0 })];
  }
  const code = outcome.code === "identity.attestation_required" ? "identity.step_up_required" : outcome.code;
  return [...findings, finding(code, "block", { detail: `challenge: ${outcome.detail}`, risk: 0 })];
}
