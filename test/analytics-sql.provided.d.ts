// Values test/setup/analytics-sql.global.ts provides to the tests (read with inject()).
export {};
declare module "vitest" {
  export interface ProvidedContext {
    /** The fake Analytics Engine SQL API: `${base}/client/v4/accounts/<id>/analytics_engine/sql`, points at `${base}/__points/<id>`. */
    analyticsSql: { base: string; token: string };
  }
}
