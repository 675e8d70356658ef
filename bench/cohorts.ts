/**
 * What a cohort of new keys by /24 over a day would count, on the simulator's traffic without the gateway: per
 * /24, the distinct new keys (accounts without history) and their distinct addresses over a day's window (two
 * half-day slots, as the store counts), and for each segment the most any of its /24s reached (the smaller of
 * the two, as a cluster with maxAccounts and maxAddresses judges). Train scenarios only; it is how the
 * recommended configuration's day-long cohort by /24 was judged (docs/results.md):
 *
 *   npx node bench/cohorts.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForWorkerd, root } from "../scripts/bundle.ts";
interface Segment {
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
    | { ok: true; scenario: { segments: Segment[]; durationMs: number; botManagement: boolean } }
    | { ok: false; problems: string[] };
  SegmentTraffic: new (
    s: Segment,
    r: unknown,
    b: boolean,
  ) => { nextMs: number; take(): { request: Request; timeMs: number; account: number } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}
const bundle = await bundleForWorkerd("simulator", { entry: "bench/sim/worker.ts" });
const { parseScenario, SegmentTraffic, createRandom } = (await import(pathToFileURL(bundle.path).href)) as SimBundle;
const HALF = 12 * 3600_000;
for (const [file, seed] of [
  ["steady-harvest-a.json", 21],
  ["under-threshold-a.json", 11],
  ["slow-low-a.json", 15],
  ["sdk-copy-a.json", 18],
] as const) {
  const p = parseScenario(JSON.parse(readFileSync(join(root, "bench/scenarios", file), "utf8")));
  if (!p.ok) throw new Error(p.problems.join("\n"));
  const sc = p.scenario;
  const rnd = createRandom(seed);
  const traffic = sc.segments.map((s) => new SegmentTraffic(s, rnd.forked(`segment:${s.name}`), sc.botManagement));
  // slot -> subnet -> {keys:set, addrs:set}
  const slots = new Map<number, Map<string, { keys: Set<string>; addrs: Set<string> }>>();
  const max = new Map<string, number>();
  for (;;) {
    let next = -1;
    for (let i = 0; i < traffic.length; i++)
      if (traffic[i]!.nextMs < (next < 0 ? Infinity : traffic[next]!.nextMs)) next = i;
    if (next < 0 || traffic[next]!.nextMs >= sc.durationMs) break;
    const { request, timeMs, account } = traffic[next]!.take();
    const seg = sc.segments[next]!;
    const aged = seg.history ? account < Math.floor(seg.history.share * seg.accounts) : false;
    if (aged) continue;
    const ip = request.headers.get("cf-connecting-ip") ?? "";
    const subnet = ip.includes(":") ? ip.split(":").slice(0, 3).join(":") : ip.split(".").slice(0, 3).join(".");
    const key = request.headers.get("x-api-key") ?? request.headers.get("authorization") ?? "";
    const idx = Math.floor(timeMs / HALF);
    const cur = slots.get(idx) ?? slots.set(idx, new Map()).get(idx)!;
    const e = cur.get(subnet) ?? cur.set(subnet, { keys: new Set(), addrs: new Set() }).get(subnet)!;
    e.keys.add(key);
    e.addrs.add(ip);
    const prev = slots.get(idx - 1)?.get(subnet);
    const keys = new Set([...e.keys, ...(prev?.keys ?? [])]).size;
    const addrs = new Set([...e.addrs, ...(prev?.addrs ?? [])]).size;
    const n = Math.min(keys, addrs);
    const name = `${seg.legitimate ? "" : "*"}${seg.name}`;
    max.set(name, Math.max(max.get(name) ?? 0, n));
  }
  console.log(file, JSON.stringify([...max].sort((a, b) => b[1] - a[1])));
}
