/**
 * Replays a scenario through the real gateway app (`createGateway`, the app
 * the Worker serves) on a virtual clock, with the in-memory store standing
 * in for Redis and an in-process origin. One request at a time, in virtual
 * time order: each is answered, its body read to the end and its
 * after-response work (token reconciliation, telemetry) finished before the
 * clock moves on, so a run is deterministic for a seed and an hour of traffic
 * takes seconds.
 *
 * What one isolate with one shared store decides is what a fleet of isolates
 * sharing one Redis decides: the store holds every bucket and counter, and an
 * isolate's denial cache only repeats denials that cannot change.
 */
import type { ConfigInput } from "../../src/config/input.ts";
import { createGateway } from "../../src/gateway.ts";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";
import type { Verdict } from "../../src/verdict/types.ts";
import { REASONING_MARK, createSimOrigin } from "./origin.ts";
import { createRandom } from "./random.ts";
import { type Scenario, baselineConfig, historyAccounts } from "./scenario.ts";
import { isTopTier } from "./tiers.ts";
import { SegmentTraffic } from "./traffic.ts";
import type { RunKind, RunResult, SegmentResult } from "./types.ts";

export interface RunOptions {
  kind: RunKind;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Called every `progressEvery` requests (awaited: a host can flush output there). */
  onProgress?: (progress: { requests: number; virtualMs: number }) => void | Promise<void>;
  progressEvery?: number;
}

/** Not a secret: simulated keys are hashed like real ones, under a fixed key. */
const SIM_KEY_HASH_SECRET = "distill-guard-simulator-key-hash";

interface Tally {
  result: SegmentResult;
  windowAttempted: number[];
  windowHarvested: number[];
}

const add = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1);

/**
 * `DG_SIM_TRACE=1`: one tab-separated line per gateway decision on stderr (segment, L legitimate or C campaign,
 * virtual minute, action, risk tier, the reason codes sorted), to see which evidence a segment's requests carry
 * when tuning on the train split (docs/simulator.md).
 */
const TRACE = typeof process !== "undefined" && Boolean(process.env?.DG_SIM_TRACE);
function trace(r: SegmentResult, timeMs: number, v: Verdict): void {
  const codes = v.reasons.map((x) => x.code).sort();
  const fields = [r.name, r.legitimate ? "L" : "C", Math.floor(timeMs / 60_000), v.action, v.tier ?? "-", codes];
  process.stderr.write(`TRACE\t${fields.join("\t")}\n`);
}

/** Start of the first window from which every window with traffic stayed at or under the share; null if none. */
export function containedAt(
  attempted: readonly number[],
  harvested: readonly number[],
  share: number,
  windowMs: number,
): number | null {
  let from: number | null = null;
  for (let i = 0; i < attempted.length; i++) {
    const a = attempted[i] ?? 0;
    if (a === 0) continue;
    if ((harvested[i] ?? 0) / a > share) from = null;
    else from ??= i;
  }
  return from === null ? null : from * windowMs;
}

export async function runSimulation(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const seed = options.seed ?? scenario.seed;
  const config: ConfigInput = options.kind === "gateway" ? scenario.gateway : baselineConfig(scenario);
  let clock = scenario.startsAtMs;
  const now = () => clock;

  const origin = createSimOrigin();
  let originCalls = 0;
  let decision: { event: DecisionEvent; verdict: Verdict } | null = null;
  const app = createGateway({
    config,
    keyHashSecret: SIM_KEY_HASH_SECRET,
    origin: {
      url: "https://origin.sim",
      fetch: (request) => {
        originCalls++;
        return origin.fetch(request);
      },
    },
    // The shared store: no eviction (Redis keeps every key until its TTL); expired entries are
    // dropped once a virtual minute (reads skip them anyway), not every virtual second.
    store: createMemoryStore({ now, maxEntries: Number.MAX_SAFE_INTEGER, sweepIntervalMs: 60_000 }),
    now,
    log: () => {},
    onDecision: (event, verdict) => void (decision = { event, verdict }),
  });

  /** Sends one request through the gateway as a client would (reading the answer to its end); what happened. */
  const send = async (request: Request, timeMs: number) => {
    clock = scenario.startsAtMs + timeMs;
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} };
    const callsBefore = originCalls;
    decision = null;
    const response = await app.fetch(request, {}, ctx as unknown as ExecutionContext);
    const received = await response.text(); // the client reads the answer to its end
    await Promise.all(pending);
    const d = decision as { event: DecisionEvent; verdict: Verdict } | null;
    const reached = originCalls > callsBefore && response.status < 400;
    const reason = d?.event.reason ?? d?.event.reasons[0] ?? `status.${response.status}`;
    return { reached, decision: d, reason, received };
  };

  const root = createRandom(seed);
  const traffic = scenario.segments.map(
    (s) => new SegmentTraffic(s, root.forked(`segment:${s.name}`), scenario.botManagement),
  );

  // The accounts' history first, in time order before the start: the store remembers it, the report does not.
  // Only for accounts that send during the scenario: the others' history could show only in counters whose window
  // reaches back across the start (with a day's window, a thirtieth of a 30-day history).
  const history: { timeMs: number; segment: number; account: number }[] = [];
  scenario.segments.forEach((s, segment) => {
    const active = historyAccounts(s) > 0 ? traffic[segment]!.activeAccounts() : new Set<number>();
    const r = root.forked(`history:${s.name}`);
    for (let account = 0; account < historyAccounts(s); account++)
      for (let k = 0; k < s.history!.requests; k++) {
        const timeMs = -1 - Math.floor(r.next() * s.history!.periodMs);
        if (active.has(account)) history.push({ timeMs, segment, account });
      }
  });
  history.sort((a, b) => a.timeMs - b.timeMs || a.segment - b.segment || a.account - b.account);
  for (const h of history) await send(traffic[h.segment]!.takeAt(h.account, h.timeMs).request, h.timeMs);
  const buckets = Math.ceil(scenario.durationMs / scenario.chartBucketMs);
  const windows = Math.ceil(scenario.durationMs / scenario.containment.windowMs);
  const tallies: Tally[] = scenario.segments.map((s) => ({
    result: {
      name: s.name,
      description: s.description,
      legitimate: s.legitimate,
      group: s.group,
      accounts: s.accounts,
      rate: s.rate,
      attempted: 0,
      harvested: 0,
      harvestedFlagged: 0,
      denied: 0,
      deniedByReason: {},
      flaggedByReason: {},
      firstRequestMs: null,
      containedAtMs: null,
      timeline: {
        attempted: new Array<number>(buckets).fill(0),
        harvested: new Array<number>(buckets).fill(0),
        flagged: new Array<number>(buckets).fill(0),
      },
      topTier: 0,
      preflights: { attempted: 0, denied: 0, deniedByReason: {} },
      value: { reasoningTokens: 0, outputTokens: 0, degraded: 0, challenged: 0 },
    },
    windowAttempted: new Array<number>(windows).fill(0),
    windowHarvested: new Array<number>(windows).fill(0),
  }));

  const progressEvery = options.progressEvery ?? 10_000;
  let requests = 0;
  for (;;) {
    // The segment whose next request comes first (ties: the earlier segment).
    let next = -1;
    for (let i = 0; i < traffic.length; i++)
      if (traffic[i]!.nextMs < (next < 0 ? Infinity : traffic[next]!.nextMs)) next = i;
    if (next < 0 || traffic[next]!.nextMs >= scenario.durationMs || requests >= scenario.maxRequests) break;
    const sent = traffic[next]!.take();
    // Whole milliseconds, as Date.now gives them (and runtimes whose Math.log differs in the last bit agree).
    const timeMs = Math.floor(sent.timeMs);
    const t = tallies[next]!;
    const r = t.result;
    let refused: string | null = null;
    if (sent.preflight) {
      const preflight = await send(sent.preflight, timeMs);
      r.preflights.attempted++;
      if (!preflight.reached) {
        r.preflights.denied++;
        add(r.preflights.deniedByReason, preflight.reason);
        refused = `preflight: ${preflight.reason}`;
        traffic[next]!.preflightRefused(sent.account);
      }
    }
    // A browser does not send its call when the preflight fails: the call is denied, for the preflight's reason.
    const {
      reached,
      decision: d,
      reason,
      received,
    } = refused ? { reached: false, decision: null, reason: refused, received: "" } : await send(sent.request, timeMs);
    requests++;

    if (isTopTier({ denied: !reached, verdict: d?.verdict ?? null })) r.topTier++;
    if (TRACE && options.kind === "gateway" && d) trace(r, timeMs, d.verdict);
    r.attempted++;
    r.firstRequestMs ??= timeMs;
    const bucket = Math.floor(timeMs / scenario.chartBucketMs);
    const window = Math.floor(timeMs / scenario.containment.windowMs);
    r.timeline.attempted[bucket]!++;
    t.windowAttempted[window]!++;
    const value = r.value!;
    if (d?.verdict.action === "degrade" && reached) value.degraded++;
    if (d?.verdict.action === "challenge" || d?.verdict.reasons.some((x) => x.code === "identity.challenge_passed"))
      value.challenged++;
    if (reached && origin.last) {
      // the answer's tokens as the client got them: its reasoning only when it arrived
      value.outputTokens += origin.last.outputTokens - origin.last.reasoningTokens;
      if (received.includes(REASONING_MARK)) value.reasoningTokens += origin.last.reasoningTokens;
    }
    if (reached) {
      r.harvested++;
      r.timeline.harvested[bucket]!++;
      t.windowHarvested[window]!++;
      if (d && d.verdict.action !== "allow") {
        r.harvestedFlagged++;
        r.timeline.flagged[bucket]!++;
        for (const reason of d.verdict.reasons) add(r.flaggedByReason, reason.code);
      }
    } else {
      r.denied++;
      add(r.deniedByReason, reason);
    }
    if (options.onProgress && requests % progressEvery === 0) await options.onProgress({ requests, virtualMs: timeMs });
  }

  for (const t of tallies) {
    const at = containedAt(
      t.windowAttempted,
      t.windowHarvested,
      scenario.containment.maxAllowedShare,
      scenario.containment.windowMs,
    );
    t.result.containedAtMs =
      at === null || t.result.firstRequestMs === null ? null : Math.max(at, t.result.firstRequestMs);
  }
  return {
    kind: options.kind,
    scenario: scenario.name,
    seed,
    config: options.kind === "baseline" ? "baseline" : scenario.gatewayName,
    durationMs: scenario.durationMs,
    chartBucketMs: scenario.chartBucketMs,
    containment: scenario.containment,
    requests,
    historyRequests: history.length,
    segments: tallies.map((t) => t.result),
  };
}
