import type { CredentialHeader } from "../identity/key-hash.ts";
import type { ErrorFormat } from "./types.ts";

export const CREDENTIAL_HEADERS: readonly CredentialHeader[] = ["x-api-key", "authorization"];

/**
 * The credential header an origin of an API family authenticates, for routes
 * that name none: Anthropic's `x-api-key`; OpenAI's `Authorization: Bearer`,
 * which is also the default for `problem` (RFC 6750, the generic HTTP scheme).
 */
export function defaultCredential(errors: ErrorFormat): CredentialHeader {
  return errors === "anthropic" ? "x-api-key" : "authorization";
}
