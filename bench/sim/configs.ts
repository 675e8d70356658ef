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
function apiRoute(name: string, path: string, errors: "anthropic" | "openai"): RouteInput {
  return {
    name,
    match: { path, methods: ["POST"] },
    errors,
    geo: { presets: ["sanctions", "hosting"], tor: "deny", hosting: "flag" },
    fingerprint: {},
    content: {},
    limits: [
      { name: "key-rpm", by: ["key"], rate: "60 per minute" },
      { name: "key-tokens", by: ["key"], capacity: 400_000, refillPerSecond: 6_000, cost: "tokens" },
      { name: "subnet-rpm", by: ["subnet"], rate: "600 per minute" },
    ],
    clusters: [
      { name: "shared-fingerprint", by: ["fingerprint", "asn"], maxAccounts: 20, window: "1h", action: "throttle" },
      { name: "shared-template", by: ["template"], maxAccounts: 10, window: "1h", action: "flag" },
    ],
  };
}

export const SHIPPED_CONFIGS: Readonly<Record<string, { description: string; config: ConfigInput }>> = {
  recommended: {
    description: "every check the gateway has, at the settings the README recommends",
    config: {
      version: "recommended",
      routes: [apiRoute("messages", "/v1/messages", "anthropic"), apiRoute("chat", "/v1/chat/completions", "openai")],
    },
  },
};
