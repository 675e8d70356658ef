/**
 * What the gateway does with a request, mildest first. One definition for
 * every place that takes an action (checks, signals, clusters, risk tiers):
 *
 * - `allow`: forwarded as it is.
 * - `flag`: forwarded, the origin told (`x-guard-*` headers).
 * - `degrade`: forwarded with the route's degrade transformations (thinking
 *   off or down, tokens capped, a fallback model, reasoning removed from the
 *   answer): the customer is served, a distiller gets little to learn from.
 * - `challenge`: refused unless the request carries a valid identity
 *   attestation for the route's challenge rule; with one it goes on.
 * - `throttle`: held to a stricter budget, 429 once it is spent.
 * - `block`: refused.
 */
export const ACTIONS = ["allow", "flag", "degrade", "challenge", "throttle", "block"] as const;

export type Action = (typeof ACTIONS)[number];

/** An action's place in the order: a higher one wins when several checks speak. */
export const ACTION_SEVERITY: Readonly<Record<Action, number>> = Object.fromEntries(
  ACTIONS.map((action, i) => [action, i]),
) as Record<Action, number>;

/** The stronger of two actions. */
export const stronger = (a: Action, b: Action): Action => (ACTION_SEVERITY[b] > ACTION_SEVERITY[a] ? b : a);

/** Actions that answer the request at the edge when enforced (a challenge only when it is not met). */
export const DENYING: ReadonlySet<Action> = new Set(["throttle", "block"]);
