/**
 * `distill-guard/admin`: the admin API and dashboard (createGateway mounts it when given a token), and where the
 * dashboard's numbers come from. The only entry that bundles the dashboard.
 */
export { createAdmin, type AdminOptions } from "./admin.ts";
export {
  analyticsEngineStats,
  isolateStats,
  type AnalyticsEngineStatsOptions,
  type StatsSource,
} from "./stats.ts";
