import type { ErrorFormat, Mode } from "./types";

/**
 * The configuration as users write it (TypeScript value, or JSON in
 * `GATEWAY_CONFIG`). Every field but `routes` is optional; the README's
 * configuration reference gives each default. Validated by parseConfig().
 */
export interface ConfigInput {
  /** Free-form label reported in health checks. */
  version?: string;
  routes: RouteInput[];
  /** Requests no route matches: answered 404 (default) or forwarded unchecked. */
  unmatched?: "forward" | "404";
  /** Error format outside any route, and the default for routes. Default "anthropic". */
  errors?: ErrorFormat;
  /** Default mode for routes. Default "enforce". */
  mode?: Mode;
  /** Default largest request body in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Default wait for the origin's response headers, in ms. Default 300000. */
  originTimeoutMs?: number;
  store?: { timeoutMs?: number; onError?: "open" | "closed" | "local"; prefix?: string };
}

export interface RouteInput {
  name: string;
  match: { path?: string; paths?: string[]; methods?: string[] };
  mode?: Mode;
  errors?: ErrorFormat;
  maxBodyBytes?: number;
  originTimeoutMs?: number;
}
