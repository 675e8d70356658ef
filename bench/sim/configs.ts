/**
 * Gateway configurations a scenario can name instead of carrying its own
 * (`"gateway": "recommended"`). Each is a plain configuration, the same a
 * Worker would read from GATEWAY_CONFIG.
 */
import type { ConfigInput, RouteInput } from "../../src/config/input.ts";

/**
 * A route's policy as we would deploy it in front of a model API, with the
 * settings the README recommends:
 * - geo: the sanctions and countries-of-concern presets (a frontier model's
 *   route: the countries AI export controls name, which the major providers
 *   do not serve either; a provider that serves them drops the preset, or
 *   names it in a model rule for its frontier models only), Tor denied,
 *   traffic from hosting providers flagged (not denied: agents and back ends
 *   legitimately run in clouds);
 * - fingerprint and content signals at their defaults (flag);
 * - limits: per key 60 requests a minute and 400,000 tokens (refilling
 *   6,000 a second), per /24 (or IPv6 /48) 600 requests a minute: a subnet is
 *   a few hundred people at most, or one company's egress;
 * - clusters: a /24 where more than 20 accounts arrive from more than 20 of
 *   its addresses in ten minutes is denied (a farm rotating addresses, not a
 *   NAT); more than 20 accounts on one client build and one network in an
 *   hour, or more than 10 on one prompt template, are flagged to the origin.
 */
function apiRoute(name: string, path: string, errors: "anthropic" | "openai", variant: Variant = {}): RouteInput {
  // with variant.degrade, what the recommended configuration flags is degraded instead; with
  // variant.degradeReasoning, only what asks for reasoning (content signals, a shared prompt template)
  const flag = variant.degrade ? ("degrade" as const) : ("flag" as const);
  const reasoning = variant.degrade || variant.degradeReasoning ? ("degrade" as const) : ("flag" as const);
  const shared = (cluster: { name: string; by: string[]; maxAccounts: number; window: string }) =>
    variant.clusterRate
      ? { ...cluster, action: "throttle" as const, rate: variant.clusterRate }
      : {
          ...cluster,
          action:
            variant.fingerprintThrottle && cluster.name === "shared-fingerprint"
              ? ("throttle" as const)
              : cluster.name === "shared-template"
                ? reasoning
                : flag,
        };
  const degrading = variant.degrade || variant.degradeReasoning;
  return {
    name,
    match: { path, methods: ["POST"] },
    errors,
    geo: { presets: ["sanctions", "countries-of-concern", "hosting"], tor: "deny", hosting: variant.hosting ?? flag },
    fingerprint: variant.degrade ? { automation: flag, inconsistent: flag, lowBotScore: flag } : {},
    content: degrading ? { reasoningElicitation: reasoning, largeReasoningBudget: reasoning } : {},
    ...(degrading ? { degrade: { thinking: "off" as const, maxTokens: 1024 } } : {}),
    limits: [
      { name: "key-rpm", by: ["key"], rate: "60 per minute" },
      { name: "key-tokens", by: ["key"], capacity: 400_000, refillPerSecond: 6_000, cost: "tokens" },
      { name: "subnet-rpm", by: ["subnet"], rate: "600 per minute" },
    ],
    clusters: [
      ...(variant.noRotation
        ? []
        : [
            {
              name: "rotating-subnet",
              by: ["subnet"],
              maxAccounts: 20,
              maxAddresses: 20,
              window: "10m",
              action: "block" as const,
            },
          ]),
      shared({ name: "shared-fingerprint", by: ["fingerprint", "asn"], maxAccounts: 20, window: "1h" }),
      shared({ name: "shared-template", by: ["template"], maxAccounts: 10, window: "1h" }),
    ],
  };
}

interface Variant {
  hosting?: "flag" | "deny";
  /** Clusters by build × network and by template over their limit share a bucket of this rate. */
  clusterRate?: string;
  /** Clusters by build × network over their limit share one account's limits, instead of being flagged. */
  fingerprintThrottle?: boolean;
  /** No cluster by subnet counting addresses. */
  noRotation?: boolean;
  /** A key counts in clusters once the origin has accepted it; until then its subnet's unproven bucket. */
  proveKeys?: boolean;
  /** What recommended flags (signals, hosting, clusters over their limit) is degraded instead. */
  degrade?: boolean;
  /** Only requests asking for reasoning (content signals) and clusters by prompt template over their limit are degraded. */
  degradeReasoning?: boolean;
}

const config = (version: string, variant: Variant = {}): ConfigInput => ({
  version,
  ...(variant.proveKeys ? { proveKeys: true } : {}),
  routes: [
    apiRoute("messages", "/v1/messages", "anthropic", variant),
    apiRoute("chat", "/v1/chat/completions", "openai", variant),
  ],
});

export const SHIPPED_CONFIGS: Readonly<Record<string, { description: string; config: ConfigInput }>> = {
  recommended: {
    description: "every check the gateway has, at the settings the README recommends",
    config: config("recommended"),
  },
  "accounts-only": {
    description:
      "recommended without the rotating-subnet cluster, and more than 20 accounts on one client build and network share one account's limits: clusters that count accounts only (the recommended configuration before rotation was counted)",
    config: config("accounts-only", { noRotation: true, fingerprintThrottle: true }),
  },
  "strict-clusters": {
    description:
      "recommended, but a cluster by client build × network or by prompt template over its limit shares one bucket of 100 requests an hour, what one steady interactive user sends, instead of being flagged",
    config: config("strict-clusters", { clusterRate: "100 per hour" }),
  },
  "prove-keys": {
    description:
      "recommended, and a key counts in clusters only once the origin has accepted it, until then sharing its subnet's unproven bucket (20 a minute): what proveKeys costs and stops",
    config: config("prove-keys", { proveKeys: true }),
  },
  degrade: {
    description:
      "recommended, but what it flags (fingerprint and content signals, hosting networks, clusters by client build × network and by prompt template over their limit) is degraded: thinking off, answers capped at 1,024 tokens, reasoning removed",
    config: config("degrade", { degrade: true }),
  },
  "degrade-reasoning": {
    description:
      "recommended, but requests asking for reasoning (content signals) and clusters by prompt template over their limit are degraded (thinking off, answers capped at 1,024 tokens, reasoning removed); the rest is flagged as before",
    config: config("degrade-reasoning", { degradeReasoning: true }),
  },
  "deny-hosting": {
    description: "recommended, but traffic from hosting providers is denied instead of flagged",
    config: config("deny-hosting", { hosting: "deny" }),
  },
};
