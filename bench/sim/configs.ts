/**
 * Gateway configurations a scenario can name instead of carrying its own
 * (`"gateway": "recommended"`). Each is a plain configuration, the same a
 * Worker would read from GATEWAY_CONFIG.
 *
 * `recommended` is src/config/recommended.json itself, the configuration the
 * ready-made Worker ships (wrangler.toml: `GATEWAY_CONFIG = "recommended"`);
 * docs/configuration.md explains each of its settings. The others are
 * variants of it, made here by changing its routes, to measure what each
 * setting buys and costs.
 */
import type { ClusterInput, ConfigInput, RouteInput } from "../../src/config/input.ts";
import { RECOMMENDED_CONFIG } from "../../src/config/recommended.ts";

/** The recommended configuration's routes of model calls (the simulator sends Messages and Chat Completions calls); token counts, stored responses and the model list are not. */
const MODEL_CALLS = new Set(["messages", "chat"]);

/**
 * The recommended configuration with each route of model calls changed by `route` and the top level by `top`,
 * under another version.
 */
function variant(version: string, route: (r: RouteInput) => RouteInput, top: Partial<ConfigInput> = {}): ConfigInput {
  const copy = structuredClone(RECOMMENDED_CONFIG);
  return { ...copy, version, ...top, routes: copy.routes.map((r) => (MODEL_CALLS.has(r.name ?? "") ? route(r) : r)) };
}

/** The route with each cluster changed by `change`, and those it maps to undefined removed. */
const clusters =
  (change: (c: ClusterInput) => ClusterInput | undefined) =>
  (r: RouteInput): RouteInput => ({
    ...r,
    clusters: (r.clusters ?? []).flatMap((c) => change(c) ?? []),
  });

/** What the degrade variants do to a degraded request: thinking off, answers capped, reasoning removed. */
const DEGRADE = { thinking: "off", maxTokens: 1024 } as const;

/** The clusters by client build × network and by prompt template (flagged in the recommended configuration). */
const SHARED = new Set(["shared-fingerprint", "shared-template"]);

export const SHIPPED_CONFIGS: Readonly<Record<string, { description: string; config: ConfigInput }>> = {
  recommended: {
    description: "every check the gateway has, at the settings docs/configuration.md recommends",
    config: RECOMMENDED_CONFIG,
  },
  "accounts-only": {
    description:
      "recommended without the rotating-subnet cluster, and more than 20 accounts on one client build and network share one account's limits: clusters that count accounts only (the recommended configuration before rotation was counted)",
    config: variant(
      "accounts-only",
      clusters((c) =>
        c.name === "rotating-subnet" ? undefined : c.name === "shared-fingerprint" ? { ...c, action: "throttle" } : c,
      ),
    ),
  },
  "strict-clusters": {
    description:
      "recommended, but a cluster by client build × network or by prompt template over its limit shares one bucket of 100 requests an hour, what one steady interactive user sends, instead of being flagged",
    config: variant(
      "strict-clusters",
      clusters((c) => (SHARED.has(c.name) ? { ...c, action: "throttle", rate: "100 per hour" } : c)),
    ),
  },
  "count-every-key": {
    description:
      "recommended, but clusters count every key alike, whether the origin has accepted it or not (proveKeys off): catches a farm's accepted keys sooner, and lets made-up keys push a customers' cluster over its limit",
    config: variant("count-every-key", (r) => r, { proveKeys: false }),
  },
  degrade: {
    description:
      "recommended, but what it flags (fingerprint and content signals, hosting networks, clusters by client build × network and by prompt template over their limit) is degraded: thinking off, answers capped at 1,024 tokens, reasoning removed",
    config: variant("degrade", (r) => ({
      ...clusters((c) => (SHARED.has(c.name) ? { ...c, action: "degrade" } : c))(r),
      geo: { ...r.geo, hosting: "degrade" },
      fingerprint: { ...r.fingerprint, automation: "degrade", inconsistent: "degrade", lowBotScore: "degrade" },
      content: { ...r.content, reasoningElicitation: "degrade", largeReasoningBudget: "degrade" },
      degrade: DEGRADE,
    })),
  },
  "degrade-reasoning": {
    description:
      "recommended, but requests asking for reasoning (content signals) and clusters by prompt template over their limit are degraded (thinking off, answers capped at 1,024 tokens, reasoning removed); the rest is flagged as before",
    config: variant("degrade-reasoning", (r) => ({
      ...clusters((c) => (c.name === "shared-template" ? { ...c, action: "degrade" } : c))(r),
      content: { ...r.content, reasoningElicitation: "degrade", largeReasoningBudget: "degrade" },
      degrade: DEGRADE,
    })),
  },
  "deny-hosting": {
    description: "recommended, but traffic from hosting providers is denied instead of flagged",
    config: variant("deny-hosting", (r) => ({ ...r, geo: { ...r.geo, hosting: "deny" } })),
  },
};
