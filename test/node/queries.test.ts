// The ready SQL queries (src/telemetry/queries/*.sql), the dashboard's, and the
// docs' example, against the data point schema docs/telemetry.md documents: each
// parses, names only documented columns and known functions, and computes
// what it says over known points.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dashboardQueries } from "../../src/admin/dashboard-sql.ts";
import { type Point, SqlError, parse, run, validate } from "../setup/analytics-sql/engine.ts";
import { loadQueries } from "../../scripts/report.ts";
import { point, schema } from "./points.ts";

const NOW = Date.UTC(2026, 10, 22, 12, 30, 20);
const MIN = 60_000;
const stored = (p: ReturnType<typeof point>): Point => ({
  timestamp: p.timestamp ?? NOW,
  index: p.indexes[0] ?? "",
  blobs: p.blobs,
  doubles: p.doubles,
  sampleInterval: p.sampleInterval ?? 1,
});
const rows = (sql: string, points: ReturnType<typeof point>[]) => run(parse(sql), schema, points.map(stored), NOW).data;

const ready = loadQueries();
const telemetryDocs = readFileSync(new URL("../../docs/telemetry.md", import.meta.url), "utf8");

describe("the documented schema", () => {
  it("is read from docs/telemetry.md: 19 blobs, 7 doubles, dataset distill_guard", () => {
    expect(schema).toMatchObject({ dataset: "distill_guard", blobs: 19, doubles: 7 });
    expect(schema.fields.get("blob3")).toBe("reason");
    expect(schema.fields.get("double6")).toBe("enforced");
  });
});

describe("every ready query", () => {
  it("exists: the report has something to run", () => {
    expect(ready.map((q) => q.name)).toEqual([
      "decision-latency",
      "decisions-per-minute",
      "denials-by-reason-country",
      "shadow-would-be-denials",
      "top-clusters",
      "top-keys-by-denials",
      "top-networks-denied",
    ]);
    for (const q of ready) {
      expect(q.title.length).toBeGreaterThan(10);
      expect(q.description.length).toBeGreaterThan(10);
    }
  });

  it.each(ready.map((q) => [q.name, q.sql]))("%s parses and uses only documented columns", (_name, sql) => {
    const columns = validate(sql, schema);
    expect(columns.length).toBeGreaterThan(1);
    // counts are sample-weighted
    expect(sql).toMatch(/_sample_interval/);
  });

  it("the docs' example and the dashboard's queries do too", () => {
    const examples = [...telemetryDocs.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    for (const sql of examples) validate(sql, schema);
    for (const sql of Object.values(dashboardQueries("distill_guard", 60))) validate(sql, schema);
  });
});

describe("the checker refuses what the real API would", () => {
  it.each([
    ["an undocumented column", "SELECT blob20 FROM distill_guard", /Missing columns: 'blob20'/],
    ["a misspelt column", "SELECT SUM(_sample_intervals) FROM distill_guard", /Missing columns: '_sample_intervals'/],
    ["double20", "SELECT double20 FROM distill_guard", /Missing columns: 'double20'/],
    ["another table", "SELECT blob1 FROM requests", /Table requests doesn't exist/],
    ["an unknown function", "SELECT percentile(double3) FROM distill_guard", /Unknown function percentile/],
    [
      "an aggregate in WHERE",
      "SELECT blob1 FROM distill_guard WHERE SUM(double1) > 1",
      /Aggregate function found in WHERE/,
    ],
    [
      "an ungrouped column",
      "SELECT blob1, blob2, SUM(_sample_interval) FROM distill_guard GROUP BY blob1",
      /Column blob2 is not under aggregate function/,
    ],
    ["a syntax error", "SELECT blob1 FROM distill_guard WHERE", /Syntax error/],
    ["trailing text", "SELECT blob1 FROM distill_guard LIMIT 5 blob2", /Syntax error/],
  ])("%s", (_what, sql, message) => {
    expect(() => validate(sql, schema)).toThrow(SqlError);
    expect(() => validate(sql, schema)).toThrow(message);
  });
});

describe("the queries compute what they say", () => {
  const deny = {
    route: "messages",
    action: "block",
    reason: "geo.country_denied",
    mode: "enforce",
    enforced: 1,
    status: 451,
  };

  it("denials by reason and country: enforced denials of the last day, sample-weighted", () => {
    const q = ready.find((r) => r.name === "denials-by-reason-country")!.sql;
    const result = rows(q, [
      point({ ...deny, country: "IR" }, { sampleInterval: 10 }),
      point({ ...deny, country: "IR" }),
      point({ ...deny, country: "KP" }),
      point({ ...deny, country: "KP", action: "throttle", reason: "rate.key_exhausted", status: 429 }),
      point({ ...deny, country: "IR", mode: "shadow", enforced: 0 }), // shadow: not a denial
      point({ route: "messages", action: "allow", country: "IR", enforced: 1 }), // allowed
      point({ ...deny, country: "IR" }, { timestamp: NOW - 25 * 3600_000 }), // too old
    ]);
    expect(result).toEqual([
      { hour: "2026-11-22 12:00:00", reason: "geo.country_denied", country: "IR", denials: "11" },
      { hour: "2026-11-22 12:00:00", reason: "geo.country_denied", country: "KP", denials: "1" },
      { hour: "2026-11-22 12:00:00", reason: "rate.key_exhausted", country: "KP", denials: "1" },
    ]);
  });

  it("decisions per minute: one row per minute, one column per action", () => {
    const q = ready.find((r) => r.name === "decisions-per-minute")!.sql;
    const result = rows(q, [
      point({ action: "allow" }, { timestamp: NOW - 2 * MIN }),
      point({ action: "allow" }, { timestamp: NOW - 2 * MIN, sampleInterval: 4 }),
      point({ action: "block" }, { timestamp: NOW }),
      point({ action: "flag" }, { timestamp: NOW }),
    ]);
    expect(result).toEqual([
      { minute: "2026-11-22 12:28:00", allow: "5", flag: "0", throttle: "0", block: "0" },
      { minute: "2026-11-22 12:30:00", allow: "0", flag: "1", throttle: "0", block: "1" },
    ]);
  });

  it("top keys: denials, requests and countries per key hash; keys never denied left out", () => {
    const q = ready.find((r) => r.name === "top-keys-by-denials")!.sql;
    const a = "a".repeat(32);
    const b = "b".repeat(32);
    const result = rows(q, [
      point({ keyHash: a, action: "throttle", country: "DE" }),
      point({ keyHash: a, action: "block", country: "IR" }),
      point({ keyHash: a, action: "allow", country: "DE" }, { timestamp: NOW - MIN }),
      point({ keyHash: b, action: "allow", country: "DE" }),
    ]);
    expect(result).toEqual([{ key: a, denials: "2", requests: "3", countries: "2", last_seen: "2026-11-22 12:30:20" }]);
  });

  it("top clusters and shadow would-be denials", () => {
    const clusters = ready.find((r) => r.name === "top-clusters")!.sql;
    expect(
      rows(clusters, [
        point({ cluster: "shared-fingerprint", keyHash: "k1", country: "DE", asn: 64500, action: "throttle" }),
        point({ cluster: "shared-fingerprint", keyHash: "k2", country: "NL", asn: 64500, action: "allow" }),
        point({ cluster: "", keyHash: "k3", action: "block" }),
      ]),
    ).toEqual([
      { cluster: "shared-fingerprint", requests: "2", denied: "1", keys: "2", countries: "2", networks: "1" },
    ]);
    const shadow = ready.find((r) => r.name === "shadow-would-be-denials")!.sql;
    expect(
      rows(shadow, [
        point({ ...deny, mode: "shadow", enforced: 0, keyHash: "k1" }),
        point({ ...deny, mode: "shadow", enforced: 0, keyHash: "k2" }),
        point({ ...deny, mode: "enforce", enforced: 1 }),
      ]),
    ).toEqual([{ route: "messages", reason: "geo.country_denied", would_be_denials: "2", keys: "2", countries: "1" }]);
  });

  it("decision latency: weighted quantiles per route", () => {
    const q = ready.find((r) => r.name === "decision-latency")!.sql;
    const points = Array.from({ length: 100 }, (_, i) => point({ route: "messages", decisionMs: i + 1 }));
    expect(rows(q, points)).toEqual([
      { route: "messages", requests: "100", decision_p50_ms: 50, decision_p99_ms: 99, decision_max_ms: 100 },
    ]);
  });
});
