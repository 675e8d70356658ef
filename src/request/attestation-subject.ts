/** The header identity attestations arrive in unless a model rule names another (config/identity.ts). */
export const ATTESTATION_HEADER = "x-identity-attestation";

const MAX_SUBJECT = 256;
const MAX_TOKEN = 8192;

/**
 * The `sub` claim of the request's identity attestation, read without
 * verifying the token: on a route whose model rules require an attestation,
 * the geo check has verified it (and bound it to the key) before any cluster
 * counts it, and elsewhere a made-up subject only moves its own sender. Null
 * without a token or a string `sub`.
 */
export function attestationSubject(headers: Headers): string | null {
  const token = headers.get(ATTESTATION_HEADER);
  if (!token || token.length > MAX_TOKEN) return null;
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(payload.length / 4) * 4, "="),
    );
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === "string" && sub !== "" && sub.length <= MAX_SUBJECT ? sub : null;
  } catch {
    return null;
  }
}
