/**
 * `npm run bench` (second part): what fingerprints, content signals and
 * clusters cost.
 *
 * 1. Store round trips and Redis commands per request for a route with three
 *    token buckets, without and with two clusters (fingerprint × ASN,
 *    throttle; prompt template, flag), through the real `@upstash/redis`
 *    client and the Upstash-compatible bridge over a throwaway redis-server;
 *    then for a farm already throttled as one account. Counts, not timings.
 * 2. CPU per request of the fingerprint (User-Agent parse + SHA-256 id), the
 *    fingerprint signals, and the content work (prompt text, template hash,
 *    elicitation patterns, reasoning budgets) for prompts of several sizes:
 *    wall time of each call in this process (Node's V8, not workerd), after a
 *    warm-up, as p50 / p99 / mean in microseconds.
 */
import { THREE_BUCKETS, startRedisHarness } from "./redis-harness.ts";

// Workerd code and test fixtures, loaded at run time and typed by the little used here.
const load = async <T>(path: string) => (await import(new URL(path, import.meta.url).href)) as T;
type Headersish = Record<string, string>;
const limits = await load<{
  createLimiter(o: { store: unknown; storeConfig: unknown }): {
    check(spec: unknown, facts: unknown): Promise<{ allowed: boolean; source: string }>;
  };
  createUpstashStore(redis: unknown): unknown;
}>("../src/limits/index.ts");
const { parseUserAgent } = await load<{ parseUserAgent(ua: string | null): unknown }>("../src/identity/client.ts");
const { fingerprintId } = await load<{ fingerprintId(h: Headers, cf: unknown, client: unknown): Promise<string> }>(
  "../src/identity/fingerprint.ts",
);
const { fingerprintSignals } = await load<{ fingerprintSignals(h: Headers, s: unknown, p: unknown): unknown[] }>(
  "../src/checks/fingerprint.ts",
);
const { contentFindings } = await load<{ contentFindings(body: unknown, policy: unknown): unknown[] }>(
  "../src/checks/content.ts",
);
const { templateOf } = await load<{ templateOf(body: unknown): string | null }>("../src/request/template.ts");
const { CLIENTS } = await load<{ CLIENTS: Record<string, { headers: Headersish; cf: Record<string, unknown> }> }>(
  "../test/checks/clients.ts",
);
const { FAMILIES, UNRELATED } = await load<{
  FAMILIES: Array<{ members: Array<[string, string]> }>;
  UNRELATED: string[];
}>("../test/request/prompts.ts");

// ---------------------------------------------------------------- 1. round trips
const REQUESTS = 200;
const harness = await startRedisHarness();
const { tenant, measure } = harness;

const rules = THREE_BUCKETS;
const clusters = [
  {
    name: "shared-fingerprint",
    by: ["fingerprint", "asn"],
    maxAccounts: 20,
    maxAddresses: null,
    windowSeconds: 3600,
    action: "throttle",
    bucket: null,
  },
  {
    name: "shared-template",
    by: ["template"],
    maxAccounts: 10,
    maxAddresses: null,
    windowSeconds: 3600,
    action: "flag",
    bucket: null,
  },
];
const prompt =
  "Act as a world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: why is the sky blue?";
const json = { model: "m", max_tokens: 100, messages: [{ role: "user", content: prompt }] };
const facts = (key: string, asn = 64500) => ({
  subject: {
    keyHash: key,
    ipPrefix: "203.0.113.7/32",
    subnet: "203.0.113.0/24",
    country: "DE",
    asn,
    fingerprint: "3ff21ad18eb1d591",
  },
  body: { bytes: new Uint8Array(), json, model: "m" },
});
const storeConfig = { timeoutMs: 1000, onError: "open", prefix: "dg" };

const plain = await tenant();
const plainLimiter = limits.createLimiter({ store: limits.createUpstashStore(plain.redis), storeConfig });
await plainLimiter.check({ route: "messages", limits: rules }, facts("warm-up"));
// every request from another account of the same client on another network: the clusters count, none is over
const without = await measure(plain, REQUESTS, (i) =>
  plainLimiter.check({ route: "messages", limits: rules }, facts(`k${i}`, 64500 + i)),
);

const clustered = await tenant();
const clusterLimiter = limits.createLimiter({ store: limits.createUpstashStore(clustered.redis), storeConfig });
await clusterLimiter.check({ route: "messages", limits: rules, clusters }, facts("warm-up"));
const withClusters = await measure(clustered, REQUESTS, (i) =>
  clusterLimiter.check({ route: "messages", limits: rules, clusters }, facts(`k${i}`, 64500 + i)),
);
// and a third: accounts and addresses per subnet (two counters)
const rotating = [
  ...clusters,
  {
    name: "rotating-subnet",
    by: ["subnet"],
    maxAccounts: 20,
    maxAddresses: 20,
    windowSeconds: 600,
    action: "block",
    bucket: null,
  },
];
const withRotation = await measure(clustered, REQUESTS, (i) =>
  clusterLimiter.check({ route: "messages", limits: rules, clusters: rotating }, facts(`r${i}`, 64500 + i)),
);

// a farm: one client on one network, 200 accounts; over 20 the accounts share one key bucket of 5 a minute
const farmRules = [{ ...rules[0], capacity: 5, refillPerSecond: 5 / 60 }, rules[1], rules[2]];
const farm = await tenant();
const farmLimiter = limits.createLimiter({ store: limits.createUpstashStore(farm.redis), storeConfig });
await farmLimiter.check({ route: "messages", limits: farmRules, clusters }, facts("warm-up", 16509));
let farmAllowed = 0;
const farmRun = await measure(farm, REQUESTS, async (i) => {
  if ((await farmLimiter.check({ route: "messages", limits: farmRules, clusters }, facts(`farm-${i}`, 16509))).allowed)
    farmAllowed++;
});

const row = (name: string, m: { roundTrips: number; commands: number; breakdown: string }) =>
  `| ${name.padEnd(58)} | ${String(+m.roundTrips.toFixed(2)).padStart(11)} | ${String(+m.commands.toFixed(2)).padStart(14)} | ${m.breakdown}`;
console.log(
  `\nThree token buckets (key, subnet, route), without and with two clusters (fingerprint x ASN throttle, template flag); ${REQUESTS} requests from ${REQUESTS} accounts.\n`,
);
console.log(`| ${"".padEnd(58)} | round trips | Redis commands | per request`);
console.log(`| ${"-".repeat(58)} | ----------- | -------------- | -----------`);
console.log(row("buckets only, 200 accounts on 200 networks", without));
console.log(row("buckets + 2 clusters, 200 accounts on 200 networks", withClusters));
console.log(row("buckets + 3 clusters (+ accounts and addresses per subnet)", withRotation));
console.log(row(`buckets + 2 clusters, a farm on one network (${farmAllowed} allowed)`, farmRun));

await harness.close();

// ---------------------------------------------------------------- 2. CPU
const ITERATIONS = 20_000;

async function cpu(name: string, work: () => unknown): Promise<string> {
  for (let i = 0; i < 2000; i++) await work();
  const times = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    await work();
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  const mean = times.reduce((a, b) => a + b, 0) / ITERATIONS;
  const at = (q: number) => times[Math.min(ITERATIONS - 1, Math.floor(q * ITERATIONS))]!;
  return `| ${name.padEnd(62)} | ${at(0.5).toFixed(1).padStart(7)} | ${at(0.99).toFixed(1).padStart(7)} | ${mean.toFixed(1).padStart(7)} |`;
}

const policy = { tls13: true, minBotScore: 30, verifiedBots: "allow" };
const sdk = CLIENTS.anthropicPython!;
const chrome = CLIENTS.chrome!;
const sdkHeaders = new Headers({ ...sdk.headers, "x-api-key": "sk-bench" });
const chromeHeaders = new Headers(chrome.headers);
const content = {
  reasoningElicitation: "flag",
  largeReasoningBudget: "flag",
  maxBudgetTokens: 16384,
  maxEffort: "medium",
};
const corpusText = FAMILIES[0]!.members[0]![1];
const longText = (chars: number) => {
  let s = "";
  for (let i = 0; s.length < chars; i++) s += `${UNRELATED[i % UNRELATED.length]} `;
  return s.slice(0, chars);
};
const body = (text: string) => {
  const b = {
    model: "m",
    max_tokens: 1024,
    reasoning_effort: "high",
    messages: [
      { role: "system", content: "You are a careful assistant." },
      { role: "user", content: text },
    ],
  };
  return b;
};
// templateOf caches per body object: a fresh body object per call measures the real work
const fresh = (text: string) => () => ({ bytes: new Uint8Array(), json: body(text), model: "m" });

// a reference for this machine's speed: the least any scan of a 4 KB text costs
const reference = "hello world this is a test of speed ".repeat(120).slice(0, 4096);
const lines = [
  await cpu("reference: a bare charCodeAt loop over 4 KB", () => {
    let x = 0;
    for (let i = 0; i < reference.length; i++) x += reference.charCodeAt(i);
    return x;
  }),
  await cpu("fingerprint id: parse User-Agent + SHA-256 (Anthropic Python SDK)", () =>
    fingerprintId(sdkHeaders, sdk.cf, parseUserAgent(sdkHeaders.get("user-agent"))),
  ),
  await cpu("fingerprint id: parse User-Agent + SHA-256 (Chrome)", () =>
    fingerprintId(chromeHeaders, chrome.cf, parseUserAgent(chromeHeaders.get("user-agent"))),
  ),
  await cpu("fingerprint signals (Anthropic Python SDK)", () =>
    fingerprintSignals(sdkHeaders, { client: parseUserAgent(sdkHeaders.get("user-agent")), cf: sdk.cf }, policy),
  ),
  await cpu("fingerprint signals (Chrome)", () =>
    fingerprintSignals(
      chromeHeaders,
      { client: parseUserAgent(chromeHeaders.get("user-agent")), cf: chrome.cf },
      policy,
    ),
  ),
];
for (const [label, text] of [
  [`${corpusText.length}-character prompt`, corpusText],
  ["4 KB prompt", longText(4096)],
  ["16 KB prompt (cut to 4 KB)", longText(16384)],
  ["256 KB prompt (cut to 4 KB)", longText(262_144)],
] as const) {
  const make = fresh(text);
  lines.push(
    await cpu(`content signals + template id, ${label}`, () => {
      const b = make();
      contentFindings(b, content);
      return templateOf(b);
    }),
  );
}
console.log(
  `\nCPU per request in microseconds (Node ${process.version}, V8; ${ITERATIONS} calls each after a warm-up).\n`,
);
console.log(`| ${"".padEnd(62)} |     p50 |     p99 |    mean |`);
console.log(`| ${"-".repeat(62)} | ------- | ------- | ------- |`);
for (const line of lines) console.log(line);
