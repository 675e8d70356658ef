// `npm run report`: runs the ready SQL queries (src/telemetry/queries/*.sql)
// against the Analytics Engine SQL API and prints each result as a table.
//
//   ANALYTICS_ACCOUNT_ID=… ANALYTICS_API_TOKEN=… npm run report
//   npm run report -- top-keys-by-denials top-clusters     only these queries
//   npm run report -- --list                               what there is
//   npm run report -- --json                               rows as JSON lines
//
// Environment: ANALYTICS_ACCOUNT_ID and ANALYTICS_API_TOKEN (an API token with
// Account Analytics: Read; CLOUDFLARE_ACCOUNT_ID / CLOUDFLARE_API_TOKEN are read
// when those are unset), ANALYTICS_DATASET (default distill_guard),
// ANALYTICS_SQL_URL (another endpoint, e.g. a proxy). Exits 1 when a query fails.

import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SqlApiError, runSql } from "../src/telemetry/sql-api.ts";
import { formatTable } from "./report-table.ts";

export const QUERY_DIR = fileURLToPath(new URL("../src/telemetry/queries/", import.meta.url));

export interface ReadyQuery {
  name: string;
  title: string;
  description: string;
  sql: string;
}

/** Every .sql file: its name, its first comment line as a title, the next comment lines as a description. */
export function loadQueries(dir = QUERY_DIR): ReadyQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}${file}`, "utf8");
      const comments = sql
        .split("\n")
        .filter((l) => l.startsWith("--"))
        .map((l) => l.replace(/^--\s?/, ""));
      return {
        name: file.replace(/\.sql$/, ""),
        title: comments[0] ?? file,
        description: comments.slice(1).join(" "),
        sql,
      };
    });
}

/** The queries name `distill_guard`, the dataset wrangler.toml writes; another dataset replaces it. */
export const forDataset = (sql: string, dataset: string) =>
  sql.replace(/\bFROM\s+distill_guard\b/gi, `FROM ${dataset}`);

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const names = argv.filter((a) => !a.startsWith("--"));
  const queries = loadQueries();
  if (flags.has("--list")) {
    for (const q of queries) console.log(`${q.name.padEnd(28)} ${q.title}`);
    return 0;
  }
  const unknown = names.filter((n) => !queries.some((q) => q.name === n));
  if (unknown.length) {
    console.error(`report: no query named ${unknown.join(", ")} (npm run report -- --list)`);
    return 2;
  }
  const accountId = env.ANALYTICS_ACCOUNT_ID || env.CLOUDFLARE_ACCOUNT_ID;
  const apiToken = env.ANALYTICS_API_TOKEN || env.CLOUDFLARE_API_TOKEN;
  if (!accountId || !apiToken) {
    console.error(
      "report: set ANALYTICS_ACCOUNT_ID and ANALYTICS_API_TOKEN (an API token with Account Analytics: Read)",
    );
    return 2;
  }
  const dataset = env.ANALYTICS_DATASET || "distill_guard";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(dataset)) {
    console.error(`report: ANALYTICS_DATASET is not a dataset name: ${JSON.stringify(dataset)}`);
    return 2;
  }
  let failed = 0;
  for (const q of queries.filter((q) => names.length === 0 || names.includes(q.name))) {
    try {
      const result = await runSql(forDataset(q.sql, dataset), {
        accountId,
        apiToken,
        url: env.ANALYTICS_SQL_URL || undefined,
      });
      if (flags.has("--json")) {
        for (const row of result.rows) console.log(JSON.stringify({ query: q.name, ...row }));
      } else {
        console.log(`\n== ${q.title}  [${q.name}]\n${formatTable(result)}`);
      }
    } catch (error) {
      failed++;
      console.error(
        `\n== ${q.title}  [${q.name}]\nfailed: ${error instanceof SqlApiError ? error.message : String(error)}`,
      );
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
