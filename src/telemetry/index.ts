/**
 * `distill-guard/telemetry`: the decision event, its Analytics Engine data point (the schema queries read), this
 * isolate's decision window and the Analytics Engine SQL API client.
 */
export type { DecisionEvent } from "./event.ts";
export { BLOBS as ANALYTICS_BLOBS, DOUBLES as ANALYTICS_DOUBLES } from "./analytics-schema.ts";
export {
  toDataPoint,
  type AnalyticsDataPoint,
  type AnalyticsDataset,
} from "./analytics.ts";
export { createDecisionWindow, type DecisionWindow, type Summary } from "./window.ts";
export { runSql, SqlApiError, type SqlApiOptions, type SqlResult } from "./sql-api.ts";
