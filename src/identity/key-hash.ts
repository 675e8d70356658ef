/** The header a client's API key is read from, and the only credential header the origin receives. */
export type CredentialHeader = "x-api-key" | "authorization";

/**
 * A route's `credential`: the header its origin authenticates, or `"either"` for an origin that reads both
 * (an Anthropic-shaped API: its SDKs send `x-api-key` or `Authorization: Bearer`, by version).
 */
export type CredentialSetting = CredentialHeader | "either";

/**
 * The one header a request's key is read from and forwarded in: the route's, or with `"either"` the one the
 * client sent (`x-api-key` when it sent both: they then carry the same key, or the request is refused as
 * conflicting before anything is counted).
 */
export function credentialHeader(setting: CredentialSetting, headers: Headers): CredentialHeader {
  if (setting !== "either") return setting;
  return headers.has("x-api-key") || !headers.has("authorization") ? "x-api-key" : "authorization";
}

const encoder = new TextEncoder();

export type KeyHasher = (apiKey: string) => Promise<string>;

/** Hashes a hasher remembers; texts longer than MEMO_TEXT_MAX are never kept, so the memo stays under a few MB. */
const MEMO_SIZE = 10_000;
const MEMO_TEXT_MAX = 256;

/**
 * HMAC-SHA-256 of an API key under a secret, as 32 hex characters (128 bits).
 * A raw key never leaves this function: limits, caches, logs and analytics see
 * only the hash, and without the secret a hash cannot be tested against guesses.
 * The CryptoKey is imported once, when the hasher is made.
 */
export function createKeyHasher(secret: string): KeyHasher {
  const key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return async (text) => {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, encoder.encode(text)));
    let hex = "";
    for (let i = 0; i < 16; i++) hex += mac[i]!.toString(16).padStart(2, "0");
    return hex;
  };
}

/**
 * A hasher that remembers its last 10,000 results, oldest forgotten first:
 * for the limiter's dimension values (`subnet=…`, `asn=…`), which come back
 * request after request, each otherwise a WebCrypto call and a promise.
 * Never for API keys: a raw key is not kept past its request.
 */
export function rememberingHasher(hash: KeyHasher): KeyHasher {
  const memo = new Map<string, Promise<string>>();
  return (text) => {
    const known = memo.get(text);
    if (known) return known;
    const hashed = hash(text);
    if (text.length <= MEMO_TEXT_MAX) {
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
      memo.set(text, hashed);
      hashed.catch(() => memo.delete(text));
    }
    return hashed;
  };
}

/** The client's API key from the route's credential header (`x-api-key: <key>` or `Authorization: Bearer <key>`) alone. */
export function readApiKey(headers: Headers, credential: "x-api-key" | "authorization"): string | null {
  if (credential === "x-api-key") return headers.get("x-api-key")?.trim() || null;
  const auth = headers.get("authorization");
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match ? match[1]! : null;
}

/**
 * True when the request carries two different credentials: an `x-api-key`
 * and an `Authorization` that is not `Bearer` with that same key. The gateway
 * and the origin could then count different accounts.
 */
export function conflictingCredentials(headers: Headers): boolean {
  const apiKey = headers.get("x-api-key")?.trim();
  if (!apiKey || !headers.get("authorization")?.trim()) return false;
  return readApiKey(headers, "authorization") !== apiKey;
}
