import type { ExecutionContext, Hono } from "hono";
import { type AccountStore, createMemoryAccounts, createRedisAccounts } from "./limits/accounts.ts";
import { createMemoryStore } from "./limits/memory-store.ts";
import { createRestRedis } from "./limits/rest-redis.ts";
import { createUpstashStore } from "./limits/upstash-store.ts";
import type { LimitStore } from "./limits/types.ts";
import { type ConfigInput, parseConfig } from "./config/parse.ts";
import { NAMED_CONFIGS } from "./config/recommended.ts";
import type { GatewayOptions } from "./gateway-core.ts";
import { errorResponse } from "./verdict/respond.ts";
import type { AnalyticsDataset } from "./telemetry/analytics.ts";

/**
 * The ready-made Worker's bindings and secrets (docs/deploying.md). The Worker is checked against the bindings
 * wrangler.toml declares (worker-configuration.d.ts); this type is the package's own, usable without those.
 */
export interface WorkerEnv {
  /** Where allowed traffic goes. */
  ORIGIN_URL?: string;
  /** The configuration: a JSON object ([vars] table), a JSON string, or the name of a shipped one ("recommended"). */
  GATEWAY_CONFIG?: string | ConfigInput;
  /** HMAC key for API keys (secret). */
  KEY_HASH_SECRET?: string;
  /** Replaces the client's credential toward the origin (secret, optional). */
  ORIGIN_API_KEY?: string;
  /** The shared store (secrets); absent: in-memory store, with a warning. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Analytics Engine dataset. */
  ANALYTICS?: AnalyticsDataset;
  /** Turns the admin API and dashboard on (secret, at least 16 characters). */
  ADMIN_TOKEN?: string;
  /** The dashboard reads every isolate's decisions from the Analytics Engine SQL API with these (var and secret); absent: this isolate's. */
  ANALYTICS_ACCOUNT_ID?: string;
  ANALYTICS_API_TOKEN?: string;
  /** The dataset the dashboard queries. Default "distill_guard" (wrangler.toml). */
  ANALYTICS_DATASET?: string;
  /** Another SQL API endpoint (a proxy). */
  ANALYTICS_SQL_URL?: string;
}

const namedConfigs = `the name of a shipped configuration (${Object.keys(NAMED_CONFIGS)
  .map((n) => JSON.stringify(n))
  .join(", ")})`;

export type Built = { ok: true; app: Hono } | { ok: false; problems: string[] };

// Built once per isolate (per env object), never per request.
const built = new WeakMap<object, Built>();

/** Builds the gateway app: createGateway (the admin API included) or createGatewayCore (without it). */
export type GatewayFactory = (options: GatewayOptions) => Hono;

export interface BuildOptions {
  /** Running under `wrangler dev`: a missing secret is explained as a line of .dev.vars, not as `wrangler secret put`. */
  local?: boolean;
  /**
   * Reads the admin API's settings (ADMIN_TOKEN, ANALYTICS_*) into the gateway's `admin`, adding any problem to the
   * list: src/worker-with-admin.ts's. Without it (src/worker.ts) they are not read, nor is the code reading them
   * bundled.
   */
  admin?: (env: WorkerEnv, problems: string[]) => GatewayOptions["admin"];
}

/** Reads the bindings into a gateway made by `create`, or into the list of every problem with them. */
export function buildGatewayFromEnv(env: WorkerEnv, create: GatewayFactory, options: BuildOptions = {}): Built {
  const problems: string[] = [];
  let origin: string | undefined;
  try {
    const url = new URL(env.ORIGIN_URL ?? "");
    if (url.protocol === "http:" || url.protocol === "https:") origin = env.ORIGIN_URL;
  } catch {}
  if (!origin) problems.push(`ORIGIN_URL: must be an http(s) URL (got ${JSON.stringify(env.ORIGIN_URL ?? null)})`);
  const secret = env.KEY_HASH_SECRET;
  if (typeof secret !== "string" || secret.length < 16) {
    problems.push(
      `KEY_HASH_SECRET: must be set to a secret of at least 16 characters (${setSecret("KEY_HASH_SECRET", options)})`,
    );
  }
  if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
    problems.push("UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN: set both or neither");
  }
  const admin = options.admin?.(env, problems);
  let raw: unknown = env.GATEWAY_CONFIG;
  if (raw === undefined) problems.push(`GATEWAY_CONFIG: is required (a JSON object, or ${namedConfigs})`);
  if (typeof raw === "string" && Object.hasOwn(NAMED_CONFIGS, raw)) raw = NAMED_CONFIGS[raw];
  else if (typeof raw === "string" && !/^\s*[{[]/.test(raw)) {
    problems.push(`GATEWAY_CONFIG: must be a JSON object or ${namedConfigs} (got ${JSON.stringify(raw)})`);
    raw = undefined;
  } else if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch (error) {
      problems.push(`GATEWAY_CONFIG: is not valid JSON (${(error as Error).message})`);
      raw = undefined;
    }
  }
  const parsed = raw === undefined ? null : parseConfig(raw);
  if (parsed && !parsed.ok) problems.push(...parsed.problems.map((p) => `GATEWAY_CONFIG.${p}`));
  if (problems.length || !parsed?.ok || !origin || !secret) return { ok: false, problems };
  const app = create({
    config: parsed.config,
    keyHashSecret: secret,
    origin: { url: origin, apiKey: env.ORIGIN_API_KEY || undefined },
    analytics: env.ANALYTICS,
    ...storesFor(env, parsed.config.store.clock, parsed.config.store.prefix),
    admin,
  });
  return { ok: true, app };
}

/**
 * The shared Upstash store when its secrets are set; else an in-memory store per isolate, loudly. With
 * ORIGIN_API_KEY, the key registry too (in the same Redis, or in memory): only registered keys are served.
 */
function storesFor(
  env: WorkerEnv,
  clock: "redis" | "worker",
  prefix: string,
): { store: LimitStore; accounts?: AccountStore } {
  const redis =
    env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
      ? // One command per request, no pipelining, no retries: the route's store timeout bounds the wait.
        createRestRedis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN })
      : null;
  if (!redis) {
    console.warn(
      "distill-guard: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: limits use an in-memory store " +
        "in each isolate (fine for wrangler dev, wrong for production: every isolate counts on its own)",
    );
  }
  const store = redis ? createUpstashStore(redis, { clock }) : createMemoryStore();
  if (!env.ORIGIN_API_KEY) return { store };
  return { store, accounts: redis ? createRedisAccounts(redis, { prefix }) : createMemoryAccounts() };
}

/** How a secret is set: a line of .dev.vars under `wrangler dev`, `wrangler secret put` for a deployed Worker. */
const setSecret = (name: string, options: { local?: boolean }) =>
  options.local ? `add a line ${name}=<value> to .dev.vars and restart npm run dev` : `wrangler secret put ${name}`;

/** A request to a loopback host: only `wrangler dev` gets those (a deployed Worker is reached by its hostname). */
const isLocal = (request: Request) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(new URL(request.url).hostname);

/**
 * The Worker's fetch handler: the gateway built from the bindings once per isolate (per env object), or 503 with
 * every problem in the logs. `warnings` come from the bindings when the gateway is first built.
 */
export function workerHandler(
  build: (env: WorkerEnv, options: { local: boolean }) => Built,
  warnings: (env: WorkerEnv) => string[] = () => [],
): { fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> } {
  function gatewayFor(env: WorkerEnv, request: Request): Built {
    let entry = built.get(env);
    if (!entry) {
      // (the request's host is read once per isolate, for the build's messages: never on the request path)
      entry = build(env, { local: isLocal(request) });
      built.set(env, entry);
      for (const warning of warnings(env)) console.warn(`distill-guard: ${warning}`);
      // The list goes to the logs only: clients learn nothing about the configuration.
      if (!entry.ok)
        console.error(
          `distill-guard: invalid configuration, answering 503 to every request:\n  ${entry.problems.join("\n  ")}`,
        );
    }
    return entry;
  }
  return {
    fetch(request, env, ctx) {
      const gateway = gatewayFor(env, request);
      if (!gateway.ok) {
        return errorResponse("problem", {
          status: 503,
          code: "gateway.misconfigured",
          requestId: crypto.randomUUID(),
          retryAfterSeconds: 60,
        });
      }
      return gateway.app.fetch(request, env, ctx);
    },
  };
}
