// The simulator replays a scenario through the real gateway app on a virtual
// clock: deterministic for a seed, and its baseline is a per-key token
// bucket and nothing else.
import { describe, expect, it } from "vitest";
import { containedAt, runSimulation } from "../../bench/sim/engine.ts";
import { baselineConfig, parseScenario, type Scenario } from "../../bench/sim/scenario.ts";
import type { RunResult } from "../../bench/sim/types.ts";
import { smallScenario } from "./fixtures.ts";

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  const parsed = parseScenario(smallScenario(overrides));
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.scenario;
}

const segment = (r: RunResult, name: string) => r.segments.find((s) => s.name === name)!;

// Each run replays ~1,000 requests; the tests share them.
let runs: Promise<{ gateway: RunResult; again: RunResult; baseline: RunResult }> | undefined;
const shared = () =>
  (runs ??= (async () => {
    const s = scenario();
    return {
      gateway: await runSimulation(s, { kind: "gateway" }),
      again: await runSimulation(s, { kind: "gateway" }),
      baseline: await runSimulation(s, { kind: "baseline" }),
    };
  })());

describe("runSimulation", () => {
  it("is deterministic for a seed, and the seed matters", async () => {
    const { gateway, again } = await shared();
    expect(again).toEqual(gateway);
    expect(gateway.requests).toBeGreaterThan(800);
    // another seed, other traffic (a short run is enough to tell)
    const short = scenario({ duration: "20s" });
    const [a, b] = [
      await runSimulation(short, { kind: "baseline" }),
      await runSimulation(short, { kind: "baseline", seed: 8 }),
    ];
    expect(b.segments.map((x) => x.attempted)).not.toEqual(a.segments.map((x) => x.attempted));
  });

  it("sends the same traffic through the gateway and the baseline", async () => {
    const { gateway, baseline } = await shared();
    expect(gateway.segments.map((x) => [x.name, x.attempted, x.timeline.attempted])).toEqual(
      baseline.segments.map((x) => [x.name, x.attempted, x.timeline.attempted]),
    );
    // the gateway's geo policy stops Tor and the sanctioned country at once; the baseline does not
    expect(segment(gateway, "tor")).toMatchObject({
      harvested: 0,
      deniedByReason: { "geo.tor": segment(gateway, "tor").attempted },
      containedAtMs: segment(gateway, "tor").firstRequestMs,
    });
    expect(segment(gateway, "sanctioned")).toMatchObject({
      harvested: 0,
      deniedByReason: { "geo.country_denied": segment(gateway, "sanctioned").attempted },
    });
  });
});

describe("the baseline", () => {
  it("is one route with one per-key token bucket and nothing else", () => {
    expect(baselineConfig(scenario())).toEqual({
      version: "baseline",
      proveKeys: false,
      routes: [
        {
          name: "baseline",
          match: { path: "/*" },
          limits: [{ name: "key", by: ["key"], capacity: 60, refillPerSecond: 1 }],
        },
      ],
    });
  });

  it("lets everything through that a per-key bucket allows, and holds a hammering key to the bucket exactly", async () => {
    const s = scenario();
    const run = (await shared()).baseline;
    for (const x of run.segments.filter((x) => x.name !== "hammer")) expect([x.name, x.denied]).toEqual([x.name, 0]);
    const hammer = segment(run, "hammer");
    expect(Object.keys(hammer.deniedByReason)).toEqual(["rate.key_exhausted"]);
    // 60 at once, then one a second: capacity + refill × the time the hammering lasted (3 req/s keeps the bucket empty)
    const seconds = (s.durationMs - hammer.firstRequestMs!) / 1000;
    expect(hammer.harvested).toBeGreaterThanOrEqual(Math.floor(60 + seconds) - 1);
    expect(hammer.harvested).toBeLessThanOrEqual(Math.ceil(60 + seconds));
  });
});

describe("containedAt", () => {
  it("is the start of the first window after which every window with traffic stays at or under the share", () => {
    expect(containedAt([10, 10, 10, 0, 10], [10, 0, 0, 0, 0], 0.01, 60_000)).toBe(60_000);
    expect(containedAt([10, 10, 10], [0, 5, 0], 0.01, 60_000)).toBe(120_000);
    expect(containedAt([10, 10, 10], [0, 0, 1], 0.01, 60_000)).toBeNull();
    expect(containedAt([200, 0], [2, 0], 0.01, 1000)).toBe(0);
  });
});
