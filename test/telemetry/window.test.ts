// The in-isolate window of recent decisions behind the dashboard's local numbers:
// per-minute aggregates, bounded in time and in distinct values.
import { describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../src/telemetry/event.ts";
import { createDecisionWindow } from "../../src/telemetry/window.ts";

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const MIN = 60_000;
const event = (over: Partial<DecisionEvent> = {}): DecisionEvent => ({
  timestamp: "",
  requestId: "r",
  route: "messages",
  mode: "enforce",
  action: "allow",
  enforced: true,
  status: 200,
  reason: null,
  reasons: [],
  method: "POST",
  path: "/v1/messages",
  model: null,
  country: "DE",
  region: null,
  asn: 3320,
  colo: "FRA",
  keyHash: "k1",
  fingerprint: null,
  cluster: null,
  template: null,
  risk: 0,
  retryAfterSeconds: null,
  decisionMs: 1,
  originMs: null,
  degrade: null,
  tier: null,
  evidence: null,
  ...over,
});

describe("the decision window", () => {
  it("counts per minute and sums over the minutes asked for", () => {
    const w = createDecisionWindow();
    w.add(event(), T0);
    w.add(
      event({
        action: "block",
        reason: "geo.country_denied",
        reasons: ["geo.country_denied"],
        country: "IR",
        keyHash: "k2",
      }),
      T0 + 10_000,
    );
    w.add(event({ action: "throttle", reason: "rate.key_exhausted", keyHash: "k1" }), T0 + MIN);
    w.add(
      event({
        action: "block",
        enforced: false,
        mode: "shadow",
        reason: "geo.country_denied",
        country: "IR",
        keyHash: "k3",
      }),
      T0 + 2 * MIN,
    );
    const all = w.summary(3, T0 + 2 * MIN);
    expect(all.perMinute).toEqual([
      { minute: "2026-11-22T12:00:00.000Z", allow: 1, flag: 0, degrade: 0, challenge: 0, throttle: 0, block: 1 },
      { minute: "2026-11-22T12:01:00.000Z", allow: 0, flag: 0, degrade: 0, challenge: 0, throttle: 1, block: 0 },
      { minute: "2026-11-22T12:02:00.000Z", allow: 0, flag: 0, degrade: 0, challenge: 0, throttle: 0, block: 1 },
    ]);
    expect(all.totals).toEqual({
      allow: 1,
      flag: 0,
      degrade: 0,
      challenge: 0,
      throttle: 1,
      block: 2,
      decisions: 4,
      denied: 3,
      shadowDenied: 1,
    });
    expect(all.reasons).toEqual([
      { reason: "geo.country_denied", decisions: 2 },
      { reason: "rate.key_exhausted", decisions: 1 },
    ]);
    expect(all.countries).toEqual([
      { country: "DE", decisions: 2, denied: 1 },
      { country: "IR", decisions: 2, denied: 2 },
    ]);
    expect(all.keys).toEqual([
      { key: "k2", denials: 1 },
      { key: "k1", denials: 1 },
      { key: "k3", denials: 1 },
    ]);
    // the last minute only
    expect(w.summary(1, T0 + 2 * MIN).totals.decisions).toBe(1);
  });

  it("keeps only its minutes", () => {
    const w = createDecisionWindow({ minutes: 5 });
    for (let m = 0; m < 20; m++) w.add(event(), T0 + m * MIN);
    const s = w.summary(60, T0 + 19 * MIN);
    expect(s.perMinute.map((p) => p.minute)).toEqual(
      ["12:15", "12:16", "12:17", "12:18", "12:19"].map((t) => `2026-11-22T${t}:00.000Z`),
    );
    expect(s.totals.decisions).toBe(5);
  });

  it("past maxDistinct values in a minute, the rest count as (other); clusters keep their distinct keys within a bound", () => {
    const w = createDecisionWindow({ maxDistinct: 3 });
    for (let i = 0; i < 6; i++) w.add(event({ country: `C${i}`, cluster: "farm:1", keyHash: `k${i}` }), T0);
    for (let i = 0; i < 20; i++) w.add(event({ cluster: "farm:2", keyHash: `j${i}` }), T0);
    const s = w.summary(1, T0);
    // C0..C2 fit; C3..C5 and the 20 from DE do not
    expect(s.countries.map((c) => [c.country, c.decisions])).toEqual([
      ["(other)", 23],
      ["C0", 1],
      ["C1", 1],
      ["C2", 1],
    ]);
    // distinct keys per minute across clusters: at most 4 × maxDistinct (12), then undercounted
    expect(s.clusters).toEqual([
      { cluster: "farm:2", decisions: 20, keys: 6 },
      { cluster: "farm:1", decisions: 6, keys: 6 },
    ]);
  });
});
