// The combined report of a split: every run's campaigns, legitimate traffic summed per hard-case group over
// the runs, each judged against the split's goals.
import { describe, expect, it } from "vitest";
import { buildReport } from "../../bench/sim/report.ts";
import { type SuiteGoals, buildSuiteReport, renderSuiteMarkdown } from "../../bench/sim/suite.ts";
import type { RunResult, SegmentResult } from "../../bench/sim/types.ts";

const GOALS: SuiteGoals = {
  minReduction: 20,
  maxContainedAfter: { default: "10m", "slow-and-low": "1d" },
  maxLegitimateDenied: 0.001,
  maxGroupDenied: 0.01,
  maxLegitimateTopTier: 0.01,
  maxLegitimateFlagged: 0.1,
};

function segment(name: string, group: string, legitimate: boolean, attempted: number, harvested: number, o = {}) {
  return {
    name,
    description: "",
    legitimate,
    group,
    accounts: 10,
    rate: "1 per minute",
    attempted,
    harvested,
    harvestedFlagged: 0,
    denied: attempted - harvested,
    deniedByReason: {},
    flaggedByReason: {},
    firstRequestMs: 0,
    containedAtMs: null,
    timeline: { attempted: [], harvested: [], flagged: [] },
    topTier: attempted - harvested,
    preflights: { attempted: 0, denied: 0, deniedByReason: {} },
    ...o,
  } satisfies SegmentResult;
}

function report(scenario: string, seed: number, gateway: SegmentResult[], baseline: SegmentResult[]) {
  const run = (kind: "gateway" | "baseline", segments: SegmentResult[]): RunResult => ({
    kind,
    scenario,
    seed,
    config: kind === "gateway" ? "recommended" : "baseline",
    durationMs: 7_200_000,
    chartBucketMs: 60_000,
    containment: { windowMs: 60_000, maxAllowedShare: 0.01 },
    requests: segments.reduce((n, s) => n + s.attempted, 0),
    historyRequests: 0,
    segments,
  });
  return buildReport(run("gateway", gateway), run("baseline", baseline), null, "60 per minute");
}

describe("buildSuiteReport", () => {
  const fast = report(
    "fast",
    101,
    [
      segment("users", "crowd", true, 10_000, 10_000, { harvestedFlagged: 2_000 }),
      segment("campus", "nat", true, 1_000, 980),
      segment("farm", "under-threshold", false, 5_000, 100, { containedAtMs: 300_000 }),
    ],
    [
      segment("users", "crowd", true, 10_000, 10_000),
      segment("campus", "nat", true, 1_000, 1_000),
      segment("farm", "under-threshold", false, 5_000, 5_000),
    ],
  );
  const slow = report(
    "slow",
    101,
    [
      segment("users", "crowd", true, 9_000, 9_000),
      segment("trickle", "slow-and-low", false, 2_000, 200, { containedAtMs: 43_200_000 }),
    ],
    [segment("users", "crowd", true, 9_000, 9_000), segment("trickle", "slow-and-low", false, 2_000, 2_000)],
  );
  const suite = buildSuiteReport("test", [fast, slow], GOALS);

  it("judges each campaign's reduction, and its containment against its family's limit", () => {
    expect(suite.campaigns.map((c) => [c.name, c.reduction, c.reductionMet, c.containmentMet])).toEqual([
      ["farm", 50, true, true],
      ["trickle", 10, false, true],
    ]);
  });

  it("sums legitimate traffic per group over the runs, and judges every share", () => {
    expect(suite.legitimateGroups.map((g) => [g.name, g.attempted, g.denied])).toEqual([
      ["crowd", 19_000, 0],
      ["nat", 1_000, 20],
    ]);
    const judged = Object.fromEntries(suite.judged.map((j) => [j.goal, [j.figure, j.met]]));
    expect(judged["legitimate requests denied ≤ 0.10%"]).toEqual(["0.10%", true]);
    expect(judged["nat: legitimate requests denied ≤ 1.00%"]).toEqual(["2.00%", false]);
    expect(judged["legitimate requests in the top tier ≤ 1.00%"]).toEqual(["0.10%", true]);
    expect(judged["legitimate requests flagged ≤ 10.00%"]).toEqual(["10.00%", true]);
    const markdown = renderSuiteMarkdown(suite);
    expect(markdown).toContain(
      "| trickle | slow-and-low | slow, 101 | 2,000 | 2,000 | 200 | 10.0× | 90.00% | 12h 00m |",
    );
    expect(markdown).toContain("| nat: legitimate requests denied ≤ 1.00% | 2.00% | **NOT met** |");
  });
});
