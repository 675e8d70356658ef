import type { Context, MiddlewareHandler } from "hono";
import { type ConfigInput, loadConfig } from "../config/parse.ts";
import { matchRoute } from "../config/routes.ts";
import { canonicalPath } from "../config/canonical-path.ts";
import { defaultCredential } from "../config/credential.ts";
import type { ErrorFormat, GatewayConfig, RouteConfig } from "../config/types.ts";
import type { RequestFacts } from "../request/facts.ts";
import {
  type KeyHasher,
  conflictingCredentials,
  createKeyHasher,
  credentialHeader,
  rememberingHasher,
} from "../identity/key-hash.ts";
import { ACCOUNT_ID, type Subject, identify } from "../identity/subject.ts";
import type { DecisionEvent } from "../telemetry/event.ts";
import { createTelemetry } from "../telemetry/record.ts";
import type { AnalyticsDataset } from "../telemetry/analytics.ts";
import { decide, isDenied } from "../verdict/decide.ts";
import { grade as gradeRisk } from "../verdict/risk.ts";
import { originHeaders, shadowHeaders } from "../verdict/headers.ts";
import { rateLimitHeaders } from "../verdict/ratelimit-headers.ts";
import { finding } from "../verdict/reasons.ts";
import { denialResponse, errorResponse } from "../verdict/respond.ts";
import type { Finding, LimitState, Verdict } from "../verdict/types.ts";
import { type Limiter, createLimiter } from "../limits/limiter.ts";
import { type AccountCache, type AccountStore, createAccountCache } from "../limits/accounts.ts";
import { createMemoryStore } from "../limits/memory-store.ts";
import type { LimitStore } from "../limits/types.ts";
import { habitTakes } from "../limits/habits.ts";
import { trackUsage } from "../proxy/usage.ts";
import { TRUSTED_KEY } from "../config/trust.ts";
import { declaredLength, readBody } from "../request/body.ts";
import { TAINTING_CODES } from "../config/geo.ts";
import { preflightMethod } from "../request/preflight.ts";
import { resolveAccount } from "./accounts.ts";
import { settleChallenge } from "./challenge.ts";
import { planDegrade } from "./degrade.ts";
import { eventFor } from "./event.ts";
import { GuardDenial } from "./denial.ts";
import { earlyDenial } from "./early-denial.ts";
import { type GuardState, overClusters } from "./state.ts";

export type { GuardState } from "./state.ts";

export interface GuardOptions {
  /** The configuration as data (validated once, here: a ConfigError lists every problem) or from loadConfig(). */
  config: ConfigInput | GatewayConfig;
  /** The HMAC secret API keys are hashed with before any use. At least 16 characters; the same in every isolate. */
  keyHashSecret: string;
  /** Analytics Engine dataset: one data point per decision. Default: none. */
  analytics?: AnalyticsDataset;
  /**
   * Where log lines go: a client's first denial for a reason in full, its repeats within
   * `denialLogIntervalMs` as one line with their count (telemetry/denial-log.ts). Default: console.log.
   */
  log?: (line: string) => void;
  /** How long a client's repeated denials for one reason are counted before one line reports them. Default 60,000 ms. */
  denialLogIntervalMs?: number;
  /** Called with every decision, after the response (tests, simulators, custom sinks). */
  onDecision?: (event: DecisionEvent, verdict: Verdict) => void;
  /** The limiter's shared store: createUpstashStore(redis). Default: an in-memory store (per isolate). */
  store?: LimitStore;
  /** Decides while the shared store fails, on routes failing "local". Default: a new in-memory store. */
  fallbackStore?: LimitStore;
  /** The clock in milliseconds. Default: Date.now. */
  now?: () => number;
  /**
   * Longest wait of a token post-charge for the isolate's next store call to carry it, then sent on its own
   * (limits/settlements.ts). Default 1,000 ms; 0 sends each at once (a simulator that awaits every request's
   * after-response work before the next request).
   */
  settleDelayMs?: number;
  /**
   * The key registry (createRedisAccounts / createMemoryAccounts): when given, only registered keys are served;
   * a request without a key or with an unknown one is answered 401, and limits and clusters count the key's
   * account. Required when the gateway holds the origin's credential. Default: none (every key counts as its own).
   */
  accounts?: AccountStore;
  /**
   * The account a request belongs to, as your app knows it (an id your own authentication verified upstream,
   * e.g. `(c) => c.get("user")?.orgId`), in place of counting each API key as its own: per-key limits, clusters
   * and blocks (`account:<id>`) then count the account, as with a key registry. Null or undefined: the request is
   * counted by its key. Never derive it from a header the client can set. Not with `accounts` (the registry
   * decides the account there). Default: none.
   */
  account?: (c: Context) => AccountId | Promise<AccountId>;
  /**
   * Requests no route matches. `"next"`: your app's own handlers, untouched (no checks, no key required, nothing
   * recorded, `c.get("guard")` unset); `"forward"`: on to the next handler as a request the guard saw (recorded,
   * the key registry applies, `c.get("guard")` set with no route); `"404"`: answered `route.not_found` in the
   * configuration's error format. Default `"next"`; createGateway uses the configuration's `unmatched`.
   */
  unmatched?: "next" | "forward" | "404";
  /**
   * How a denial leaves the middleware: `"respond"` answers it; `"throw"` throws a GuardDenial (an HTTPException
   * carrying the same response) for your `app.onError`. Default `"respond"`.
   */
  denials?: "respond" | "throw";
}

/** An account id (1-128 letters, digits, `_`, `.`, `:`, `@` or `-`); null or undefined: none. */
export type AccountId = string | null | undefined;

/**
 * The distill-guard middleware: identifies the client from trusted sources,
 * matches a route, runs its checks, decides, and either answers the denial
 * or lets the request through to the next handler with `c.get("guard")` set.
 *
 * @param options.config - routes and policies as data; validated once, when the factory is called
 * @param options.keyHashSecret - HMAC secret for API keys (required, at least 16 characters)
 * @param options.analytics - Analytics Engine dataset for one data point per decision (default: none)
 * @param options.log - sink for JSON log lines: a client's first denial per reason, then its repeats counted (default: console.log)
 * @example
 * ```ts
 * const app = new Hono();
 * app.use("/v1/*", distillGuard({ config, keyHashSecret: env.KEY_HASH_SECRET }));
 * app.post("/v1/messages", (c) => c.json({ verdict: c.get("guard").verdict }));
 * ```
 */
export function distillGuard(options: GuardOptions): MiddlewareHandler {
  return createGuard(options).middleware;
}

/** The guard and the parts it is made of, shared with the admin API (createGateway). */
export interface Guard {
  middleware: MiddlewareHandler;
  config: GatewayConfig;
  store: LimitStore;
  limiter: Limiter;
  /** Hashes API keys and store-key values under the key-hash secret. */
  hashKey: KeyHasher;
  now: () => number;
  /** The key registry and this isolate's lookups of it (the admin API forgets a revoked key there); null without one. */
  accounts: { store: AccountStore; cache: AccountCache } | null;
}

/** Like distillGuard(), but also returns what it built: the admin API acts on the same store, limiter and hasher. */
export function createGuard(options: GuardOptions): Guard {
  const config = loadConfig(options.config);
  if (options.account && options.accounts) {
    throw new TypeError("distill-guard: give account or accounts, not both: the key registry decides the account");
  }
  const unmatched = options.unmatched ?? "next";
  // a denial leaves as a response, or as a GuardDenial thrown for the app's onError
  const deny = (response: Response, verdict: Verdict, requestId: string): Response => {
    if (options.denials === "throw") throw new GuardDenial(response, verdict, requestId);
    return response;
  };
  const hashKey = keyHasherFor(options.keyHashSecret);
  const now = options.now ?? Date.now;
  const telemetry = createTelemetry(options);
  // registry lookups are on the request's path: bounded like the store's round trip, remembered per isolate
  const registry = options.accounts
    ? createAccountCache(options.accounts, { now, timeoutMs: config.store.timeoutMs })
    : null;
  // with config.proveKeys, accepted keys are counted apart in clusters (a registry's keys are accepted already)
  const proving = config.proveKeys && !registry;
  const store = options.store ?? createMemoryStore({ now });
  const limiter = createLimiter({
    store,
    fallbackStore: options.fallbackStore,
    storeConfig: config.store,
    now,
    ...(options.settleDelayMs === undefined ? {} : { settleDelayMs: options.settleDelayMs }),
    // store keys hash dimension values under the secret: an IP cannot be recovered by trying every address
    hash: rememberingHasher(hashKey),
  });

  const middleware: MiddlewareHandler = async function distillGuardMiddleware(c, next) {
    const started = now();
    const requestId = crypto.randomUUID();
    const request = c.req.raw;
    const raw = new URL(request.url).pathname;
    // One path for matching, telemetry and forwarding; null: ambiguous, refused below.
    const canonical = canonicalPath(raw);
    const path = canonical ?? raw;
    const route = canonical === null ? null : matchRoute(config, request.method, canonical);
    // the app's own paths: the guard steps aside before any work (an ambiguous path is refused below: it could
    // be a guarded route spelled another way)
    if (!route && canonical !== null && unmatched === "next") return next();
    // the one header the key is read from and forwarded in (with "either", the one the client sent)
    const credential = credentialHeader(route?.credential ?? defaultCredential(config.errors), request.headers);
    // the fingerprint id where the store keys need it; elsewhere it is computed after the response, for telemetry
    const subject = await identify(request, hashKey, { credential, fingerprint: route?.needsFingerprint === true });
    const state: GuardState = {
      requestId,
      route,
      path,
      credential,
      subject,
      verdict: decide([], [], route?.mode ?? "enforce"),
      body: null,
      originHeaders: {},
      originMs: null,
      originError: null,
      limitCheck: null,
      degrade: null,
      preflight: false,
    };
    const record = (response: Response, decidedAt: number) =>
      schedule(c, async () =>
        telemetry.record(await eventFor(state, request, path, response.status, decidedAt - started), state.verdict),
      );
    // Answered at the edge in every mode.
    const refuse = (code: RefusalCode | Finding, format: ErrorFormat) => {
      state.verdict = enforcedDenial(typeof code === "string" ? finding(code, "block") : code);
      const response = refusal(format, state.verdict, requestId);
      record(response, now());
      return deny(response, state.verdict, requestId);
    };

    if (canonical === null) return refuse("request.ambiguous_path", config.errors);
    // A browser's CORS preflight for a route's call: forwarded before any rule meant for the call, counted nowhere.
    const announced = preflightMethod(request);
    const preflightOf = announced ? matchRoute(config, announced, canonical) : null;
    if (preflightOf) {
      state.route = preflightOf;
      state.preflight = true;
      return pass(c, next, state, now, record);
    }
    if (!route && unmatched === "404") return refuse("route.not_found", config.errors);
    // The gateway would count one account, the origin might authenticate the other.
    if (conflictingCredentials(request.headers))
      return refuse("request.conflicting_credentials", route?.errors ?? config.errors);
    // With a key registry only its keys are served, on every path (the gateway may hold the origin's credential).
    const registered = registry
      ? await resolveAccount(registry, subject, config.store.onError, config.store.recoverAfterMs)
      : null;
    if (registered && registered.action !== "flag") return refuse(registered, route?.errors ?? config.errors);
    if (options.account) subject.account = accountOf(await options.account(c));
    if (!route) return pass(c, next, state, now, record);

    const findings: Finding[] = registered ? [registered] : [];
    // A client this isolate already knows is denied is answered before its body is read (early-denial.ts).
    const early =
      route.mode === "enforce" && declaredLength(request) <= route.maxBodyBytes
        ? await earlyDenial(route, { request, subject, body: null }, limiter, route.taintMs !== null, findings)
        : null;
    // a denial in the route's format, with its rate-limit headers
    const denied = () => {
      const response = denialResponse(
        route.errors,
        state.verdict,
        requestId,
        limitHeaders(route, state.verdict, now()),
      );
      record(response, now());
      return deny(response, state.verdict, requestId);
    };
    if (early) {
      state.limitCheck = early.check;
      state.verdict = graded(route, early.findings, early.check.limits).verdict;
      return denied();
    }
    const bodyProblem = await takeBody(c, route, state);
    // An oversized body is refused in every mode: the gateway will not buffer or forward it.
    if (bodyProblem) return refuse(bodyProblem, route.errors);

    const facts: RequestFacts = { request, subject, body: state.body };
    const blocked = () => route.mode === "enforce" && findings.some((f) => f.action === "block");
    for (const check of route.checks) {
      findings.push(...(await check(facts)));
      // A hard denial stops here in enforce mode: no further checks, no store call.
      if (blocked()) break;
    }
    // A key refused for where it came from stays refused from anywhere for the route's geo taint (VPN hops too).
    const tainting = route.taintMs !== null && route.mode === "enforce";
    const placeRefusal = tainting
      ? findings.find((f) => f.action === "block" && TAINTING_CODES.has(f.reason.code))
      : null;
    if (placeRefusal) {
      const why = `geo taint: ${placeRefusal.reason.code}${placeRefusal.reason.detail ? ` (${placeRefusal.reason.detail})` : ""}`;
      schedule(c, () => limiter.taint(facts, route.taintMs!, why));
    }
    let limits: LimitState[] = [];
    const trusted =
      subject.account?.trusted === true ||
      (subject.keyHash !== null && route.trustedKeys?.has(subject.keyHash) === true);
    if (trusted) findings.push(TRUSTED_KEY);
    // A signal set to throttle charges the route's signal budget too: the client is held to it, not refused outright.
    const rules = holdToSignalBudget(findings) ? [...route.limits, route.signalBudget] : route.limits;
    const spreads = trusted ? [] : route.spreads;
    const habits = trusted ? [] : habitTakes(route.habits, facts, findings);
    if (
      (rules.length > 0 ||
        route.clusters.length > 0 ||
        spreads.length > 0 ||
        habits.length > 0 ||
        route.blocks ||
        tainting ||
        route.risk?.newKeyMs) &&
      !blocked()
    ) {
      // One store round trip for every bucket and cluster counter of the route, and its manual blocks (none for a
      // cached denial). A trusted key joins no cluster; with proveKeys, the same trip reads whether the origin has
      // accepted the key (if not, it is judged by every key's count and charged the unproven bucket).
      const unproven = proving && !trusted ? route.unprovenBudget : undefined;
      state.limitCheck = await limiter.check(
        {
          route: route.name,
          limits: rules,
          clusters: trusted ? [] : route.clusters,
          blocks: route.blocks === true,
          taint: tainting,
          spreads,
          habits,
          ...(unproven ? { unproven } : {}),
          ...(route.risk?.newKeyMs ? { newKeyMs: route.risk.newKeyMs } : {}),
        },
        facts,
      );
      findings.push(...state.limitCheck.findings);
      limits = state.limitCheck.limits;
    }
    // after a success from the origin, a key it had not accepted before is marked by its next take
    const check = state.limitCheck;
    const accepted = check?.keyProven === false ? () => check.prove() : undefined;

    const { verdict, acting, grade: score } = graded(route, findings, limits);
    state.verdict = verdict;
    let refused = isDenied(state.verdict);
    // a challenge is met by an identity attestation, or refused (in shadow mode: reported as it is)
    if (state.verdict.action === "challenge" && route.mode === "enforce") {
      const settled = decide(await settleChallenge(route, acting, facts), limits, route.mode, score);
      refused = isDenied(settled);
      state.verdict = refused ? { ...settled, action: "challenge" } : settled;
    }
    // applied in enforce mode (a store failing open leaves the limits unenforced, not the degrade)
    if (state.verdict.action === "degrade")
      state.degrade = planDegrade(route, path, state.body, route.mode === "enforce");
    if (refused) return denied();
    return pass(c, next, state, now, record, accepted);
  };
  return {
    middleware,
    config,
    store,
    limiter,
    hashKey,
    now,
    accounts: options.accounts ? { store: options.accounts, cache: registry! } : null,
  };
}

/**
 * The verdict of a route's findings: with its risk model, flags are evidence and the tier the combined score
 * reaches acts (verdict/risk.ts); `acting` are the findings as they act, `grade` the score and tier.
 */
function graded(route: RouteConfig, findings: Finding[], limits: LimitState[]) {
  const grade = route.risk ? gradeRisk(findings, route.risk) : null;
  const acting = grade?.findings ?? findings;
  return { verdict: decide(acting, limits, route.mode, grade), acting, grade };
}

/** The account the app named (GuardOptions.account) as the subject's, the registry's shape; null when none or not an id. */
function accountOf(id: AccountId): Subject["account"] {
  if (id === null || id === undefined) return null;
  if (typeof id === "string" && ACCOUNT_ID.test(id)) return { id, tier: null, trusted: false, limits: {} };
  // the app's function returned something else: counted by its key, and said once per isolate
  if (!warnedAccountId) console.warn(`distill-guard: options.account returned a value that is not an account id`);
  warnedAccountId = true;
  return null;
}
let warnedAccountId = false;

async function pass(
  c: Context,
  next: () => Promise<void>,
  state: GuardState,
  now: () => number,
  record: (response: Response, decidedAt: number) => void,
  /** Called after a success from the origin: a key not yet known as accepted is remembered so (limits/proven.ts). */
  accepted?: () => void,
): Promise<Response> {
  const decidedAt = now();
  state.originHeaders = originHeaders(
    state.verdict,
    state.requestId,
    state.route?.mode ?? "enforce",
    overClusters(state),
    state.degrade?.applied,
  );
  c.set("guard", state);
  await next();
  if (accepted && c.res.status >= 200 && c.res.status < 300) schedule(c, accepted);
  const check = state.limitCheck;
  if (check && check.estimatedTokens > 0) {
    // Token-weighted buckets were charged an estimate: correct it with the usage the
    // origin reports, read from the body as it streams past, after the response ends.
    const tracked = trackUsage(c.res);
    c.res = tracked.response;
    schedule(c, () => check.reconcile(tracked.usage));
  }
  const extra: Record<string, string> = {
    "x-guard-request-id": state.requestId,
    ...(state.route ? limitHeaders(state.route, state.verdict, now()) : {}),
    ...(state.route?.mode === "shadow" ? shadowHeaders(state.verdict, state.degrade?.applied) : {}),
  };
  c.res = withHeaders(c.res, extra);
  record(c.res, decidedAt);
  return c.res;
}

/** Reads the body when the route needs it (or must bound it); returns a reason code when it cannot be accepted. */
async function takeBody(c: Context, route: RouteConfig, state: GuardState): Promise<"request.too_large" | null> {
  const request = c.req.raw;
  const length = declaredLength(request);
  if (length > route.maxBodyBytes) return "request.too_large";
  // Without a declared length the body is read (bounded) so the limit holds for chunked uploads too.
  const mustRead = route.needsBody || (length < 0 && request.body !== null);
  if (!mustRead) return null;
  const read = await readBody(request, route.maxBodyBytes);
  if (!read.ok) return "request.too_large";
  state.body = read.body;
  // Handlers after the guard can still call c.req.json() / text(): Hono reads its body cache first. It gets the
  // body's own buffer (readBody makes the bytes span all of it), not a copy: one copy of a large body, not two.
  const { bytes } = read.body;
  // (Hono stores promises there; its type says otherwise.)
  (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(bytes.buffer);
  return null;
}

/**
 * Turns the pure checks' `throttle` findings into flags, the request going on
 * to the signal budget (RouteConfig.signalBudget), which answers 429 with a
 * real Retry-After once it is empty. True when there was one.
 */
function holdToSignalBudget(findings: Finding[]): boolean {
  let held = false;
  findings.forEach((f, i) => {
    if (f.action !== "throttle") return;
    findings[i] = { reason: f.reason, action: "flag", ...(f.risk === undefined ? {} : { risk: f.risk }) };
    held = true;
  });
  return held;
}

const limitHeaders = (route: RouteConfig, verdict: Verdict, nowMs: number) =>
  rateLimitHeaders(verdict.limits, route.providerHeaders ? route.errors : null, nowMs);

/** What the gateway refuses before any check, in every mode. */
type RefusalCode =
  | "route.not_found"
  | "request.too_large"
  | "request.ambiguous_path"
  | "request.conflicting_credentials"
  | "identity.key_missing"
  | "identity.key_unknown"
  | "store.unavailable";

/** A request refused before any check: enforced in every mode. */
const enforcedDenial = (refused: Finding): Verdict => decide([refused], [], "enforce");

/** The answer to such a refusal: the error body alone (and its Retry-After), without a policy denial's headers. */
const refusal = (format: ErrorFormat, verdict: Verdict, requestId: string): Response =>
  errorResponse(format, {
    status: verdict.status,
    code: verdict.code!,
    requestId,
    final: verdict.final,
    ...(verdict.retryAfterSeconds !== undefined ? { retryAfterSeconds: verdict.retryAfterSeconds } : {}),
  });

function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  } catch {
    // Immutable headers (a fetch() response): re-wrap without touching the body stream.
    const copy = new Response(response.body, response);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

/** Runs telemetry after the response: waitUntil on Workers, a detached promise elsewhere. */
function schedule(c: Context, work: () => void | Promise<void>): void {
  const task = Promise.resolve()
    .then(work)
    .catch((error) => console.error("distill-guard telemetry failed", error));
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // Not on Workers (no ExecutionContext): the task runs on its own.
  }
}

const hashers = new Map<string, KeyHasher>();

/** One hasher (one imported CryptoKey) per secret per isolate. */
function keyHasherFor(secret: string): KeyHasher {
  if (typeof secret !== "string" || secret.length < 16) {
    throw new TypeError("distill-guard: keyHashSecret must be a string of at least 16 characters");
  }
  let hasher = hashers.get(secret);
  if (!hasher) hashers.set(secret, (hasher = createKeyHasher(secret)));
  return hasher;
}
