/**
 * One segment's traffic: its accounts (each with a client build, a network
 * and habits) and their requests, as a time-ordered stream of Poisson
 * arrivals. Every request is built as the gateway would receive it behind
 * Cloudflare's edge: the client's own headers and body, the edge's headers
 * (`CF-Connecting-IP`, `CF-Ray`, `X-Forwarded-For`…), and `request.cf`.
 *
 * Deterministic: every draw comes from the segment's seeded stream, and each
 * account and address pool has a stream of its own, so the traffic does not
 * depend on the order in which accounts happen to appear.
 */
import type { CfFields } from "../../src/identity/cf.ts";
import { type Api, type BuildContext, type ClientBuild, type ClientKind, drawBuild } from "./clients.ts";
import {
  COUNTRIES,
  TOR_EXIT_ASNS,
  asOrganization,
  hostIn,
  placeIn,
  randomSubnet24,
  residentialIpv6,
} from "./networks.ts";
import {
  type PromptProfile,
  type TemplateSet,
  drawProfile,
  drawTemplates,
  earlierTurns,
  templatePrompt,
  variedPrompt,
} from "./prompts.ts";
import type { Random } from "./random.ts";
import type { NetworkSpec, Segment } from "./scenario.ts";

/** Where a request comes from, as the edge sees it. */
export interface Origin {
  country: string;
  regionCode: string | null;
  continent: string | null;
  colo: string;
  asn: number;
  ip: string;
}

interface Account {
  key: string;
  build: ClientBuild;
  api: Api;
  network: NetworkSpec;
  /** Fixed unless the network rotates it. */
  country: string;
  asn: number;
  origin: Origin | null;
  profile: PromptProfile;
  random: Random;
  /** Roaming accounts: where the current session is (null: not yet drawn), and the account's session offset. */
  session: Session | null;
  sessionOffsetMs: number;
  /** Browsers: when the last CORS preflight was sent (its answer is cached for the browser's maximum age). */
  preflightAtMs: number | null;
}

/** A roaming account's session: at home, or on another network for its length. */
interface Session {
  index: number;
  /** Null at home. */
  away: { network: NetworkSpec; country: string; asn: number; origin: Origin | null } | null;
}

/**
 * How long a browser caches a preflight's answer at most (the simulated
 * origin allows a day): Chromium caps Access-Control-Max-Age at 2 hours,
 * Firefox at 24, WebKit at 10 minutes.
 */
const PREFLIGHT_CACHE_MS: Partial<Record<ClientKind, number>> = {
  "browser-chrome": 7_200_000,
  "headless-chrome": 7_200_000,
  "browser-firefox": 86_400_000,
  "browser-safari": 600_000,
};

/** Request headers a CORS preflight need not announce (CORS-safelisted, or set by the browser itself). */
const NOT_ANNOUNCED = new Set([
  "accept",
  "accept-language",
  "accept-encoding",
  "user-agent",
  "origin",
  "referer",
  "priority",
]);

interface Pool {
  subnets: string[] | null;
  addresses: string[] | null;
}

/** What the simulator sends, with the facts the report needs. */
export interface SimRequest {
  request: Request;
  /** A browser's CORS preflight (OPTIONS), sent just before the request when its cached answer has expired. */
  preflight: Request | null;
  account: number;
  timeMs: number;
}

const GATEWAY = "https://api.gateway.sim";

/** A Request with the `cf` the edge attaches: workerd takes it in the init; Node's Request has no such field, so it is set here. */
class EdgeRequest extends Request {
  constructor(url: string, init: RequestInit, cf: CfFields) {
    super(url, { ...init, cf } as RequestInit);
    if ((this as { cf?: unknown }).cf === undefined) Object.defineProperty(this, "cf", { value: cf, enumerable: true });
  }
}

const encoder = new TextEncoder();
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const randomBase64Sha1 = (r: Random) => `${Array.from({ length: 27 }, () => B64[r.int(64)]).join("")}=`;
const randomHex = (r: Random, n: number) => {
  let out = "";
  while (out.length < n) out += r.int(0x10000000).toString(16).padStart(7, "0");
  return out.slice(0, n);
};

/** The key of the largest weight (the first of equals). */
function mostWeighted<T extends string>(weights: Record<T, number>): T {
  return (Object.entries(weights) as [T, number][]).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

/**
 * Draws every choice at its most likely value: the most weighted option, the
 * newest version (versions are drawn with `next()` against weights growing
 * towards the newest), the likelier side of a coin. What drawBuild gives with
 * it is the most common build of a client kind: what a farm copies.
 */
const MODAL: Random = {
  next: () => 1 - 2 ** -40,
  int: (n) => n - 1,
  chance: (p) => p > 0.5,
  pick: (items) => items[0]!,
  weighted: (weights) => mostWeighted(weights),
  exponential: (mean) => mean,
  logNormal: (median) => median,
  forked: () => MODAL,
};

export class SegmentTraffic {
  /** Virtual time of the next request, relative to the scenario's start; Infinity when the segment is done. */
  nextMs: number;
  private readonly accounts = new Map<number, Account>();
  private readonly pools = new Map<string, Pool>();
  private readonly builds: ClientBuild[] | null;
  private readonly templates: TemplateSet | null;
  private readonly arrivals: Random;
  private readonly meanGapMs: number;
  private readonly networkWeights: Record<string, number>;

  constructor(
    readonly segment: Segment,
    private readonly random: Random,
    private readonly botManagement: boolean,
  ) {
    this.arrivals = random.forked("arrivals");
    this.networkWeights = Object.fromEntries(segment.networks.map((n, i) => [String(i), n.weight]));
    this.meanGapMs = 1 / (segment.accounts * segment.ratePerMs);
    this.nextMs = segment.startMs + this.arrivals.exponential(this.meanGapMs);
    if (this.nextMs >= segment.endMs) this.nextMs = Infinity;
    const shared = random.forked("builds");
    const context = this.buildContext(this.mainCountry(), segment.networks[0]!.kind === "hosting");
    this.builds =
      segment.builds === null
        ? null
        : segment.builds === "most-common"
          ? [drawBuild(mostWeighted(segment.clients as Record<ClientKind, number>), MODAL, context)]
          : Array.from({ length: segment.builds }, () =>
              drawBuild(shared.weighted(segment.clients as Record<ClientKind, number>), shared, context),
            );
    this.templates =
      segment.prompts.kind === "templates"
        ? drawTemplates(random.forked("templates"), segment.prompts.templates)
        : null;
  }

  /**
   * The accounts that will send at least one request: the arrival stream
   * replayed ahead (the same draws take() makes), without building requests.
   */
  activeAccounts(): Set<number> {
    const arrivals = this.random.forked("arrivals");
    const active = new Set<number>();
    let t = this.segment.startMs + arrivals.exponential(this.meanGapMs);
    while (t < this.segment.endMs) {
      active.add(arrivals.int(this.segment.accounts));
      t += arrivals.exponential(this.meanGapMs);
    }
    return active;
  }

  /** Builds the request due at `nextMs` and schedules the next one. */
  take(): SimRequest {
    const timeMs = this.nextMs;
    const index = this.arrivals.int(this.segment.accounts);
    this.nextMs += this.arrivals.exponential(this.meanGapMs);
    if (this.nextMs >= this.segment.endMs) this.nextMs = Infinity;
    const account = this.account(index);
    const preflight = this.preflight(account, timeMs);
    return { request: this.build(account, account.random, timeMs), preflight, account: index, timeMs };
  }

  /** A refused preflight is not cached: the browser asks again before its next call. */
  preflightRefused(index: number): void {
    const account = this.accounts.get(index);
    if (account) account.preflightAtMs = null;
  }

  /** A request of account `index` at `timeMs` (before the start: its history), without preflight. */
  takeAt(index: number, timeMs: number): SimRequest {
    const account = this.account(index);
    return { request: this.build(account, account.random, timeMs), preflight: null, account: index, timeMs };
  }

  private mainCountry(): string {
    const weights = this.segment.networks[0]!.countries;
    return Object.entries(weights).sort((a, b) => b[1] - a[1])[0]![0];
  }

  private buildContext(country: string, server: boolean): BuildContext {
    return { country, server, acceptLanguage: this.segment.acceptLanguage ?? undefined };
  }

  private account(index: number): Account {
    let account = this.accounts.get(index);
    if (account) return account;
    const r = this.random.forked(`account:${index}`);
    // a roaming account lives on the first network (its home) and travels to the others
    const roaming = this.segment.roamingMs;
    const network = roaming
      ? this.segment.networks[0]!
      : this.segment.networks[Number(r.weighted(this.networkWeights))]!;
    const country = r.weighted(network.countries);
    const asn = this.asnFor(network, country, r);
    const build = this.builds
      ? r.pick(this.builds)
      : drawBuild(
          r.weighted(this.segment.clients as Record<ClientKind, number>),
          r,
          this.buildContext(country, network.kind === "hosting"),
        );
    account = {
      key: `sk-sim-${this.segment.name}-${index}-${randomHex(r, 16)}`,
      build,
      api: build.api ?? r.weighted(this.segment.api as Record<Api, number>),
      network,
      country,
      asn,
      origin: null,
      profile: drawProfile(r),
      random: r,
      session: null,
      sessionOffsetMs: roaming ? this.random.forked(`session-offset:${index}`).next() * roaming : 0,
      preflightAtMs: null,
    };
    if (network.rotate === "never") {
      const ipv6 = network.kind === "residential" && r.chance(network.ipv6);
      account.origin = this.originFor(network, country, asn, r, ipv6);
    }
    this.accounts.set(index, account);
    return account;
  }

  private asnFor(network: NetworkSpec, country: string, r: Random): number {
    if (network.asns) return r.pick(network.asns);
    if (network.kind === "tor") return r.pick(TOR_EXIT_ASNS);
    const c = COUNTRIES[country]!;
    return r.pick(network.kind === "mobile" ? c.mobile : c.residential);
  }

  private pool(network: NetworkSpec, asn: number, country: string): Pool {
    const id = `${this.segment.networks.indexOf(network)}:${asn}:${country}`;
    let pool = this.pools.get(id);
    if (pool) return pool;
    const r = this.random.forked(`pool:${id}`);
    const subnets =
      network.subnets === null ? null : Array.from({ length: network.subnets }, () => randomSubnet24(asn, r));
    const addresses =
      network.addresses === null
        ? null
        : Array.from({ length: network.addresses }, () =>
            hostIn(subnets ? r.pick(subnets) : randomSubnet24(asn, r), r),
          );
    pool = { subnets, addresses };
    this.pools.set(id, pool);
    return pool;
  }

  private originFor(network: NetworkSpec, country: string, asn: number, r: Random, ipv6 = false): Origin {
    const place = placeIn(country, r);
    let ip: string;
    if (ipv6) ip = residentialIpv6(asn, r);
    else {
      const pool = this.pool(network, asn, country);
      ip = pool.addresses
        ? r.pick(pool.addresses)
        : hostIn(pool.subnets ? r.pick(pool.subnets) : randomSubnet24(asn, r), r);
    }
    return { ...place, asn, ip };
  }

  private currentOrigin(account: Account, r: Random, timeMs: number): Origin {
    const away = this.session(account, timeMs)?.away;
    if (away?.origin) return away.origin;
    const network = away?.network ?? account.network;
    if (!away && account.origin) return account.origin;
    const country = away?.country ?? account.country;
    const asn = away?.asn ?? account.asn;
    if (network.rotate === "address") return this.originFor(network, country, asn, r);
    const next = r.weighted(network.countries);
    return this.originFor(network, next, this.asnFor(network, next, r), r);
  }

  /** A roaming account's session at `timeMs`: drawn once per session, from a stream of its own. */
  private session(account: Account, timeMs: number): Session | null {
    const every = this.segment.roamingMs;
    if (every === null) return null;
    const index = Math.floor((timeMs + account.sessionOffsetMs) / every);
    if (account.session?.index === index) return account.session;
    const r = this.random.forked(`${account.key}/session:${index}`);
    const network = this.segment.networks[Number(r.weighted(this.networkWeights))]!;
    let away: Session["away"] = null;
    if (network !== this.segment.networks[0]) {
      const country = r.weighted(network.countries);
      const asn = this.asnFor(network, country, r);
      const ipv6 = network.kind === "residential" && r.chance(network.ipv6);
      away = {
        network,
        country,
        asn,
        origin: network.rotate === "never" ? this.originFor(network, country, asn, r, ipv6) : null,
      };
    }
    account.session = { index, away };
    return account.session;
  }

  /** The CORS preflight a browser sends before its call, unless it still has the answer cached. */
  private preflight(account: Account, timeMs: number): Request | null {
    const maxAge = PREFLIGHT_CACHE_MS[account.build.kind];
    if (maxAge === undefined) return null;
    if (account.preflightAtMs !== null && timeMs - account.preflightAtMs < maxAge) return null;
    account.preflightAtMs = timeMs;
    // its own stream: the calls' traffic stays what it was without preflights
    const r = this.random.forked(`${account.key}/preflight:${timeMs}`);
    const call = this.build(account, r, timeMs);
    const announced = [...call.headers.keys()]
      .filter(
        (h) =>
          !NOT_ANNOUNCED.has(h) &&
          !h.startsWith("sec-") &&
          !h.startsWith("cf-") &&
          !h.startsWith("x-forwarded") &&
          h !== "content-length",
      )
      .sort();
    const headers = new Headers();
    for (const [name, value] of call.headers) {
      if (name === "content-length" || name === "content-type" || announced.includes(name)) continue;
      headers.set(name, value);
    }
    headers.set("accept", "*/*");
    headers.set("access-control-request-method", "POST");
    headers.set("access-control-request-headers", announced.join(","));
    return new EdgeRequest(call.url, { method: "OPTIONS", headers }, (call as { cf?: CfFields }).cf as CfFields);
  }

  private build(account: Account, r: Random, timeMs: number): Request {
    const origin = this.currentOrigin(account, r, timeMs);
    const { segment } = this;
    const prompt = this.templates
      ? templatePrompt(r, this.templates)
      : variedPrompt(r, account.profile, {
          stepByStep: segment.prompts.stepByStep,
          pasteShare: segment.prompts.pasteShare,
          pasteWords: segment.prompts.pasteWords,
        });
    // a conversation's earlier exchanges (drawn only where the segment has any, so older scenarios send what they did)
    const earlier =
      segment.request.turns > 0 && r.chance(segment.request.turns)
        ? earlierTurns(r, account.profile, 1 + r.int(4))
        : [];
    const messages = [...earlier, { role: "user", content: prompt }];
    const model = r.weighted(segment.request.models);
    const stream = r.chance(segment.request.stream);
    const thinking = r.chance(segment.request.thinkingShare);
    // The API requires max_tokens above the thinking budget.
    const maxTokens = Math.max(r.pick(segment.request.maxTokens), thinking ? segment.request.thinkingBudget + 4096 : 0);
    const anthropic = account.api === "anthropic";
    const body = anthropic
      ? {
          model,
          max_tokens: maxTokens,
          messages,
          ...(stream ? { stream: true } : {}),
          ...(thinking ? { thinking: { type: "enabled", budget_tokens: segment.request.thinkingBudget } } : {}),
        }
      : {
          model,
          messages,
          max_completion_tokens: maxTokens,
          ...(stream ? { stream: true, ...(r.chance(0.5) ? { stream_options: { include_usage: true } } : {}) } : {}),
          ...(thinking ? { reasoning_effort: "high" } : {}),
        };
    const bytes = encoder.encode(JSON.stringify(body));

    // jittered builds: the account's client kind, another version, runtime and platform each time
    const b =
      this.segment.rotateBuild === "request"
        ? drawBuild(account.build.kind, r, this.buildContext(origin.country, account.network.kind === "hosting"))
        : account.build;
    const headers: Record<string, string> = { ...b.headers };
    if (b.auth === "bearer" || (b.auth === null && !anthropic)) headers.authorization = `Bearer ${account.key}`;
    else headers["x-api-key"] = account.key;
    if (anthropic && b.api === null) headers["anthropic-version"] = "2023-06-01"; // tools must send it themselves
    headers["content-length"] = String(bytes.byteLength);
    // What Cloudflare's edge adds in front of the Worker.
    headers["cf-connecting-ip"] = origin.ip;
    headers["cf-ipcountry"] = origin.country;
    headers["cf-ray"] = `${randomHex(r, 16)}-${origin.colo}`;
    headers["cf-visitor"] = '{"scheme":"https"}';
    headers["x-forwarded-for"] = origin.ip;
    headers["x-forwarded-proto"] = "https";

    const tls = b.tls;
    const cf: CfFields = {
      country: origin.country,
      ...(origin.regionCode ? { regionCode: origin.regionCode } : {}),
      ...(origin.continent ? { continent: origin.continent } : {}),
      asn: origin.asn,
      asOrganization: asOrganization(origin.asn) ?? undefined,
      colo: origin.colo,
      tlsVersion: tls.tlsVersion,
      tlsCipher: tls.tlsCipher,
      tlsClientCiphersSha1: tls.tlsClientCiphersSha1,
      tlsClientExtensionsSha1: tls.permutesExtensions ? randomBase64Sha1(r) : tls.tlsClientExtensionsSha1,
      tlsClientHelloLength: tls.tlsClientHelloLength,
      httpProtocol: b.httpProtocol,
      ...(this.botManagement
        ? {
            botManagement: {
              score: b.botScore[0] + r.int(b.botScore[1] - b.botScore[0] + 1),
              verifiedBot: false,
              ja3Hash: tls.permutesExtensions ? randomHex(r, 32) : tls.ja3Hash,
              ja4: tls.ja4,
            },
          }
        : {}),
    };
    return new EdgeRequest(
      `${GATEWAY}${anthropic ? "/v1/messages" : "/v1/chat/completions"}`,
      { method: "POST", headers, body: bytes },
      cf,
    );
  }
}
