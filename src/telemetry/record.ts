import type { Verdict } from "../verdict/types.ts";
import { type AnalyticsDataset, toDataPoint } from "./analytics.ts";
import { createDenialLog } from "./denial-log.ts";
import type { DecisionEvent } from "./event.ts";

export interface TelemetryOptions {
  analytics?: AnalyticsDataset;
  log?: (line: string) => void;
  /** Repeats of a denial (one client, one reason) are counted for this long, then logged as one line. Default 60,000 ms. */
  denialLogIntervalMs?: number;
  now?: () => number;
  onDecision?: (event: DecisionEvent, verdict: Verdict) => void;
}

export interface Telemetry {
  record(event: DecisionEvent, verdict: Verdict): void;
}

/** Denials and would-be denials (shadow mode) are logged (repeats counted: denial-log.ts); every decision gets a data point. */
const worthALogLine = (e: DecisionEvent) => e.status >= 400 || e.action === "block" || e.action === "throttle";

/** The most of the body's `model` kept: the client writes it, and a 10 KB name must not become a 10 KB blob or log line. */
export const MAX_MODEL_CHARS = 64;

/** At most `max` UTF-16 units of `text`, never ending in half a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** The event as recorded: client-written fields bounded. */
const bounded = (e: DecisionEvent): DecisionEvent =>
  e.model !== null && e.model.length > MAX_MODEL_CHARS ? { ...e, model: clip(e.model, MAX_MODEL_CHARS) } : e;

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const denials = createDenialLog({
    log: options.log ?? ((line: string) => console.log(line)),
    now: options.now ?? Date.now,
    intervalMs: options.denialLogIntervalMs,
  });
  return {
    record(raw, verdict) {
      const event = bounded(raw);
      options.analytics?.writeDataPoint(toDataPoint(event));
      if (worthALogLine(event)) denials.add(event);
      options.onDecision?.(event, verdict);
    },
  };
}
