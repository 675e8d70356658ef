/**
 * distill-guard: an edge gateway for model APIs on Cloudflare Workers.
 *
 * - `distillGuard(options)`: Hono middleware; put it in front of your own handlers.
 * - `createGateway(options)`: a Hono app, the guard in front of a streaming proxy to your origin (and with
 *   `options.admin`, the admin API); `createGatewayCore(options)`: the same without the admin API's code.
 * - `loadConfig(raw)` / `parseConfig(raw)`: validate a configuration once, every problem by path.
 * - `RECOMMENDED_CONFIG`: the configuration the ready-made Worker ships (src/config/recommended.json).
 * - `createAdmin(options)`: the admin API and dashboard (createGateway mounts it when given a token).
 *
 * The building blocks also have entries of their own, so code that needs one part bundles only it:
 * `distill-guard/signals`, `distill-guard/limits`, `distill-guard/telemetry`, `distill-guard/admin`, and
 * `distill-guard/worker` (the ready-made Worker), `distill-guard/worker-with-admin` (the same with the admin API).
 * Bundlers drop what this entry exports and you do not use.
 */
export {
  createGuard,
  distillGuard,
  type AccountId,
  type Guard,
  type GuardOptions,
  type GuardState,
} from "./guard/guard.ts";
export { GuardDenial } from "./guard/denial.ts";
export { createAdmin, type AdminOptions } from "./admin/admin.ts";
export {
  analyticsEngineStats,
  isolateStats,
  type AnalyticsEngineStatsOptions,
  type StatsSource,
} from "./admin/stats.ts";
export { createDecisionWindow, type DecisionWindow, type Summary } from "./telemetry/window.ts";
export { runSql, SqlApiError, type SqlApiOptions, type SqlResult } from "./telemetry/sql-api.ts";
export { createGateway, type GatewayOptions } from "./gateway.ts";
export { createGatewayCore, type AdminMount } from "./gateway-core.ts";
export { ConfigError, DEFAULTS, loadConfig, parseConfig } from "./config/parse.ts";
export { RECOMMENDED_CONFIG } from "./config/recommended.ts";
export type { ConfigInput, RouteInput } from "./config/input.ts";
export type {
  AdminConfig,
  ClusterRule,
  DegradePolicy,
  DegradeRules,
  ErrorFormat,
  GatewayConfig,
  LimitRule,
  Mode,
  RouteConfig,
  StoreConfig,
} from "./config/types.ts";
export { parseLimits, parseRate } from "./config/limits.ts";
export type { RequestFacts } from "./request/facts.ts";
export type { RequestBody } from "./request/body.ts";
export { DIMENSION_TABLE, type ClusterDimension, type Dimension, type BlockDimension } from "./request/dimensions.ts";
export type { Subject } from "./identity/subject.ts";
export { parseUserAgent, type ClientInfo, type ClientKind } from "./identity/client.ts";
export { fingerprintId, fingerprintSource } from "./identity/fingerprint.ts";
export { fingerprintSignals, type FingerprintPolicy, type Signal } from "./checks/fingerprint.ts";
export { elicitation, largeBudgets, type ContentPolicy } from "./checks/content.ts";
export { promptText } from "./request/prompt.ts";
export { templateHash, templateTokens } from "./request/template.ts";
export { createKeyHasher, type KeyHasher } from "./identity/key-hash.ts";
export type { Action, Finding, LimitState, Reason, Verdict } from "./verdict/types.ts";
export { ACTIONS, ACTION_SEVERITY } from "./verdict/actions.ts";
export { degradeResponse } from "./proxy/degrade.ts";
export type { DegradePlan } from "./guard/degrade.ts";
export type { AnswerPlan } from "./transform/answer.ts";
export { errorResponse } from "./verdict/respond.ts";
export type { DecisionEvent } from "./telemetry/event.ts";
export { BLOBS as ANALYTICS_BLOBS, DOUBLES as ANALYTICS_DOUBLES } from "./telemetry/analytics-schema.ts";
export {
  toDataPoint,
  type AnalyticsDataPoint,
  type AnalyticsDataset,
} from "./telemetry/analytics.ts";
export {
  createLimiter,
  createMemoryStore,
  createUpstashStore,
  type ClusterState,
  type LimitStore,
  type Limiter,
  type MemoryStore,
  type AdminStore,
  type BlockEntry,
} from "./limits/index.ts";
export { createMemoryAccounts, createRedisAccounts, type AccountRecord, type AccountStore } from "./limits/accounts.ts";
export { trackUsage, type Usage } from "./proxy/usage.ts";
export type { OriginFetch } from "./proxy/forward.ts";
