import { Hono } from "hono/tiny";
import { loadConfig } from "./config/parse.ts";
import { type Guard, type GuardOptions, createGuard } from "./guard/guard.ts";
import type { SqlApiOptions } from "./telemetry/sql-api.ts";
import { formatIp } from "./identity/ip.ts";
import { degradeResponse } from "./proxy/degrade.ts";
import { type OriginFetch, forward } from "./proxy/forward.ts";
import { errorResponse } from "./verdict/respond.ts";

/** The guard's options (the configuration's `unmatched` decides unmatched requests here) and the origin's. */
export interface GatewayOptions extends Omit<GuardOptions, "unmatched"> {
  origin: {
    /** Where allowed traffic goes; the request's path and query are appended to it. */
    url: string;
    /** Replaces the client's key toward the origin, in the route's credential header, when set. */
    apiKey?: string;
    /**
     * Sends origin requests instead of the global `fetch`: a service binding
     * (`(request) => env.ORIGIN.fetch(request)`) or an in-process origin.
     * Requests are still addressed to `url` plus the client's path.
     */
    fetch?: OriginFetch;
  };
  /**
   * The admin API and dashboard under `config.admin.prefix` (createGateway mounts them; createGatewayCore only
   * with a `mountAdmin`); absent (or no token), they do not exist and their paths are like any other.
   */
  admin?: {
    /** ADMIN_TOKEN: at least 16 characters. */
    token: string;
    /** Read the dashboard's numbers from the Analytics Engine SQL API (every isolate); else from this isolate's recent decisions. */
    analytics?: SqlApiOptions & { dataset: string };
  };
}

/**
 * The admin API as the gateway mounts it (admin/mount.ts): built before the guard, so that it can see the
 * guard's decisions (`onDecision`: the isolate's decision window), then given the guard to act on.
 */
export type AdminMount = (options: GatewayOptions) => {
  onDecision?: GuardOptions["onDecision"];
  app: (guard: Guard) => Hono;
};

/**
 * createGateway() without the admin API's code: the guard in front of a streaming proxy to the origin. The
 * ready-made Worker (src/worker.ts) is built on it, so that its bundle holds no admin API or dashboard; given a
 * `mountAdmin`, it mounts them as createGateway() does (src/gateway.ts).
 */
export function createGatewayCore(options: GatewayOptions, mountAdmin?: AdminMount): Hono {
  const config = loadConfig(options.config);
  const origin = new URL(options.origin.url);
  if (origin.protocol !== "https:" && origin.protocol !== "http:") {
    throw new TypeError(`distill-guard: origin.url must be an http(s) URL (got ${options.origin.url})`);
  }
  // Holding the origin's credential, the gateway alone decides who reaches the origin: only registered keys may.
  if (options.origin.apiKey && !options.accounts) {
    throw new TypeError(
      "distill-guard: origin.apiKey needs a key registry (accounts): without one, any key would be served with the origin's credential",
    );
  }
  const app = new Hono();
  const admin = options.admin?.token ? mountAdmin?.(options) : undefined;
  const onDecision = admin?.onDecision ?? options.onDecision;
  // an unmatched request goes on to the origin ("forward") or is answered 404, as the configuration says
  const guard = createGuard({ ...options, config, onDecision, unmatched: config.unmatched });
  // Before the guard: admin paths are answered here and never reach a route.
  if (admin) app.route(config.admin.prefix, admin.app(guard));
  app.use("*", guard.middleware);
  app.all("*", async (c) => {
    const state = c.get("guard");
    // a degraded request goes with its rewritten body, and asks for an answer the gateway can read
    const degrade = state.degrade?.enforced ? state.degrade : null;
    const headers = degrade?.answer ? { ...state.originHeaders, "accept-encoding": "identity" } : state.originHeaders;
    const result = await forward(c.req.raw, {
      originUrl: options.origin.url,
      path: state.path,
      credential: state.credential,
      // a preflight asks the origin's CORS policy; it is no call to authenticate
      originApiKey: state.preflight ? undefined : options.origin.apiKey,
      fetch: options.origin.fetch,
      timeoutMs: state.route?.originTimeoutMs ?? config.originTimeoutMs,
      headers: state.subject.ip ? { ...headers, "x-forwarded-for": formatIp(state.subject.ip) } : headers,
      // the bytes the guard read (or their degraded form), else the request's own stream, unread
      body: state.preflight ? null : (degrade?.body ?? state.body?.bytes),
      signal: c.req.raw.signal,
    });
    if (!result.ok) {
      state.originError = result.code;
      return errorResponse(state.route?.errors ?? config.errors, {
        status: result.status,
        code: result.code,
        requestId: state.requestId,
      });
    }
    state.originMs = result.originMs;
    return degrade?.answer ? degradeResponse(result.response, degrade.answer) : result.response;
  });
  return app;
}
