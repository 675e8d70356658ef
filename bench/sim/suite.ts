/**
 * The combined report of a set of runs: the train or the test half of the
 * split (bench/scenarios/split.json), one run per scenario and seed. Per
 * campaign, the harvest reduction against the per-key baseline and the time
 * to containment; for legitimate traffic, denied, flagged and top-tier
 * shares overall and per hard-case group, summed over every run; each judged
 * against the split's goals. Pure functions of the runs' reports.
 */
import { formatDuration, parseDuration } from "./duration.ts";
import {
  type LegitimateRow,
  type Report,
  byGroup,
  formatReduction,
  int,
  legitimateTable,
  pct,
  sumLegitimate,
} from "./report.ts";

/** What a split's results are judged against (split.json `goals`). */
export interface SuiteGoals {
  /** Every campaign's harvest reduction against the baseline at least this. */
  minReduction: number;
  /** Longest time to containment per campaign family (`default` for the others), as durations. */
  maxContainedAfter: Record<string, string>;
  /** Largest share of legitimate requests denied, overall and in any one hard-case group. */
  maxLegitimateDenied: number;
  maxGroupDenied: number;
  /** Largest share of legitimate requests in the top tier, and flagged at all. */
  maxLegitimateTopTier: number;
  maxLegitimateFlagged: number;
}

export interface SuiteCampaignRow {
  scenario: string;
  seed: number;
  name: string;
  family: string;
  attempted: number;
  baselineHarvested: number;
  harvested: number;
  harvestedFlagged: number;
  reduction: number | null;
  containedAfterMs: number | null;
  topTier: number;
  /** Judged against the goals: reduction and containment. */
  reductionMet: boolean;
  containmentMet: boolean;
}

export interface SuiteReport {
  split: string;
  config: string;
  runs: { scenario: string; seed: number; requests: number }[];
  campaigns: SuiteCampaignRow[];
  legitimateGroups: LegitimateRow[];
  legitimateTotal: LegitimateRow;
  goals: SuiteGoals;
  /** Every goal, with its figure and whether it was met. */
  judged: { goal: string; figure: string; met: boolean }[];
}

const maxContainedMs = (goals: SuiteGoals, family: string): number =>
  parseDuration(goals.maxContainedAfter[family] ?? goals.maxContainedAfter.default ?? "10m") ?? 600_000;

export function buildSuiteReport(split: string, reports: readonly Report[], goals: SuiteGoals): SuiteReport {
  const campaigns: SuiteCampaignRow[] = reports.flatMap((r) =>
    r.campaigns.map((c) => ({
      scenario: r.scenario,
      seed: r.seed,
      name: c.name,
      family: c.group,
      attempted: c.attempted,
      baselineHarvested: c.baselineHarvested,
      harvested: c.harvested,
      harvestedFlagged: c.harvestedFlagged,
      reduction: c.reduction,
      containedAfterMs: c.containedAfterMs,
      topTier: c.topTier,
      reductionMet: c.reduction === null || c.reduction >= goals.minReduction,
      containmentMet: c.containedAfterMs !== null && c.containedAfterMs <= maxContainedMs(goals, c.group),
    })),
  );
  const rows = reports.flatMap((r) => r.legitimate);
  const groups = byGroup(rows);
  const total = sumLegitimate("all legitimate", rows);
  const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
  const percent = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.0001 ? 4 : 2)}%`;
  const judged: SuiteReport["judged"] = [
    ...campaigns.map((c) => ({
      goal: `${c.name} (${c.scenario}, seed ${c.seed}): reduction ≥ ${goals.minReduction}×`,
      figure: formatReduction(c.reduction),
      met: c.reductionMet,
    })),
    ...campaigns.map((c) => ({
      goal: `${c.name} (${c.scenario}, seed ${c.seed}): contained within ${formatDuration(maxContainedMs(goals, c.family))}`,
      figure: c.containedAfterMs === null ? "never" : formatDuration(c.containedAfterMs),
      met: c.containmentMet,
    })),
    {
      goal: `legitimate requests denied ≤ ${percent(goals.maxLegitimateDenied)}`,
      figure: percent(share(total.denied, total.attempted)),
      met: share(total.denied, total.attempted) <= goals.maxLegitimateDenied,
    },
    ...groups.map((g) => ({
      goal: `${g.name}: legitimate requests denied ≤ ${percent(goals.maxGroupDenied)}`,
      figure: percent(share(g.denied, g.attempted)),
      met: share(g.denied, g.attempted) <= goals.maxGroupDenied,
    })),
    {
      goal: `legitimate requests in the top tier ≤ ${percent(goals.maxLegitimateTopTier)}`,
      figure: percent(share(total.topTier, total.attempted)),
      met: share(total.topTier, total.attempted) <= goals.maxLegitimateTopTier,
    },
    {
      goal: `legitimate requests flagged ≤ ${percent(goals.maxLegitimateFlagged)}`,
      figure: percent(share(total.flagged, total.attempted)),
      met: share(total.flagged, total.attempted) <= goals.maxLegitimateFlagged,
    },
  ];
  return {
    split,
    config: reports[0]?.config ?? "",
    runs: reports.map((r) => ({ scenario: r.scenario, seed: r.seed, requests: r.requests.gateway })),
    campaigns,
    legitimateGroups: groups,
    legitimateTotal: total,
    goals,
    judged,
  };
}

export function renderSuiteMarkdown(suite: SuiteReport): string {
  const lines: string[] = [
    `The \`${suite.split}\` set through \`${suite.config}\`: ${suite.runs.length} runs ` +
      `(${suite.runs.map((r) => `\`${r.scenario}\` seed ${r.seed}`).join(", ")}), ` +
      `${int(suite.runs.reduce((n, r) => n + r.requests, 0))} requests.`,
    "",
    "| campaign | family | scenario, seed | attempted | harvested, baseline | harvested, gateway | reduction | top tier | contained after |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of suite.campaigns) {
    const flagged = c.harvestedFlagged > 0 ? ` (${int(c.harvestedFlagged)} flagged)` : "";
    lines.push(
      `| ${c.name} | ${c.family} | ${c.scenario}, ${c.seed} | ${int(c.attempted)} | ${int(c.baselineHarvested)} | ${int(c.harvested)}${flagged} | ${formatReduction(c.reduction)} | ${pct(c.topTier, c.attempted)} | ${c.containedAfterMs === null ? "never" : formatDuration(c.containedAfterMs)} |`,
    );
  }
  lines.push(
    "",
    "Legitimate traffic, summed over every run, per hard-case group:",
    "",
    ...legitimateTable("hard-case group", [...suite.legitimateGroups, suite.legitimateTotal], "keys (all runs)"),
    "",
    "| goal | figure | |",
    "| --- | ---: | --- |",
    ...suite.judged.map((j) => `| ${j.goal} | ${j.figure} | ${j.met ? "met" : "**NOT met**"} |`),
    "",
    `Goals met: ${suite.judged.filter((j) => j.met).length} of ${suite.judged.length}.`,
  );
  return lines.join("\n");
}
