/**
 * Gateway configurations a scenario can name instead of carrying its own
 * (`"gateway": "recommended"`). Each is a plain configuration, the same a
 * Worker would read from GATEWAY_CONFIG.
 */
import type { ConfigInput, RouteInput } from "../src/config/input";

/**
 * A route's policy as we would deploy it in front of a model API:
 * - geo: the sanctions preset, Tor denied, traffic from hosting providers
 *   flagged (not denied: agents and back ends legitimately run in clouds);
 * - limits: per key 60 requests a minute and 400,000 tokens (refilling
 *   6,000 a second), per /24 (or IPv6 /48) 600 requests a minute: a subnet is
 *   a few hundred people at most, or one company's egress.
 */
function apiRoute(name: string, path: string, errors: "anthropic" | "openai"): RouteInput {
  return {
    name,
    match: { path, methods: ["POST"] },
    errors,
    geo: { presets: ["sanctions", "hosting"], tor: "deny", hosting: "flag" },
    limits: [
      { name: "key-rpm", by: ["key"], rate: "60 per minute" },
      { name: "key-tokens", by: ["key"], capacity: 400_000, refillPerSecond: 6_000, cost: "tokens" },
      { name: "subnet-rpm", by: ["subnet"], rate: "600 per minute" },
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
