/**
 * `npm run bench`: store round trips and Redis commands per request for a
 * route with three token buckets (per key, per IP, per ASN), for the
 * gateway's limiter and, side by side against the same Redis, for
 * @upstash/ratelimit doing the same three limits; then the store calls for a
 * client already denied. Both use the real @upstash/redis client through the
 * Upstash-compatible bridge of test/setup/ over a throwaway redis-server.
 * Counts, not timings: round trips are counted at the bridge, Redis commands
 * (those the scripts run included) with INFO commandstats.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { type Measure, THREE_BUCKETS, startRedisHarness } from "./redis-harness.ts";

const REQUESTS = 200;
const DENIED_REQUESTS = 50;

// The limiter is workerd code (extensionless type imports for the bundler):
// load it at run time, typed by the little this benchmark calls.
interface BenchLimiter {
  check(spec: unknown, facts: unknown): Promise<{ allowed: boolean; source: string }>;
}
const limits = (await import(new URL("../src/limits/index.ts", import.meta.url).href)) as {
  createLimiter(options: { store: unknown; storeConfig: unknown }): BenchLimiter;
  createUpstashStore(redis: unknown): unknown;
  blockKey(prefix: string, dimension: string, value: string, hash: (text: string) => Promise<string>): Promise<string>;
  sha256Hex(text: string): Promise<string>;
};

const harness = await startRedisHarness();
const { tenant, measure } = harness;

const rules = THREE_BUCKETS;
const subject = (key: string) => ({
  keyHash: key,
  ipPrefix: "203.0.113.7/32",
  subnet: "203.0.113.0/24",
  country: "DE",
  asn: 64500,
});
const facts = (key: string) => ({ subject: subject(key), body: null });
const storeConfig = { timeoutMs: 1000, onError: "open", prefix: "dg" };

// The gateway's limiter.
const ours = await tenant();
const limiter = limits.createLimiter({ store: limits.createUpstashStore(ours.redis), storeConfig });
await limiter.check({ route: "messages", limits: rules }, facts("warm-up")); // loads the script (EVALSHA, NOSCRIPT, EVAL)
const oursHot = await measure(ours, REQUESTS, () => limiter.check({ route: "messages", limits: rules }, facts("k1")));
const tight = [{ ...rules[0], capacity: 5, refillPerSecond: 5 / 60 }, rules[1], rules[2]];
while ((await limiter.check({ route: "messages", limits: tight }, facts("k-denied"))).allowed); // until the first denial
const oursDenied = await measure(ours, DENIED_REQUESTS, async () => {
  const r = await limiter.check({ route: "messages", limits: tight }, facts("k-denied"));
  if (r.allowed) throw new Error("the denied client was allowed");
});

// The same route with manual blocks checked (key, ip, subnet, asn) in the same take(), then a blocked client.
await limiter.check({ route: "messages", limits: rules, blocks: true }, facts("warm-up"));
const oursBlocksChecked = await measure(ours, REQUESTS, () =>
  limiter.check({ route: "messages", limits: rules, blocks: true }, facts("k3")),
);
const adminStore = limits.createUpstashStore(ours.redis) as {
  block(index: string, key: string, entry: unknown, ttlMs: number): Promise<unknown>;
};
const blockedKey = await limits.blockKey("dg", "key", "k-blocked", limits.sha256Hex);
await adminStore.block("dg:blocks", blockedKey, { dimension: "key", target: "k-blocked", reason: "bench" }, 600_000);
const oursBlocked = await measure(ours, DENIED_REQUESTS, async () => {
  if ((await limiter.check({ route: "messages", limits: rules, blocks: true }, facts("k-blocked"))).allowed)
    throw new Error("the blocked client was allowed");
});

// @upstash/ratelimit: one limiter per bucket, called together (auto-pipelining batches them).
const theirs = await tenant();
const bucket = (name: string, refill: number, max: number) =>
  new Ratelimit({ redis: theirs.redis, prefix: `rl:${name}`, limiter: Ratelimit.tokenBucket(refill, "1 m", max) });
const rlKey = bucket("key", 1000, 1000);
const rlIp = bucket("ip", 1000, 1000);
const rlAsn = bucket("asn", 60000, 60000);
const rlCheck = async (key: string, keyLimiter = rlKey) => {
  const results = await Promise.all([keyLimiter.limit(key), rlIp.limit("203.0.113.7"), rlAsn.limit("64500")]);
  return results.every((r) => r.success);
};
await rlCheck("warm-up");
const theirsHot = await measure(theirs, REQUESTS, () => rlCheck("k1"));
const theirsSequential = await measure(theirs, REQUESTS, async () => {
  for (const [l, id] of [
    [rlKey, "k2"],
    [rlIp, "203.0.113.7"],
    [rlAsn, "64500"],
  ] as const)
    if (!(await l.limit(id)).success) return false;
  return true;
});
const rlTight = bucket("tight", 5, 5);
while (await rlCheck("k-denied", rlTight)); // until the first denial
const theirsDenied = await measure(theirs, DENIED_REQUESTS, async () => {
  if (await rlCheck("k-denied", rlTight)) throw new Error("the denied client was allowed");
});

const row = (name: string, m: Measure) =>
  `| ${name.padEnd(48)} | ${String(m.roundTrips).padStart(11)} | ${String(m.commands).padStart(14)} | ${m.breakdown}`;
console.log(
  `\nThree token buckets per request (key, IP, ASN); ${REQUESTS} allowed requests, then ${DENIED_REQUESTS} from a client already denied.\n`,
);
console.log(`| ${"".padEnd(48)} | round trips | Redis commands | per request`);
console.log(`| ${"-".repeat(48)} | ----------- | -------------- | -----------`);
console.log(row("distill-guard, allowed", oursHot));
console.log(row("distill-guard, allowed, manual blocks checked", oursBlocksChecked));
console.log(row("@upstash/ratelimit (3 limiters at once), allowed", theirsHot));
console.log(row("@upstash/ratelimit (one after another), allowed", theirsSequential));
console.log(row("distill-guard, client already denied", oursDenied));
console.log(row("distill-guard, manually blocked client", oursBlocked));
console.log(row("@upstash/ratelimit, client already denied", theirsDenied));
console.log(
  "\nround trips: HTTP requests at the bridge; Redis commands: INFO commandstats, the scripts' own calls included.",
);

await harness.close();
