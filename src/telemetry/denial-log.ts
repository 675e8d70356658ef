import type { DecisionEvent } from "./event.ts";

export interface DenialLogOptions {
  /** Where lines go. */
  log: (line: string) => void;
  /** The clock in ms. */
  now: () => number;
  /** How long repeats of a denial (one client, one reason) are counted instead of logged. Default 60,000 ms. */
  intervalMs?: number;
  /** Most (client, reason) pairs counted at once; past it the oldest pair's count is written out early. Default 5,000. */
  maxPairs?: number;
}

export interface DenialLog {
  /** A denial or would-be denial: logged when it is the first of its pair in an interval, else counted. */
  add(event: DecisionEvent): void;
  /** Writes every pending count now (tests; an isolate about to end). */
  flush(): void;
}

interface Pair {
  client: string;
  reason: string;
  route: string;
  /** When the interval opened (its first denial, logged in full). */
  since: number;
  /** Denials after the first in this interval, not logged yet. */
  repeats: number;
  last: number;
}

/** A client as the log groups it: its key hash, else its fingerprint on its network (hashes only, never an address). */
const clientOf = (e: DecisionEvent) =>
  e.keyHash ? `key:${e.keyHash}` : `fingerprint:${e.fingerprint ?? "-"}@${e.asn ?? 0}`;

/**
 * Denial logging that costs a map lookup for a client already denied: the
 * first denial of a (client, reason) pair is one full JSON line; the repeats
 * within `intervalMs` are counted, and written as one `repeats` line when the
 * interval ends (on a later call, or when the pair must make room). A client
 * denied without pause thus costs one full line and one count line per
 * interval, whatever its rate. Memory is bounded by `maxPairs`; no count is
 * dropped, only written early. Analytics Engine still gets a point per decision.
 */
export function createDenialLog(options: DenialLogOptions): DenialLog {
  const intervalMs = options.intervalMs ?? 60_000;
  const maxPairs = options.maxPairs ?? 5_000;
  const { log, now } = options;
  // In the order the intervals opened: the oldest first, so expired pairs are found at the front.
  const pairs = new Map<string, Pair>();

  const close = (id: string, pair: Pair) => {
    pairs.delete(id);
    if (pair.repeats === 0) return;
    log(
      JSON.stringify({
        level: "warn",
        msg: "distill-guard repeated denials",
        client: pair.client,
        reason: pair.reason,
        route: pair.route,
        repeats: pair.repeats,
        since: new Date(pair.since).toISOString(),
        last: new Date(pair.last).toISOString(),
      }),
    );
  };
  const closeExpired = (at: number) => {
    for (const [id, pair] of pairs) {
      if (at - pair.since < intervalMs) break;
      close(id, pair);
    }
  };

  return {
    add(event) {
      const at = now();
      closeExpired(at);
      const client = clientOf(event);
      const reason = event.reason ?? event.action;
      const id = `${client}|${reason}`;
      const open = pairs.get(id);
      if (open) {
        open.repeats++;
        open.last = at;
        return;
      }
      if (pairs.size >= maxPairs) {
        const [oldest, pair] = pairs.entries().next().value!;
        close(oldest, pair);
      }
      pairs.set(id, { client, reason, route: event.route, since: at, repeats: 0, last: at });
      log(toLogLine(event));
    },
    flush() {
      for (const [id, pair] of pairs) close(id, pair);
    },
  };
}

/** One structured log line (JSON) for a denial or would-be denial. */
export function toLogLine(e: DecisionEvent): string {
  return JSON.stringify({ level: e.enforced ? "warn" : "info", msg: "distill-guard decision", ...e });
}
