import { type ClientInfo, parseUserAgent } from "./client.ts";
import { fingerprintId } from "./fingerprint.ts";
import { type CredentialHeader, type KeyHasher, readApiKey } from "./key-hash.ts";
import { type IpAddress, parseIp, prefixOf } from "./ip.ts";
import type { CfFields } from "./cf.ts";

/** An account id: 1-128 letters, digits, `_`, `.`, `:`, `@` or `-`. */
export const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/** The account a key belongs to, as the key registry says (src/limits/accounts.ts). */
export interface Account {
  id: string;
  tier: string | null;
  trusted: boolean;
  /** Per-account buckets in place of the route's per-key rules of the same name. */
  limits: Readonly<Record<string, { capacity: number; refillPerSecond: number }>>;
}

/**
 * Who is asking, built only from what the client cannot forge: `request.cf`
 * (set by Cloudflare's edge) and `CF-Connecting-IP`. `X-Forwarded-For`,
 * `cf-ipcountry` and `MF-CF-Blob` headers are never read.
 */
export interface Subject {
  /** The HMAC of the API key; null when the request has none. */
  keyHash: string | null;
  /** The header the key was read from: the route's credential header. */
  keySource: CredentialHeader | null;
  /** The key's account, set by the guard from the key registry; null without a registry. */
  account: Account | null;
  ip: IpAddress | null;
  /** The address as a limit dimension: IPv4 /32, IPv6 /64 (one host's usual allocation). */
  ipPrefix: string | null;
  /** IPv4 /24, IPv6 /48. */
  subnet: string | null;
  /** ISO 3166-1 alpha-2; `XX` unknown, `T1` Tor; null when absent. */
  country: string | null;
  /** ISO 3166-2 code such as `UA-43`, built from country and `cf.regionCode`. */
  region: string | null;
  continent: string | null;
  asn: number | null;
  asOrganization: string | null;
  colo: string | null;
  /** What the User-Agent claims the client is. */
  client: ClientInfo;
  /**
   * The client fingerprint id (16 hex; src/identity/fingerprint.ts): the same for every account one client build runs.
   * Empty when identify() was told the route has no use for it (no limit, cluster or manual block by it).
   */
  fingerprint: string;
  cf: CfFields;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * The request's Subject, its key read from `options.credential` (the route's
 * credential header) alone. `options.fingerprint: false` skips the fingerprint
 * id (left empty), for routes that neither limit nor block by it.
 */
export async function identify(
  request: Request,
  hashKey: KeyHasher,
  options: { credential: CredentialHeader; fingerprint?: boolean },
): Promise<Subject> {
  const cf = (request.cf ?? {}) as CfFields;
  const ip = parseIp(request.headers.get("cf-connecting-ip"));
  const apiKey = readApiKey(request.headers, options.credential);
  const country = str(cf.country)?.toUpperCase() ?? null;
  const regionCode = str(cf.regionCode)?.toUpperCase() ?? null;
  const client = parseUserAgent(request.headers.get("user-agent"));
  const [keyHash, fingerprint] = await Promise.all([
    apiKey ? hashKey(apiKey) : null,
    options.fingerprint === false ? "" : fingerprintId(request.headers, cf, client),
  ]);
  return {
    keyHash,
    keySource: apiKey ? options.credential : null,
    account: null,
    ip,
    ipPrefix: ip ? prefixOf(ip, ip.version === 4 ? 32 : 64) : null,
    subnet: ip ? prefixOf(ip, ip.version === 4 ? 24 : 48) : null,
    country,
    region: country && regionCode ? `${country}-${regionCode}` : null,
    continent: str(cf.continent)?.toUpperCase() ?? null,
    asn: typeof cf.asn === "number" && Number.isFinite(cf.asn) ? cf.asn : null,
    asOrganization: str(cf.asOrganization),
    colo: str(cf.colo),
    client,
    fingerprint,
    cf,
  };
}
