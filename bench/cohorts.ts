/**
 * What a cohort of new keys by /24 over a day would count, on the simulator's traffic without the gateway: per
 * /24, the distinct new keys (accounts without history) and their distinct addresses over a day's window (two
 * half-day slots, as the store counts), and for each segment the most any of its /24s reached (the smaller of
 * the two, as a cluster with maxAccounts and maxAddresses judges). Train scenarios only; it is how the
 * recommended configuration's day-long cohort by /24 was judged (docs/results.md):
 *
 *   npx node bench/cohorts.ts
 */
import { scenarioTraffic, subnetOf } from "./sim-traffic.ts";

const HALF = 12 * 3_600_000;
for (const [file, seed] of [
  ["steady-harvest-a.json", 21],
  ["under-threshold-a.json", 11],
  ["slow-low-a.json", 15],
  ["sdk-copy-a.json", 18],
] as const) {
  // half-day slot -> /24 -> its new keys and their addresses
  const slots = new Map<number, Map<string, { keys: Set<string>; addresses: Set<string> }>>();
  const most = new Map<string, number>();
  for (const { segment, account, request, timeMs } of scenarioTraffic(file, seed)) {
    const aged = segment.history !== null && account < Math.floor(segment.history.share * segment.accounts);
    if (aged) continue;
    const ip = request.headers.get("cf-connecting-ip") ?? "";
    const subnet = subnetOf(ip);
    const key = request.headers.get("x-api-key") ?? request.headers.get("authorization") ?? "";
    const slot = Math.floor(timeMs / HALF);
    const current = slots.get(slot) ?? slots.set(slot, new Map()).get(slot)!;
    const here = current.get(subnet) ?? current.set(subnet, { keys: new Set(), addresses: new Set() }).get(subnet)!;
    here.keys.add(key);
    here.addresses.add(ip);
    const before = slots.get(slot - 1)?.get(subnet);
    const keys = new Set([...here.keys, ...(before?.keys ?? [])]).size;
    const addresses = new Set([...here.addresses, ...(before?.addresses ?? [])]).size;
    const name = segment.legitimate ? segment.name : `*${segment.name}`;
    most.set(name, Math.max(most.get(name) ?? 0, Math.min(keys, addresses)));
  }
  console.log(
    `${file}, seed ${seed}: the most new keys from as many addresses on one /24 in a day, per segment (* campaigns)`,
  );
  for (const [name, n] of [...most].sort((a, b) => b[1] - a[1])) console.log(`  ${name} ${n}`);
}
