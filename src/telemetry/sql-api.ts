/**
 * A client for the Analytics Engine SQL API: POST the query text with a
 * Bearer token, read the `FORMAT JSON` answer. Used by `npm run report` (Node)
 * and by the dashboard (Workers), so it imports nothing.
 */
export interface SqlApiOptions {
  /** The Cloudflare account that owns the dataset. */
  accountId: string;
  /** An API token with Account Analytics: Read. */
  apiToken: string;
  /** The endpoint, when not Cloudflare's (a proxy, or a local fake in tests). */
  url?: string;
  /** Longest wait for one query. Default 10,000 ms. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlResult {
  meta: Array<{ name: string; type: string }>;
  rows: SqlRow[];
}

export class SqlApiError extends Error {
  /** The API's HTTP status; 0 when it could not be reached. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "SqlApiError";
    this.status = status;
  }
}

export function sqlEndpoint(options: Pick<SqlApiOptions, "accountId" | "url">): string {
  return (
    options.url ??
    `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(options.accountId)}/analytics_engine/sql`
  );
}

/** The statement as sent: whole-line `--` comments and a trailing `;` dropped, `FORMAT JSON` added when it names no format. */
export function prepareSql(sql: string): string {
  const body = sql
    .split("\n")
    .filter((line) => !/^\s*--/.test(line))
    .join("\n")
    .trim()
    .replace(/;\s*$/, "");
  return /\bFORMAT\s+\w+\s*$/i.test(body) ? body : `${body}\nFORMAT JSON`;
}

// ClickHouse's JSON output quotes 64-bit integers; these types are numbers.
const NUMERIC = /^(U?Int(8|16|32|64|128|256)|Float(32|64)|Decimal.*)$/;

/** Runs one query and returns its rows, numbers as numbers. Throws SqlApiError on any failure. */
export async function runSql(sql: string, options: SqlApiOptions): Promise<SqlResult> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(sqlEndpoint(options), {
      method: "POST",
      headers: { authorization: `Bearer ${options.apiToken}`, "content-type": "text/plain; charset=utf-8" },
      body: prepareSql(sql),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new SqlApiError(0, `the SQL API could not be reached: ${String(error).slice(0, 200)}`);
  }
  const text = await response.text();
  if (!response.ok)
    throw new SqlApiError(response.status, `the SQL API answered ${response.status}: ${text.slice(0, 500)}`);
  let parsed: { meta?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SqlApiError(response.status, `the SQL API answered something other than JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(parsed.meta) || !Array.isArray(parsed.data))
    throw new SqlApiError(response.status, "the SQL API answer has no meta and data");
  const meta = (parsed.meta as Array<{ name?: unknown; type?: unknown }>).map((m) => ({
    name: String(m.name),
    type: String(m.type),
  }));
  const numeric = new Set(
    meta.filter((m) => NUMERIC.test(m.type.replace(/^Nullable\((.*)\)$/, "$1"))).map((m) => m.name),
  );
  const rows = (parsed.data as Record<string, unknown>[]).map((row) => {
    const out: SqlRow = {};
    for (const { name } of meta) {
      const v = row[name];
      out[name] =
        v === null || v === undefined ? null : numeric.has(name) ? Number(v) : typeof v === "number" ? v : String(v);
    }
    return out;
  });
  return { meta, rows };
}
