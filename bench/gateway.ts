/**
 * `npm run bench`, first part: what the gateway costs, measured side by side
 * in one run, on loopback, in workerd through Miniflare.
 *
 * Four targets, each answering the same requests:
 * - the origin directly (the demo origin in Node): the reference for added latency;
 * - a bare pass-through Hono proxy (`hono/proxy`) in workerd;
 * - the ready-made Worker (src/worker.ts) with routes but no checks: the
 *   gateway's own cost (identify, route, verdict, forward, telemetry);
 * - the ready-made Worker with every check but the token-weighted bucket
 *   (which reads the body and the response's usage), to show what that costs;
 * - the ready-made Worker with every check, the in-memory store;
 * - the same Worker with Redis, through the Upstash-compatible bridge of test/setup/;
 * - three token buckets (per key, per IP, per ASN) on Redis: the ready-made
 *   Worker with those limits and nothing else, and a Hono proxy calling
 *   `@upstash/ratelimit` with the same three limits, one after another and
 *   with `Promise.all` (its default ephemeral cache on).
 * The "every check" Workers run the shipped `recommended` configuration.
 *
 * The requests are the simulator's (its "developers" segment of
 * bench/scenarios/default.json): official SDKs, browsers and tools with their
 * real header sets, `request.cf` (country, ASN, TLS) set through
 * Miniflare's `MF-CF-Blob` header, one key per account, addresses across many
 * networks. They are sent over HTTP with node:http, which adds nothing but
 * `Host` and `Connection`. Rounds alternate between the targets so that load
 * from anything else on the machine falls on all of them alike.
 *
 * Measured: latency p50/p99 one request at a time (the targets taking turns
 * request by request) and what each adds over the direct call; requests per
 * second with a fixed number in flight; CPU time of each workerd
 * process per request (from /proc: workerd's clock does not advance during
 * JavaScript execution, so a decision's CPU cannot be timed from inside, and
 * the per-request average is what process accounting gives), store round
 * trips and Redis commands per request (each Redis target alone, on its own
 * tenant; the recommended route twice: for established keys, as the store sees
 * them when it has recorded first-seen times for less than a day, and for new
 * keys, with its recording epoch put three days back, so every key first seen
 * in the bench is a new one and the cohort counters run); the same for a client already denied (its key's bucket empty): req/s,
 * CPU, round trips and commands per repeated denial; the bundles' sizes; and the
 * memory of a workerd process while a large response streams through it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { startDemoOrigin } from "../scripts/demo-origin.ts";
import { bundleForWorkerd, compatibilityDate, root } from "../scripts/bundle.ts";
import { measureBundles } from "../scripts/bundle-size.ts";
import { startRedis } from "../test/setup/redis-server.ts";
import { connectRedis } from "../test/setup/resp.ts";
import { startBridge } from "../test/setup/upstash-bridge.ts";

// The first-seen records' module, loaded at run time (a static import would type-check workerd code as Node code).
const { FIRST_SEEN_TTL_MS, firstSeenEpochKey } = (await import(
  new URL("../src/limits/first-seen.ts", import.meta.url).href
)) as { FIRST_SEEN_TTL_MS: number; firstSeenEpochKey(prefix: string): string };

const CONCURRENCY = 8;
const WARMUP = 200;
const LATENCY = 400;
const ROUNDS = 5;
const PER_ROUND = 400;
const PROBE = 30;
const COUNTED = 100;
const DENIED = 300;
const STREAM_SIZES = [16 << 20, 256 << 20];
const KEY_HASH_SECRET = "bench-key-hash-secret-0123456789";

// ------------------------------------------------------------------ helpers

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Target {
  name: string;
  url: string;
  /** The workerd process serving it (none for the direct origin). */
  pid: number | null;
}

const agents = new Map<string, Agent>();

/** One request over HTTP; resolves when the whole answer has been read. `onHeaders` runs when the headers arrive (the body paused until it resolves). */
function send(
  base: string,
  r: Sent,
  onHeaders?: () => Promise<void>,
): Promise<{ status: number; ms: number; bytes: number }> {
  const agent =
    agents.get(base) ?? agents.set(base, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })).get(base)!;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${r.path}`, { method: r.method, headers: r.headers, agent }, (res) => {
      let bytes = 0;
      const read = () => {
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, bytes }));
      };
      res.on("error", reject);
      if (onHeaders) onHeaders().then(read, reject);
      else read();
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer from ${base} in 60 s`)));
    req.on("error", reject);
    req.end(r.body);
  });
}

/** Sends `requests` with `CONCURRENCY` in flight; latencies in ms, wall time, statuses. */
async function load(base: string, requests: readonly Sent[]) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const r = await send(base, requests[next++]!);
        latencies.push(r.ms);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started, statuses };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU time (user + system) of a process in ms, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** workerd processes started by this process. */
function workerdChildren(): Set<number> {
  const out = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === "workerd" && ppid === process.pid) out.add(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const MiB = 1 << 20;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ------------------------------------------------------------------ setup

const origin = await startDemoOrigin({ test: true });
const redisServer = await startRedis();
// If the bench fails half-way, redis-server must not outlive it (stop() signals it synchronously).
process.on("exit", () => void redisServer.stop());
const bridge = await startBridge(redisServer.port);
const admin = await connectRedis(redisServer.port);
type BridgeTenant = Awaited<ReturnType<typeof bridge.tenant>>;
const tenant = await bridge.tenant();
const controlOf = (t: BridgeTenant) => async (action: string, command?: string[]) =>
  (await (await fetch(t.control, { method: "POST", body: JSON.stringify({ action, command }) })).json()) as {
    requests: number;
  };
const control = controlOf(tenant);

interface SimBundle {
  SHIPPED_CONFIGS: Record<string, { config: { routes: Array<Record<string, unknown>> } & Record<string, unknown> }>;
  parseScenario(
    raw: unknown,
  ): { ok: true; scenario: { segments: Array<{ name: string }> } } | { ok: false; problems: string[] };
  SegmentTraffic: new (segment: unknown, random: unknown, botManagement: boolean) => { take(): { request: Request } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}
/** @upstash/ratelimit in front of the same proxy: per key, per IP, per ASN (THREE_LIMITS), in turn or at once. */
const RATELIMIT_SOURCE = `
      import { Hono } from "hono";
      import { proxy } from "hono/proxy";
      import { Redis } from "@upstash/redis/cloudflare";
      import { Ratelimit } from "@upstash/ratelimit";
      let limiters;
      const app = new Hono();
      app.all("*", async (c) => {
        if (!limiters) {
          const redis = new Redis({ url: c.env.UPSTASH_REDIS_REST_URL, token: c.env.UPSTASH_REDIS_REST_TOKEN, enableTelemetry: false });
          const limits = JSON.parse(c.env.LIMITS);
          limiters = limits.map((l) => new Ratelimit({ redis, prefix: "rl:" + l.name, limiter: Ratelimit.tokenBucket(l.perMinute, "1 m", l.perMinute) }));
        }
        const auth = c.req.header("authorization");
        const key = c.req.header("x-api-key") ?? (auth && auth.startsWith("Bearer ") ? auth.slice(7) : "none");
        const ids = [key, c.req.header("cf-connecting-ip") ?? "none", String(c.req.raw.cf?.asn ?? 0)];
        let allowed = true;
        if (c.env.MODE === "sequential") {
          for (let i = 0; i < limiters.length && allowed; i++) allowed = (await limiters[i].limit(ids[i])).success;
        } else {
          allowed = (await Promise.all(limiters.map((l, i) => l.limit(ids[i])))).every((r) => r.success);
        }
        if (!allowed) return c.json({ type: "error", error: { type: "rate_limit_error", message: "rate limited" } }, 429);
        const url = new URL(c.req.url);
        return proxy(c.env.ORIGIN_URL + url.pathname + url.search, c.req.raw);
      });
      export default app;`;
const [simulator, worker, bare, ratelimit] = await Promise.all([
  bundleForWorkerd("simulator", { entry: "bench/sim/worker.ts" }),
  bundleForWorkerd("bench-worker", { entry: "src/worker.ts" }),
  bundleForWorkerd("bench-bare-proxy", {
    source: `
      import { Hono } from "hono";
      import { proxy } from "hono/proxy";
      const app = new Hono<{ Bindings: { ORIGIN_URL: string } }>();
      app.all("*", (c) => {
        const url = new URL(c.req.url);
        return proxy(c.env.ORIGIN_URL + url.pathname + url.search, c.req.raw);
      });
      export default app;`,
  }),
  bundleForWorkerd("bench-ratelimit", { source: RATELIMIT_SOURCE }),
]);
const sim = (await import(pathToFileURL(simulator.path).href)) as SimBundle;

// Every check on: the shipped configuration, plus a route for the streaming test with the same policy.
const recommended = structuredClone(sim.SHIPPED_CONFIGS.recommended!.config);
// A generous store timeout: on a loaded machine a Redis call over the default 150 ms would send requests to the
// local fallback for a second, and the counts below would measure the fail mode instead of the store.
const BENCH_STORE = { ...(recommended.store as object | undefined), timeoutMs: 2_000 };
recommended.store = BENCH_STORE;
const first = recommended.routes[0]!;
recommended.routes.push({
  name: "bytes",
  match: { path: "/__demo/bytes/*", methods: ["GET"] },
  errors: "problem",
  geo: first.geo,
  limits: first.limits,
});

const date = await compatibilityDate();
const miniflares: Miniflare[] = [];
async function startWorker(name: string, code: string, env: Record<string, unknown>): Promise<Target> {
  const before = workerdChildren();
  const mf = new Miniflare({
    workers: [
      {
        config: {
          name,
          compatibilityDate: date,
          env,
          manifest: { mainModule: `${name}.mjs`, modules: { [`${name}.mjs`]: { type: "esm", contents: code } } },
        },
      },
    ],
  } as ConstructorParameters<typeof Miniflare>[0]);
  miniflares.push(mf);
  const url = (await mf.ready).href.replace(/\/$/, "");
  const pids = [...workerdChildren()].filter((p) => !before.has(p));
  return { name, url, pid: pids.length === 1 ? pids[0]! : null };
}
const text = (value: string) => ({ type: "text", value });
const gatewayEnv = {
  ORIGIN_URL: text(origin.url),
  KEY_HASH_SECRET: text(KEY_HASH_SECRET),
  GATEWAY_CONFIG: { type: "json", value: recommended },
};
const noChecks = { routes: recommended.routes.map((r) => ({ name: r.name, match: r.match, errors: r.errors })) };
/** The three limits of the store comparison, the same for the gateway and @upstash/ratelimit. */
const THREE_LIMITS = [
  { name: "key", by: "key", perMinute: 600 },
  { name: "ip", by: "ip", perMinute: 600 },
  { name: "asn", by: "asn", perMinute: 60_000 },
];
const threeBuckets = {
  store: BENCH_STORE,
  routes: recommended.routes.map((r) => ({
    name: r.name,
    match: r.match,
    errors: r.errors,
    limits: THREE_LIMITS.map((l) => ({ name: l.name, by: [l.by], rate: `${l.perMinute} per minute` })),
  })),
};
const redisEnv = (t: BridgeTenant) => ({
  UPSTASH_REDIS_REST_URL: text(t.url),
  UPSTASH_REDIS_REST_TOKEN: text(t.token),
});
const tenants = {
  three: await bridge.tenant(),
  all: await bridge.tenant(),
  sequential: await bridge.tenant(),
};
const noTokens = {
  routes: recommended.routes.map((r) => ({
    ...r,
    limits: (r.limits as Array<{ cost?: string }>).filter((l) => l.cost !== "tokens"),
  })),
};
const targets: Target[] = [
  { name: "origin, direct", url: origin.url, pid: null },
  await startWorker("bare-proxy", bare.code, { ORIGIN_URL: text(origin.url) }),
  await startWorker("gateway-no-checks", worker.code, {
    ...gatewayEnv,
    GATEWAY_CONFIG: { type: "json", value: noChecks },
  }),
  await startWorker("gateway-no-token-bucket", worker.code, {
    ...gatewayEnv,
    GATEWAY_CONFIG: { type: "json", value: noTokens },
  }),
  await startWorker("gateway-memory", worker.code, gatewayEnv),
  await startWorker("gateway-redis", worker.code, { ...gatewayEnv, ...redisEnv(tenant) }),
  await startWorker("gateway-3-buckets-redis", worker.code, {
    ...gatewayEnv,
    GATEWAY_CONFIG: { type: "json", value: threeBuckets },
    ...redisEnv(tenants.three),
  }),
  await startWorker("upstash-ratelimit-promise-all", ratelimit.code, {
    ORIGIN_URL: text(origin.url),
    LIMITS: text(JSON.stringify(THREE_LIMITS)),
    MODE: text("all"),
    ...redisEnv(tenants.all),
  }),
  await startWorker("upstash-ratelimit-sequential", ratelimit.code, {
    ORIGIN_URL: text(origin.url),
    LIMITS: text(JSON.stringify(THREE_LIMITS)),
    MODE: text("sequential"),
    ...redisEnv(tenants.sequential),
  }),
];
const [direct, bareProxy, skeleton, noTokenBucket, memory, redis, threeRedis, rlAll, rlSequential] = targets as [
  Target,
  Target,
  Target,
  Target,
  Target,
  Target,
  Target,
  Target,
  Target,
];
/** The Redis targets, each on its own tenant. */
const redisTargets: Array<[Target, BridgeTenant]> = [
  [redis, tenant],
  [threeRedis, tenants.three],
  [rlAll, tenants.all],
  [rlSequential, tenants.sequential],
];

// The simulator's developers: realistic clients, keys and networks.
const scenario = sim.parseScenario(JSON.parse(await readFile(join(root, "bench/scenarios/default.json"), "utf8")));
if (!scenario.ok) throw new Error(scenario.problems.join("\n"));
const developers = scenario.scenario.segments.find((s) => s.name === "developers")!;
const traffic = new sim.SegmentTraffic({ ...developers, endMs: Infinity }, sim.createRandom(1).forked("bench"), false);
const total = WARMUP + LATENCY + ROUNDS * PER_ROUND + PROBE + 2 * COUNTED;
const requests: Sent[] = [];
for (let i = 0; i < total; i++) {
  const { request } = traffic.take();
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  headers["mf-cf-blob"] = JSON.stringify((request as Request & { cf: unknown }).cf);
  requests.push({
    method: request.method,
    path: url.pathname,
    headers,
    body: Buffer.from(await request.arrayBuffer()),
  });
}

// ------------------------------------------------------------------ latency, throughput, CPU

console.log(
  `\nBench (loopback, workerd through Miniflare): ${WARMUP} warm-up requests per target; latency over ${LATENCY} requests one at a time, ` +
    `the targets taking turns; throughput over ${ROUNDS} rounds of ${PER_ROUND} requests with ${CONCURRENCY} in flight.`,
);
let cursor = 0;
const take = (n: number) => requests.slice(cursor, (cursor += n));
const warmup = take(WARMUP);
for (const t of targets) await load(t.url, warmup);

const latency = new Map(targets.map((t) => [t.name, [] as number[]]));
for (const r of take(LATENCY)) for (const t of targets) latency.get(t.name)!.push((await send(t.url, r)).ms);

await control("reset-stats");
await admin.send(["CONFIG", "RESETSTAT"]);
const results = new Map(
  targets.map((t) => [t.name, { rps: [] as number[], cpuMs: 0, requests: 0, statuses: new Map<number, number>() }]),
);
for (let round = 0; round < ROUNDS; round++) {
  const slice = take(PER_ROUND);
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  for (const t of order) {
    const cpuBefore = t.pid ? cpuMs(t.pid) : 0;
    const r = await load(t.url, slice);
    const acc = results.get(t.name)!;
    acc.cpuMs += t.pid ? cpuMs(t.pid) - cpuBefore : 0;
    acc.requests += slice.length;
    acc.rps.push(slice.length / (r.wallMs / 1000));
    for (const [status, n] of r.statuses) acc.statuses.set(status, (acc.statuses.get(status) ?? 0) + n);
  }
}

// Store calls, each Redis target alone on its own tenant: the bridge counts HTTP round trips, Redis counts
// commands (the scripts' own included). Requests one at a time, then a pause for the work after the response:
// longer than the limiter's settleDelayMs (1 s), so the last answer's post-charge, sent on its own, is counted.
interface StoreCount {
  roundTrips: number;
  commands: number;
  breakdown: string;
}
async function countStore(t: Target, of: BridgeTenant, sent: readonly Sent[]): Promise<StoreCount> {
  const stats = controlOf(of);
  await stats("reset-stats");
  await admin.send(["CONFIG", "RESETSTAT"]);
  for (const r of sent) await send(t.url, r);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const roundTrips = (await stats("stats")).requests / sent.length;
  const info = String(await admin.send(["INFO", "commandstats"]));
  const commands: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (!/^(info|config)/.test(m[1]!)) commands[m[1]!] = Number(m[2]);
  return {
    roundTrips,
    commands: Object.values(commands).reduce((a, b) => a + b, 0) / sent.length,
    breakdown: Object.entries(commands)
      .sort((a, b) => b[1] - a[1])
      .map(([name, calls]) => `${name} ${fmt(calls / sent.length, 2)}`)
      .join(", "),
  };
}
const counted = take(COUNTED);
const allowedCounts = new Map<string, StoreCount>();
for (const [t, of] of redisTargets) allowedCounts.set(t.name, await countStore(t, of, counted));
const { roundTrips, commands: commandTotal, breakdown } = allowedCounts.get(redis.name)!;
// New keys: the store's recording epoch three days back (first-seen.ts: "<first ms> <written ms>"), so a key first
// seen in the bench is new for the recommended route's one-day cohorts and risk.newKey, and its cohort counters run.
const prefix = (BENCH_STORE as { prefix?: string }).prefix ?? "dg"; // the default (src/config/parse.ts DEFAULTS)
const redisCommand = async (command: string[]) =>
  ((await control("command", command)) as unknown as { result: unknown }).result;
/** Whether a cluster record (`<prefix>:@<digest>`, script.ts) holds a counter of a cohort rule. */
async function cohortsCounted(): Promise<boolean> {
  const cohorts = (first.clusters as Array<{ name: string; newKeys?: string }>).filter((c) => c.newKeys);
  const records = (await redisCommand(["KEYS", `${prefix}:@*`])) as string[];
  const values = await Promise.all(records.map((k) => redisCommand(["GET", k])));
  return values.some(
    (v) => typeof v === "string" && cohorts.some((c) => v.startsWith(`${c.name}:`) || v.includes(` ${c.name}:`)),
  );
}
if (await cohortsCounted()) throw new Error("established keys: a cohort counter ran");
const epochMs = Date.now() - 3 * 86_400_000;
await redisCommand(["SET", firstSeenEpochKey(prefix), `${epochMs} ${Date.now()}`, "PX", String(FIRST_SEEN_TTL_MS)]);
const newKeyCount = await countStore(redis, tenant, take(COUNTED));
if (!(await cohortsCounted())) throw new Error("new keys: no cohort counter ran");

// A client already denied: one key whose bucket is empty (sent until the first 429), then DENIED more of its
// requests with CONCURRENCY in flight (req/s, CPU), and 50 one at a time (round trips, commands).
const deniedTargets: Array<[Target, BridgeTenant | null]> = [[memory, null], ...redisTargets];
const deniedResults = new Map<string, { rps: number; cpuMs: number; statuses: string; count: StoreCount | null }>();
const deniedBase = requests[0]!;
for (const [t, of] of deniedTargets) {
  const as = { ...deniedBase, headers: { ...deniedBase.headers } };
  const keyHeader = "x-api-key" in as.headers ? "x-api-key" : "authorization";
  as.headers[keyHeader] = keyHeader === "x-api-key" ? "sk-bench-denied-client" : "Bearer sk-bench-denied-client";
  let first = 0;
  while ((await send(t.url, as)).status !== 429)
    if (++first > 5_000) throw new Error(`${t.name}: no denial after 5,000 requests`);
  const cpuBefore = t.pid ? cpuMs(t.pid) : 0;
  const r = await load(
    t.url,
    Array.from({ length: DENIED }, () => as),
  );
  const cpu = t.pid ? cpuMs(t.pid) - cpuBefore : 0;
  const statuses = [...r.statuses].map(([status, n]) => `${status}: ${fmt(n)}`).join(", ");
  const count = of
    ? await countStore(
        t,
        of,
        Array.from({ length: 50 }, () => as),
      )
    : null;
  deniedResults.set(t.name, { rps: DENIED / (r.wallMs / 1000), cpuMs: cpu / DENIED, statuses, count });
}

// Which round trips come before the answer and which after it: streamed requests held open by
// the demo origin's gate after their first event, so the token post-charge cannot have run yet.
let beforeAnswer = 0;
let afterAnswer = 0;
const probes = take(PROBE);
for (const [i, r] of probes.entries()) {
  const body = JSON.parse(r.body.toString("utf8")) as Record<string, unknown>;
  body.stream = true;
  if (r.path === "/v1/chat/completions") body.stream_options = { include_usage: true };
  const bytes = Buffer.from(JSON.stringify(body));
  const gate = `probe-${i}`;
  const start = (await control("stats")).requests;
  let atHeaders = start;
  await send(
    redis.url,
    { ...r, body: bytes, headers: { ...r.headers, "content-length": String(bytes.length), "x-demo-gate": gate } },
    async () => {
      atHeaders = (await control("stats")).requests;
      await fetch(`${origin.url}/__demo/gate/${gate}?open=1`, { method: "POST" });
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  beforeAnswer += atHeaders - start;
  afterAnswer += (await control("stats")).requests - atHeaders;
}

const bareRps = median(results.get(bareProxy.name)!.rps);
const directLatencies = [...latency.get(direct.name)!].sort((a, b) => a - b);
const bareCpu = results.get(bareProxy.name)!.cpuMs / results.get(bareProxy.name)!.requests;
console.log(
  "\n| target | p50 ms | p99 ms | added over direct, p50 / p99 ms | req/s (median round) | × bare proxy | workerd CPU ms/request | statuses |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const t of targets) {
  const r = results.get(t.name)!;
  const sorted = [...latency.get(t.name)!].sort((a, b) => a - b);
  const rps = median(r.rps);
  const added =
    t === direct
      ? "–"
      : `${fmt(percentile(sorted, 0.5) - percentile(directLatencies, 0.5), 2)} / ${fmt(percentile(sorted, 0.99) - percentile(directLatencies, 0.99), 2)}`;
  const cpu = t.pid ? fmt(r.cpuMs / r.requests, 2) : "–";
  const statuses = [...r.statuses].map(([status, n]) => `${status}: ${fmt(n)}`).join(", ");
  console.log(
    `| ${t.name} | ${fmt(percentile(sorted, 0.5), 2)} | ${fmt(percentile(sorted, 0.99), 2)} | ${added} | ${fmt(rps)} | ${t === direct ? "–" : fmt(rps / bareRps, 2)} | ${cpu} | ${statuses} |`,
  );
}
const cpuOf = (t: Target) => results.get(t.name)!.cpuMs / results.get(t.name)!.requests;
console.log(
  `\nCPU the gateway adds per request in workerd (its process time minus the bare proxy's): no checks ${fmt(cpuOf(skeleton) - bareCpu, 2)} ms, every check but the token-weighted bucket ${fmt(cpuOf(noTokenBucket) - bareCpu, 2)} ms, every check with the memory store ${fmt(cpuOf(memory) - bareCpu, 2)} ms, ` +
    `Redis store ${fmt(cpuOf(redis) - bareCpu, 2)} ms (including the Upstash client's HTTP call). Averages from /proc (10 ms ticks) over ${fmt(ROUNDS * PER_ROUND)} requests per target.`,
);
console.log(
  `Store (gateway-redis): ${fmt(roundTrips, 2)} round trips per request (${fmt(COUNTED)} requests one at a time, the work after the response included); streamed, ${fmt(beforeAnswer / probes.length, 2)} before the answer ` +
    `and ${fmt(afterAnswer / probes.length, 2)} within 50 ms after it (the token buckets' post-charge with the usage the origin reported rides on the next take, or is sent on its own a second later). ` +
    `${fmt(commandTotal, 2)} Redis commands per request for established keys (${breakdown}); ` +
    `${fmt(newKeyCount.commands, 2)} for new keys, the store recording for three days (${newKeyCount.breakdown}), in ${fmt(newKeyCount.roundTrips, 2)} round trips.`,
);

const rpsOf = (t: Target) => median(results.get(t.name)!.rps);
console.log(
  `\nOn Redis: gateway-redis runs the recommended configuration; the others three token buckets (per key ${THREE_LIMITS[0]!.perMinute}, per IP ${THREE_LIMITS[1]!.perMinute}, per ASN ${fmt(THREE_LIMITS[2]!.perMinute)} a minute). req/s and CPU from the rounds above; ` +
    `store calls over ${fmt(COUNTED)} requests one at a time, each target alone on its own Redis database:\n`,
);
console.log(
  "| target | req/s | × bare proxy | × @upstash/ratelimit (Promise.all) | workerd CPU ms/request | round trips | Redis commands | per request |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const [t] of redisTargets) {
  const c = allowedCounts.get(t.name)!;
  console.log(
    `| ${t.name} | ${fmt(rpsOf(t))} | ${fmt(rpsOf(t) / bareRps, 2)} | ${fmt(rpsOf(t) / rpsOf(rlAll), 2)} | ${fmt(cpuOf(t), 2)} | ${fmt(c.roundTrips, 2)} | ${fmt(c.commands, 2)} | ${c.breakdown} |`,
  );
  if (t === redis)
    console.log(
      `| ${t.name}, new keys | | | | | ${fmt(newKeyCount.roundTrips, 2)} | ${fmt(newKeyCount.commands, 2)} | ${newKeyCount.breakdown} |`,
    );
}
console.log(
  `\nA client already denied (its key's bucket empty): ${fmt(DENIED)} of its requests with ${CONCURRENCY} in flight; store calls over 50 one at a time:\n`,
);
console.log(
  "| target | req/s | × @upstash/ratelimit (Promise.all) | workerd CPU ms/request | round trips | Redis commands | statuses |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
const theirsDenied = deniedResults.get(rlAll.name)!;
for (const [t] of deniedTargets) {
  const d = deniedResults.get(t.name)!;
  console.log(
    `| ${t.name} | ${fmt(d.rps)} | ${fmt(d.rps / theirsDenied.rps, 2)} | ${fmt(d.cpuMs, 2)} | ${d.count ? fmt(d.count.roundTrips, 2) : "–"} | ${d.count ? fmt(d.count.commands, 2) : "–"} | ${d.statuses} |`,
  );
}
const bundles = await measureBundles({
  "@upstash/ratelimit, three limiters and the proxy": { source: RATELIMIT_SOURCE },
});
console.log("\nBundles (as wrangler builds them; npm run bundle-size for each part's share):\n");
console.log("| bundle | KiB | KiB gzip |");
console.log("| --- | ---: | ---: |");
for (const [name, b] of Object.entries(bundles))
  console.log(`| ${name} | ${fmt(b.bytes / 1024, 1)} | ${fmt(b.gzip / 1024, 1)} |`);

// ------------------------------------------------------------------ memory while streaming

console.log(
  "\nMemory of the workerd process while a large response streams through it (GET /__demo/bytes/N, 64 KiB chunks):\n",
);
console.log("| target | response | RSS before | peak RSS while streaming | growth | MiB/s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
const { "content-length": _length, "content-type": _type, ...streamHeaders } = requests[0]!.headers;
for (const t of [bareProxy, memory]) {
  for (const size of STREAM_SIZES) {
    const pid = t.pid!;
    const rssBefore = rssBytes(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
    const r = await send(t.url, {
      method: "GET",
      path: `/__demo/bytes/${size}?chunk=65536`,
      headers: streamHeaders,
      body: Buffer.alloc(0),
    });
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(pid));
    if (r.status !== 200 || r.bytes !== size)
      throw new Error(`${t.name}: streaming ${size} bytes answered ${r.status} with ${r.bytes} bytes`);
    console.log(
      `| ${t.name} | ${fmt(size / MiB)} MiB | ${fmt(rssBefore / MiB, 1)} MiB | ${fmt(peak / MiB, 1)} MiB | ${fmt((peak - rssBefore) / MiB, 1)} MiB | ${fmt(size / MiB / (r.ms / 1000))} |`,
    );
  }
}

// ------------------------------------------------------------------ teardown

for (const agent of agents.values()) agent.destroy();
for (const mf of miniflares) await mf.dispose();
admin.close();
await bridge.close();
await redisServer.stop();
await origin.close();
