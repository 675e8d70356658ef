/**
 * When the edge first saw a key (or account): its age is evidence a farm
 * cannot fake cheaply. Farms are new accounts, and they arrive together; so
 * are some honest customers (a launch day), which is why a new key alone is
 * weak evidence (risk `newKey`), and cohorts of new keys on one network,
 * build or template are counted apart (a cluster's `newKeys`).
 *
 * The record is one store key per key, `<prefix>:seen:<hash>`, read and
 * created by the limit script in the request's one round trip. It lives
 * FIRST_SEEN_TTL_MS after each write and is written again (its first time
 * kept) once half of that has passed, so a key used at least every 60 days
 * keeps its age, for one write a month.
 */
import { MAX_NEW_KEY_SECONDS } from "../config/types.ts";

/** How long a first-seen record lives after a write: twice the longest new-key age. */
export const FIRST_SEEN_TTL_MS = 2 * MAX_NEW_KEY_SECONDS * 1000;

/** The store key of a key's (or account's) first-seen record: hashed like every other key value. */
export async function firstSeenKey(prefix: string, keyValue: string, hash: (text: string) => Promise<string>) {
  return `${prefix}:seen:${await hash(`key=${keyValue}`)}`;
}

/** "3m", "5h", "2d": an age for a finding's detail. */
export function formatAge(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h`;
  return `${Math.floor(m / 1440)}d`;
}
