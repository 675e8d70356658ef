import { formatIp, parseIp, prefixOf } from "../identity/ip.ts";
import { withTimeout } from "../limits/timeout.ts";
import type { LimitStore } from "../limits/types.ts";

/** Ten attempts at the admin token per client address (IPv6: per /64), one more every six minutes. */
const CAPACITY = 10;
const REFILL_PER_SECOND = CAPACITY / 3600;

export interface AttemptLimiter {
  /** Charges one attempt from `ip`: null when it may go on, else the seconds until it may try again. */
  take(ip: string): Promise<number | null>;
  /** Gives a matching attempt back: only wrong tokens use the budget up. */
  giveBack(ip: string): Promise<void>;
}

/**
 * Whose budget an address draws on: an IPv4 address its own, an IPv6 address
 * its /64's (one host's usual allocation: per address, a /64 would hold 2^64
 * budgets), anything unreadable the text as it came.
 */
function attemptBudgetOf(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  return ip.version === 4 ? formatIp(ip) : prefixOf(ip, 64);
}

/**
 * Limits guesses at the admin token, per client address (`CF-Connecting-IP`;
 * IPv6 per /64), in the shared store so that every isolate counts the same attempts: each
 * request presenting the token (Bearer, or the sign-in form) is charged one
 * attempt before the token is compared, and a match gives it back. Keys hold
 * the HMAC of the address (or /64) only. When the store fails or is slow, the attempt goes
 * on: the token still has to match, and an outage must not lock operators out.
 */
export function createAttemptLimiter(
  store: LimitStore,
  hash: (text: string) => Promise<string>,
  prefix: string,
  timeoutMs: number,
): AttemptLimiter {
  const bucket = async (ip: string) => ({
    key: `${prefix}:admin-attempts:${await hash(`ip=${attemptBudgetOf(ip)}`)}`,
    capacity: CAPACITY,
    refillPerSecond: REFILL_PER_SECOND,
  });
  return {
    async take(ip) {
      try {
        const result = await withTimeout(store.take([{ ...(await bucket(ip)), cost: 1 }], []), timeoutMs);
        return result.allowed ? null : Math.max(1, Math.ceil(result.buckets[0]!.retryAfterSeconds));
      } catch {
        return null;
      }
    },
    async giveBack(ip) {
      try {
        await withTimeout(store.adjust([{ ...(await bucket(ip)), delta: -1 }]), timeoutMs);
      } catch {
        // the attempt stays charged: one fewer for this address until it refills
      }
    },
  };
}
