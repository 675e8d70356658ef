/**
 * Gateway configurations a scenario can name instead of carrying its own
 * (`"gateway": "recommended"`). Each is a plain configuration, the same a
 * Worker would read from GATEWAY_CONFIG.
 */
import type { ConfigInput, RouteInput } from "../../src/config/input";

/**
 * A route's policy as we would deploy it in front of a model API, with the
 * settings the README recommends:
 * - geo: the sanctions preset, Tor denied, traffic from hosting providers
 *   flagged (not denied: agents and back ends legitimately run in clouds);
 * - fingerprint and content signals at their defaults (flag);
 * - limits: per key 60 requests a minute and 400,000 tokens (refilling
 *   6,000 a second), per /24 (or IPv6 /48) 600 requests a minute: a subnet is
 *   a few hundred people at most, or one company's egress;
 * - clusters: more than 20 accounts on one client build and one network in
 *   an hour share one account's limits; more than 10 accounts on one prompt
 *   template in an hour are flagged to the origin.
 */
function apiRoute(name: string, path: string, errors: "anthropic" | "openai", variant: Variant = {}): RouteInput {
  return {
    name,
    match: { path, methods: ["POST"] },
    errors,
    geo: { presets: ["sanctions", "hosting"], tor: "deny", hosting: variant.hosting ?? "flag" },
    fingerprint: {},
    content: {},
    limits: [
      { name: "key-rpm", by: ["key"], rate: "60 per minute" },
      { name: "key-tokens", by: ["key"], capacity: 400_000, refillPerSecond: 6_000, cost: "tokens" },
      { name: "subnet-rpm", by: ["subnet"], rate: "600 per minute" },
    ],
    clusters: [
      { name: "shared-fingerprint", by: ["fingerprint", "asn"], maxAccounts: 20, window: "1h", action: "throttle", ...(variant.clusterRate ? { rate: variant.clusterRate } : {}) },
      variant.clusterRate
        ? { name: "shared-template", by: ["template"], maxAccounts: 10, window: "1h", action: "throttle", rate: variant.clusterRate }
        : { name: "shared-template", by: ["template"], maxAccounts: 10, window: "1h", action: "flag" },
    ],
  };
}

interface Variant {
  hosting?: "flag" | "deny";
  /** Clusters over their limit share a bucket of this rate instead of one account's limits. */
  clusterRate?: string;
}

const config = (version: string, variant: Variant = {}): ConfigInput => ({
  version,
  routes: [apiRoute("messages", "/v1/messages", "anthropic", variant), apiRoute("chat", "/v1/chat/completions", "openai", variant)],
});

export const SHIPPED_CONFIGS: Readonly<Record<string, { description: string; config: ConfigInput }>> = {
  recommended: {
    description: "every check the gateway has, at the settings the README recommends",
    config: config("recommended"),
  },
  "strict-clusters": {
    description: "recommended, but a cluster over its limit (client build × network, or prompt template) shares one bucket of 100 requests an hour, what one steady interactive user sends, instead of one account's full limits",
    config: config("strict-clusters", { clusterRate: "100 per hour" }),
  },
  "deny-hosting": {
    description: "recommended, but traffic from hosting providers is denied instead of flagged",
    config: config("deny-hosting", { hosting: "deny" }),
  },
};
