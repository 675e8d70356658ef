/**
 * A stand-in for the Analytics Engine SQL API: POST a query to
 * `/client/v4/accounts/<account>/analytics_engine/sql` with `Authorization:
 * Bearer <token>`; it is checked against the documented schema and run over
 * the points stored for that account (engine.ts). A malformed or off-schema
 * query gets a 400 with the reason, as from the real API.
 *
 * Test controls (no auth): POST `/__points/<account>` stores data points
 * (`{ blobs, doubles, indexes?, timestamp? (ms, default now), sampleInterval? (default 1) }`,
 * one or an array); GET `/__queries/<account>` lists the queries received.
 * Accounts keep concurrent tests apart.
 */
import { type Server, createServer } from "node:http";
import { type Point, type Schema, SqlError, parse, run } from "./engine.ts";

export interface SqlServer {
  base: string;
  token: string;
  /** The SQL endpoint for one account. */
  endpoint(account: string): string;
  close(): Promise<void>;
}

export async function startSqlServer(schema: Schema, token = "sql-api-test-token"): Promise<SqlServer> {
  const accounts = new Map<string, { points: Point[]; queries: string[] }>();
  const account = (id: string) => {
    let a = accounts.get(id);
    if (!a) accounts.set(id, (a = { points: [], queries: [] }));
    return a;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const send = (status: number, payload: unknown, type = "application/json") => {
        const text = typeof payload === "string" ? payload : JSON.stringify(payload);
        res.writeHead(status, { "content-type": type });
        res.end(text);
      };
      const url = new URL(req.url ?? "/", "http://fake");
      const points = /^\/__points\/([\w-]+)$/.exec(url.pathname);
      if (points && req.method === "POST") {
        const list = ([] as unknown[]).concat(JSON.parse(body)) as Array<{
          blobs?: string[];
          doubles?: number[];
          indexes?: string[];
          timestamp?: number;
          sampleInterval?: number;
        }>;
        for (const p of list) {
          account(points[1]!).points.push({
            timestamp: p.timestamp ?? Date.now(),
            index: p.indexes?.[0] ?? "",
            blobs: (p.blobs ?? []).map(String),
            doubles: (p.doubles ?? []).map(Number),
            sampleInterval: p.sampleInterval ?? 1,
          });
        }
        return send(200, { stored: list.length });
      }
      const queries = /^\/__queries\/([\w-]+)$/.exec(url.pathname);
      if (queries && req.method === "GET") return send(200, account(queries[1]!).queries);

      const sql = /^\/client\/v4\/accounts\/([\w-]+)\/analytics_engine\/sql$/.exec(url.pathname);
      if (!sql || req.method !== "POST")
        return send(404, { success: false, errors: [{ code: 7003, message: "No route for that URI" }] });
      if (req.headers.authorization !== `Bearer ${token}`)
        return send(401, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
      const a = account(sql[1]!);
      a.queries.push(body);
      try {
        const q = parse(body);
        return send(200, run(q, schema, a.points, Date.now()));
      } catch (error) {
        if (error instanceof SqlError) return send(400, `Error: ${error.message}`, "text/plain");
        return send(500, `Error: ${String(error)}`, "text/plain");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    base,
    token,
    endpoint: (id) => `${base}/client/v4/accounts/${id}/analytics_engine/sql`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
