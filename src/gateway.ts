import type { Hono } from "hono/tiny";
import { mountAdmin } from "./admin/mount.ts";
import { type GatewayOptions, createGatewayCore } from "./gateway-core.ts";

export type { GatewayOptions } from "./gateway-core.ts";

/**
 * A ready gateway app: the guard in front of a streaming proxy to the origin, and with `options.admin` the admin
 * API and dashboard under the configuration's `admin.prefix`.
 * Mount it as it is (`export default createGateway(...)`) or inside a larger
 * Hono app (`app.route("/", createGateway(...))`).
 *
 * @param options.origin.url - the origin's base URL (required)
 * @param options.origin.apiKey - credential sent to the origin instead of the client's (default: the client's own)
 * @param options.origin.fetch - sends the origin requests, e.g. a service binding's fetch (default: the global fetch)
 * @param options.admin.token - turns the admin API and dashboard on (at least 16 characters)
 * @example
 * ```ts
 * const gateway = createGateway({ config, keyHashSecret, origin: { url: "https://api.example.com" } });
 * export default gateway;
 * ```
 */
export function createGateway(options: GatewayOptions): Hono {
  return createGatewayCore(options, mountAdmin);
}
