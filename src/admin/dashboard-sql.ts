/**
 * The dashboard's queries for the Analytics Engine SQL API, over whole minutes
 * like the in-isolate window: the current minute and the `minutes - 1` before
 * it. Weighted by `_sample_interval`, so sampled data still counts requests.
 * (No imports: the query tests read this file from Node.)
 */
export type DashboardQuery = "perMinute" | "reasons" | "countries" | "clusters" | "keys";

const DATASET = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function dashboardQueries(dataset: string, minutes: number): Record<DashboardQuery, string> {
  if (!DATASET.test(dataset)) throw new RangeError(`not a dataset name: ${JSON.stringify(dataset)}`);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    throw new RangeError(`minutes must be an integer from 1 to 1440 (got ${minutes})`);
  const since = `timestamp >= toStartOfInterval(NOW(), INTERVAL '1' MINUTE) - INTERVAL '${minutes - 1}' MINUTE`;
  const denied = `blob2 IN ('block', 'throttle')`;
  return {
    perMinute: `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute, blob2 AS action,
  SUM(_sample_interval) AS decisions, sumIf(_sample_interval, double6 = 0) AS unenforced
FROM ${dataset} WHERE ${since}
GROUP BY minute, action ORDER BY minute`,
    reasons: `SELECT blob3 AS reason, SUM(_sample_interval) AS decisions
FROM ${dataset} WHERE ${since} AND blob3 != ''
GROUP BY reason ORDER BY decisions DESC LIMIT 10`,
    countries: `SELECT blob5 AS country, SUM(_sample_interval) AS decisions, sumIf(_sample_interval, ${denied}) AS denied
FROM ${dataset} WHERE ${since}
GROUP BY country ORDER BY decisions DESC LIMIT 10`,
    clusters: `SELECT blob14 AS cluster, SUM(_sample_interval) AS decisions, COUNT(DISTINCT blob7) AS keys
FROM ${dataset} WHERE ${since} AND blob14 != ''
GROUP BY cluster ORDER BY decisions DESC LIMIT 10`,
    keys: `SELECT blob7 AS key, SUM(_sample_interval) AS denials
FROM ${dataset} WHERE ${since} AND blob7 != '' AND ${denied}
GROUP BY key ORDER BY denials DESC LIMIT 10`,
  };
}
