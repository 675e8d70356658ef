/**
 * The simulator's traffic, for scripts that study it without the gateway (bench/churn.ts, bench/cohorts.ts): the
 * simulator bundled as bench/gateway.ts loads it (its sources use TypeScript that Node does not strip), and one
 * scenario's requests in time order, as the engine sends them after the history.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForWorkerd, root } from "../scripts/bundle.ts";

/** What these scripts read of a segment. */
export interface TrafficSegment {
  name: string;
  group: string;
  legitimate: boolean;
  history: { share: number } | null;
  accounts: number;
}

interface SimBundle {
  parseScenario(
    raw: unknown,
  ):
    | { ok: true; scenario: { segments: TrafficSegment[]; durationMs: number; botManagement: boolean } }
    | { ok: false; problems: string[] };
  SegmentTraffic: new (
    segment: TrafficSegment,
    random: unknown,
    botManagement: boolean,
  ) => { nextMs: number; take(): { request: Request; timeMs: number; account: number } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}

const bundle = await bundleForWorkerd("simulator", { entry: "bench/sim/worker.ts" });
const sim = (await import(pathToFileURL(bundle.path).href)) as SimBundle;

/** A request of a scenario's run, with its segment and account (index within the segment). */
export interface TrafficRequest {
  segment: TrafficSegment;
  account: number;
  request: Request;
  timeMs: number;
}

/** Every request of `file` (in bench/scenarios) with `seed`, in time order, the history left out. */
export function* scenarioTraffic(file: string, seed: number): Generator<TrafficRequest> {
  const parsed = sim.parseScenario(JSON.parse(readFileSync(join(root, "bench/scenarios", file), "utf8")));
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const { segments, durationMs, botManagement } = parsed.scenario;
  const random = sim.createRandom(seed);
  const traffic = segments.map((s) => new sim.SegmentTraffic(s, random.forked(`segment:${s.name}`), botManagement));
  for (;;) {
    let next = -1;
    for (let i = 0; i < traffic.length; i++)
      if (traffic[i]!.nextMs < (next < 0 ? Infinity : traffic[next]!.nextMs)) next = i;
    if (next < 0 || traffic[next]!.nextMs >= durationMs) return;
    const { request, timeMs, account } = traffic[next]!.take();
    yield { segment: segments[next]!, account, request, timeMs };
  }
}

/** A request's /24 (IPv4) or /48 (IPv6), from the address the edge gives. */
export function subnetOf(ip: string): string {
  return ip.includes(":") ? ip.split(":").slice(0, 3).join(":") : ip.split(".").slice(0, 3).join(".");
}
