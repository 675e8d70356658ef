/**
 * `npm run profile`: where a decision's CPU goes, by V8's sampling profiler
 * (the inspector's Profiler domain, the same samples `node --cpu-prof` writes).
 *
 * The gateway (src/gateway.ts, loaded as source so that every sample names its
 * file) runs the `recommended` configuration (every check on, memory store)
 * against the simulator's in-process origin, one request at a time, with the
 * simulator's developers as clients (bench/decision.ts sends the same). After
 * a warm-up, the profiler samples every 50 µs while the requests run; self
 * time is then summed per source file and per function, and files are put in
 * the stages of a decision (routing, identity and hashing, body, signals,
 * limiter, verdict, headers, telemetry, logging) plus what is not the
 * gateway's: the Hono router, the runtime's Request/Response and fetch
 * machinery, the origin, garbage collection.
 *
 * `--save FILE.cpuprofile` keeps the raw profile (Chrome DevTools opens it).
 * Setup per isolate (config validation, tables) is profiled apart: it runs
 * once, before the first request.
 */
import { writeFile } from "node:fs/promises";
import { readFile, realpath } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SourceMap } from "node:module";
import { bundleForWorkerd } from "../scripts/bundle.ts";

const WARMUP = 3_000;
const MEASURED = 6_000;
const TOP = process.argv.includes("--top") ? Number(process.argv[process.argv.indexOf("--top") + 1]) : 25;
const root = fileURLToPath(new URL("..", import.meta.url));
const save = process.argv.includes("--save") ? process.argv[process.argv.indexOf("--save") + 1] : undefined;

/** Stages of a decision, by source file (first match wins). */
const STAGES: Array<[string, RegExp]> = [
  ["routing (route match, canonical path)", /^src\/config\/(routes|canonical-path|glob)\.ts$/],
  ["identity and hashing (subject, key HMAC, fingerprint)", /^src\/identity\//],
  ["body (bounded read, model, prompt text, template)", /^src\/request\//],
  ["signals (geo, fingerprint, content checks)", /^src\/checks\//],
  ["limiter (script arguments, store, clusters)", /^src\/limits\//],
  ["verdict (decide, reasons)", /^src\/verdict\/(decide|reasons|types)\.ts$/],
  [
    "headers (verdict, RateLimit, origin request, error bodies)",
    /^src\/(verdict|proxy)\/(headers|ratelimit-headers|respond|forward)\.ts$/,
  ],
  ["token post-charge (usage from the answer)", /^src\/proxy\/usage\.ts$/],
  ["telemetry (event, data point)", /^src\/(telemetry\/|guard\/event\.ts)/],
  ["guard flow (middleware, state)", /^src\/(guard\/|gateway\.ts)/],
  ["config (per isolate)", /^src\/config\//],
  ["Hono (router, context)", /node_modules\/hono\//],
  ["simulated origin and traffic", /^(bench\/|node_modules\/\.cache\/)/],
];

// Bundled as the Worker is (type stripping alone cannot load every file), with a source map to name each sample's file.
interface Simulator {
  createGateway(options: unknown): {
    fetch(request: Request, env: unknown, ctx: unknown): Response | Promise<Response>;
  };
  SHIPPED_CONFIGS: Record<string, { config: unknown }>;
  createSimOrigin(): { fetch: (request: Request) => Promise<Response> };
  parseScenario(
    raw: unknown,
  ): { ok: true; scenario: { segments: Array<{ name: string }> } } | { ok: false; problems: string[] };
  SegmentTraffic: new (segment: unknown, random: unknown, botManagement: boolean) => { take(): { request: Request } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}
const simulator = await bundleForWorkerd("bench-profile", {
  sourcemap: true,
  source: `
    export { createGateway } from "./src/gateway";
    export { createSimOrigin } from "./bench/sim/origin";
    export { SHIPPED_CONFIGS } from "./bench/sim/configs";
    export { parseScenario } from "./bench/sim/scenario";
    export { SegmentTraffic } from "./bench/sim/traffic";
    export { createRandom } from "./bench/sim/random";`,
});
const { createGateway, SHIPPED_CONFIGS, createSimOrigin, parseScenario, SegmentTraffic, createRandom } = (await import(
  pathToFileURL(simulator.path).href
)) as Simulator;

const bundleUrl = pathToFileURL(await realpath(simulator.path)).href;
const sourceMap = new SourceMap(JSON.parse(simulator.map!));

const scenario = parseScenario(JSON.parse(await readFile(join(root, "bench/scenarios/default.json"), "utf8")));
if (!scenario.ok) throw new Error(scenario.problems.join("\n"));
const developers = scenario.scenario.segments.find((s) => s.name === "developers")!;
const traffic = new SegmentTraffic(
  { ...developers, endMs: Number.POSITIVE_INFINITY },
  createRandom(1).forked("bench"),
  false,
);
interface Sent {
  url: string;
  init: RequestInit;
  cf: unknown;
}
const sent: Sent[] = [];
for (let i = 0; i < WARMUP + MEASURED; i++) {
  const { request } = traffic.take();
  sent.push({
    url: request.url,
    init: {
      method: request.method,
      headers: Object.fromEntries(request.headers as unknown as Iterable<[string, string]>),
      body: new Uint8Array(await request.arrayBuffer()),
    },
    cf: (request as Request & { cf: unknown }).cf,
  });
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });

const origin = createSimOrigin();
let logLines = 0;
const build = () =>
  createGateway({
    config: structuredClone(SHIPPED_CONFIGS.recommended!.config) as never,
    keyHashSecret: "bench-key-hash-secret-0123456789",
    origin: { url: "https://origin.bench", fetch: origin.fetch },
    log: () => void logLines++,
    // each request's after-response work is awaited before the next: post-charges are sent at once
    settleDelayMs: 0,
  });
// Setup per isolate, measured once (the first gateway pays the module-level work too).
const setupStarted = performance.now();
const app = build();
const firstSetupMs = performance.now() - setupStarted;
const againStarted = performance.now();
build();
const againSetupMs = performance.now() - againStarted;

async function run(s: Sent): Promise<number> {
  const request = new Request(s.url, s.init);
  Object.defineProperty(request, "cf", { value: s.cf, enumerable: true });
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} };
  const response = await app.fetch(request, {}, ctx);
  await response.arrayBuffer();
  await Promise.all(pending);
  return response.status;
}
for (const s of sent.slice(0, WARMUP)) await run(s);
await session.post("Profiler.start");
const statuses = new Map<number, number>();
for (const s of sent.slice(WARMUP)) {
  const status = await run(s);
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}
const { profile } = await session.post("Profiler.stop");
session.disconnect();
if (save) await writeFile(save, JSON.stringify(profile));

// ------------------------------------------------------------------ self time per node

const dt = new Map<number, number>(); // node id → µs
for (let i = 0; i < profile.samples!.length; i++)
  dt.set(profile.samples![i]!, (dt.get(profile.samples![i]!) ?? 0) + profile.timeDeltas![i]!);
const byStage = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const us = dt.get(node.id) ?? 0;
  if (!us) continue;
  const { url, functionName, lineNumber, columnNumber } = node.callFrame;
  let file = url.startsWith("file://") ? relative(root, fileURLToPath(url)) : url;
  let line = lineNumber;
  if (url.startsWith(bundleUrl)) {
    const entry = sourceMap.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
    file = entry.originalSource ? relative(root, entry.originalSource.replace(/^file:\/\//, "")) : file;
    line = entry.originalLine ?? lineNumber;
  }
  let stage: string;
  if (functionName === "(idle)" || functionName === "(program)") continue; // waiting, not working
  if (file === "node:inspector") continue; // the profiler's own calls
  if (functionName === "(garbage collector)") stage = "garbage collection";
  else if (!file) stage = "runtime (native: Request, Response, streams, crypto, JSON)";
  else if (file.startsWith("node:")) stage = "runtime (node: internals, undici)";
  else stage = STAGES.find(([, re]) => re.test(file))?.[0] ?? `other (${file.split("/").slice(0, 3).join("/")})`;
  total += us;
  byStage.set(stage, (byStage.get(stage) ?? 0) + us);
  const name = `${functionName || "(anonymous)"} ${file || "(native)"}${file ? `:${line + 1}` : ""}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perRequest = (us: number) => fmt(us / MEASURED, 1);
console.log(
  `\nCPU profile of the gateway (recommended configuration, memory store; Node ${process.versions.node}, V8 sampling every 50 µs): ` +
    `${fmt(MEASURED, 0)} requests after ${fmt(WARMUP, 0)} to warm up, the whole request (decision, forward to the in-process origin, ` +
    `answer read, waitUntil work). Statuses: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}; ${logLines} log lines.\n`,
);
console.log("| stage | µs per request | share |");
console.log("| --- | ---: | ---: |");
for (const [stage, us] of [...byStage].sort((a, b) => b[1] - a[1]))
  console.log(`| ${stage} | ${perRequest(us)} | ${fmt((100 * us) / total)} % |`);
console.log(`| **total** | **${perRequest(total)}** | 100 % |`);
console.log("\nHeaviest functions (self time):\n");
console.log("| function | µs per request | share |");
console.log("| --- | ---: | ---: |");
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP))
  console.log(`| \`${name}\` | ${perRequest(us)} | ${fmt((100 * us) / total)} % |`);
console.log(
  `\nSetup per isolate (createGateway: config validation, tables, the limiter): first ${fmt(firstSetupMs, 2)} ms (module-level work included), again ${fmt(againSetupMs, 2)} ms.`,
);
