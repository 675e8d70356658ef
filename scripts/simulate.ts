/**
 * `npm run simulate [scenario.json] [--seed N] [--gateway name] [--out dir] [--runtime workerd|node]`
 * `npm run simulate -- --split train|test [--gateway name] [--out dir] [--runtime workerd|node]`
 *
 * Replays a scenario (default: bench/scenarios/default.json) through the
 * gateway and, side by side, through the baseline (one per-key token bucket),
 * on a virtual clock. Prints the report and writes report.md, report.json
 * and chart.svg to the output directory (default: bench/out/<scenario name>/,
 * or bench/out/<scenario name>-<gateway>/ with --gateway, which replaces the
 * scenario's gateway with a shipped configuration: bench/sim/configs.ts).
 *
 * The simulator (bench/sim/) is workerd code, bundled here with esbuild
 * once. The runs go to two workerd processes through Miniflare (default: the
 * Workers runtime itself, and the faster here), or with `--runtime node` to
 * two Node worker threads (Node's WebCrypto costs a thread-pool round trip
 * per hash). Both give the same results for a seed. This process uses the
 * same bundle to validate the scenario and render the report.
 *
 * With `--split train` or `--split test` it runs every scenario and seed of
 * that half of bench/scenarios/split.json one after the other (each as
 * above, its report in `<out>/<scenario>-<seed>/`), then prints and writes
 * the combined report (`<out>/summary.md`, `summary.json`; default out:
 * bench/out/<split>[-<gateway>]/). docs/simulator.md describes the split.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { argv, exit, stdout } from "node:process";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Miniflare } from "miniflare";
import { bundleForWorkerd, compatibilityDate, root } from "./bundle.ts";
import { configDigest } from "./config-digest.ts";
import type { Report } from "../bench/sim/report.ts";
import type { SuiteGoals, SuiteReport } from "../bench/sim/suite.ts";
import type { Goals, RunKind, RunResult } from "../bench/sim/types.ts";

/** What this script uses from the bundle (bench/sim/worker.ts). */
interface SimulatorBundle {
  parseScenario(
    raw: unknown,
  ):
    | { ok: true; scenario: { name: string; goals: Goals | null; baseline: { rate: string }; gateway: unknown } }
    | { ok: false; problems: string[] };
  buildReport(gateway: RunResult, baseline: RunResult, goals: Goals | null, baselineRate: string): Report;
  renderMarkdown(report: Report): string;
  renderChart(gateway: RunResult, baseline: RunResult): string;
  buildSuiteReport(split: string, reports: Report[], goals: SuiteGoals): SuiteReport;
  renderSuiteMarkdown(suite: SuiteReport): string;
}

/** bench/scenarios/split.json: which scenarios and seeds tune, which are held out. */
interface SplitFile {
  goals: SuiteGoals;
  train: { scenario: string; seeds: number[] }[];
  test: { scenario: string; seeds: number[] }[];
}

const SPLIT_FILE = join(root, "bench/scenarios/split.json");

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(
    "usage: npm run simulate -- [scenario.json] [--seed N] [--gateway name] [--out dir] [--runtime workerd|node]\n" +
      "       npm run simulate -- --split train|test [--gateway name] [--out dir] [--runtime workerd|node]",
  );
  exit(2);
}

function parseArgs(args: string[]) {
  let scenario = join(root, "bench/scenarios/default.json");
  let seed: number | undefined;
  let out: string | undefined;
  let runtime: "node" | "workerd" = "workerd";
  let gateway: string | undefined;
  let split: "train" | "test" | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--split") {
      const value = args[++i];
      if (value !== "train" && value !== "test") usage("--split is train or test");
      split = value;
    } else if (a === "--seed") {
      seed = Number(args[++i]);
      if (!Number.isSafeInteger(seed)) usage("--seed needs an integer");
    } else if (a === "--out") {
      out = args[++i] ?? usage("--out needs a directory");
    } else if (a === "--gateway") {
      gateway = args[++i] ?? usage("--gateway needs the name of a shipped configuration");
    } else if (a === "--runtime") {
      const value = args[++i];
      if (value !== "node" && value !== "workerd") usage("--runtime is node or workerd");
      runtime = value;
    } else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else scenario = resolve(a);
  }
  if (split && (seed !== undefined || args.some((a) => !a.startsWith("-") && resolve(a) === scenario)))
    usage("--split runs the split's own scenarios and seeds: give no scenario or --seed with it");
  return { scenario, seed, out, runtime, gateway, split };
}

type Progress = (kind: RunKind, progress: { requests: number; virtualMs: number }) => void;
interface Finished {
  result: RunResult;
  wallMs: number;
}

// The worker thread's code: import the bundle, run, report progress and the result.
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.bundle).then(async (sim) => {
  const parsed = sim.parseScenario(workerData.scenario);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const result = await sim.runSimulation(parsed.scenario, {
    kind: workerData.kind,
    seed: workerData.seed,
    onProgress: (progress) => parentPort.postMessage({ progress }),
  });
  parentPort.postMessage({ result });
});
`;

/** One run in a Node worker thread. */
function runInNode(
  bundlePath: string,
  scenario: unknown,
  kind: RunKind,
  seed: number | undefined,
  progress: Progress,
): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { bundle: pathToFileURL(bundlePath).href, scenario, kind, seed },
    });
    const timer = setTimeout(
      () => void worker.terminate().then(() => reject(new Error(`the ${kind} run took longer than 15 minutes`))),
      15 * 60_000,
    );
    worker.on("message", (m: { progress?: { requests: number; virtualMs: number }; result?: RunResult }) => {
      if (m.progress) progress(kind, m.progress);
      if (m.result) {
        clearTimeout(timer);
        resolvePromise({ result: m.result, wallMs: performance.now() - started });
        void worker.terminate();
      }
    });
    worker.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** One run in its own workerd process, through Miniflare. */
async function runInWorkerd(
  code: string,
  date: string,
  scenario: unknown,
  kind: RunKind,
  seed: number | undefined,
  progress: Progress,
): Promise<Finished> {
  const mf = new Miniflare({
    workers: [
      {
        config: {
          name: `sim-${kind}`,
          compatibilityDate: date,
          manifest: { mainModule: "simulator.mjs", modules: { "simulator.mjs": { type: "esm", contents: code } } },
        },
      },
    ],
  } as ConstructorParameters<typeof Miniflare>[0]);
  const started = performance.now();
  try {
    const response = await mf.dispatchFetch("http://simulator/run", {
      method: "POST",
      body: JSON.stringify({ scenario, kind, seed }),
      signal: AbortSignal.timeout(15 * 60_000),
    });
    if (!response.body) throw new Error(`simulator answered ${response.status} without a body`);
    let buffer = "";
    let result: RunResult | null = null;
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, end)) as {
          progress?: { requests: number; virtualMs: number };
          result?: RunResult;
          error?: string;
          problems?: string[];
        };
        buffer = buffer.slice(end + 1);
        if (message.progress) progress(kind, message.progress);
        if (message.error) throw new Error(`the ${kind} run failed: ${message.error}`);
        if (message.result) result = message.result;
      }
    }
    if (!result) throw new Error(`the ${kind} run ended without a result`);
    return { result, wallMs: performance.now() - started };
  } finally {
    await mf.dispose();
  }
}

type Args = ReturnType<typeof parseArgs>;

async function readScenario(path: string, gateway: string | undefined): Promise<unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    console.error(`${path}: ${(error as Error).message}`);
    exit(1);
  }
  if (gateway) (raw as Record<string, unknown>).gateway = gateway;
  return raw;
}

/** One scenario and seed, gateway and baseline side by side: prints and writes its report, returns it. */
async function simulate(
  sim: SimulatorBundle,
  bundle: { code: string; path: string; date: string },
  args: Args,
  scenarioPath: string,
  raw: unknown,
  seed: number | undefined,
  out: string,
): Promise<Report> {
  const parsed = sim.parseScenario(raw);
  if (!parsed.ok) {
    console.error(`${scenarioPath}: invalid scenario\n  ${parsed.problems.join("\n  ")}`);
    exit(1);
  }
  const shown: Record<string, string> = {};
  const progress: Progress = (kind, p) => {
    shown[kind] = `${p.requests.toLocaleString("en-US")} requests, ${Math.round(p.virtualMs / 60_000)} virtual min`;
    if (stdout.isTTY)
      stdout.write(`\r  gateway: ${shown.gateway ?? "starting"} | baseline: ${shown.baseline ?? "starting"}   `);
  };
  console.log(
    `Simulating ${scenarioPath}${seed === undefined ? "" : ` (seed ${seed})`}: gateway and baseline side by side, in ${args.runtime === "node" ? "Node worker threads" : "workerd"}…`,
  );
  const run = (kind: RunKind) =>
    args.runtime === "node"
      ? runInNode(bundle.path, raw, kind, seed, progress)
      : runInWorkerd(bundle.code, bundle.date, raw, kind, seed, progress);
  const [gateway, baseline] = await Promise.all([run("gateway"), run("baseline")]);
  if (stdout.isTTY) stdout.write("\n");

  const report = sim.buildReport(gateway.result, baseline.result, parsed.scenario.goals, parsed.scenario.baseline.rate);
  report.configSha256 = configDigest(parsed.scenario.gateway);
  const markdown = sim.renderMarkdown(report);
  const speed = (r: Finished) =>
    `${r.result.requests.toLocaleString("en-US")} requests (and ${r.result.historyRequests.toLocaleString("en-US")} of history) in ${(r.wallMs / 1000).toFixed(1)} s (${Math.round((r.result.requests + r.result.historyRequests) / (r.wallMs / 1000)).toLocaleString("en-US")}/s)`;
  console.log(`\n${markdown}\n`);
  console.log(`Replayed: gateway ${speed(gateway)}; baseline ${speed(baseline)}.`);

  await mkdir(out, { recursive: true });
  await writeFile(join(out, "report.md"), `${markdown}\n`);
  await writeFile(
    join(out, "report.json"),
    `${JSON.stringify({ report, runs: { gateway: gateway.result, baseline: baseline.result } }, null, 2)}\n`,
  );
  await writeFile(join(out, "chart.svg"), sim.renderChart(gateway.result, baseline.result));
  console.log(`Wrote ${join(out, "report.md")}, report.json and chart.svg.`);
  return report;
}

async function main() {
  const args = parseArgs(argv.slice(2));
  const { code, path } = await bundleForWorkerd("simulator", { entry: "bench/sim/worker.ts" });
  const sim = (await import(pathToFileURL(path).href)) as SimulatorBundle;
  const bundle = { code, path, date: await compatibilityDate() };

  if (!args.split) {
    const raw = await readScenario(args.scenario, args.gateway);
    const parsed = sim.parseScenario(raw);
    const name = parsed.ok ? parsed.scenario.name : "scenario";
    const out = resolve(args.out ?? join(root, "bench/out", args.gateway ? `${name}-${args.gateway}` : name));
    await simulate(sim, bundle, args, args.scenario, raw, args.seed, out);
    return;
  }

  const split = JSON.parse(await readFile(SPLIT_FILE, "utf8")) as SplitFile;
  const out = resolve(args.out ?? join(root, "bench/out", args.gateway ? `${args.split}-${args.gateway}` : args.split));
  const reports: Report[] = [];
  const started = performance.now();
  for (const entry of split[args.split]) {
    const scenarioPath = join(dirname(SPLIT_FILE), entry.scenario);
    const raw = await readScenario(scenarioPath, args.gateway);
    for (const seed of entry.seeds) {
      const name = entry.scenario.replace(/\.json$/, "");
      reports.push(await simulate(sim, bundle, args, scenarioPath, raw, seed, join(out, `${name}-${seed}`)));
    }
  }
  const suite = sim.buildSuiteReport(args.split, reports, split.goals);
  const markdown = sim.renderSuiteMarkdown(suite);
  console.log(`\n${markdown}\n`);
  console.log(`The ${args.split} set took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "summary.md"), `${markdown}\n`);
  await writeFile(join(out, "summary.json"), `${JSON.stringify(suite, null, 2)}\n`);
  console.log(`Wrote ${join(out, "summary.md")} and summary.json.`);
}

await main();
