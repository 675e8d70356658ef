// The simulator counts what a campaign's harvest is worth: reasoning and answer tokens, and how much of each
// segment's traffic the gateway degraded or challenged.
import { describe, expect, it } from "vitest";
import { runSimulation } from "../../bench/sim/engine.ts";
import { buildReport, renderMarkdown } from "../../bench/sim/report.ts";
import { parseScenario } from "../../bench/sim/scenario.ts";
import { smallScenario } from "./fixtures.ts";

describe("the value harvested", () => {
  it("with degrade on, the hosting farm gets answers without their reasoning, capped; the baseline hands it all", async () => {
    const parsed = parseScenario(smallScenario({ gateway: "degrade", duration: "1m" }));
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    const gateway = await runSimulation(parsed.scenario, { kind: "gateway" });
    const baseline = await runSimulation(parsed.scenario, { kind: "baseline" });
    const farm = (r: typeof gateway) => r.segments.find((s) => s.name === "farm")!;
    expect(farm(baseline).value!.reasoningTokens).toBeGreaterThan(0);
    expect(farm(gateway).harvested).toBeGreaterThan(0);
    expect(farm(gateway).value).toMatchObject({ reasoningTokens: 0, degraded: farm(gateway).harvested });
    // answers capped at 1,024 tokens: less of each answer too
    expect(farm(gateway).value!.outputTokens).toBeLessThanOrEqual(1024 * farm(gateway).harvested);
    expect(farm(gateway).value!.outputTokens / farm(gateway).harvested).toBeLessThan(
      farm(baseline).value!.outputTokens / farm(baseline).harvested,
    );

    const report = buildReport(gateway, baseline, null, "60 per minute");
    const markdown = renderMarkdown(report);
    const row = report.campaigns.find((c) => c.name === "farm")!;
    expect(markdown).toContain(`| farm | ${row.baselineHarvested.toLocaleString("en-US")} / `);
    expect(markdown).toContain("| legitimate population | requests | degraded, gateway | challenged, gateway |");
    expect(report.legitimateTotal.value.degraded).toBe(report.legitimate.reduce((n, l) => n + l.value.degraded, 0));
  });
});
