/**
 * The simulator as a Worker, for `npm run simulate` (scripts/simulate.ts runs
 * it in workerd through Miniflare, one instance per run, so the gateway and
 * the baseline replay side by side on two cores).
 *
 * `POST /run` with `{ "scenario": <scenario JSON>, "kind": "gateway" | "baseline", "seed"?: n }`
 * answers NDJSON: `{"progress": {"requests", "virtualMs"}}` lines while it
 * runs, then `{"result": RunResult}` (or `{"problems": [...]}` with status 400).
 *
 * The module also exports what the Node side uses from the same bundle: the
 * scenario validator, the report and the chart (scripts/simulate.ts), the
 * shipped configurations and the traffic generator (bench/gateway.ts).
 */
import { runSimulation } from "./engine.ts";
import { parseScenario } from "./scenario.ts";
import type { RunKind } from "./types.ts";

export { parseScenario } from "./scenario.ts";
export { runSimulation } from "./engine.ts";
export { buildReport, renderMarkdown, formatReduction } from "./report.ts";
export { buildSuiteReport, renderSuiteMarkdown } from "./suite.ts";
export { renderChart } from "./chart.ts";
export { SHIPPED_CONFIGS } from "./configs.ts";
export { SegmentTraffic } from "./traffic.ts";
export { createRandom } from "./random.ts";

const encoder = new TextEncoder();

export default {
  async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/run") return new Response("POST /run\n", { status: 404 });
    const input = (await request.json()) as { scenario: unknown; kind: RunKind; seed?: number };
    const parsed = parseScenario(input.scenario);
    if (!parsed.ok) return Response.json({ problems: parsed.problems }, { status: 400 });
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const line = (value: unknown) => writer.write(encoder.encode(`${JSON.stringify(value)}\n`));
    const work = runSimulation(parsed.scenario, {
      kind: input.kind,
      seed: input.seed,
      onProgress: async (progress) => {
        await line({ progress });
      },
    })
      .then((result) => line({ result }))
      .catch((error: unknown) =>
        line({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) }),
      )
      .finally(() => writer.close());
    ctx.waitUntil(work);
    return new Response(readable, { headers: { "content-type": "application/x-ndjson" } });
  },
};
