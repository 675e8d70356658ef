/**
 * The report's chart: one panel per campaign (and one for the legitimate
 * population), requests per time bucket through the gateway, split into
 * those that reached the origin and those it denied, with the baseline's
 * harvest of the same traffic as a dashed line. Hand-written SVG, no
 * dependencies; a pure function of the two runs.
 */
import type { RunResult } from "./types.ts";

const WIDTH = 960;
const LEFT = 64;
const RIGHT = 16;
const PANEL = 150;
const PLOT = 96;
const TOP = 56;
const COLORS = {
  allowed: "#2f9e44",
  flagged: "#8ce99a",
  denied: "#e03131",
  baseline: "#212529",
  axis: "#868e96",
  text: "#212529",
};

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const int = (n: number) => n.toLocaleString("en-US");

interface Series {
  title: string;
  attempted: number[];
  harvested: number[];
  flagged: number[];
  baseline: number[];
}

/** "0", "15m", "1h", "1h30m": axis labels. */
function clock(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 60) return m === 0 ? "0" : `${m}m`;
  return m % 60 === 0 ? `${m / 60}h` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** A tick step of whole minutes giving 4 to 8 ticks. */
function tickStep(totalMs: number): number {
  for (const m of [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440])
    if (totalMs / (m * 60_000) <= 8) return m * 60_000;
  return 1440 * 60_000;
}

const plural = (n: number, one: string, many: string) => `${int(n)} ${n === 1 ? one : many}`;

/** A round axis maximum at or above `n`: 1, 2, 5 × 10^k. */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function panel(s: Series, top: number, bucketMs: number): string {
  const n = s.attempted.length;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const bar = plotWidth / n;
  const max = niceMax(Math.max(1, ...s.attempted, ...s.baseline));
  const y = (v: number) => top + 28 + PLOT - (v / max) * PLOT;
  const out: string[] = [
    `<text x="${LEFT}" y="${top + 16}" font-size="13" font-weight="600" fill="${COLORS.text}">${escapeXml(s.title)}</text>`,
  ];
  for (let i = 0; i < n; i++) {
    const a = s.attempted[i]!;
    const h = s.harvested[i]!;
    const f = s.flagged[i]!;
    const x = (LEFT + i * bar + 0.5).toFixed(1);
    const w = Math.max(0.5, bar - 1).toFixed(1);
    const rect = (from: number, to: number, color: string) =>
      to > from
        ? out.push(
            `<rect x="${x}" y="${y(to).toFixed(1)}" width="${w}" height="${(y(from) - y(to)).toFixed(1)}" fill="${color}"/>`,
          )
        : 0;
    rect(0, h - f, COLORS.allowed);
    rect(h - f, h, COLORS.flagged);
    rect(h, a, COLORS.denied);
  }
  // The baseline's harvest as a step line.
  const points: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = y(s.baseline[i]!).toFixed(1);
    points.push(`${(LEFT + i * bar).toFixed(1)},${v}`, `${(LEFT + (i + 1) * bar).toFixed(1)},${v}`);
  }
  out.push(
    `<polyline points="${points.join(" ")}" fill="none" stroke="${COLORS.baseline}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
  );
  // Axes: y at 0 and max, x every quarter of the run.
  out.push(
    `<line x1="${LEFT}" y1="${y(0)}" x2="${WIDTH - RIGHT}" y2="${y(0)}" stroke="${COLORS.axis}"/>`,
    `<text x="${LEFT - 6}" y="${y(max) + 4}" font-size="11" text-anchor="end" fill="${COLORS.axis}">${int(max)}</text>`,
    `<text x="${LEFT - 6}" y="${y(0) + 4}" font-size="11" text-anchor="end" fill="${COLORS.axis}">0</text>`,
  );
  const total = n * bucketMs;
  const step = tickStep(total);
  for (let t = 0; t <= total; t += step) {
    out.push(
      `<text x="${(LEFT + (t / total) * plotWidth).toFixed(1)}" y="${y(0) + 15}" font-size="11" text-anchor="middle" fill="${COLORS.axis}">${clock(t)}</text>`,
    );
  }
  return out.join("\n");
}

export function renderChart(gateway: RunResult, baseline: RunResult): string {
  const base = new Map(baseline.segments.map((s) => [s.name, s]));
  const per = `per ${clock(gateway.chartBucketMs).replace(/^(\d+)m$/, "$1 min")}`;
  const series: Series[] = gateway.segments
    .filter((s) => !s.legitimate)
    .map((s) => ({
      title: `${s.name}: ${plural(s.accounts, "key", "keys")} at ${s.rate} each. Reached the origin: ${int(s.harvested)} of ${int(s.attempted)}${s.harvestedFlagged ? ` (${int(s.harvestedFlagged)} flagged)` : ""}; baseline ${int(base.get(s.name)!.harvested)}`,
      attempted: s.timeline.attempted,
      harvested: s.timeline.harvested,
      flagged: s.timeline.flagged,
      baseline: base.get(s.name)!.timeline.harvested,
    }));
  const legit = gateway.segments.filter((s) => s.legitimate);
  if (legit.length > 0) {
    const sum = (pick: (name: string) => number[]) =>
      legit[0]!.timeline.attempted.map((_, i) => legit.reduce((n, s) => n + pick(s.name)[i]!, 0));
    const byName = new Map(gateway.segments.map((s) => [s.name, s]));
    const attempted = sum((n) => byName.get(n)!.timeline.attempted);
    const harvested = sum((n) => byName.get(n)!.timeline.harvested);
    const flagged = sum((n) => byName.get(n)!.timeline.flagged);
    const total = attempted.reduce((a, b) => a + b, 0);
    const allowed = harvested.reduce((a, b) => a + b, 0);
    const flaggedTotal = flagged.reduce((a, b) => a + b, 0);
    series.push({
      title: `legitimate population: ${int(legit.reduce((n, s) => n + s.accounts, 0))} keys. Served: ${int(allowed)} of ${int(total)}${flaggedTotal ? ` (${int(flaggedTotal)} flagged)` : ""}`,
      attempted,
      harvested,
      flagged,
      baseline: sum((n) => base.get(n)!.timeline.harvested),
    });
  }
  const height = TOP + series.length * PANEL + 8;
  const legend = [
    `<rect x="${LEFT}" y="32" width="12" height="12" fill="${COLORS.allowed}"/><text x="${LEFT + 18}" y="42" font-size="12" fill="${COLORS.text}">reached the origin</text>`,
    `<rect x="${LEFT + 140}" y="32" width="12" height="12" fill="${COLORS.flagged}"/><text x="${LEFT + 158}" y="42" font-size="12" fill="${COLORS.text}">reached it, flagged</text>`,
    `<rect x="${LEFT + 290}" y="32" width="12" height="12" fill="${COLORS.denied}"/><text x="${LEFT + 308}" y="42" font-size="12" fill="${COLORS.text}">denied by the gateway</text>`,
    `<line x1="${LEFT + 462}" y1="38" x2="${LEFT + 490}" y2="38" stroke="${COLORS.baseline}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${LEFT + 496}" y="42" font-size="12" fill="${COLORS.text}">reached the origin through the baseline (per-key bucket only)</text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="700" fill="${COLORS.text}">${escapeXml(`Scenario ${gateway.scenario} (seed ${gateway.seed}), gateway ${gateway.config}: requests ${per}, virtual time`)}</text>`,
    ...legend,
    ...series.map((s, i) => panel(s, TOP + i * PANEL, gateway.chartBucketMs)),
    "</svg>",
    "",
  ].join("\n");
}
