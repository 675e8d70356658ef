import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { PRESETS } from "../config/presets/index.ts";
import type { GatewayConfig } from "../config/types.ts";
import type { Limiter } from "../limits/limiter.ts";
import {
  type BlockEntry,
  type BlockRecord,
  type AdminStore,
  blockKey,
  blocksIndexKey,
  isAdminStore,
  parseBlockTarget,
} from "../limits/blocks.ts";
import { clustersIndexKey, readClusterCounterKey } from "../limits/clusters.ts";
import { offPathTimeoutMs, withTimeout } from "../limits/timeout.ts";
import type { LimitStore } from "../limits/types.ts";
import { createAttemptLimiter } from "./attempts.ts";
import { SESSION_COOKIE, bearerToken, cookieValue, createAdminAuth } from "./auth.ts";
import { readBody } from "../request/body.ts";
import { parseBlockInput } from "./block-input.ts";
import { parseKeyInput } from "./key-input.ts";
import { type AccountCache, type AccountRecord, type AccountStore, KEY_HASH } from "../limits/accounts.ts";
import { DASHBOARD_CSS, DASHBOARD_JS, PAGE_HEADERS, dashboardPage, loginPage } from "./dashboard.ts";
import type { StatsSource } from "./stats.ts";

export interface AdminOptions {
  /** The admin token (ADMIN_TOKEN): at least 16 characters. */
  token: string;
  /** What the guard runs on: the admin API acts on the same store, limiter and key hasher. */
  config: GatewayConfig;
  store: LimitStore;
  limiter: Limiter;
  hashKey: (text: string) => Promise<string>;
  /** Where the dashboard's numbers come from (stats.ts). */
  stats: StatsSource;
  now?: () => number;
  /** The key registry (GuardOptions.accounts) and the isolate's lookups of it; null: the /keys endpoints answer 501. */
  accounts?: { store: AccountStore; cache: AccountCache } | null;
  /** How long a dashboard sign-in lasts. Default 12 h. */
  sessionSeconds?: number;
  /** Minutes the dashboard shows. Default 60. */
  minutes?: number;
}

const MAX_BODY_BYTES = 16 * 1024;
const HEALTH_TIMEOUT_MS = 2000;
const NO_STORE = { "cache-control": "no-store" };

/**
 * The admin API and dashboard, to mount under `config.admin.prefix` before
 * the guard (createGateway does). Every endpoint needs the admin token:
 * `Authorization: Bearer <token>`, or for reading (GET) the session cookie
 * the dashboard's sign-in sets. Changes (blocks) need the Bearer token: a
 * cookie alone cannot be made to change anything.
 *
 * @param options.token - the admin token; compared in constant time
 * @param options.stats - the dashboard's source: isolateStats() or analyticsEngineStats()
 * @example
 * ```ts
 * const guard = createGuard({ config, keyHashSecret });
 * app.route(guard.config.admin.prefix, createAdmin({ token: env.ADMIN_TOKEN, ...guard, stats: isolateStats(window, Date.now) }));
 * app.use("*", guard.middleware);
 * ```
 */
export function createAdmin(options: AdminOptions): Hono {
  if (typeof options.token !== "string" || options.token.length < 16) {
    throw new TypeError("distill-guard: the admin token must be a string of at least 16 characters");
  }
  const { config, store, limiter, hashKey, stats } = options;
  const now = options.now ?? Date.now;
  const sessionSeconds = options.sessionSeconds ?? 12 * 3600;
  const minutes = options.minutes ?? 60;
  const prefix = config.admin.prefix;
  const index = blocksIndexKey(config.store.prefix);
  const auth = createAdminAuth(options.token);
  const attempts = createAttemptLimiter(store, hashKey, config.store.prefix, offPathTimeoutMs(config.store));
  const admin: AdminStore | null = isAdminStore(store) ? store : null;
  const app = new Hono();

  const json = (c: Context, body: unknown, status = 200) => c.json(body, status as 200, NO_STORE);
  const view = (b: BlockRecord & { ttlMs: number }) => ({
    dimension: b.dimension,
    target: b.target,
    reason: b.reason,
    createdAt: new Date(b.createdAt).toISOString(),
    expiresAt: new Date(b.expiresAt).toISOString(),
    ttlMs: b.ttlMs,
    path: `${prefix}/blocks/${b.dimension}/${encodeURIComponent(b.target)}`,
  });

  /**
   * A token presented (Bearer or the sign-in form) is compared only within the
   * client address's budget of attempts: true, false, or the seconds to wait.
   */
  const tokenAttempt = async (c: Context, token: string): Promise<boolean | number> => {
    const ip = c.req.header("cf-connecting-ip") ?? "";
    const wait = await attempts.take(ip);
    if (wait !== null) return wait;
    const matches = await auth.tokenMatches(token);
    if (matches) await attempts.giveBack(ip);
    return matches;
  };
  /** Bearer for anything; the session cookie for reading only. */
  const allowed = async (c: Context): Promise<boolean | number> => {
    const token = bearerToken(c.req.raw.headers);
    if (token !== null) return tokenAttempt(c, token);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return false;
    const session = cookieValue(c.req.raw.headers, SESSION_COOKIE);
    return session !== null && auth.sessionValid(session, now());
  };
  const tooManyAttempts = (c: Context, seconds: number) =>
    c.json({ error: `too many wrong admin tokens from this address: try again in ${seconds} s` }, 429, {
      ...NO_STORE,
      "retry-after": String(seconds),
    });
  const PUBLIC = new Set([
    prefix,
    `${prefix}/`,
    `${prefix}/dashboard`,
    `${prefix}/dashboard.js`,
    `${prefix}/dashboard.css`,
    `${prefix}/login`,
    `${prefix}/logout`,
  ]);

  app.use("*", async (c, next) => {
    if (PUBLIC.has(c.req.path)) return next();
    const access = await allowed(c);
    if (access === true) return next();
    if (typeof access === "number") return tooManyAttempts(c, access);
    return c.json({ error: "unauthorized: send Authorization: Bearer <ADMIN_TOKEN>" }, 401, {
      ...NO_STORE,
      "www-authenticate": 'Bearer realm="distill-guard admin"',
    });
  });

  app.get("/health", async (c) => {
    const started = now();
    let store_: { kind: string; reachable: boolean; latencyMs: number; clockSkewMs?: number; error?: string };
    try {
      // An empty take(): one round trip through the limit script, nothing read or written.
      const result = await withTimeout(store.take([], []), HEALTH_TIMEOUT_MS);
      const at = now();
      store_ = { kind: store.kind, reachable: true, latencyMs: at - started, clockSkewMs: result.nowMs - at };
    } catch (error) {
      store_ = { kind: store.kind, reachable: false, latencyMs: now() - started, error: String(error).slice(0, 200) };
    }
    return json(
      c,
      {
        ok: store_.reachable,
        version: config.version,
        store: store_,
        routes: config.routes.map((r) => ({
          name: r.name,
          mode: r.mode,
          limits: r.limits.length,
          blocks: r.blocks === true,
        })),
        stats: stats.kind,
        isolate: { cachedDenials: limiter.denials.size(), cachedBlocks: limiter.blocks.size() },
      },
      store_.reachable ? 200 : 503,
    );
  });

  app.get("/stats", async (c) => {
    const m = readMinutes(c.req.query("minutes"), minutes);
    if (m === null) return json(c, { error: "minutes: an integer from 1 to 1440" }, 400);
    try {
      return json(c, {
        source: stats.kind,
        generatedAt: new Date(now()).toISOString(),
        minutes: m,
        summary: await stats.summary(m),
        note: noteFor(stats),
      });
    } catch (error) {
      return json(c, { error: `the statistics could not be read: ${String(error).slice(0, 300)}` }, 502);
    }
  });

  // The presets this build ships, each with its date, source, entries and notes: what a route naming one enforces.
  app.get("/presets", (c) => json(c, { presets: [...PRESETS.values()] }));

  // Clusters over their limit now: the limit script lists their counters; counts are read live.
  app.get("/clusters", async (c) => {
    if (!admin) return unsupported(c);
    const limit = Math.min(1000, Math.max(1, Number(c.req.query("limit") ?? 200) || 200));
    const listed = await admin.listCounters(clustersIndexKey(config.store.prefix), limit);
    const clusters = listed.flatMap((counter) => {
      const where = readClusterCounterKey(config.store.prefix, counter.key);
      // a cluster counts across the routes that name it
      const routes = where ? config.routes.filter((r) => r.clusters.some((c) => c.name === where.rule)) : [];
      const rule = where && routes[0]?.clusters.find((c) => c.name === where.rule);
      if (!where || !rule || counter.count <= rule.maxAccounts) return [];
      return [
        {
          routes: routes.map((r) => r.name),
          cluster: rule.name,
          id: where.id,
          by: rule.by,
          accounts: counter.count,
          maxAccounts: rule.maxAccounts,
          maxAddresses: rule.maxAddresses,
          action: rule.action,
          windowSeconds: rule.windowSeconds,
          listedUntil: new Date(counter.listedUntil).toISOString(),
        },
      ];
    });
    return json(c, { clusters: clusters.sort((a, b) => b.accounts / b.maxAccounts - a.accounts / a.maxAccounts) });
  });

  app.get("/blocks", async (c) => {
    if (!admin) return unsupported(c);
    const limit = Math.min(1000, Math.max(1, Number(c.req.query("limit") ?? 200) || 200));
    const list = await admin.listBlocks(index, limit);
    return json(c, { blocks: list.map((b: BlockEntry) => view(b)), limit });
  });

  app.post("/blocks", async (c) => {
    if (!admin) return unsupported(c);
    const body = await readJson(c.req.raw);
    if (!body.ok) return json(c, { error: "invalid block", problems: [body.problem] }, 400);
    const input = parseBlockInput(body.value);
    if (!input.ok) return json(c, { error: "invalid block", problems: input.problems }, 400);
    const { dimension, target, ttlMs, reason } = input.value;
    const key = await blockKey(config.store.prefix, dimension, target, hashKey);
    const record = await admin.block(index, key, { dimension, target, reason }, ttlMs);
    return json(c, { block: view({ ...record, ttlMs }) }, 201);
  });

  app.delete("/blocks/:dimension/:target{.+}", async (c) => {
    if (!admin) return unsupported(c);
    const parsed = parseBlockTarget(c.req.param("dimension"), c.req.param("target"));
    if (!parsed.ok) return json(c, { error: "invalid target", problems: [parsed.problem] }, 400);
    const key = await blockKey(config.store.prefix, parsed.dimension, parsed.target, hashKey);
    const existed = await admin.unblock(index, key);
    limiter.blocks.delete(key); // this isolate lets the client through at once; others within the block cache time
    return json(c, { unblocked: existed, dimension: parsed.dimension, target: parsed.target }, existed ? 200 : 404);
  });

  // The key registry: which keys are accounts (GuardOptions.accounts). Records hold key hashes, never keys.
  const accounts = options.accounts ?? null;
  const keyView = (keyHash: string, r: AccountRecord) => ({
    keyHash,
    account: r.account,
    tier: r.tier,
    trusted: r.trusted,
    limits: r.limits,
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    path: `${prefix}/keys/${keyHash}`,
  });
  const noRegistry = (c: Context) =>
    json(c, { error: "no key registry: the gateway serves every key (set ORIGIN_API_KEY, or pass accounts)" }, 501);

  app.get("/keys", async (c) => {
    if (!accounts) return noRegistry(c);
    const limit = Math.min(1000, Math.max(1, Number(c.req.query("limit") ?? 200) || 200));
    return json(c, { keys: (await accounts.store.list(limit)).map((r) => keyView(r.keyHash, r)), limit });
  });

  app.post("/keys", async (c) => {
    if (!accounts) return noRegistry(c);
    const body = await readJson(c.req.raw);
    if (!body.ok) return json(c, { error: "invalid key", problems: [body.problem] }, 400);
    const input = parseKeyInput(body.value);
    if (!input.ok) return json(c, { error: "invalid key", problems: input.problems }, 400);
    const { keyHash: given, account, tier, trusted, ttlMs, limits } = input.value;
    // a new key is shown once, here; the registry keeps its hash only
    const key = given === null ? newApiKey() : null;
    const keyHash = given ?? (await hashKey(key!));
    const at = now();
    const record: AccountRecord = { account, tier, trusted, limits, createdAt: at, expiresAt: at + ttlMs };
    await accounts.store.put(keyHash, record);
    accounts.cache.forget(keyHash);
    return json(c, { ...(key ? { key } : {}), ...keyView(keyHash, record) }, 201);
  });

  app.delete("/keys/:keyHash", async (c) => {
    if (!accounts) return noRegistry(c);
    const keyHash = c.req.param("keyHash");
    if (!KEY_HASH.test(keyHash))
      return json(c, { error: "invalid key hash", problems: ["keyHash: 32 lower-case hex characters"] }, 400);
    const existed = await accounts.store.delete(keyHash);
    accounts.cache.forget(keyHash); // this isolate refuses the key at once; others within the registry cache time
    return json(c, { revoked: existed, keyHash }, existed ? 200 : 404);
  });

  app.get("/", (c) => c.redirect(`${prefix}/dashboard`, 302));
  app.get("", (c) => c.redirect(`${prefix}/dashboard`, 302));
  app.get("/dashboard", async (c) => {
    const access = await allowed(c);
    if (typeof access === "number") return tooManyAttempts(c, access);
    if (!access) return c.html(loginPage(prefix, false), 401, PAGE_HEADERS);
    return c.html(dashboardPage(prefix, minutes), 200, PAGE_HEADERS);
  });
  app.get("/dashboard.js", (c) =>
    c.body(DASHBOARD_JS, 200, { ...PAGE_HEADERS, "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/dashboard.css", (c) =>
    c.body(DASHBOARD_CSS, 200, { ...PAGE_HEADERS, "content-type": "text/css; charset=utf-8" }),
  );

  app.post("/login", async (c) => {
    const token = await readFormToken(c.req.raw);
    const attempt = await tokenAttempt(c, token);
    if (typeof attempt === "number") return tooManyAttempts(c, attempt);
    if (!attempt) return c.html(loginPage(prefix, true), 401, PAGE_HEADERS);
    const session = await auth.newSession(now(), sessionSeconds);
    return c.body(null, 303, {
      ...PAGE_HEADERS,
      location: `${prefix}/dashboard`,
      "set-cookie": cookie(c, session, sessionSeconds),
    });
  });
  app.post("/logout", (c) =>
    c.body(null, 303, { ...PAGE_HEADERS, location: `${prefix}/dashboard`, "set-cookie": cookie(c, "", 0) }),
  );

  app.all("*", (c) => json(c, { error: "not found" }, 404));

  /** HttpOnly and SameSite=Strict, scoped to the admin prefix; Secure over https. */
  const cookie = (c: Context, value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=${prefix}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${new URL(c.req.url).protocol === "https:" ? "; Secure" : ""}`;
  const unsupported = (c: Context) =>
    json(c, { error: `the ${store.kind} store does not support the admin API's blocks and cluster listing` }, 501);

  return app;
}

/** A new API key: 32 random bytes, base64url, after a recognisable prefix. */
function newApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `dg-${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "")}`;
}

function noteFor(stats: StatsSource): string {
  return stats.kind === "isolate"
    ? "Counted in this isolate since it started: exact, but only the requests it served. Set ANALYTICS_ACCOUNT_ID and ANALYTICS_API_TOKEN to read every isolate's decisions from Analytics Engine."
    : "From Analytics Engine: every isolate, sample-weighted, about a minute behind.";
}

function readMinutes(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 1440 ? n : null;
}

/** The body as JSON, read only up to MAX_BODY_BYTES. */
async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; problem: string }> {
  const read = await readBody(request, MAX_BODY_BYTES);
  if (!read.ok) return { ok: false, problem: `the body is larger than ${MAX_BODY_BYTES} bytes` };
  return read.body.json === undefined
    ? { ok: false, problem: "the body must be JSON" }
    : { ok: true, value: read.body.json };
}

/** The sign-in form's token, reading at most MAX_BODY_BYTES (the endpoint is open to anyone). */
async function readFormToken(request: Request): Promise<string> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return "";
  const read = await readBody(request, MAX_BODY_BYTES);
  return read.ok ? (new URLSearchParams(new TextDecoder().decode(read.body.bytes)).get("token") ?? "") : "";
}
