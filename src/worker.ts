import { Redis } from "@upstash/redis/cloudflare";
import type { Hono } from "hono";
import { createMemoryStore } from "./limits/memory-store";
import { createUpstashStore } from "./limits/upstash-store";
import type { LimitStore } from "./limits/types";
import { type ConfigInput, parseConfig } from "./config/parse";
import { createGateway } from "./gateway";
import { errorResponse } from "./verdict/respond";

/** The ready-made Worker's bindings and secrets (see the README). */
export interface WorkerEnv {
  /** Where allowed traffic goes. */
  ORIGIN_URL?: string;
  /** The configuration: a JSON object ([vars] table) or a JSON string. */
  GATEWAY_CONFIG?: string | ConfigInput;
  /** HMAC key for API keys (secret). */
  KEY_HASH_SECRET?: string;
  /** Replaces the client's credential toward the origin (secret, optional). */
  ORIGIN_API_KEY?: string;
  /** The shared store (secrets); absent: in-memory store, with a warning. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Analytics Engine dataset. */
  ANALYTICS?: AnalyticsEngineDataset;
}

type Built = { ok: true; app: Hono } | { ok: false; problems: string[] };

// Built once per isolate (per env object), never per request.
const built = new WeakMap<object, Built>();

/** Reads the bindings into a gateway, or into the list of every problem with them. */
export function buildFromEnv(env: WorkerEnv): Built {
  const problems: string[] = [];
  let origin: string | undefined;
  try {
    const url = new URL(env.ORIGIN_URL ?? "");
    if (url.protocol === "http:" || url.protocol === "https:") origin = env.ORIGIN_URL;
  } catch {}
  if (!origin) problems.push(`ORIGIN_URL: must be an http(s) URL (got ${JSON.stringify(env.ORIGIN_URL ?? null)})`);
  const secret = env.KEY_HASH_SECRET;
  if (typeof secret !== "string" || secret.length < 16) {
    problems.push("KEY_HASH_SECRET: must be set to a secret of at least 16 characters (wrangler secret put KEY_HASH_SECRET)");
  }
  if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
    problems.push("UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN: set both or neither");
  }
  let raw: unknown = env.GATEWAY_CONFIG;
  if (raw === undefined) problems.push("GATEWAY_CONFIG: is required (a JSON object)");
  if (typeof raw === "string") {
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
  const app = createGateway({
    config: parsed.config,
    keyHashSecret: secret,
    origin: { url: origin, apiKey: env.ORIGIN_API_KEY || undefined },
    analytics: env.ANALYTICS,
    store: storeFor(env, parsed.config.store.clock),
  });
  return { ok: true, app };
}

/** The shared Upstash store when its secrets are set; else an in-memory store per isolate, loudly. */
function storeFor(env: WorkerEnv, clock: "redis" | "worker"): LimitStore {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      // One request's script must not wait on, or be answered with, another's batch;
      // and the route's store timeout, not client retries, bounds the wait.
      enableAutoPipelining: false,
      retry: { retries: 0 },
      enableTelemetry: false,
    });
    return createUpstashStore(redis, { clock });
  }
  console.warn(
    "distill-guard: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: limits use an in-memory store " +
      "in each isolate (fine for wrangler dev, wrong for production: every isolate counts on its own)",
  );
  return createMemoryStore();
}

function gatewayFor(env: WorkerEnv): Built {
  let entry = built.get(env);
  if (!entry) {
    entry = buildFromEnv(env);
    built.set(env, entry);
    // The list goes to the logs only: clients learn nothing about the configuration.
    if (!entry.ok) console.error(`distill-guard: invalid configuration, answering 503 to every request:\n  ${entry.problems.join("\n  ")}`);
  }
  return entry;
}

export default {
  fetch(request, env, ctx) {
    const gateway = gatewayFor(env);
    if (!gateway.ok) {
      return errorResponse("problem", { status: 503, code: "gateway.misconfigured", requestId: crypto.randomUUID(), retryAfterSeconds: 60 });
    }
    return gateway.app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<WorkerEnv>;
