import { describe, expect, it } from "vitest";
import { createDenialLog } from "../../src/telemetry/denial-log.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";

const denial = (over: Partial<DecisionEvent> = {}): DecisionEvent => ({
  timestamp: "2026-12-03T00:00:00.000Z",
  requestId: "r",
  route: "messages",
  mode: "enforce",
  action: "throttle",
  enforced: true,
  status: 429,
  reason: "rate.key_exhausted",
  reasons: ["rate.key_exhausted"],
  method: "POST",
  path: "/v1/messages",
  model: null,
  country: "DE",
  region: null,
  asn: 64500,
  colo: null,
  keyHash: "a".repeat(32),
  fingerprint: "f".repeat(16),
  cluster: null,
  template: null,
  risk: 0,
  retryAfterSeconds: 30,
  decisionMs: 0,
  originMs: null,
  degrade: null,
  tier: null,
  evidence: null,
  ...over,
});

function setup(options: { intervalMs?: number; maxPairs?: number } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  let clock = 1_000_000;
  const log = createDenialLog({ log: (line) => lines.push(JSON.parse(line)), now: () => clock, ...options });
  return { log, lines, advance: (ms: number) => (clock += ms) };
}

describe("denial log", () => {
  it("logs a client's first denial in full and counts its repeats into one line when the interval ends", () => {
    const { log, lines, advance } = setup({ intervalMs: 60_000 });
    for (let i = 0; i < 500; i++) log.add(denial({ requestId: `r${i}` }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "distill-guard decision", requestId: "r0", reason: "rate.key_exhausted" });
    advance(60_000);
    log.add(denial({ requestId: "next" }));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({
      msg: "distill-guard repeated denials",
      client: `key:${"a".repeat(32)}`,
      reason: "rate.key_exhausted",
      route: "messages",
      repeats: 499,
    });
    // the next interval opens with a full line again
    expect(lines[2]).toMatchObject({ msg: "distill-guard decision", requestId: "next" });
  });

  it("keeps clients and reasons apart", () => {
    const { log, lines } = setup();
    log.add(denial());
    log.add(denial({ keyHash: "b".repeat(32) }));
    log.add(denial({ reason: "cluster.accounts_per_subnet" }));
    log.add(denial({ keyHash: null }));
    log.add(denial({ keyHash: null, asn: 64501 }));
    log.add(denial());
    expect(lines.map((l) => l.msg)).toEqual(Array(5).fill("distill-guard decision"));
    log.flush();
    expect(lines.slice(5)).toEqual([expect.objectContaining({ repeats: 1, client: `key:${"a".repeat(32)}` })]);
  });

  it("writes a pair's count out when the interval has ended, whichever client comes next", () => {
    const { log, lines, advance } = setup({ intervalMs: 1_000 });
    log.add(denial());
    log.add(denial());
    advance(1_000);
    log.add(denial({ keyHash: "b".repeat(32) }));
    expect(lines.map((l) => l.msg)).toEqual([
      "distill-guard decision",
      "distill-guard repeated denials",
      "distill-guard decision",
    ]);
    expect(lines[1]).toMatchObject({ repeats: 1 });
  });

  it("holds at most maxPairs pairs, writing the oldest's count early: nothing is lost", () => {
    const { log, lines } = setup({ maxPairs: 3 });
    for (let i = 0; i < 10; i++) {
      const keyHash = String(i).repeat(32);
      log.add(denial({ keyHash }));
      log.add(denial({ keyHash }));
    }
    const repeats = () => lines.filter((l) => l.msg === "distill-guard repeated denials");
    expect(lines.filter((l) => l.msg === "distill-guard decision")).toHaveLength(10);
    expect(repeats()).toHaveLength(7);
    log.flush();
    expect(repeats().reduce((n, l) => n + (l.repeats as number), 0)).toBe(10);
  });

  it("never logs a raw key: the client is its hash", () => {
    const { log, lines } = setup();
    log.add(denial());
    log.add(denial());
    log.flush();
    expect(JSON.stringify(lines)).not.toMatch(/sk-/);
    expect(lines[1]!.client).toBe(`key:${"a".repeat(32)}`);
  });
});
