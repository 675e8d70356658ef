import { createGateway } from "./gateway.ts";
import { type Built, type WorkerEnv, buildGatewayFromEnv, workerHandler } from "./worker-env.ts";

export type { WorkerEnv } from "./worker-env.ts";

/**
 * The ready-made Worker with the admin API and dashboard (on with ADMIN_TOKEN): src/worker.ts plus the admin
 * code, about 16 KiB gzip more. Deployed in place of src/worker.ts, or beside it on the admin paths only, sharing
 * its store (docs/deploying.md).
 */

/** Reads the bindings (ADMIN_TOKEN and the ANALYTICS_* settings included) into a gateway, or into every problem. */
export const buildFromEnv = (env: WorkerEnv, options: { local?: boolean } = {}): Built =>
  buildGatewayFromEnv(env, createGateway, { ...options, admin: true });

export default workerHandler(buildFromEnv) satisfies ExportedHandler<Env & WorkerEnv>;
