// The traffic a scenario describes is the traffic the simulator sends: the
// shapes the campaigns are defined by (few builds, few subnets, one egress
// address, Tor exits) are visible in the requests themselves.
import { describe, expect, it } from "vitest";
import { createRandom } from "../../bench/sim/random.ts";
import { parseScenario, type Scenario } from "../../bench/sim/scenario.ts";
import { SegmentTraffic } from "../../bench/sim/traffic.ts";
import { smallScenario } from "./fixtures.ts";

function scenario(): Scenario {
  const parsed = parseScenario(smallScenario());
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.scenario;
}

function requests(name: string, n: number) {
  const s = scenario();
  const segment = s.segments.find((x) => x.name === name)!;
  const traffic = new SegmentTraffic({ ...segment, endMs: Infinity }, createRandom(1).forked(name), false);
  return Array.from({ length: n }, () => traffic.take());
}

const cf = (r: Request) => (r as Request & { cf: Record<string, unknown> }).cf;
const subnet = (r: Request) => r.headers.get("cf-connecting-ip")!.split(".").slice(0, 3).join(".");
const build = (r: Request) =>
  ["user-agent", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime-version"]
    .map((h) => r.headers.get(h))
    .join("|");

describe("simulated traffic", () => {
  it("gives the farm few builds, one hosting ASN and addresses rotating inside a few /24s, one key per account", () => {
    const sent = requests("farm", 400);
    expect(new Set(sent.map((s) => build(s.request))).size).toBeLessThanOrEqual(2);
    expect(new Set(sent.map((s) => cf(s.request).asn))).toEqual(new Set([16509]));
    expect(new Set(sent.map((s) => subnet(s.request))).size).toBe(3);
    expect(new Set(sent.map((s) => s.request.headers.get("cf-connecting-ip"))).size).toBeGreaterThan(100);
    const keys = new Map<number, string>();
    for (const s of sent) {
      const key = s.request.headers.get("x-api-key")!;
      expect(keys.get(s.account) ?? key).toBe(key);
      keys.set(s.account, key);
    }
    // times increase, Poisson-spaced at the segment's total rate (2,000 × 26 a day ≈ 0.6/s)
    const times = sent.map((s) => s.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(400 / (times[399]! / 1000)).toBeGreaterThan(0.45);
    expect(400 / (times[399]! / 1000)).toBeLessThan(0.8);
  });

  it("puts every key of a company behind its one egress address, on one build", async () => {
    const sent = requests("company", 200);
    expect(new Set(sent.map((s) => s.request.headers.get("cf-connecting-ip"))).size).toBe(1);
    expect(new Set(sent.map((s) => s.request.headers.get("x-api-key"))).size).toBeGreaterThan(40);
    expect(new Set(sent.map((s) => build(s.request))).size).toBe(1);
  });

  it("sends realistic requests: the SDK's headers, a JSON body with its length, the edge's headers and request.cf", async () => {
    const { request } = requests("developers", 1)[0]!;
    const body = await request.clone().arrayBuffer();
    expect(request.headers.get("content-length")).toBe(String(body.byteLength));
    expect(JSON.parse(new TextDecoder().decode(body))).toMatchObject({
      model: expect.any(String),
      messages: [{ role: "user", content: expect.any(String) }],
    });
    expect(request.headers.get("cf-ray")).toMatch(/^[0-9a-f]{16}-[A-Z]{3}$/);
    expect(request.headers.get("x-forwarded-for")).toBe(request.headers.get("cf-connecting-ip"));
    expect(cf(request)).toMatchObject({
      country: expect.stringMatching(/^(US|DE|JP)$/),
      asn: expect.any(Number),
      tlsVersion: "TLSv1.3",
      httpProtocol: expect.any(String),
    });
  });

  it("reports Tor exits as country T1 and a sanctioned country as itself", () => {
    expect(new Set(requests("tor", 50).map((s) => cf(s.request).country))).toEqual(new Set(["T1"]));
    expect(new Set(requests("sanctioned", 20).map((s) => cf(s.request).country))).toEqual(new Set(["IR"]));
  });
});
