import type { StoreConfig } from "../config/types.ts";
import type { Subject } from "../identity/subject.ts";
import type { AccountCache } from "../limits/accounts.ts";
import { finding } from "../verdict/reasons.ts";
import type { Finding } from "../verdict/types.ts";

/**
 * Sets the subject's account from the key registry. Null when the key is registered; else the finding: a
 * refusal (no key, an unknown key, or the registry could not be read and the store fails closed), or a flag
 * when the store fails open (the key is then counted as its own account).
 */
export async function resolveAccount(
  registry: AccountCache,
  subject: Subject,
  onError: StoreConfig["onError"],
  /** How long the store is left alone after a failure (StoreConfig.recoverAfterMs): the refusal's Retry-After. */
  recoverAfterMs = 1000,
): Promise<Finding | null> {
  if (subject.keyHash === null) return finding("identity.key_missing", "block", { detail: "no API key" });
  const found = await registry.lookup(subject.keyHash);
  if (found.ok && found.record) {
    const { account, tier, trusted, limits } = found.record;
    subject.account = { id: account, tier, trusted, limits };
    return null;
  }
  if (found.ok) return finding("identity.key_unknown", "block", { detail: "the key registry does not know the key" });
  const detail = `key registry: ${found.error}`;
  // refused: the client may retry once the store has had time to recover
  return onError === "open"
    ? finding("store.unavailable", "flag", { detail })
    : finding("store.unavailable", "throttle", { detail, retryAfterSeconds: retryAfterSeconds(recoverAfterMs) });
}

const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
