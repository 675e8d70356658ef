import { createGatewayCore } from "./gateway-core.ts";
import { type Built, type WorkerEnv, buildGatewayFromEnv, workerHandler } from "./worker-env.ts";

export type { WorkerEnv } from "./worker-env.ts";

/**
 * The ready-made Worker: the gateway alone, without the admin API and dashboard, so that what every request
 * loads is the request path (docs/performance.md, the Worker's size). src/worker-with-admin.ts is the same
 * Worker with them (docs/deploying.md).
 */

/**
 * Reads the bindings into a gateway, or into the list of every problem with them. `options.local`: running under
 * `wrangler dev`, so a missing secret is explained as a line of .dev.vars, not as `wrangler secret put`.
 */
export const buildFromEnv = (env: WorkerEnv, options: { local?: boolean } = {}): Built =>
  buildGatewayFromEnv(env, createGatewayCore, options);

/** ADMIN_TOKEN on this Worker turns nothing on: said once per isolate, in the logs. */
const adminWarnings = (env: WorkerEnv): string[] =>
  env.ADMIN_TOKEN
    ? [
        "ADMIN_TOKEN is set, but this Worker (src/worker.ts) has no admin API or dashboard: deploy " +
          "src/worker-with-admin.ts for them (docs/deploying.md)",
      ]
    : [];

export default workerHandler(buildFromEnv, adminWarnings) satisfies ExportedHandler<Env & WorkerEnv>;
