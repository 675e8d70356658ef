/**
 * Key churn per cluster, measured on the simulator's traffic without the gateway: for each request, whether its
 * key is new to its cluster (a subnet, an ASN, a client build on an ASN: not seen there for `--window`), and the
 * cluster's churn, the share of its requests from keys new to it (exponentially weighted, halved every
 * `--half-life`). Prints, per hard-case group and campaign family (marked *), the share of its requests sent
 * while their cluster's churn was at or above a share with at least a (weighted) number of requests: what a
 * churn rule with those thresholds would mark.
 *
 * Runs on the train half of bench/scenarios/split.json by default (`--split test` for the held-out half):
 *
 *   npx node bench/churn.ts [--split train] [--window 1h] [--half-life 30m]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { root } from "../scripts/bundle.ts";
import { parseDuration } from "./sim/duration.ts";
import { scenarioTraffic, subnetOf } from "./sim-traffic.ts";

const { values } = parseArgs({
  options: {
    split: { type: "string", default: "train" },
    window: { type: "string", default: "1h" },
    "half-life": { type: "string", default: "30m" },
  },
});
const windowMs = parseDuration(values.window);
const halfLifeMs = parseDuration(values["half-life"]);
if (windowMs === null || halfLifeMs === null) throw new Error("--window and --half-life take durations: 1h, 30m, 1d");
const split = JSON.parse(readFileSync(join(root, "bench/scenarios/split.json"), "utf8")) as Record<
  string,
  { scenario: string; seeds: number[] }[]
>;
const runs = split[values.split!];
if (!runs) throw new Error(`no split ${values.split}`);

const SHARES = [0.6, 0.7, 0.8, 0.9];
const MINIMUMS = [20, 50, 100];
const DIMENSIONS = {
  subnet: (ip: string) => subnetOf(ip),
  asn: (_ip: string, asn: number) => String(asn),
  "build-asn": (_ip: string, asn: number, build: string) => `${build}|${asn}`,
} as const;

type Row = { requests: number; over: Map<string, number> };
const tables = new Map<string, Map<string, Row>>(Object.keys(DIMENSIONS).map((d) => [d, new Map()]));
for (const run of runs) {
  for (const seed of run.seeds) {
    const lastSeen = new Map<string, Map<string, number>>();
    const churn = new Map<string, { hits: number; requests: number; atMs: number }>();
    for (const { segment, request, timeMs } of scenarioTraffic(run.scenario, seed)) {
      const group = segment.legitimate ? segment.group : `${segment.group}*`;
      const key = request.headers.get("x-api-key") ?? request.headers.get("authorization") ?? "";
      const ip = request.headers.get("cf-connecting-ip") ?? "";
      const asn = (request as unknown as { cf: { asn: number } }).cf.asn;
      const build = request.headers.get("user-agent") ?? "";
      for (const [dimension, clusterOf] of Object.entries(DIMENSIONS)) {
        const cluster = `${dimension}=${clusterOf(ip, asn, build)}`;
        const keys = lastSeen.get(cluster) ?? lastSeen.set(cluster, new Map()).get(cluster)!;
        const last = keys.get(key);
        const hit = last === undefined || timeMs - last > windowMs ? 1 : 0;
        keys.set(key, timeMs);
        const before = churn.get(cluster);
        const keep = before ? 2 ** (-(timeMs - before.atMs) / halfLifeMs) : 0;
        const now = {
          hits: (before?.hits ?? 0) * keep + hit,
          requests: (before?.requests ?? 0) * keep + 1,
          atMs: timeMs,
        };
        churn.set(cluster, now);
        const table = tables.get(dimension)!;
        const row = table.get(group) ?? table.set(group, { requests: 0, over: new Map() }).get(group)!;
        row.requests++;
        for (const share of SHARES)
          for (const minimum of MINIMUMS)
            if (now.requests >= minimum && now.hits / now.requests >= share)
              row.over.set(`${share}/${minimum}`, (row.over.get(`${share}/${minimum}`) ?? 0) + 1);
      }
    }
  }
}

const columns = SHARES.flatMap((s) => MINIMUMS.map((m) => `${s}/${m}`));
for (const [dimension, table] of tables) {
  console.log(
    `\n${dimension}: % of each group's requests whose ${dimension} had churn ≥ share with ≥ min weighted requests ` +
      `(new: not seen there for ${values.window}; half-life ${values["half-life"]}; ${values.split} split)`,
  );
  console.log(`| group | requests | ${columns.join(" | ")} |`);
  console.log(`| --- | ---: | ${columns.map(() => "---:").join(" | ")} |`);
  for (const [group, row] of [...table].sort((a, b) => a[0].localeCompare(b[0])))
    console.log(
      `| ${group} | ${row.requests} | ${columns.map((c) => (((row.over.get(c) ?? 0) / row.requests) * 100).toFixed(1)).join(" | ")} |`,
    );
}
