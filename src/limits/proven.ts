/**
 * Keys the origin has accepted. Without a key registry the gateway cannot
 * tell a customer's key from one a client made up, so with `proveKeys` a key
 * counts in clusters only once the origin has answered it with success:
 * after that response the guard marks it (LimitStore.prove: a store key named
 * by the key's HMAC, with a TTL). The limit script reads the marker in the
 * request's one round trip: an unproven key is counted in no cluster and is
 * charged the route's `unproven` bucket, shared by the unproven keys of its
 * network, so made-up keys cannot push a cluster of real customers over its
 * limit.
 */

/** How long an accepted key is remembered without a new success: 30 days. */
export const PROVEN_TTL_MS = 30 * 86_400_000;

/** The store key marking `keyHash` (an HMAC, never a key) as accepted. */
export const provenMarker = (prefix: string, keyHash: string): string => `${prefix}:proven:${keyHash}`;

/**
 * The keys this isolate has marked lately, so a customer's stream of successes
 * writes the marker once per isolate, not once per request. At most `maxKeys`,
 * the oldest forgotten first; each for `rememberMs`.
 */
export function createProvenMarks(options: { now?: () => number; maxKeys?: number; rememberMs?: number } = {}) {
  const { now = Date.now, maxKeys = 10_000, rememberMs = 600_000 } = options;
  const marked = new Map<string, number>();
  return {
    /** True the first time a key is seen (then mark it), false while it is remembered. */
    first(provenKey: string): boolean {
      const until = marked.get(provenKey);
      if (until !== undefined && until > now()) return false;
      marked.delete(provenKey);
      if (marked.size >= maxKeys) marked.delete(marked.keys().next().value!);
      marked.set(provenKey, now() + rememberMs);
      return true;
    },
  };
}
