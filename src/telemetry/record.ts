import type { Verdict } from "../verdict/types";
import { toDataPoint, toLogLine } from "./analytics";
import type { DecisionEvent } from "./event";

export interface TelemetryOptions {
  analytics?: AnalyticsEngineDataset;
  log?: (line: string) => void;
  onDecision?: (event: DecisionEvent, verdict: Verdict) => void;
}

export interface Telemetry {
  record(event: DecisionEvent, verdict: Verdict): void;
}

/** Denials and would-be denials (shadow mode) get a log line; every decision gets a data point. */
const worthALogLine = (e: DecisionEvent) => e.status >= 400 || e.action === "block" || e.action === "throttle";

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    record(event, verdict) {
      options.analytics?.writeDataPoint(toDataPoint(event));
      if (worthALogLine(event)) log(toLogLine(event));
      options.onDecision?.(event, verdict);
    },
  };
}
