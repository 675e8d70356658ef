/// <reference path="../analytics-sql.provided.d.ts" />
/**
 * Global setup: the fake Analytics Engine SQL API (test/setup/analytics-sql/),
 * checking queries against the schema docs/telemetry.md documents. Provides `analyticsSql`.
 */
import type { TestProject } from "vitest/node";
import { documentedSchema } from "./analytics-sql/schema.ts";
import { startSqlServer } from "./analytics-sql/server.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startSqlServer(documentedSchema());
  project.provide("analyticsSql", { base: server.base, token: server.token });
  return () => server.close();
}
