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
}

interface Pool {
  subnets: string[] | null;
  addresses: string[] | null;
}

/** What the simulator sends, with the facts the report needs. */
export interface SimRequest {
  request: Request;
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
    this.builds =
      segment.builds === null
        ? null
        : Array.from({ length: segment.builds }, () =>
            drawBuild(
              shared.weighted(segment.clients as Record<ClientKind, number>),
              shared,
              this.buildContext(this.mainCountry(), segment.networks[0]!.kind === "hosting"),
            ),
          );
    this.templates =
      segment.prompts.kind === "templates"
        ? drawTemplates(random.forked("templates"), segment.prompts.templates)
        : null;
  }

  /** Builds the request due at `nextMs` and schedules the next one. */
  take(): SimRequest {
    const timeMs = this.nextMs;
    const index = this.arrivals.int(this.segment.accounts);
    this.nextMs += this.arrivals.exponential(this.meanGapMs);
    if (this.nextMs >= this.segment.endMs) this.nextMs = Infinity;
    const account = this.account(index);
    return { request: this.build(account, account.random), account: index, timeMs };
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
    const network = this.segment.networks[Number(r.weighted(this.networkWeights))]!;
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

  private currentOrigin(account: Account, r: Random): Origin {
    if (account.origin) return account.origin;
    const network = account.network;
    if (network.rotate === "address") return this.originFor(network, account.country, account.asn, r);
    const country = r.weighted(network.countries);
    return this.originFor(network, country, this.asnFor(network, country, r), r);
  }

  private build(account: Account, r: Random): Request {
    const origin = this.currentOrigin(account, r);
    const { segment } = this;
    const prompt = this.templates
      ? templatePrompt(r, this.templates)
      : variedPrompt(r, account.profile, {
          stepByStep: segment.prompts.stepByStep,
          pasteShare: segment.prompts.pasteShare,
          pasteWords: segment.prompts.pasteWords,
        });
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
          messages: [{ role: "user", content: prompt }],
          ...(stream ? { stream: true } : {}),
          ...(thinking ? { thinking: { type: "enabled", budget_tokens: segment.request.thinkingBudget } } : {}),
        }
      : {
          model,
          messages: [{ role: "user", content: prompt }],
          max_completion_tokens: maxTokens,
          ...(stream ? { stream: true, ...(r.chance(0.5) ? { stream_options: { include_usage: true } } : {}) } : {}),
          ...(thinking ? { reasoning_effort: "high" } : {}),
        };
    const bytes = encoder.encode(JSON.stringify(body));

    const b = account.build;
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
