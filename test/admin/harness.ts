// The ready-made Worker with the admin API (src/worker-with-admin.ts) on: its store is real Redis behind the
// Upstash-compatible bridge (or, without `redis`, the in-memory store).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { inject } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import worker, { type WorkerEnv } from "../../src/worker-with-admin.ts";
import { type Tenant, newTenant } from "../limits/helpers.ts";

export const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
export const SECRET = "admin-test-key-hash-secret-0123";
export const hashKey = createKeyHasher(SECRET);

export const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] };

export const messagesConfig = (extra: Partial<ConfigInput> = {}, route: Record<string, unknown> = {}): ConfigInput => ({
  version: "admin-test-7",
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      limits: [{ name: "key-rpm", by: ["key"], rate: "100 per minute" }],
      geo: { presets: ["sanctions"] },
      ...route,
    },
    { name: "models", match: { path: "/v1/models", methods: ["GET"] } },
  ],
  ...extra,
});

export interface Client {
  key?: string | null;
  ip?: string;
  cf?: CfFields;
}

export async function workerWithAdmin(
  config: ConfigInput,
  options: { redis?: boolean; env?: Partial<WorkerEnv> } = {},
) {
  const tenant: Tenant | null = options.redis === false ? null : await newTenant({ autoPipelining: false });
  const env: WorkerEnv = {
    ORIGIN_URL: inject("originUrl"),
    KEY_HASH_SECRET: SECRET,
    GATEWAY_CONFIG: config,
    ADMIN_TOKEN,
    ...(tenant ? { UPSTASH_REDIS_REST_URL: tenant.url, UPSTASH_REDIS_REST_TOKEN: tenant.token } : {}),
    ...options.env,
  };

  async function fetchWorker(request: Request): Promise<Response> {
    const ctx = createExecutionContext();
    const response = await worker.fetch(request as never, env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  /** A client's request to the API (through the guard). */
  const call = (path: string, client: Client = {}, init: RequestInit = {}) => {
    const { key = "sk-customer-1", ip = "198.51.100.7", cf = { country: "DE", asn: 3320, colo: "FRA" } } = client;
    const headers = new Headers(init.headers);
    if (key) headers.set("x-api-key", key);
    headers.set("cf-connecting-ip", ip);
    const post = (init.method ?? "POST") === "POST";
    if (post) headers.set("content-type", "application/json");
    return fetchWorker(
      new Request(`https://gw.test${path}`, {
        method: "POST",
        body: post ? JSON.stringify(message) : undefined,
        ...init,
        headers,
        cf: cf as never,
      }),
    );
  };

  /** An operator's request to the admin API, with the token unless `token` says otherwise. */
  const admin = (
    path: string,
    init: Omit<RequestInit, "body"> & { token?: string | null; body?: unknown; ip?: string } = {},
  ) => {
    const { token = ADMIN_TOKEN, body, ip, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (ip) headers.set("cf-connecting-ip", ip);
    if (token !== null) headers.set("authorization", `Bearer ${token}`);
    // objects go as JSON; a form (URLSearchParams) or text as it is
    const raw =
      body === undefined || body instanceof URLSearchParams || typeof body === "string" ? body : JSON.stringify(body);
    if (typeof raw === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
    return fetchWorker(new Request(`https://gw.test/_guard${path}`, { ...rest, headers, body: raw }));
  };

  return { env, tenant, call, admin, fetchWorker };
}
