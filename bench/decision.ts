/**
 * `npm run bench`, second part: the time one request costs in V8 (Node), each
 * request timed on its own, so that p50 and p99 can be given (workerd's clock
 * does not advance while JavaScript runs: bench/gateway.ts can only give
 * per-process averages there).
 *
 * Everything runs in this process, one request at a time, so wall time is CPU
 * time: the app's `fetch`, the body read to its end, the `waitUntil` work
 * (telemetry, the token post-charge) awaited. The origin is the simulator's
 * in-process one (bench/sim/origin.ts), the same for every target. Targets,
 * taking turns request by request so that garbage collection and anything else
 * on the machine fall on all of them alike:
 * - a bare pass-through Hono proxy (`hono/proxy` with the origin as its fetch);
 * - the gateway without checks, with three token buckets (per key, IP and ASN, as
 *   bench/gateway.ts compares with @upstash/ratelimit), with every check but the
 *   token-weighted bucket, and with every check (the `recommended` configuration,
 *   memory store);
 * - the last again, every request from one client already denied (one key,
 *   its bucket empty after its first minute's 60): what a repeat denial costs.
 *
 * Per target: the decision (from the app's `fetch` until it calls the origin or
 * answers a denial) and the whole request, p50 and p99 in ms.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForWorkerd, root } from "../scripts/bundle.ts";

const WARMUP = 4_000;
const MEASURED = 4_000;
const KEY_HASH_SECRET = "bench-key-hash-secret-0123456789";

type App = { fetch(request: Request, env: unknown, ctx: unknown): Response | Promise<Response> };
type OriginFetch = (request: Request) => Promise<Response>;
interface Bundle {
  createGateway(options: {
    config: unknown;
    keyHashSecret: string;
    origin: { url: string; fetch: OriginFetch };
    log?: (line: string) => void;
    settleDelayMs?: number;
  }): App;
  bareProxy(originUrl: string, fetch: OriginFetch): App;
  createSimOrigin(): { fetch: OriginFetch };
  SHIPPED_CONFIGS: Record<string, { config: { routes: Array<Record<string, unknown>> } & Record<string, unknown> }>;
  parseScenario(
    raw: unknown,
  ): { ok: true; scenario: { segments: Array<{ name: string }> } } | { ok: false; problems: string[] };
  SegmentTraffic: new (segment: unknown, random: unknown, botManagement: boolean) => { take(): { request: Request } };
  createRandom(seed: number | string): { forked(name: string): unknown };
}

const bundle = await bundleForWorkerd("bench-decision", {
  source: `
    import { Hono } from "hono";
    import { proxy } from "hono/proxy";
    export { createGateway } from "./src/gateway";
    export { createSimOrigin } from "./bench/sim/origin";
    export { SHIPPED_CONFIGS } from "./bench/sim/configs";
    export { parseScenario } from "./bench/sim/scenario";
    export { SegmentTraffic } from "./bench/sim/traffic";
    export { createRandom } from "./bench/sim/random";
    export function bareProxy(originUrl, fetch) {
      const app = new Hono();
      app.all("*", (c) => {
        const url = new URL(c.req.url);
        return proxy(originUrl + url.pathname + url.search, { raw: c.req.raw, customFetch: fetch });
      });
      return app;
    }`,
});
const sim = (await import(pathToFileURL(bundle.path).href)) as Bundle;

// ------------------------------------------------------------------ targets

interface Target {
  name: string;
  app: App;
  /** Rewrites the shared request for this target (the denied client). */
  as?: (s: Sent) => Sent;
  decisions: number[];
  totals: number[];
  statuses: Map<number, number>;
}
const origin = sim.createSimOrigin();
/**
 * CPU time of this thread in ms: background threads (concurrent GC marking,
 * JIT compilation) are left out, and so is WebCrypto's hashing on libuv's pool
 * (a few microseconds for the short texts hashed here; in workerd it runs on
 * the request's thread).
 */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** When the current request reached the origin (the decision is over), in CPU ms. */
let originCalledAt = 0;
const originFetch: OriginFetch = (request) => {
  originCalledAt ||= cpuNow();
  return origin.fetch(request);
};
const ORIGIN_URL = "https://origin.bench";
const recommended = structuredClone(sim.SHIPPED_CONFIGS.recommended!.config);
const noChecks = { routes: recommended.routes.map((r) => ({ name: r.name, match: r.match, errors: r.errors })) };
const noTokens = {
  routes: recommended.routes.map((r) => ({
    ...r,
    limits: (r.limits as Array<{ cost?: string }>).filter((l) => l.cost !== "tokens"),
  })),
};
// Each gateway from its own copy of the module, as each would run in its own isolate: no target warms another's caches.
const gateway = async (name: string, config: unknown) => {
  const own = (await import(`${pathToFileURL(bundle.path).href}?${encodeURIComponent(name)}`)) as Bundle;
  return own.createGateway({
    config,
    keyHashSecret: KEY_HASH_SECRET,
    origin: { url: ORIGIN_URL, fetch: originFetch },
    log: () => {},
    // each request's after-response work is awaited before the next: post-charges are sent at once
    settleDelayMs: 0,
  });
};
const threeBuckets = {
  routes: recommended.routes.map((r) => ({
    name: r.name,
    match: r.match,
    errors: r.errors,
    limits: [
      { name: "key", by: ["key"], rate: "600 per minute" },
      { name: "ip", by: ["ip"], rate: "600 per minute" },
      { name: "asn", by: ["asn"], rate: "60000 per minute" },
    ],
  })),
};
const target = (name: string, app: App, as?: (s: Sent) => Sent): Target => ({
  name,
  app,
  as,
  decisions: [],
  totals: [],
  statuses: new Map(),
});
/** The request as the one denied client sends it: its own key in place of the developer's. */
const fromDeniedClient = (s: Sent): Sent => {
  const headers = { ...(s.init.headers as Record<string, string>) };
  if ("x-api-key" in headers) headers["x-api-key"] = "sk-bench-denied-client";
  else headers.authorization = "Bearer sk-bench-denied-client";
  return { ...s, init: { ...s.init, headers } };
};
const targets = [
  target("bare Hono proxy", sim.bareProxy(ORIGIN_URL, originFetch)),
  target("gateway, no checks", await gateway("no-checks", noChecks)),
  target("gateway, three token buckets (key, IP, ASN), memory store", await gateway("three-buckets", threeBuckets)),
  target("gateway, every check but the token-weighted bucket", await gateway("no-token-bucket", noTokens)),
  target("gateway, every check, memory store", await gateway("memory", recommended)),
  target(
    "gateway, every check, memory store: a client already denied",
    await gateway("denied", recommended),
    fromDeniedClient,
  ),
];

// ------------------------------------------------------------------ requests

// The simulator's developers, as bench/gateway.ts sends them: real SDK header sets, request.cf, one key per account.
const scenario = sim.parseScenario(JSON.parse(await readFile(join(root, "bench/scenarios/default.json"), "utf8")));
if (!scenario.ok) throw new Error(scenario.problems.join("\n"));
const developers = scenario.scenario.segments.find((s) => s.name === "developers")!;
const traffic = new sim.SegmentTraffic({ ...developers, endMs: Infinity }, sim.createRandom(1).forked("bench"), false);
interface Sent {
  url: string;
  init: RequestInit;
  cf: unknown;
}
const sent: Sent[] = [];
for (let i = 0; i < WARMUP + MEASURED; i++) {
  const { request } = traffic.take();
  const body = new Uint8Array(await request.arrayBuffer());
  sent.push({
    url: request.url,
    init: {
      method: request.method,
      headers: Object.fromEntries(request.headers as unknown as Iterable<[string, string]>),
      body,
    },
    cf: (request as Request & { cf: unknown }).cf,
  });
}
/** A fresh Request (a body can be read once) carrying `cf` as the edge sets it. */
function requestOf(s: Sent): Request {
  const request = new Request(s.url, s.init);
  Object.defineProperty(request, "cf", { value: s.cf, enumerable: true });
  return request;
}

// ------------------------------------------------------------------ run

async function run(t: Target, s: Sent, measure: boolean): Promise<void> {
  const request = requestOf(t.as ? t.as(s) : s);
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} };
  originCalledAt = 0;
  const started = cpuNow();
  const response = await t.app.fetch(request, {}, ctx);
  await response.arrayBuffer();
  await Promise.all(pending);
  const ended = cpuNow();
  if (!measure) return;
  t.decisions.push((originCalledAt || ended) - started);
  t.totals.push(ended - started);
  t.statuses.set(response.status, (t.statuses.get(response.status) ?? 0) + 1);
}

for (const [i, s] of sent.entries()) {
  for (let k = 0; k < targets.length; k++) await run(targets[(i + k) % targets.length]!, s, i >= WARMUP);
}

// ------------------------------------------------------------------ report

const percentile = (xs: readonly number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const fmt = (n: number, digits = 3) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const bare = targets[0]!;
console.log(
  `\nCPU per request in V8 (Node ${process.versions.node}, in-process origin, one request at a time, the targets taking turns): ` +
    `${fmt(MEASURED, 0)} requests per target after ${fmt(WARMUP, 0)} to warm up. The decision: from the app's fetch until it calls the origin or answers a denial.\n`,
);
console.log(
  "| target | decision p50 ms | decision p99 ms | request p50 ms | request p99 ms | added over the bare proxy, p50 / p99 ms | statuses |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
for (const t of targets) {
  const added =
    t === bare
      ? "–"
      : `${fmt(percentile(t.totals, 0.5) - percentile(bare.totals, 0.5))} / ${fmt(percentile(t.totals, 0.99) - percentile(bare.totals, 0.99))}`;
  const statuses = [...t.statuses].map(([status, n]) => `${status}: ${fmt(n, 0)}`).join(", ");
  console.log(
    `| ${t.name} | ${fmt(percentile(t.decisions, 0.5))} | ${fmt(percentile(t.decisions, 0.99))} | ${fmt(percentile(t.totals, 0.5))} | ${fmt(percentile(t.totals, 0.99))} | ${added} | ${statuses} |`,
  );
}
