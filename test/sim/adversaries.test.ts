// What the adversarial scenarios are made of: the traffic features they rely on (roaming between networks,
// jittered and copied client builds, CORS preflights, history before the start), and the train/test split
// itself (every split scenario valid, disjoint halves).
import { describe, expect, it } from "vitest";
import split from "../../bench/scenarios/split.json";
import proxyFarmA from "../../bench/scenarios/proxy-farm-a.json";
import proxyFarmB from "../../bench/scenarios/proxy-farm-b.json";
import sdkCopyA from "../../bench/scenarios/sdk-copy-a.json";
import sdkCopyB from "../../bench/scenarios/sdk-copy-b.json";
import slowLowA from "../../bench/scenarios/slow-low-a.json";
import slowLowB from "../../bench/scenarios/slow-low-b.json";
import underThresholdA from "../../bench/scenarios/under-threshold-a.json";
import underThresholdB from "../../bench/scenarios/under-threshold-b.json";
import vpnTaintA from "../../bench/scenarios/vpn-taint-a.json";
import vpnTaintB from "../../bench/scenarios/vpn-taint-b.json";
import steadyHarvestA from "../../bench/scenarios/steady-harvest-a.json";
import steadyHarvestB from "../../bench/scenarios/steady-harvest-b.json";
import { runSimulation } from "../../bench/sim/engine.ts";
import { POPULATIONS } from "../../bench/sim/populations.ts";
import { createRandom } from "../../bench/sim/random.ts";
import { type Scenario, type Segment, parseScenario } from "../../bench/sim/scenario.ts";
import { SegmentTraffic } from "../../bench/sim/traffic.ts";
import { smallScenario } from "./fixtures.ts";

const FILES: Record<string, unknown> = {
  "under-threshold-a.json": underThresholdA,
  "under-threshold-b.json": underThresholdB,
  "proxy-farm-a.json": proxyFarmA,
  "proxy-farm-b.json": proxyFarmB,
  "slow-low-a.json": slowLowA,
  "slow-low-b.json": slowLowB,
  "vpn-taint-a.json": vpnTaintA,
  "vpn-taint-b.json": vpnTaintB,
  "sdk-copy-a.json": sdkCopyA,
  "sdk-copy-b.json": sdkCopyB,
  "steady-harvest-a.json": steadyHarvestA,
  "steady-harvest-b.json": steadyHarvestB,
};

function parsed(raw: unknown): Scenario {
  const result = parseScenario(raw);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.scenario;
}

function traffic(segment: Record<string, unknown>, seed = 1) {
  const s = parsed(smallScenario({ legitimate: [segment], campaigns: [], goals: undefined }));
  const seg: Segment = { ...s.segments[0]!, endMs: Infinity };
  return new SegmentTraffic(seg, createRandom(seed).forked(seg.name), false);
}

const cf = (r: Request) => (r as Request & { cf: { country: string; asn: number } }).cf;
const build = (r: Request) =>
  ["user-agent", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime-version", "x-stainless-async"]
    .map((h) => r.headers.get(h))
    .join("|");

describe("the train/test split", () => {
  it("names every adversarial scenario once, in one half, with seeds the other half does not use", () => {
    const train = split.train.map((e) => e.scenario);
    const test = split.test.map((e) => e.scenario);
    expect([...train, ...test].sort()).toEqual(Object.keys(FILES).sort());
    const trainSeeds = new Set(split.train.flatMap((e) => e.seeds));
    for (const seed of split.test.flatMap((e) => e.seeds)) expect(trainSeeds.has(seed)).toBe(false);
  });

  it("holds out a variant of every campaign family, and every scenario is valid with the shipped population", () => {
    const families = (entries: { scenario: string }[]) =>
      new Set(
        entries.flatMap((e) =>
          parsed(FILES[e.scenario])
            .segments.filter((s) => !s.legitimate)
            .map((s) => s.group),
        ),
      );
    expect(families(split.test)).toEqual(families(split.train));
    expect([...families(split.test)].sort()).toEqual([
      "residential-proxy",
      "sanctioned-vpn",
      "sdk-copy",
      "slow-and-low",
      "steady-harvest",
      "under-threshold",
    ]);
    const groups = new Set(POPULATIONS["hard-cases"]!.segments.map((s) => s.group));
    for (const raw of Object.values(FILES)) {
      const s = parsed(raw);
      expect(new Set(s.segments.filter((x) => x.legitimate).map((x) => x.group))).toEqual(groups);
    }
  });
});

describe("scenario features", () => {
  it("expands a shipped population, its rates scaled, and reads start and end as shares of the duration", () => {
    const raw = smallScenario({ duration: "10h", legitimate: [{ population: "hard-cases", rateScale: 0.5 }] });
    const written = structuredClone(raw);
    const s = parsed(raw);
    const developers = s.segments.find((x) => x.name === "developers")!;
    expect(developers.ratePerMs * 86_400_000).toBeCloseTo(8, 6);
    expect(developers.rate).toBe("16 per day × 0.5");
    // the scenario is left as written: parsed again (as the simulate script does, in two runtimes), the same
    expect(raw).toEqual(written);
    expect(parsed(raw).segments).toEqual(s.segments);
    const wave = s.segments.find((x) => x.name === "launch-wave")!;
    expect([wave.startMs, wave.endMs]).toEqual([4 * 3_600_000, 5.5 * 3_600_000]);
    const bad = parseScenario(smallScenario({ legitimate: [{ population: "nobody" }] }));
    expect(bad.ok ? [] : bad.problems).toContain(
      "legitimate[0].population: must name a shipped population (hard-cases)",
    );
  });

  it("continues conversations as often as a segment says, and a population only when the scenario asks", async () => {
    const earlierAssistantTurns = async (request: Request) => {
      const { messages } = (await request.json()) as { messages: Array<{ role: string }> };
      expect(messages.at(-1)!.role).toBe("user");
      return messages.filter((m) => m.role === "assistant").length;
    };
    const talker = traffic({
      name: "chat",
      accounts: 20,
      rate: "1 per minute",
      clients: { "anthropic-python": 1, "openai-python": 1 },
      networks: [{ kind: "residential", countries: { US: 1 } }],
      request: { turns: 0.5 },
    });
    const counts: number[] = [];
    for (let i = 0; i < 400; i++) counts.push(await earlierAssistantTurns(talker.take().request));
    const continued = counts.filter((n) => n > 0);
    expect(continued.length / counts.length).toBeGreaterThan(0.4);
    expect(continued.length / counts.length).toBeLessThan(0.6);
    expect(Math.max(...continued)).toBeLessThanOrEqual(4);
    // a shipped population's own shares apply only with "conversations": true
    const agents = (conversations: boolean) =>
      parsed(smallScenario({ legitimate: [{ population: "hard-cases", conversations }] })).segments.find(
        (x) => x.name === "cloud-agents",
      )!.request.turns;
    expect([agents(true), agents(false)]).toEqual([0.7, 0]);
  });

  it("keeps a roaming account at its home address at home, and on another network for a whole session away", () => {
    const t = traffic({
      name: "travellers",
      accounts: 1,
      rate: "60 per hour",
      roaming: { every: "1h" },
      clients: { "anthropic-python": 1 },
      networks: [
        { kind: "residential", weight: 1, countries: { DE: 1 }, ipv6: 0 },
        { kind: "hosting", weight: 1, asns: [9009], countries: { NL: 1 } },
      ],
    });
    const sessions = new Map<number, Set<string>>();
    for (let i = 0; i < 600; i++) {
      const { request, timeMs } = t.take();
      const session = Math.floor(timeMs / 3_600_000); // sessions are offset per account: compare within the hour
      const where = `${cf(request).country}/${request.headers.get("cf-connecting-ip")}`;
      sessions.set(session, (sessions.get(session) ?? new Set()).add(where));
    }
    const places = [...sessions.values()].flatMap((s) => [...s]);
    const home = places.filter((p) => p.startsWith("DE/"));
    const away = places.filter((p) => p.startsWith("NL/"));
    expect(new Set(home).size).toBe(1); // one home address, every time
    expect(new Set(away).size).toBeGreaterThan(1); // another exit each session away
    // an hour holds at most two sessions (the offset splits it): never more than two places
    for (const s of sessions.values()) expect(s.size).toBeLessThanOrEqual(2);
  });

  it("copies the most common build byte for byte, or jitters the build on every request", () => {
    const copied = traffic({
      name: "copy",
      accounts: 50,
      rate: "1 per minute",
      builds: "most-common",
      clients: { "openai-python": 1, "anthropic-python": 2 },
      networks: [{ kind: "hosting", asns: [16509], countries: { US: 1 } }],
    });
    const builds = new Set(Array.from({ length: 100 }, () => build(copied.take().request)));
    expect([...builds]).toEqual(["Anthropic/Python 0.68.1|Linux|x64|3.13.1|false"]);
    const jittered = traffic({
      name: "jitter",
      accounts: 1,
      rate: "1 per minute",
      rotateBuild: "request",
      clients: { "anthropic-python": 1 },
      networks: [{ kind: "residential", countries: { US: 1 } }],
    });
    const one = Array.from({ length: 30 }, () => jittered.take().request);
    expect(new Set(one.map((r) => r.headers.get("x-api-key"))).size).toBe(1);
    expect(new Set(one.map(build)).size).toBeGreaterThan(10);
    expect(new Set(one.map((r) => r.headers.get("x-stainless-lang")))).toEqual(new Set(["python"]));
  });

  it("sends a browser's CORS preflight before its call, again once the browser's cache of it expires", () => {
    const t = traffic({
      name: "web",
      accounts: 1,
      rate: "1 per minute",
      clients: { "browser-safari": 1 },
      networks: [{ kind: "residential", countries: { FR: 1 } }],
    });
    const sent = Array.from({ length: 120 }, () => t.take());
    const withPreflight = sent.filter((s) => s.preflight);
    // Safari keeps a preflight's answer ten minutes: about one in ten calls at one a minute
    expect(withPreflight.length).toBeGreaterThan(6);
    expect(withPreflight.length).toBeLessThan(20);
    const { preflight, request } = withPreflight[0]!;
    expect(preflight!.method).toBe("OPTIONS");
    expect(preflight!.url).toBe(request.url);
    expect(preflight!.headers.get("origin")).toBe(request.headers.get("origin"));
    expect(preflight!.headers.get("access-control-request-method")).toBe("POST");
    expect(preflight!.headers.get("access-control-request-headers")).toContain("x-api-key");
    expect(preflight!.headers.has("x-api-key")).toBe(false);
    expect(preflight!.body).toBeNull();
  });

  it("counts preflights apart, and a call whose preflight was refused as denied, never sent", async () => {
    const browsers = {
      name: "web",
      accounts: 20,
      rate: "1 per minute",
      clients: { "browser-chrome": 1 },
      networks: [{ kind: "residential", countries: { FR: 1 } }],
    };
    const run = (gateway: unknown) =>
      runSimulation(parsed(smallScenario({ legitimate: [browsers], campaigns: [], goals: undefined, gateway })), {
        kind: "gateway",
      });
    // recommended: every preflight forwarded (a route's preflight meets none of its rules), one per browser here
    const served = (await run("recommended")).segments[0]!;
    expect(served.preflights.attempted).toBeGreaterThan(10);
    expect(served.preflights.attempted).toBeLessThanOrEqual(20);
    expect([served.preflights.denied, served.denied]).toEqual([0, 0]);
    // a gateway with no route for the browsers' path: every preflight is refused (and not cached, so every call
    // has one), and no call is sent
    const chatOnly = { routes: [{ name: "chat", match: { path: "/v1/chat/completions", methods: ["POST"] } }] };
    const refused = (await run(chatOnly)).segments[0]!;
    const n = refused.attempted;
    expect(refused.preflights).toEqual({ attempted: n, denied: n, deniedByReason: { "route.not_found": n } });
    expect(refused.deniedByReason).toEqual({ "preflight: route.not_found": n });
  });

  it("replays the accounts' history before the start, counted nowhere, and only for accounts that send", async () => {
    const run = await runSimulation(
      parsed(
        smallScenario({
          duration: "1m",
          legitimate: [
            {
              name: "old-hands",
              accounts: 40,
              rate: "1 per minute",
              history: { share: 0.5, requests: 3, period: "7d" },
              clients: { "anthropic-python": 1 },
              networks: [{ kind: "residential", countries: { DE: 1 } }],
            },
          ],
          campaigns: [],
          goals: undefined,
        }),
      ),
      { kind: "baseline" },
    );
    const segment = run.segments[0]!;
    // 20 accounts with history, 3 requests each, for those of them that send within the minute
    expect(run.historyRequests % 3).toBe(0);
    expect(run.historyRequests).toBeGreaterThan(0);
    expect(run.historyRequests).toBeLessThanOrEqual(60);
    expect(segment.attempted).toBe(run.requests);
    expect(segment.firstRequestMs).toBeGreaterThanOrEqual(0);
  });
});
