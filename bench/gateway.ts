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
 * - the same Worker with Redis, through the Upstash-compatible bridge of test/setup/.
 * Both Workers run the shipped `recommended` configuration (every check on).
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
 * trips and Redis commands per request, and the memory of a workerd process
 * while a large response streams through it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { startDemoOrigin } from "../scripts/demo-origin.ts";
import { bundleForWorkerd, compatibilityDate, root } from "../scripts/bundle.ts";
import { startRedis } from "../test/setup/redis-server.ts";
import { connectRedis } from "../test/setup/resp.ts";
import { startBridge } from "../test/setup/upstash-bridge.ts";

const CONCURRENCY = 8;
const WARMUP = 200;
const LATENCY = 400;
const ROUNDS = 5;
const PER_ROUND = 400;
const PROBE = 30;
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
const tenant = await bridge.tenant();
const control = async (action: string) =>
  (await (await fetch(tenant.control, { method: "POST", body: JSON.stringify({ action }) })).json()) as {
    requests: number;
  };

interface SimBundle {
  SHIPPED_CONFIGS: Record<string, { config: { routes: Array<Record<string, unknown>> } & Record<string, unknown> }>;
  parseScenario(
    raw: unknown,
  ): { ok: true; scenario: { segments: Array<{ name: string }> } } | { ok: false; problems: string[] };
  SegmentTraffic: new (segment: unknown, random: unknown, botManagement: boolean) => { take(): { request: Request } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}
const [simulator, worker, bare] = await Promise.all([
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
]);
const sim = (await import(pathToFileURL(simulator.path).href)) as SimBundle;

// Every check on: the shipped configuration, plus a route for the streaming test with the same policy.
const recommended = structuredClone(sim.SHIPPED_CONFIGS.recommended!.config);
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
  await startWorker("gateway-redis", worker.code, {
    ...gatewayEnv,
    UPSTASH_REDIS_REST_URL: text(tenant.url),
    UPSTASH_REDIS_REST_TOKEN: text(tenant.token),
  }),
];
const [direct, bareProxy, skeleton, noTokenBucket, memory, redis] = targets as [
  Target,
  Target,
  Target,
  Target,
  Target,
  Target,
];

// The simulator's developers: realistic clients, keys and networks.
const scenario = sim.parseScenario(JSON.parse(await readFile(join(root, "bench/scenarios/default.json"), "utf8")));
if (!scenario.ok) throw new Error(scenario.problems.join("\n"));
const developers = scenario.scenario.segments.find((s) => s.name === "developers")!;
const traffic = new sim.SegmentTraffic({ ...developers, endMs: Infinity }, sim.createRandom(1).forked("bench"), false);
const total = WARMUP + LATENCY + ROUNDS * PER_ROUND + PROBE;
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

// Store calls: the bridge counts HTTP round trips, Redis counts commands (the script's own included).
const measured = results.get(redis.name)!.requests;
const roundTrips = (await control("stats")).requests / measured;
const info = String(await admin.send(["INFO", "commandstats"]));
const commands: Record<string, number> = {};
for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
  if (!/^(info|config)/.test(m[1]!)) commands[m[1]!] = Number(m[2]);
const commandTotal = Object.values(commands).reduce((a, b) => a + b, 0) / measured;
const breakdown = Object.entries(commands)
  .sort((a, b) => b[1] - a[1])
  .map(([name, calls]) => `${name} ${fmt(calls / measured, 2)}`)
  .join(", ");

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
  `Store (gateway-redis): ${fmt(roundTrips, 2)} round trips per request in the throughput rounds; one request at a time, ${fmt(beforeAnswer / probes.length, 2)} before the answer ` +
    `and ${fmt(afterAnswer / probes.length, 2)} after it (the token buckets' post-charge with the usage the origin reported). ` +
    `${fmt(commandTotal, 2)} Redis commands per request (${breakdown}).`,
);

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
