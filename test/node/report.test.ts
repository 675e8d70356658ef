// `npm run report` end to end: the script against the fake Analytics Engine SQL
// API, which checks every query against the schema docs/telemetry.md documents and runs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqlServer, startSqlServer } from "../setup/analytics-sql/server.ts";
import { point, schema, store } from "./points.ts";
import { runScript } from "./run-script.ts";

let server: SqlServer;

beforeAll(async () => {
  server = await startSqlServer(schema);
});
afterAll(() => server.close());

const report = (args: string[], env: Record<string, string>) => runScript("report.ts", args, env);

const env = (account: string, extra: Record<string, string> = {}) => ({
  ANALYTICS_ACCOUNT_ID: account,
  ANALYTICS_API_TOKEN: server.token,
  ANALYTICS_SQL_URL: server.endpoint(account),
  ...extra,
});

describe("npm run report", () => {
  it("runs every ready query and prints each as a table", async () => {
    const key = "0123456789abcdef0123456789abcdef";
    await store(server.base, "acct-report", [
      point(
        {
          route: "messages",
          action: "block",
          reason: "geo.country_denied",
          country: "IR",
          enforced: 1,
          mode: "enforce",
          keyHash: key,
          asn: 64500,
        },
        { sampleInterval: 3 },
      ),
      point({
        route: "messages",
        action: "throttle",
        reason: "rate.key_exhausted",
        country: "DE",
        enforced: 1,
        mode: "enforce",
        keyHash: key,
        asn: 3320,
      }),
      point({
        route: "messages",
        action: "allow",
        country: "DE",
        enforced: 1,
        mode: "enforce",
        keyHash: key,
        decisionMs: 2,
      }),
    ]);
    const r = await report([], env("acct-report"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const title of [
      "Decisions per minute by action",
      "Denials by reason and country",
      "API keys with the most denials",
      "Networks (ASNs)",
    ]) {
      expect(r.stdout).toContain(`== ${title}`);
    }
    const lines = r.stdout.split("\n");
    // the denials table: header, rule, one row per reason and country, numbers right-aligned
    const header = lines.findIndex((l) => /^hour\s+reason\s+country\s+denials$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^-+ {2}-+ {2}-+ {2}-+$/);
    expect(lines[header + 2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00 {2}geo\.country_denied {2}IR +3$/);
    expect(lines[header + 3]).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00 {2}rate\.key_exhausted {2}DE +1$/);
    expect(lines[header + 2]!.length).toBe(lines[header]!.length); // numbers end where their column does
    expect(r.stdout).toMatch(new RegExp(`${key}\\s+4\\s+5\\s+2\\s`)); // 4 denials (3 + 1) of 5 requests, 2 countries
    expect(r.stdout).toContain("(no rows)"); // no clusters, no shadow routes

    const received = (await (await fetch(`${server.base}/__queries/acct-report`)).json()) as string[];
    expect(received).toHaveLength(7);
    for (const sql of received) {
      expect(sql).toMatch(/\nFORMAT JSON$/);
      expect(sql).not.toMatch(/^--/m); // comments stay home
    }
  });

  it("runs only the queries named, and prints JSON lines with --json", async () => {
    await store(server.base, "acct-json", [point({ action: "block", keyHash: "k".repeat(32), country: "KP" })]);
    const r = await report(["top-keys-by-denials", "--json"], env("acct-json"));
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        query: "top-keys-by-denials",
        key: "k".repeat(32),
        denials: 1,
        requests: 1,
        countries: 1,
        last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      },
    ]);
  });

  it("fails with the API's message and exit code 1: a wrong token, a dataset the API does not have", async () => {
    const wrong = await report(["top-clusters"], { ...env("acct-x"), ANALYTICS_API_TOKEN: "not-the-token" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("failed: the SQL API answered 401");
    const dataset = await report(["top-clusters"], env("acct-x", { ANALYTICS_DATASET: "guard_eu" }));
    expect(dataset.code).toBe(1);
    expect(dataset.stderr).toContain("Table guard_eu doesn't exist");
  });

  it("says what it needs, and what there is", async () => {
    const bare = await report([], {});
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("set ANALYTICS_ACCOUNT_ID and ANALYTICS_API_TOKEN");
    const list = await report(["--list"], {});
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("top-keys-by-denials");
    expect((await report(["no-such-query"], env("acct-x"))).code).toBe(2);
  });
});
