import type { TallyResult } from "./types.ts";

/**
 * A tally (LimitStore.take's `tallies`): a share of a subject's requests over
 * time, each request weighing less as it ages (halved every half-life): an
 * exponentially weighted count of requests and of hits. Two numbers and a
 * time, so it fits one field of a store key; the store script keeps the same
 * arithmetic (script.ts).
 */

/** A tally untouched for this many half-lives is gone (what is left of it weighs 1/16 or less). */
export const TALLY_LIFE_HALF_LIVES = 4;

/** A stored tally: decayed hits and requests, as of `atMs`. */
export interface Tally extends TallyResult {
  atMs: number;
}

/** The tally after one more request at `nowMs` (the store script does the same: script.ts). */
export function addToTally(prev: Tally | null, hit: boolean, halfLifeMs: number, nowMs: number): Tally {
  const add = hit ? 1 : 0;
  if (prev === null || nowMs - prev.atMs >= TALLY_LIFE_HALF_LIVES * halfLifeMs)
    return { hits: add, requests: 1, atMs: nowMs };
  const keep = 2 ** (-Math.max(0, nowMs - prev.atMs) / halfLifeMs);
  return { hits: prev.hits * keep + add, requests: prev.requests * keep + 1, atMs: Math.max(nowMs, prev.atMs) };
}
