// Query results as plain-text tables for the terminal (npm run report).
import type { SqlResult, SqlValue } from "../src/telemetry/sql-api.ts";

const cell = (v: SqlValue): string =>
  v === null ? "" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;

/** Columns padded to their widest cell, numbers aligned right, a rule under the header. */
export function formatTable(result: SqlResult): string {
  if (result.rows.length === 0) return "(no rows)";
  const names = result.meta.map((m) => m.name);
  const numeric = names.map((n) => result.rows.every((r) => r[n] === null || typeof r[n] === "number"));
  const cells = result.rows.map((r) => names.map((n) => cell(r[n] ?? null)));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(names), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
