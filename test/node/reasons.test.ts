import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REASONS, reasonSpec } from "../../src/verdict/reasons.ts";
import { sourceFiles } from "./import-graph.ts";

// The reason registry against what users read (docs/reasons.md, the README and docs/) and what the code writes.
const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, "utf8");
const CODE =
  /^(?:geo|network|identity|fingerprint|content|rate|cluster|spread|account|risk|block|store|request|route|origin|gateway)\.[a-z0-9_*]+$/;
// Names that look like codes and are not: config fields, `request.cf`, the stems of the signal and unproven budgets (their codes end in _exhausted).
const NOT_CODES = new Set([
  "origin.url",
  "origin.fetch",
  "store.prefix",
  "store.clock",
  "request.cf",
  "rate.signals",
  "rate.unproven",
  "geo.taint",
]);

/** The rows of docs/reasons.md's table: code → its cells. */
function docsRows(): Map<string, { check: string; status: string; retry: string }> {
  const rows = new Map<string, { check: string; status: string; retry: string }>();
  for (const line of read("docs/reasons.md").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const code = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
    if (code && CODE.test(code)) rows.set(code, { check: cells[2]!, status: cells[3]!, retry: cells[4]! });
  }
  return rows;
}

describe("the reason registry", () => {
  it("docs/reasons.md lists every code with its check, status and retry, and nothing else", () => {
    const rows = docsRows();
    expect([...rows.keys()].sort()).toEqual(Object.keys(REASONS).sort());
    for (const [code, spec] of Object.entries(REASONS)) {
      const row = rows.get(code)!;
      expect([code, row.check, row.retry], code).toEqual([code, spec.check, spec.retry ? "yes" : "no"]);
      const first = /^\d{3}/.exec(row.status)?.[0] ?? null;
      expect([code, first], code).toEqual([code, spec.status === null ? null : String(spec.status)]);
    }
  });

  it("every code the README and docs/ name is registered", () => {
    const docs = ["README.md", ...readdirSync(`${root}/docs`).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));
    const named = [
      ...docs
        .map(read)
        .join("\n")
        .matchAll(/`([a-z]+\.[a-z0-9_*]+)`/g),
    ]
      .map((m) => m[1]!)
      .filter((c) => CODE.test(c) && !NOT_CODES.has(c));
    expect(named.length).toBeGreaterThan(30);
    // families (`rate.*`, `geo.*`) stand for the codes they start
    const unknown = named.filter((c) =>
      c.endsWith(".*") ? !Object.keys(REASONS).some((k) => k.startsWith(c.slice(0, -1))) : !reasonSpec(c),
    );
    expect([...new Set(unknown)]).toEqual([]);
  });

  it("every reason code written as a string in src/ is registered", () => {
    const literals = sourceFiles(root).flatMap((file) =>
      [...read(file).matchAll(/"([a-z]+\.[a-z_]+)"/g)]
        .map((m) => m[1]!)
        .filter((c) => CODE.test(c) && !NOT_CODES.has(c)),
    );
    expect(literals.length).toBeGreaterThan(20);
    expect([...new Set(literals.filter((c) => !reasonSpec(c)))]).toEqual([]);
  });

  it("patterns stand for a rule's dimensions only", () => {
    expect(reasonSpec("rate.subnet_asn_exhausted")?.status).toBe(429);
    expect(reasonSpec("cluster.accounts_per_fingerprint_asn")?.check).toBe("cluster");
    expect(reasonSpec("rate.key exhausted")).toBeUndefined();
    expect(reasonSpec("geo.somewhere")).toBeUndefined();
  });
});
