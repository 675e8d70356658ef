// Scenario files: the shipped one is valid; a broken one is refused with every problem by path.
import { describe, expect, it } from "vitest";
import shipped from "../../bench/scenarios/default.json";
import farmAdapts from "../../bench/scenarios/farm-adapts.json";
import { parseScenario } from "../../bench/sim/scenario.ts";
import { smallScenario } from "./fixtures.ts";

describe("scenario files", () => {
  it("accepts the shipped scenario and the tests' own", () => {
    const parsed = parseScenario(shipped);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    if (!parsed.ok) return;
    const farm = parsed.scenario.segments.find((s) => s.name === "farm")!;
    // The reported campaign's shape: 25,000 keys at 26 a day is 7.5 requests a second in total.
    expect(farm.accounts * farm.ratePerMs * 1000).toBeCloseTo(7.52, 2);
    expect(parsed.scenario.goals).toEqual({ campaign: "farm", minReduction: 100, maxLegitimateDenied: 0.001 });
    expect(parseScenario(smallScenario()).ok).toBe(true);
  });

  it("accepts the farm's adaptations, next to the same legitimate traffic", () => {
    const parsed = parseScenario(farmAdapts);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    if (!parsed.ok) return;
    const legitimate = (segments: { legitimate: boolean }[]) => segments.filter((s) => s.legitimate);
    const reference = parseScenario(shipped);
    expect(reference.ok && legitimate(parsed.scenario.segments)).toEqual(
      reference.ok && legitimate(reference.scenario.segments),
    );
    const farms = parsed.scenario.segments.filter((s) => !s.legitimate);
    expect(farms.map((s) => s.name)).toEqual(["farm", "farm-wide", "farm-few-addresses"]);
    // the same keys and rate; only the networks differ
    for (const f of farms) expect(f.accounts * f.ratePerMs * 1000).toBeCloseTo(7.52, 2);
  });

  it("refuses a scenario with errors, naming the path of each", () => {
    const broken = smallScenario({
      duration: "an hour",
      extra: true,
      baseline: { rate: "lots" },
      goals: { campaign: "nobody" },
      gateway: {
        routes: [
          {
            name: "messages",
            match: { path: "/v1/messages" },
            limits: [{ name: "k", by: ["key"], capacity: 0, refillPerSecond: 1 }],
          },
        ],
      },
      legitimate: [
        {
          name: "developers",
          accounts: -3,
          rate: "2 per fortnight",
          clients: { "anthropic-cobol": 1 },
          networks: [
            { kind: "residential", countries: { ZZ: 1 } },
            { kind: "hosting", countries: { US: 1 } },
          ],
        },
      ],
      campaigns: [
        {
          name: "tor",
          accounts: 5,
          rate: "1 per minute",
          clients: { curl: 1 },
          networks: [{ kind: "tor", countries: { DE: 1 } }],
          start: "5m",
          end: "1m",
        },
      ],
    });
    const parsed = parseScenario(broken);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual(
      expect.arrayContaining([
        "extra: unknown field (expected one of: $comment, name, description, seed, duration, startsAt, chart, containment, zone, gateway, baseline, maxRequests, goals, legitimate, campaigns)",
        'duration: must be a duration such as "90s", "30m", "2h" or "1h30m" (got "an hour")',
        'baseline.rate: must be "<count> per second|minute|hour|day", such as "60 per minute"',
        'goals.campaign: must name one of the campaigns (got "nobody")',
        "gateway.routes[0].limits[0].capacity: must be a positive integer",
        "legitimate[0].accounts: must be a positive integer",
        'legitimate[0].rate: must be "<count> per second|minute|hour|day" per account, such as "26 per day"',
        expect.stringMatching(/^legitimate\[0\]\.clients\.anthropic-cobol: must be a client kind \(/),
        expect.stringMatching(
          /^legitimate\[0\]\.networks\[0\]\.countries\.ZZ: must be a country the simulator knows \(/,
        ),
        "legitimate[0].networks[1].asns: is required for hosting networks",
        "campaigns[0].networks[0].countries: is not allowed for Tor: the edge reports T1",
        "campaigns[0].end: must be after start",
      ]),
    );
    expect(parsed.problems).toHaveLength(12);
  });

  it("refuses a scenario that would send more requests than its bound", () => {
    const parsed = parseScenario(smallScenario({ maxRequests: 100 }));
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      expect.stringMatching(
        /^maxRequests: the segments are expected to send \d+ requests, more than maxRequests \(100\)/,
      ),
    ]);
  });
});
