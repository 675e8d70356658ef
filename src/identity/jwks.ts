import type { Jwk } from "./jwt.ts";

/** Where an attestation's verification keys come from. */
export interface KeySource {
  /** The keys to verify a token naming `kid` with, or why there are none. */
  keysFor(kid: string): Promise<readonly Jwk[] | KeysUnavailable>;
}

export interface KeysUnavailable {
  unavailable: string;
}

/** Keys written into the configuration: nothing to fetch, nothing to rotate without a redeploy. */
export function staticKeys(keys: readonly Jwk[]): KeySource {
  return { keysFor: async () => keys };
}

export interface RemoteJwksOptions {
  /** How long fetched keys are used before they are fetched again. */
  ttlMs: number;
  /**
   * The least time between two refetches caused by a token naming a key id
   * the cached set lacks, and between retries after a failed fetch: a client
   * inventing key ids cannot turn the gateway into a JWKS flood.
   */
  refetchMinMs: number;
  /** How long one JWKS fetch may take. */
  timeoutMs: number;
}

const MAX_JWKS_BYTES = 256 * 1024;
const MAX_KEYS = 100;
/** How often a request waiting for another's JWKS fetch looks whether it has finished. */
const WAIT_POLL_MS = 5;

/**
 * A JWKS URL's keys, cached in memory for the life of the isolate (one cache
 * per configured identity rule, built once with the config). Keys rotate
 * without a redeploy: the set is refetched when its TTL ends, and when a token
 * names a key id the set lacks (at most once per `refetchMinMs`). When a
 * refresh fails, the keys already held stay in use until one succeeds.
 *
 * Concurrent requests that find the cache cold share one fetch: the first
 * fetches, the others poll (every WAIT_POLL_MS) until it has finished, then
 * read what it stored. They never await the fetching request's promise: in a
 * Worker, a promise another request created never settles if that request is
 * cancelled first. A fetch still unfinished after `timeoutMs` is taken for
 * dead, and the waiter fetches itself.
 */
export class RemoteJwks implements KeySource {
  private keys: readonly Jwk[] | null = null;
  private fetchedAt = 0;
  private lastFailureAt = -Infinity;
  private lastFailure = "";
  private lastKidRefetchAt = -Infinity;
  private refreshingSince = -Infinity;

  constructor(
    readonly url: string,
    private readonly options: RemoteJwksOptions,
  ) {}

  async keysFor(kid: string): Promise<readonly Jwk[] | KeysUnavailable> {
    const { ttlMs, refetchMinMs, timeoutMs } = this.options;
    const now = Date.now();
    let fetched = false;
    if (!this.keys) {
      if (now - this.lastFailureAt < refetchMinMs) return { unavailable: this.lastFailure };
      // another request is fetching: wait for its result, and fetch only if none came (it failed while we waited: that is the answer)
      const waited = now - this.refreshingSince < timeoutMs;
      if (waited) await this.waitForRefreshInFlight();
      if (!this.keys && !(waited && this.lastFailureAt >= now)) await this.refresh(Date.now());
      fetched = true;
    } else if (
      now - this.fetchedAt >= ttlMs &&
      now - this.lastFailureAt >= refetchMinMs &&
      now - this.refreshingSince >= timeoutMs
    ) {
      // another request already refreshing: use the keys held meanwhile
      await this.refresh(now);
      fetched = true;
    }
    if (this.keys && !fetched && !this.keys.some((k) => k.kid === kid) && now - this.lastKidRefetchAt >= refetchMinMs) {
      this.lastKidRefetchAt = now;
      await this.refresh(now);
    }
    return this.keys ?? { unavailable: this.lastFailure };
  }

  /** Waits, without awaiting another request's promise, until the refresh in flight ends or is past its timeout. */
  private async waitForRefreshInFlight(): Promise<void> {
    while (Date.now() - this.refreshingSince < this.options.timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  private async refresh(now: number): Promise<void> {
    this.refreshingSince = now;
    try {
      const response = await fetch(this.url, {
        headers: { accept: "application/jwk-set+json, application/json" },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error("JWKS too large");
      this.keys = readJwks(JSON.parse(text));
      this.fetchedAt = Date.now();
    } catch (error) {
      this.lastFailureAt = Date.now();
      this.lastFailure = error instanceof Error && error.name !== "SyntaxError" ? error.message : "JWKS unreadable";
    } finally {
      this.refreshingSince = -Infinity;
    }
  }
}

/** A key usable for verification: public (no `d`), asymmetric, with a key id tokens can name. */
export function isPublicVerificationKey(key: unknown): key is Jwk & { kid: string; kty: string } {
  if (typeof key !== "object" || key === null) return false;
  const k = key as Record<string, unknown>;
  return (
    typeof k.kid === "string" &&
    k.kid !== "" &&
    (k.kty === "RSA" || k.kty === "EC" || k.kty === "OKP") &&
    k.d === undefined &&
    (k.use === undefined || k.use === "sig")
  );
}

/** The verification keys of a JWKS document; keys that are not public signature keys are skipped. */
export function readJwks(data: unknown): Jwk[] {
  const keys = (data as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS has no "keys" array');
  const usable = keys.filter(isPublicVerificationKey).slice(0, MAX_KEYS);
  if (usable.length === 0) throw new Error("JWKS has no usable public signature key");
  return usable;
}
