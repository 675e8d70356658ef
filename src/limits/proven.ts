/**
 * Keys the origin has accepted. Without a key registry the gateway cannot
 * tell a customer's key from one a client made up, so with `proveKeys` a key
 * counts as a customer's only once the origin has answered it with success:
 * after that response the limiter marks it (a store key named by the key's
 * HMAC, with a TTL, written by the key's next take). The limit script reads
 * the marker in the request's one round trip: every cluster counts its
 * accepted members apart, and judges an accepted key by their count, so
 * made-up keys cannot push a cluster of real customers over its limit; a key
 * not accepted yet is judged by every key's count and charged the route's
 * `unproven` bucket, shared by the unproven keys of its network.
 */

/** How long an accepted key is remembered without a new success: 30 days. */
export const PROVEN_TTL_MS = 30 * 86_400_000;

/** The store key marking `keyHash` (an HMAC, never a key) as accepted. */
export const provenMarker = (prefix: string, keyHash: string): string => `${prefix}:proven:${keyHash}`;

/**
 * Keys the origin has accepted since their last take in this isolate: the
 * key's next take writes its marker in the same round trip (no write of its
 * own). A key whose next request lands in another isolate stays unproven
 * there until one of its successes is followed by a request in the same
 * isolate. At most `maxKeys`, the oldest forgotten first.
 */
export function createPendingProofs(maxKeys = 10_000) {
  const pending = new Set<string>();
  return {
    add(provenKey: string): void {
      pending.delete(provenKey);
      if (pending.size >= maxKeys) pending.delete(pending.values().next().value!);
      pending.add(provenKey);
    },
    /** Whether the key's marker is to be written now; forgets it. */
    take(provenKey: string): boolean {
      return pending.delete(provenKey);
    },
  };
}
