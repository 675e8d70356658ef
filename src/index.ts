/**
 * distill-guard: an edge gateway for model APIs on Cloudflare Workers.
 *
 * - `distillGuard(options)`: Hono middleware; put it in front of your own handlers.
 * - `createGateway(options)`: a Hono app, the guard in front of a streaming proxy to your origin.
 * - `loadConfig(raw)` / `parseConfig(raw)`: validate a configuration once, every problem by path.
 * - `createAdmin(options)`: the admin API and dashboard (createGateway mounts it when given a token).
 */
export { createGuard, distillGuard, type Guard, type GuardOptions, type GuardState } from "./guard/guard";
export { createAdmin, type AdminOptions } from "./admin/admin";
export { analyticsEngineStats, isolateStats, type AnalyticsEngineStatsOptions, type StatsSource } from "./admin/stats";
export { createDecisionWindow, type DecisionWindow, type Summary } from "./telemetry/window";
export { runSql, SqlApiError, type SqlApiOptions, type SqlResult } from "./telemetry/sql-api";
export { createGateway, type GatewayOptions } from "./gateway";
export { ConfigError, DEFAULTS, loadConfig, parseConfig } from "./config/parse";
export type { ConfigInput, RouteInput } from "./config/input";
export type { AdminConfig, ClusterRule, ErrorFormat, GatewayConfig, LimitRule, Mode, RouteConfig, StoreConfig } from "./config/types";
export { parseLimits, parseRate } from "./config/limits";
export type { RequestFacts } from "./request/facts";
export type { RequestBody } from "./request/body";
export { DIMENSION_TABLE, type ClusterDimension, type Dimension, type BlockDimension } from "./request/dimensions";
export type { Subject } from "./identity/subject";
export { parseUserAgent, type ClientInfo, type ClientKind } from "./identity/client";
export { fingerprintId, fingerprintSource } from "./identity/fingerprint";
export { fingerprintSignals, type FingerprintPolicy, type Signal } from "./checks/fingerprint";
export { elicitation, largeBudgets, type ContentPolicy } from "./checks/content";
export { promptText } from "./request/prompt";
export { templateHash, templateTokens } from "./request/template";
export { createKeyHasher, type KeyHasher } from "./identity/key-hash";
export type { Action, Finding, LimitState, Reason, Verdict } from "./verdict/types";
export { errorResponse } from "./verdict/respond";
export type { DecisionEvent } from "./telemetry/event";
export { BLOBS as ANALYTICS_BLOBS, DOUBLES as ANALYTICS_DOUBLES, toDataPoint } from "./telemetry/analytics";
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
} from "./limits/index";
export { createMemoryAccounts, createRedisAccounts, type AccountRecord, type AccountStore } from "./limits/accounts";
export { createMemoryProvenKeys, createRedisProvenKeys, type ProvenKeys } from "./limits/proven";
export { trackUsage, type Usage } from "./proxy/usage";
export type { OriginFetch } from "./proxy/forward";
