import type { AdminMount } from "../gateway-core.ts";
import { createDecisionWindow } from "../telemetry/window.ts";
import { createAdmin } from "./admin.ts";
import { type StatsSource, analyticsEngineStats, isolateStats } from "./stats.ts";

/**
 * The admin API as createGateway() mounts it: the dashboard's numbers from the Analytics Engine SQL API when
 * `admin.analytics` is given, else from this isolate's recent decisions (a window fed by the guard's decisions).
 */
export const mountAdmin: AdminMount = (options) => {
  const admin = options.admin!;
  const now = options.now ?? Date.now;
  let stats: StatsSource;
  let onDecision = options.onDecision;
  if (admin.analytics) stats = analyticsEngineStats(admin.analytics, now);
  else {
    const window = createDecisionWindow();
    stats = isolateStats(window, now);
    onDecision = (event, verdict) => {
      window.add(event, now());
      options.onDecision?.(event, verdict);
    };
  }
  return { onDecision, app: (guard) => createAdmin({ token: admin.token, ...guard, stats }) };
};
