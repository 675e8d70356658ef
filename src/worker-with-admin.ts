import { createGateway } from "./gateway.ts";
import type { GatewayOptions } from "./gateway-core.ts";
import { type Built, type WorkerEnv, buildGatewayFromEnv, workerHandler } from "./worker-env.ts";

export type { WorkerEnv } from "./worker-env.ts";

/**
 * The ready-made Worker with the admin API and dashboard (on with ADMIN_TOKEN): src/worker.ts plus the admin
 * code, about 16 KiB gzip more. Deployed in place of src/worker.ts, or beside it on the admin paths only, sharing
 * its store (docs/deploying.md).
 */

/** Reads the bindings (ADMIN_TOKEN and the ANALYTICS_* settings included) into a gateway, or into every problem. */
export const buildFromEnv = (env: WorkerEnv, options: { local?: boolean } = {}): Built =>
  buildGatewayFromEnv(env, createGateway, { ...options, admin: adminFromEnv });

export default workerHandler(buildFromEnv) satisfies ExportedHandler<Env & WorkerEnv>;

/** The admin API's settings from ADMIN_TOKEN and the ANALYTICS_* bindings; problems are added to the list. */
function adminFromEnv(env: WorkerEnv, problems: string[]): GatewayOptions["admin"] {
  const token = env.ADMIN_TOKEN;
  if (token === undefined || token === "") return undefined;
  if (token.length < 16)
    problems.push(
      "ADMIN_TOKEN: must be at least 16 characters (e.g. the output of: openssl rand -hex 32), or unset to turn the admin API off",
    );
  if (Boolean(env.ANALYTICS_ACCOUNT_ID) !== Boolean(env.ANALYTICS_API_TOKEN))
    problems.push("ANALYTICS_ACCOUNT_ID, ANALYTICS_API_TOKEN: set both or neither");
  const dataset = env.ANALYTICS_DATASET || "distill_guard";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(dataset))
    problems.push(`ANALYTICS_DATASET: must be a dataset name (got ${JSON.stringify(dataset)})`);
  const analytics =
    env.ANALYTICS_ACCOUNT_ID && env.ANALYTICS_API_TOKEN
      ? {
          accountId: env.ANALYTICS_ACCOUNT_ID,
          apiToken: env.ANALYTICS_API_TOKEN,
          dataset,
          url: env.ANALYTICS_SQL_URL || undefined,
        }
      : undefined;
  return { token, analytics };
}
