import { ACTIONS as ALL_ACTIONS, type Action, DENYING } from "../verdict/actions.ts";
import type { DecisionEvent } from "./event.ts";

/**
 * What the dashboard shows, over the last `minutes`: decisions per minute by
 * action, and the top reasons, countries, clusters and denied keys. Two
 * sources produce it: this module (recent decisions in the isolate, for local
 * runs) and the Analytics Engine SQL API (every isolate, in production).
 */
export interface Summary {
  minutes: number;
  /** One entry per minute that had decisions, oldest first; `minute` is its start (ISO 8601, UTC). */
  perMinute: Array<{ minute: string } & Record<Action, number>>;
  totals: Record<Action, number> & { decisions: number; denied: number; shadowDenied: number };
  /** The reason codes that decided (the data point's `reason`), most frequent first. */
  reasons: Array<{ reason: string; decisions: number }>;
  countries: Array<{ country: string; decisions: number; denied: number }>;
  /** Clusters over their limit, with the distinct keys seen in each. */
  clusters: Array<{ cluster: string; decisions: number; keys: number }>;
  /** Key hashes with the most denials. */
  keys: Array<{ key: string; denials: number }>;
}

/** A count of 0 for every action. */
export const zeroPerAction = (): Record<Action, number> =>
  Object.fromEntries(ALL_ACTIONS.map((a) => [a, 0])) as Record<Action, number>;

/** A summary's totals before any decision: a count per action, decisions, denied, and denied in shadow mode. */
export const emptyTotals = (): Summary["totals"] => ({ ...zeroPerAction(), decisions: 0, denied: 0, shadowDenied: 0 });

export const ACTIONS: readonly Action[] = ALL_ACTIONS;
const denied = (a: Action) => DENYING.has(a);
/** Top lists are this long. */
export const TOP = 10;

interface Slot {
  minute: number;
  actions: Record<Action, number>;
  shadowDenied: number;
  reasons: Map<string, number>;
  countries: Map<string, { decisions: number; denied: number }>;
  clusters: Map<string, { decisions: number; keys: Set<string> }>;
  /** Keys held in all of `clusters` together: bounded too (past it, distinct keys are undercounted). */
  clusterKeys: number;
  keys: Map<string, number>;
}

export interface DecisionWindow {
  add(event: DecisionEvent, nowMs: number): void;
  summary(minutes: number, nowMs: number): Summary;
}

export interface WindowOptions {
  /** Minutes kept. Default 60. */
  minutes?: number;
  /** Distinct values kept per list per minute; past it they count as "(other)". Default 500. */
  maxDistinct?: number;
}

const OTHER = "(other)";
const MINUTE = 60_000;

/**
 * A bounded window of recent decisions in this isolate, aggregated per minute
 * (never the events themselves): memory stays flat whatever the traffic. It
 * sees only the requests this isolate served; in production, with many
 * isolates, the Analytics Engine source tells the whole story.
 */
export function createDecisionWindow(options: WindowOptions = {}): DecisionWindow {
  const keep = options.minutes ?? 60;
  const maxDistinct = options.maxDistinct ?? 500;
  const slots: Slot[] = [];

  const bounded = <V>(map: Map<string, V>, key: string): string =>
    map.has(key) || map.size < maxDistinct ? key : OTHER;

  const slotFor = (minute: number): Slot => {
    let slot = slots[slots.length - 1];
    if (!slot || slot.minute !== minute) {
      slot = {
        minute,
        actions: zeroPerAction(),
        shadowDenied: 0,
        reasons: new Map(),
        countries: new Map(),
        clusters: new Map(),
        clusterKeys: 0,
        keys: new Map(),
      };
      slots.push(slot);
    }
    while (slots.length > 0 && slots[0]!.minute <= minute - keep) slots.shift();
    return slot;
  };

  return {
    add(e, nowMs) {
      const slot = slotFor(Math.floor(nowMs / MINUTE));
      slot.actions[e.action]++;
      const isDenied = denied(e.action);
      if (isDenied && !e.enforced) slot.shadowDenied++;
      const reason = e.reason;
      if (reason) {
        const k = bounded(slot.reasons, reason);
        slot.reasons.set(k, (slot.reasons.get(k) ?? 0) + 1);
      }
      const ck = bounded(slot.countries, e.country ?? "");
      const country = slot.countries.get(ck) ?? { decisions: 0, denied: 0 };
      country.decisions++;
      if (isDenied) country.denied++;
      slot.countries.set(ck, country);
      if (e.cluster) {
        const k = bounded(slot.clusters, e.cluster);
        const cluster = slot.clusters.get(k) ?? { decisions: 0, keys: new Set<string>() };
        cluster.decisions++;
        if (e.keyHash && !cluster.keys.has(e.keyHash) && slot.clusterKeys < maxDistinct * 4) {
          cluster.keys.add(e.keyHash);
          slot.clusterKeys++;
        }
        slot.clusters.set(k, cluster);
      }
      if (isDenied && e.keyHash) {
        const k = bounded(slot.keys, e.keyHash);
        slot.keys.set(k, (slot.keys.get(k) ?? 0) + 1);
      }
    },

    summary(minutes, nowMs) {
      const from = Math.floor(nowMs / MINUTE) - minutes + 1;
      const recent = slots.filter((s) => s.minute >= from);
      const totals = emptyTotals();
      const reasons = new Map<string, number>();
      const countries = new Map<string, { decisions: number; denied: number }>();
      const clusters = new Map<string, { decisions: number; keys: Set<string> }>();
      const keys = new Map<string, number>();
      for (const s of recent) {
        for (const a of ACTIONS) {
          totals[a] += s.actions[a];
          totals.decisions += s.actions[a];
          if (denied(a)) totals.denied += s.actions[a];
        }
        totals.shadowDenied += s.shadowDenied;
        for (const [k, n] of s.reasons) reasons.set(k, (reasons.get(k) ?? 0) + n);
        for (const [k, c] of s.countries) {
          const t = countries.get(k) ?? { decisions: 0, denied: 0 };
          countries.set(k, { decisions: t.decisions + c.decisions, denied: t.denied + c.denied });
        }
        for (const [k, c] of s.clusters) {
          const t = clusters.get(k) ?? { decisions: 0, keys: new Set<string>() };
          t.decisions += c.decisions;
          for (const key of c.keys) t.keys.add(key);
          clusters.set(k, t);
        }
        for (const [k, n] of s.keys) keys.set(k, (keys.get(k) ?? 0) + n);
      }
      return {
        minutes,
        perMinute: recent.map((s) => ({ minute: new Date(s.minute * MINUTE).toISOString(), ...s.actions })),
        totals,
        reasons: top(
          [...reasons].map(([reason, decisions]) => ({ reason, decisions })),
          (r) => r.decisions,
        ),
        countries: top(
          [...countries].map(([country, c]) => ({ country, ...c })),
          (c) => c.decisions,
        ),
        clusters: top(
          [...clusters].map(([cluster, c]) => ({ cluster, decisions: c.decisions, keys: c.keys.size })),
          (c) => c.decisions,
        ),
        keys: top(
          [...keys].map(([key, denials]) => ({ key, denials })),
          (k) => k.denials,
        ),
      };
    },
  };
}

/** The TOP largest by `size` (ties keep their order). */
function top<T>(items: T[], size: (t: T) => number): T[] {
  return items.sort((a, b) => size(b) - size(a)).slice(0, TOP);
}
