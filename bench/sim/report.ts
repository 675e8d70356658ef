/**
 * The report of a simulation: the gateway run next to the baseline run of the
 * same traffic. Pure functions of the two results (bench/sim/types.ts), rendered as
 * Markdown tables that read the same in a terminal.
 */
import { formatDuration } from "./duration.ts";
import type { Goals, RunResult, SegmentResult, SegmentValue } from "./types.ts";

export interface CampaignRow {
  name: string;
  description: string;
  accounts: number;
  rate: string;
  attempted: number;
  baselineHarvested: number;
  harvested: number;
  harvestedFlagged: number;
  /** Baseline harvest over gateway harvest; Infinity when the gateway let none through; null when the baseline let none through either. */
  reduction: number | null;
  denied: number;
  deniedByReason: Record<string, number>;
  /** Virtual time from the campaign's first request until it was contained; null: never. */
  containedAfterMs: number | null;
  baselineContainedAfterMs: number | null;
  /** The campaign family (the segment's `group`). */
  group: string;
  /** Requests in the top tier (bench/sim/tiers.ts). */
  topTier: number;
  /** What the harvest was worth, through the gateway and through the baseline. */
  value: SegmentValue;
  baselineValue: SegmentValue;
}

export interface LegitimateRow {
  name: string;
  accounts: number;
  attempted: number;
  denied: number;
  flagged: number;
  baselineDenied: number;
  deniedByReason: Record<string, number>;
  flaggedByReason: Record<string, number>;
  /** The hard-case group (the segment's `group`; a group's own row: its name). */
  group: string;
  /** Requests in the top tier (bench/sim/tiers.ts). */
  topTier: number;
  /** Browsers' CORS preflights, and those the gateway refused (their calls then count as denied). */
  preflights: number;
  preflightsDenied: number;
  /** How many of its requests were degraded or challenged. */
  value: SegmentValue;
}

export interface Report {
  scenario: string;
  seed: number;
  config: string;
  /** SHA-256 of the gateway's configuration as JSON (configDigest): ties a report to the file it measured. */
  configSha256?: string;
  baselineRate: string;
  durationMs: number;
  requests: { gateway: number; baseline: number };
  containment: { windowMs: number; maxAllowedShare: number };
  campaigns: CampaignRow[];
  legitimate: LegitimateRow[];
  /** The legitimate segments summed per hard-case group. */
  legitimateGroups: LegitimateRow[];
  legitimateTotal: LegitimateRow;
  /** History requests replayed before the start (the same in both runs). */
  historyRequests: number;
  goals: null | {
    campaign: string;
    minReduction: number;
    reduction: number | null;
    reductionMet: boolean;
    maxLegitimateDenied: number;
    legitimateDenied: number;
    legitimateMet: boolean;
  };
}

const containedAfter = (s: SegmentResult): number | null =>
  s.containedAtMs === null || s.firstRequestMs === null ? null : s.containedAtMs - s.firstRequestMs;

const NO_VALUE: SegmentValue = { reasoningTokens: 0, outputTokens: 0, degraded: 0, challenged: 0 };
const segmentValue = (s: SegmentResult): SegmentValue => ({ ...NO_VALUE, ...s.value });

function merge(into: Record<string, number>, from: Record<string, number>) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Legitimate rows summed into one (a group's, or everyone's). */
export function sumLegitimate(name: string, rows: readonly LegitimateRow[]): LegitimateRow {
  const total: LegitimateRow = {
    name,
    accounts: 0,
    attempted: 0,
    denied: 0,
    flagged: 0,
    baselineDenied: 0,
    deniedByReason: {},
    flaggedByReason: {},
    group: name,
    topTier: 0,
    preflights: 0,
    preflightsDenied: 0,
    value: { ...NO_VALUE },
  };
  for (const row of rows) {
    for (const k of Object.keys(NO_VALUE) as (keyof SegmentValue)[]) total.value[k] += row.value[k];
    total.accounts += row.accounts;
    total.attempted += row.attempted;
    total.denied += row.denied;
    total.flagged += row.flagged;
    total.baselineDenied += row.baselineDenied;
    total.topTier += row.topTier;
    total.preflights += row.preflights;
    total.preflightsDenied += row.preflightsDenied;
    merge(total.deniedByReason, row.deniedByReason);
    merge(total.flaggedByReason, row.flaggedByReason);
  }
  return total;
}

/** Rows summed per group, in the order groups first appear. */
export function byGroup(rows: readonly LegitimateRow[]): LegitimateRow[] {
  const groups = [...new Set(rows.map((r) => r.group))];
  return groups.map((g) =>
    sumLegitimate(
      g,
      rows.filter((r) => r.group === g),
    ),
  );
}

export function buildReport(
  gateway: RunResult,
  baseline: RunResult,
  goals: Goals | null,
  baselineRate: string,
): Report {
  const base = new Map(baseline.segments.map((s) => [s.name, s]));
  const campaigns: CampaignRow[] = gateway.segments
    .filter((s) => !s.legitimate)
    .map((s) => {
      const b = base.get(s.name)!;
      return {
        name: s.name,
        description: s.description,
        accounts: s.accounts,
        rate: s.rate,
        attempted: s.attempted,
        baselineHarvested: b.harvested,
        harvested: s.harvested,
        harvestedFlagged: s.harvestedFlagged,
        reduction: b.harvested === 0 ? null : s.harvested === 0 ? Infinity : b.harvested / s.harvested,
        denied: s.denied,
        deniedByReason: s.deniedByReason,
        containedAfterMs: containedAfter(s),
        baselineContainedAfterMs: containedAfter(b),
        group: s.group,
        topTier: s.topTier,
        value: segmentValue(s),
        baselineValue: segmentValue(b),
      };
    });
  const legitimate: LegitimateRow[] = gateway.segments
    .filter((s) => s.legitimate)
    .map((s) => ({
      name: s.name,
      accounts: s.accounts,
      attempted: s.attempted,
      denied: s.denied,
      flagged: s.harvestedFlagged,
      baselineDenied: base.get(s.name)!.denied,
      deniedByReason: s.deniedByReason,
      flaggedByReason: s.flaggedByReason,
      group: s.group,
      topTier: s.topTier,
      preflights: s.preflights.attempted,
      preflightsDenied: s.preflights.denied,
      value: segmentValue(s),
    }));
  const total = sumLegitimate("all legitimate", legitimate);
  const judged = goals ? campaigns.find((c) => c.name === goals.campaign) : undefined;
  const legitimateDenied = total.attempted === 0 ? 0 : total.denied / total.attempted;
  return {
    scenario: gateway.scenario,
    seed: gateway.seed,
    config: gateway.config,
    baselineRate,
    durationMs: gateway.durationMs,
    requests: { gateway: gateway.requests, baseline: baseline.requests },
    containment: gateway.containment,
    campaigns,
    legitimate,
    legitimateGroups: byGroup(legitimate),
    legitimateTotal: total,
    historyRequests: gateway.historyRequests,
    goals:
      goals && judged
        ? {
            campaign: goals.campaign,
            minReduction: goals.minReduction,
            reduction: judged.reduction,
            reductionMet: judged.reduction !== null && judged.reduction >= goals.minReduction,
            maxLegitimateDenied: goals.maxLegitimateDenied,
            legitimateDenied,
            legitimateMet: legitimateDenied <= goals.maxLegitimateDenied,
          }
        : null,
  };
}

// ------------------------------------------------------------------ rendering

export const int = (n: number) => n.toLocaleString("en-US");
export const pct = (part: number, whole: number) =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(part > 0 && (100 * part) / whole < 0.01 ? 3 : 2)}%`;

export function formatReduction(r: number | null): string {
  if (r === null) return "–";
  if (r === Infinity) return "∞ (none harvested)";
  return r >= 100 ? `${Math.round(r).toLocaleString("en-US")}×` : `${r.toFixed(1)}×`;
}

/** "geo.tor 120, rate.key_exhausted 3" (largest first; the rest summed as "other"). */
export function reasons(counts: Record<string, number>, limit = 3): string {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sorted.length === 0) return "–";
  const shown = sorted.slice(0, limit).map(([k, v]) => `${k} ${int(v)}`);
  const rest = sorted.slice(limit).reduce((n, [, v]) => n + v, 0);
  return rest > 0 ? `${shown.join(", ")}, other ${int(rest)}` : shown.join(", ");
}

const duration = (ms: number | null) => (ms === null ? "never" : formatDuration(ms));

/** The legitimate table: one row per segment or group, the last (the total) in bold. */
export function legitimateTable(title: string, rows: readonly LegitimateRow[], keys = "keys"): string[] {
  const lines = [
    `| ${title} | ${keys} | requests | denied, gateway | flagged, gateway | top tier | denied, baseline | gateway reasons |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  rows.forEach((l, i) => {
    const name = i === rows.length - 1 ? `**${l.name}**` : l.name;
    const why = [
      l.denied > 0 ? `denied: ${reasons(l.deniedByReason)}` : "",
      l.flagged > 0 ? `flagged: ${reasons(l.flaggedByReason, 2)}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    lines.push(
      `| ${name} | ${int(l.accounts)} | ${int(l.attempted)} | ${int(l.denied)} (${pct(l.denied, l.attempted)}) | ${int(l.flagged)} (${pct(l.flagged, l.attempted)}) | ${int(l.topTier)} (${pct(l.topTier, l.attempted)}) | ${int(l.baselineDenied)} (${pct(l.baselineDenied, l.attempted)}) | ${why || "–"} |`,
    );
  });
  return lines;
}

export function renderMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(
    `Scenario \`${report.scenario}\`, seed ${report.seed}: ${formatDuration(report.durationMs)} of virtual time, ` +
      `${int(report.requests.gateway)} requests through the gateway (\`${report.config}\`${report.configSha256 ? `, configuration SHA-256 \`${report.configSha256}\`` : ""}) and the same traffic through the baseline ` +
      `(one per-key token bucket, ${report.baselineRate}).`,
    "",
    "| campaign | keys | attempted | harvested, baseline | harvested, gateway | reduction | top tier | denied by the gateway (top reasons) | contained after |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
  );
  for (const c of report.campaigns) {
    const flagged = c.harvestedFlagged > 0 ? ` (${int(c.harvestedFlagged)} flagged)` : "";
    lines.push(
      `| ${c.name} | ${int(c.accounts)} | ${int(c.attempted)} | ${int(c.baselineHarvested)} | ${int(c.harvested)}${flagged} | ${formatReduction(c.reduction)} | ${pct(c.topTier, c.attempted)} | ${reasons(c.deniedByReason)} | ${duration(c.containedAfterMs)} |`,
    );
  }
  lines.push("", ...legitimateTable("legitimate population", [...report.legitimate, report.legitimateTotal]));
  if (report.legitimateGroups.length < report.legitimate.length)
    lines.push("", ...legitimateTable("hard-case group", [...report.legitimateGroups, report.legitimateTotal]));
  const preflights = report.legitimateTotal.preflights;
  if (preflights > 0)
    lines.push(
      "",
      `Browsers' CORS preflights: ${int(preflights)}, of which ${int(report.legitimateTotal.preflightsDenied)} refused (a refused preflight's call is counted as denied).`,
    );
  if (report.historyRequests > 0)
    lines.push(
      "",
      `Before the start, ${int(report.historyRequests)} requests of the accounts' history were replayed through both (not counted above).`,
    );
  const share = report.containment.maxAllowedShare;
  lines.push(
    "",
    `Harvested: requests that reached the origin (flagged ones too: the origin saw \`x-guard-action: flag\` and could answer with less). ` +
      `Contained: from then on, at most ${(share * 100).toFixed(share < 0.01 ? 2 : 0)}% of the campaign's requests reached the origin in every ` +
      `${formatDuration(report.containment.windowMs)} window.`,
  );
  lines.push("", ...renderValue(report));
  const g = report.goals;
  if (g) {
    lines.push(
      "",
      `Goal, ${g.campaign}: harvest reduction ≥ ${g.minReduction}× against the baseline: ${formatReduction(g.reduction)}, ${g.reductionMet ? "met" : "NOT met"}.`,
      `Goal, legitimate requests denied ≤ ${(g.maxLegitimateDenied * 100).toFixed(2)}%: ${(g.legitimateDenied * 100).toFixed(3)}%, ${g.legitimateMet ? "met" : "NOT met"}.`,
    );
  }
  return lines.join("\n");
}

/** What the harvest was worth: reasoning and answer tokens per campaign; degraded and challenged legitimate requests. */
export function renderValue(report: Report): string[] {
  const ratio = (base: number, now: number) => (base === 0 ? "–" : formatReduction(now === 0 ? Infinity : base / now));
  const lines = [
    "| campaign | exchanges, baseline / gateway | of those degraded | reasoning tokens harvested, baseline / gateway | reduction | answer tokens harvested, baseline / gateway | reduction |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const c of report.campaigns) {
    const v = c.value;
    const b = c.baselineValue;
    lines.push(
      `| ${c.name} | ${int(c.baselineHarvested)} / ${int(c.harvested)} | ${int(v.degraded)} | ${int(b.reasoningTokens)} / ${int(v.reasoningTokens)} | ${ratio(b.reasoningTokens, v.reasoningTokens)} | ${int(b.outputTokens)} / ${int(v.outputTokens)} | ${ratio(b.outputTokens, v.outputTokens)} |`,
    );
  }
  lines.push(
    "",
    "| legitimate population | requests | degraded, gateway | challenged, gateway |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const l of [...report.legitimate, report.legitimateTotal]) {
    const name = l === report.legitimateTotal ? `**${l.name}**` : l.name;
    lines.push(
      `| ${name} | ${int(l.attempted)} | ${int(l.value.degraded)} (${pct(l.value.degraded, l.attempted)}) | ${int(l.value.challenged)} (${pct(l.value.challenged, l.attempted)}) |`,
    );
  }
  lines.push(
    "",
    "Reasoning tokens: the thinking the origin produced for answers the client received with it (removed by degrade, or never made with thinking off: none). " +
      "Answer tokens: the rest of the output of answers that reached the client (capped by degrade's maxTokens).",
  );
  return lines;
}
