const encoder = new TextEncoder();

export type KeyHasher = (apiKey: string) => Promise<string>;

/**
 * HMAC-SHA-256 of an API key under a secret, as 32 hex characters (128 bits).
 * A raw key never leaves this function: limits, caches, logs and analytics see
 * only the hash, and without the secret a hash cannot be tested against guesses.
 * The CryptoKey is imported once, when the hasher is made.
 */
export function createKeyHasher(secret: string): KeyHasher {
  const key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (apiKey) => {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, encoder.encode(apiKey)));
    let hex = "";
    for (let i = 0; i < 16; i++) hex += mac[i]!.toString(16).padStart(2, "0");
    return hex;
  };
}

/** The client's API key: `x-api-key`, else `Authorization: Bearer <key>`. */
export function readApiKey(headers: Headers): { key: string; source: "x-api-key" | "authorization" } | null {
  const apiKey = headers.get("x-api-key")?.trim();
  if (apiKey) return { key: apiKey, source: "x-api-key" };
  const auth = headers.get("authorization");
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match ? { key: match[1]!, source: "authorization" } : null;
}
