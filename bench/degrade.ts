/**
 * `npm run bench`, the degrade action: what a degraded answer costs the
 * gateway in CPU per request against the same answer forwarded as it is,
 * measured side by side in one run, in workerd through Miniflare.
 *
 * Two workerd processes run the ready-made Worker with one route each, the
 * same except for one action: an automation User-Agent is `flag`ged on one
 * (the answer forwarded untouched) and `degrade`d on the other (thinking
 * kept at the origin, removed from the answer on the way: every SSE event
 * parsed, the thinking block's events dropped, the rest renumbered). Both
 * get the same requests from the demo origin: Anthropic Messages with
 * thinking on, streamed and as JSON. Rounds alternate between the two so
 * that load from anything else on the machine falls on both alike. CPU per
 * request is the workerd process's own time from /proc (workerd's clock does
 * not advance while JavaScript runs).
 */
import { readFileSync, readdirSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { Miniflare } from "miniflare";
import { startDemoOrigin } from "../scripts/demo-origin.ts";
import { bundleForWorkerd, compatibilityDate } from "../scripts/bundle.ts";

const CONCURRENCY = 8;
const WARMUP = 200;
const ROUNDS = 6;
const PER_ROUND = 300;
const KEY_HASH_SECRET = "bench-key-hash-secret-0123456789";

interface Target {
  name: string;
  url: string;
  pid: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One request; resolves with the whole answer. */
function send(base: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/v1/messages`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": String(body.length),
          "x-api-key": "sk-bench-customer",
          // an HTTP library without an SDK: the automation signal both routes act on
          "user-agent": "python-requests/2.32.3",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function load(base: string, body: Buffer, n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) {
        const r = await send(base, body);
        if (r.status !== 200) throw new Error(`${base}: status ${r.status}: ${r.text.slice(0, 200)}`);
      }
    }),
  );
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

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

const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ------------------------------------------------------------------ setup

const origin = await startDemoOrigin();
const worker = await bundleForWorkerd("bench-degrade-worker", { entry: "src/worker.ts" });
const date = await compatibilityDate();
const miniflares: Miniflare[] = [];

/** A workerd process running `code` with `env`. */
async function launch(name: string, code: string, env: Record<string, unknown>): Promise<Target> {
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
  if (pids.length !== 1) throw new Error(`${name}: expected one new workerd process, found ${pids.length}`);
  return { name, url, pid: pids[0]! };
}

/** The ready-made Worker with one route: an automation User-Agent is flagged or degraded. */
function start(name: string, automation: "flag" | "degrade", reasoning: "drop" | "keep" = "drop"): Promise<Target> {
  const config = {
    routes: [
      {
        name: "messages",
        match: { path: "/v1/messages", methods: ["POST"] },
        fingerprint: { automation },
        // the origin thinks; the answer loses it on the way (or, with "keep", passes untouched)
        degrade: { thinking: "keep", reasoning },
      },
    ],
  };
  return launch(name, worker.code, {
    ORIGIN_URL: { type: "text", value: origin.url },
    KEY_HASH_SECRET: { type: "text", value: KEY_HASH_SECRET },
    GATEWAY_CONFIG: { type: "json", value: config },
  });
}

/** A Worker with no gateway that moves each chunk of the answer through a JavaScript stream, untouched. */
function startJsStream(): Promise<Target> {
  const code = `export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      const upstream = await fetch(env.ORIGIN_URL + url.pathname, { method: "POST", headers: request.headers, body: request.body });
      const reader = upstream.body.getReader();
      const body = new ReadableStream({
        async pull(controller) {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
      });
      return new Response(body, upstream);
    },
  };`;
  return launch("js-stream", code, { ORIGIN_URL: { type: "text", value: origin.url } });
}

const plain = await start("forwarded", "flag");
const degraded = await start("degraded", "degrade");
// degraded but with the answer kept: what reading the request body costs, apart from rewriting the answer
const requestOnly = await start("degraded-request-only", "degrade", "keep");
// the cost of any JavaScript on the answer's path in workerd, for comparison
const jsStream = await startJsStream();
const targets = [plain, requestOnly, degraded, jsStream];

const ask = (stream: boolean) =>
  Buffer.from(
    JSON.stringify({
      model: "demo-large",
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      stream,
      messages: [{ role: "user", content: "Explain, briefly, why the sky is blue on a clear day." }],
    }),
  );
const kinds = [
  { name: "SSE stream", body: ask(true) },
  { name: "JSON", body: ask(false) },
];

// what each target answers: the same answer, with and without its thinking
for (const kind of kinds) {
  const a = await send(plain.url, kind.body);
  const b = await send(degraded.url, kind.body);
  if (!a.text.includes('"thinking"') || b.text.includes('"thinking"'))
    throw new Error(`${kind.name}: expected thinking forwarded by one target and removed by the other`);
}
const sample = (await send(plain.url, kinds[0]!.body)).text;
const events = sample.split("\n\n").filter(Boolean).length;
const thinkingEvents = sample.split("\n\n").filter((e) => e.includes("thinking")).length;

// ------------------------------------------------------------------ measure

console.log(
  `\nDegrade (loopback, workerd through Miniflare): Anthropic Messages with thinking, the stream ${events} events of which ${thinkingEvents} are the thinking block's; ` +
    `${WARMUP} warm-up requests per target and kind, then ${ROUNDS} rounds of ${PER_ROUND} requests with ${CONCURRENCY} in flight, the targets taking turns.`,
);
const cpu = new Map<string, { ms: number; requests: number }>();
for (const kind of kinds) {
  for (const t of targets) await load(t.url, kind.body, WARMUP);
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets.map((_, i) => targets[(i + round) % targets.length]!)) {
      const before = cpuMs(t.pid);
      await load(t.url, kind.body, PER_ROUND);
      const key = `${kind.name}:${t.name}`;
      const acc = cpu.get(key) ?? { ms: 0, requests: 0 };
      acc.ms += cpuMs(t.pid) - before;
      acc.requests += PER_ROUND;
      cpu.set(key, acc);
    }
  }
}

console.log(
  "\n| answer | forwarded (ms CPU/request) | degraded, answer kept | degraded | degraded − forwarded | × forwarded | a bare Worker passing the answer through JavaScript |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const kind of kinds) {
  const per = (t: Target) => {
    const acc = cpu.get(`${kind.name}:${t.name}`)!;
    return acc.ms / acc.requests;
  };
  const a = per(plain);
  const b = per(degraded);
  console.log(
    `| ${kind.name} | ${fmt(a)} | ${fmt(per(requestOnly))} | ${fmt(b)} | ${fmt(b - a)} | ${fmt(b / a)} | ${fmt(per(jsStream))} |`,
  );
}
console.log(
  `\nAverages from /proc (10 ms ticks) over ${ROUNDS * PER_ROUND} requests per target and kind. "Answer kept": the degraded route with reasoning "keep" (it reads the request body; the answer streams through untouched). ` +
    `The last column is a Worker with no gateway at all that only moves each chunk of the answer through a JavaScript ReadableStream: in workerd that per-chunk crossing, not the rewriting, is most of what a degraded stream costs.`,
);

agent.destroy();
for (const mf of miniflares) await mf.dispose();
await origin.close();
