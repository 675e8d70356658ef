// The report compares the two runs of the same traffic: reduction factors,
// goals, and the chart's panels, from results made up for the purpose.
import { describe, expect, it } from "vitest";
import { renderChart } from "../../bench/sim/chart.ts";
import { buildReport, formatReduction, renderMarkdown } from "../../bench/sim/report.ts";
import type { RunResult, SegmentResult } from "../../bench/sim/types.ts";

function segment(
  name: string,
  legitimate: boolean,
  attempted: number,
  harvested: number,
  extra: Partial<SegmentResult> = {},
): SegmentResult {
  return {
    name,
    description: "",
    legitimate,
    accounts: 10,
    rate: "1 per minute",
    attempted,
    harvested,
    harvestedFlagged: 0,
    denied: attempted - harvested,
    deniedByReason: attempted > harvested ? { "rate.key_exhausted": attempted - harvested } : {},
    flaggedByReason: {},
    firstRequestMs: 0,
    containedAtMs: null,
    timeline: { attempted: [attempted], harvested: [harvested], flagged: [0] },
    group: name,
    topTier: attempted - harvested,
    preflights: { attempted: 0, denied: 0, deniedByReason: {} },
    ...extra,
  };
}

function run(kind: "gateway" | "baseline", segments: SegmentResult[]): RunResult {
  return {
    kind,
    scenario: "made-up",
    seed: 1,
    config: kind === "gateway" ? "recommended" : "baseline",
    durationMs: 60_000,
    chartBucketMs: 60_000,
    containment: { windowMs: 60_000, maxAllowedShare: 0.01 },
    requests: segments.reduce((n, s) => n + s.attempted, 0),
    historyRequests: 0,
    segments,
  };
}

describe("buildReport", () => {
  const baseline = run("baseline", [
    segment("users", true, 1000, 1000),
    segment("farm", false, 5000, 5000),
    segment("tor", false, 40, 40),
    segment("idle", false, 0, 0),
  ]);

  it("divides the baseline's harvest by the gateway's, and judges the goals", () => {
    const gateway = run("gateway", [
      segment("users", true, 1000, 999),
      segment("farm", false, 5000, 40),
      segment("tor", false, 40, 0),
      segment("idle", false, 0, 0),
    ]);
    const report = buildReport(
      gateway,
      baseline,
      { campaign: "farm", minReduction: 100, maxLegitimateDenied: 0.001 },
      "60 per minute",
    );
    expect(report.campaigns.map((c) => [c.name, c.reduction])).toEqual([
      ["farm", 125],
      ["tor", Infinity],
      ["idle", null],
    ]);
    expect(report.legitimateTotal).toMatchObject({ attempted: 1000, denied: 1, baselineDenied: 0 });
    expect(report.goals).toMatchObject({
      reduction: 125,
      reductionMet: true,
      legitimateDenied: 0.001,
      legitimateMet: true,
    });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| farm | 10 | 5,000 | 5,000 | 40 | 125× | 99.20% | rate.key_exhausted 4,960 | never |");
    expect(markdown).toContain("harvest reduction ≥ 100× against the baseline: 125×, met.");
  });

  it("says so when a goal is missed", () => {
    const gateway = run("gateway", [
      segment("users", true, 1000, 990),
      segment("farm", false, 5000, 100),
      segment("tor", false, 40, 0),
      segment("idle", false, 0, 0),
    ]);
    const report = buildReport(
      gateway,
      baseline,
      { campaign: "farm", minReduction: 100, maxLegitimateDenied: 0.001 },
      "60 per minute",
    );
    expect(report.goals).toMatchObject({ reduction: 50, reductionMet: false, legitimateMet: false });
    expect(renderMarkdown(report)).toContain("legitimate requests denied ≤ 0.10%: 1.000%, NOT met.");
  });

  it("sums legitimate segments per hard-case group, with their top tier and refused preflights", () => {
    const preflights = (attempted: number, denied: number): SegmentResult["preflights"] => ({
      attempted,
      denied,
      deniedByReason: denied > 0 ? { "route.not_found": denied } : {},
    });
    const rows = [
      segment("corporate", true, 100, 100, { group: "nat", topTier: 0 }),
      segment("campus", true, 50, 40, { group: "nat", topTier: 10, preflights: preflights(20, 10) }),
      segment("browsers", true, 30, 30, { group: "browsers", topTier: 0, preflights: preflights(30, 0) }),
    ];
    const report = buildReport(run("gateway", rows), run("baseline", rows), null, "60 per minute");
    expect(report.legitimateGroups.map((g) => [g.name, g.attempted, g.denied, g.topTier, g.preflights])).toEqual([
      ["nat", 150, 10, 10, 20],
      ["browsers", 30, 0, 0, 30],
    ]);
    expect(report.legitimateTotal).toMatchObject({ attempted: 180, topTier: 10, preflights: 50, preflightsDenied: 10 });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| nat | 20 | 150 | 10 (6.67%) | 0 (0.00%) | 10 (6.67%) | 10 (6.67%) |");
    expect(markdown).toContain("Browsers' CORS preflights: 50, of which 10 refused");
  });

  it("formats reductions", () => {
    expect([formatReduction(null), formatReduction(Infinity), formatReduction(1.06), formatReduction(1234.4)]).toEqual([
      "–",
      "∞ (none harvested)",
      "1.1×",
      "1,234×",
    ]);
  });
});

describe("renderChart", () => {
  it("draws one panel per campaign and one for the legitimate population, with the baseline's line", () => {
    const gateway = run("gateway", [segment("users", true, 100, 100), segment("farm <x>", false, 50, 5)]);
    const baseline = run("baseline", [segment("users", true, 100, 100), segment("farm <x>", false, 50, 50)]);
    const svg = renderChart(gateway, baseline);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain("farm &lt;x&gt;: 10 keys at 1 per minute each. Reached the origin: 5 of 50; baseline 50");
    expect(svg).toContain("legitimate population: 10 keys. Served: 100 of 100");
    expect(svg.match(/<polyline /g)).toHaveLength(2);
  });
});
