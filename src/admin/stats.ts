import { type SqlApiOptions, type SqlRow, runSql } from "../telemetry/sql-api.ts";
import { ACTIONS, type DecisionWindow, type Summary, emptyTotals, zeroPerAction } from "../telemetry/window.ts";
import type { Action } from "../verdict/types.ts";
import { dashboardQueries } from "./dashboard-sql.ts";

/** Where the dashboard's numbers come from. */
export interface StatsSource {
  kind: "isolate" | "analytics-engine";
  summary(minutes: number): Promise<Summary>;
}

/** Recent decisions this isolate served (local runs, tests): exact, immediate, partial in production. */
export function isolateStats(window: DecisionWindow, now: () => number): StatsSource {
  return { kind: "isolate", summary: async (minutes) => window.summary(minutes, now()) };
}

export interface AnalyticsEngineStatsOptions extends SqlApiOptions {
  /** The dataset the Worker writes (wrangler.toml `analytics_engine_datasets`). */
  dataset: string;
  /** A summary is reused this long, so several open dashboards cost one set of queries. Default 15,000 ms. */
  cacheMs?: number;
}

/**
 * Every decision of every isolate, from the Analytics Engine SQL API: five
 * queries per refresh (dashboard-sql.ts), cached briefly. Data points reach
 * the API with a delay of about a minute, and counts are sample-weighted.
 */
export function analyticsEngineStats(options: AnalyticsEngineStatsOptions, now: () => number): StatsSource {
  const cacheMs = options.cacheMs ?? 15_000;
  const cache = new Map<number, { at: number; summary: Promise<Summary> }>();
  const load = async (minutes: number): Promise<Summary> => {
    const q = dashboardQueries(options.dataset, minutes);
    const run = async (sql: string) => (await runSql(sql, options)).rows;
    const [perMinute, reasons, countries, clusters, keys] = await Promise.all([
      run(q.perMinute),
      run(q.reasons),
      run(q.countries),
      run(q.clusters),
      run(q.keys),
    ]);
    return fromRows(minutes, { perMinute, reasons, countries, clusters, keys });
  };
  return {
    kind: "analytics-engine",
    summary(minutes) {
      const t = now();
      const hit = cache.get(minutes);
      if (hit && t - hit.at < cacheMs) return hit.summary;
      const summary = load(minutes);
      cache.set(minutes, { at: t, summary });
      summary.catch(() => cache.delete(minutes)); // a failure is not cached
      return summary;
    },
  };
}

type Cell = SqlRow[string] | undefined;
const num = (v: Cell) => (typeof v === "number" ? v : Number(v ?? 0)) || 0;
const str = (v: Cell) => (v === null || v === undefined ? "" : String(v));
/** "2026-11-22 12:01:00" (UTC, as ClickHouse prints DateTime) → ISO 8601. */
const isoMinute = (v: Cell) => new Date(`${str(v).replace(" ", "T")}Z`).toISOString();

/** The five queries' rows as a Summary (the same shape the isolate window gives). */
export function fromRows(
  minutes: number,
  rows: Record<"perMinute" | "reasons" | "countries" | "clusters" | "keys", SqlRow[]>,
): Summary {
  const byMinute = new Map<string, { minute: string } & Record<Action, number>>();
  const totals = emptyTotals();
  for (const r of rows.perMinute) {
    const action = str(r.action) as Action;
    if (!ACTIONS.includes(action)) continue;
    const minute = isoMinute(r.minute);
    const entry = byMinute.get(minute) ?? { minute, ...zeroPerAction() };
    const n = num(r.decisions);
    entry[action] += n;
    byMinute.set(minute, entry);
    totals[action] += n;
    totals.decisions += n;
    if (action === "block" || action === "throttle") {
      totals.denied += n;
      totals.shadowDenied += num(r.unenforced);
    }
  }
  return {
    minutes,
    perMinute: [...byMinute.values()].sort((a, b) => a.minute.localeCompare(b.minute)),
    totals,
    reasons: rows.reasons.map((r) => ({ reason: str(r.reason), decisions: num(r.decisions) })),
    countries: rows.countries.map((r) => ({
      country: str(r.country),
      decisions: num(r.decisions),
      denied: num(r.denied),
    })),
    clusters: rows.clusters.map((r) => ({ cluster: str(r.cluster), decisions: num(r.decisions), keys: num(r.keys) })),
    keys: rows.keys.map((r) => ({ key: str(r.key), denials: num(r.denials) })),
  };
}
