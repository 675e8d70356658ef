/**
 * Seeded randomness for the simulator: the same seed gives the same traffic,
 * byte for byte. sfc32 (small, fast, passes PractRand far beyond what a
 * simulation draws), seeded through a string hash so every segment can take
 * a stream of its own (`forked("farm")`): adding a segment to a scenario does
 * not change the traffic of the others.
 */
import { fmix32 } from "../../src/request/template.ts";

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** An element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A key of `weights` with probability proportional to its weight (weights > 0). */
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T;
  /** Exponentially distributed with the given mean (waiting times of a Poisson process). */
  exponential(mean: number): number;
  /** Log-normally distributed around `median`, `spread` the multiplicative standard deviation (≥ 1). */
  logNormal(median: number, spread: number): number;
  /** A new independent stream, named: the same name gives the same stream. */
  forked(name: string): Random;
}

/** 32-bit FNV-1a, then a murmur finaliser: a well-mixed seed from any string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export function createRandom(seed: number | string): Random {
  const root = String(seed);
  let a = hashString(`a:${root}`);
  let b = hashString(`b:${root}`);
  let c = hashString(`c:${root}`);
  let d = 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed in

  const random: Random = {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted(weights) {
      const entries = Object.entries(weights) as [never, number][];
      let total = 0;
      for (const [, w] of entries) total += w;
      let x = next() * total;
      for (const [key, w] of entries) {
        x -= w;
        if (x < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    logNormal(median, spread) {
      // Box-Muller: one standard normal from two uniforms.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(z * Math.log(Math.max(1, spread)));
    },
    forked: (name) => createRandom(`${root}/${name}`),
  };
  return random;
}
