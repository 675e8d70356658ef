// The graded risk model: weights combined as independent probabilities, flags turned to evidence, the highest tier
// reached acting, and its configuration read with every problem by path.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";
import type { RiskPolicy } from "../../src/config/types.ts";
import { decide } from "../../src/verdict/decide.ts";
import { finding } from "../../src/verdict/reasons.ts";
import { combine, grade } from "../../src/verdict/risk.ts";

const policy = (weights: Record<string, number> = {}): RiskPolicy => ({
  newKeyMs: 86_400_000,
  weights: new Map(Object.entries(weights)),
  tiers: [
    { name: "watch", score: 0.5, action: "flag" },
    { name: "suspect", score: 0.75, action: "degrade" },
    { name: "top", score: 0.9, action: "block" },
  ],
});
const hosting = finding("network.hosting", "flag", { risk: 0.4 });
const newKey = finding("identity.new_key", "flag", { risk: 0.2 });
const cohort = finding("cluster.new_accounts_per_subnet", "flag", { risk: 0.5 });
const build = finding("cluster.new_accounts_per_fingerprint_asn", "flag", { risk: 0.5 });

describe("grade", () => {
  it("combines weights as independent probabilities", () => {
    expect(combine([])).toBe(0);
    expect(combine([0.2, 0.2])).toBeCloseTo(0.36);
    expect(combine([0.8, 0.2])).toBeCloseTo(0.84);
    expect(combine([1, 0.1])).toBe(1);
  });

  it("a weak signal alone stays below every tier, and does not flag the request", () => {
    const g = grade([hosting], policy({ "network.hosting": 0.15 }));
    expect(g.score).toBeCloseTo(0.15);
    expect([g.tier, g.top]).toEqual([null, false]);
    const v = decide(g.findings, [], "enforce", g);
    expect([v.action, v.reasons.map((r) => r.code), v.tier]).toEqual(["allow", ["network.hosting"], null]);
  });

  it("independent signals together reach the tiers; the top one blocks with risk.tier, explaining the score", () => {
    const w = { "network.hosting": 0.15 };
    expect(grade([hosting, newKey, cohort], policy(w)).tier?.name).toBe("watch"); // 0.66
    expect(grade([newKey, cohort, build], policy(w)).tier?.name).toBe("suspect"); // 0.80
    const g = grade(
      [hosting, newKey, cohort, build, finding("content.reasoning_elicitation", "flag", { risk: 0.5 })],
      policy(w),
    );
    expect([g.tier?.name, g.top]).toEqual(["top", true]);
    const v = decide(g.findings, [], "enforce", g);
    expect([v.action, v.status, v.code, v.final, v.tier, v.topTier]).toEqual([
      "block",
      403,
      "risk.tier",
      true,
      "top",
      true,
    ]);
    const detail = v.reasons.find((r) => r.code === "risk.tier")!.detail!;
    expect(detail).toMatch(/^top 0\.9\d: /);
    expect(detail).toContain("cluster.new_accounts_per_subnet=0.50");
    expect(detail).toContain("network.hosting=0.15");
    // every score is explained, strongest first, whatever the tier
    expect(v.evidence).toBe(
      "cluster.new_accounts_per_subnet=0.50,cluster.new_accounts_per_fingerprint_asn=0.50,content.reasoning_elicitation=0.50,identity.new_key=0.20,network.hosting=0.15",
    );
  });

  it("keeps the action of other findings: denials deny, weightless flags flag", () => {
    const geo = finding("geo.country_denied", "block", { risk: 1 });
    const trusted = finding("identity.trusted_key", "flag", { risk: 0 });
    const denied = decide(...gradedWith([geo]));
    expect(denied).toMatchObject({ action: "block", code: "geo.country_denied", topTier: true });
    // the score is 1, but a denial needs no second one
    expect(denied.reasons.map((r) => r.code)).toEqual(["geo.country_denied"]);
    expect(decide(...gradedWith([trusted])).action).toBe("flag");
  });

  it("a configured weight of 0 takes a signal out of the score", () => {
    const g = grade([cohort, build], policy({ "cluster.new_accounts_per_subnet": 0 }));
    expect(g.score).toBeCloseTo(0.5);
    expect(g.findings[0]!.action).toBe("flag"); // no longer evidence: it flags as its rule says
  });
});

const gradedWith = (findings: Parameters<typeof grade>[0]) => {
  const g = grade(findings, policy());
  return [g.findings, [], "enforce", g] as const;
};

describe("the risk section", () => {
  const route = (risk: unknown) => ({
    routes: [{ name: "r", match: { path: "/v1/messages" }, clusters: [], risk }],
  });

  it("is read into a policy", () => {
    const r = parseConfig(
      route({
        newKey: "1d",
        weights: { "network.hosting": 0.1 },
        tiers: [{ name: "top", score: 0.9, action: "block" }],
      }),
    );
    expect(r.ok && r.config.routes[0]!.risk).toEqual({
      newKeyMs: 86_400_000,
      weights: new Map([["network.hosting", 0.1]]),
      tiers: [{ name: "top", score: 0.9, action: "block" }],
    });
  });

  it("lists every problem by path", () => {
    const r = parseConfig(
      route({
        newKey: "90d",
        weights: { "no.such_code": 0.5, "network.hosting": 2 },
        tiers: [
          { name: "a", score: 0.8, action: "flag" },
          { name: "a", score: 0.5, action: "explode" },
          { name: "Bad Name", score: 0 },
        ],
        extra: 1,
      }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      expect.stringMatching(/^routes\[0\]\.risk\.extra: unknown field/),
      expect.stringMatching(/^routes\[0\]\.risk\.newKey: must be .* from 1 minute to 30 days/),
      "routes[0].risk.weights.no.such_code: is not a reason code (docs/reasons.md)",
      "routes[0].risk.weights.network.hosting: must be 0 to 1",
      expect.stringMatching(/^routes\[0\]\.risk\.tiers\[1\]\.action: must be one of/),
      expect.stringMatching(/^routes\[0\]\.risk\.tiers\[2\]\.name: must /),
      "routes[0].risk.tiers[2].score: must be above 0",
      expect.stringMatching(/^routes\[0\]\.risk\.tiers\[2\]\.action: is required/),
    ]);
  });

  it("wants tiers in ascending score, each name once", () => {
    const r = parseConfig(
      route({
        tiers: [
          { name: "a", score: 0.8, action: "flag" },
          { name: "a", score: 0.5, action: "block" },
        ],
      }),
    );
    expect(r.ok ? [] : r.problems).toEqual([
      "routes[0].risk.tiers[1].score: must be above the tier before it (0.8)",
      'routes[0].risk.tiers[1].name: repeats "a"',
    ]);
  });
});
