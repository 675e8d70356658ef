import type { CredentialSetting } from "../identity/key-hash.ts";
import type { ErrorFormat } from "./types.ts";

export const CREDENTIAL_HEADERS: readonly CredentialSetting[] = ["x-api-key", "authorization", "either"];

/**
 * The credential an origin of an API family authenticates, for routes that
 * name none: Anthropic's either (`x-api-key`, or `Authorization: Bearer`, which
 * the official TypeScript SDK sends since its 1.x versions); OpenAI's
 * `Authorization: Bearer`, also the default for `problem` (RFC 6750).
 */
export function defaultCredential(errors: ErrorFormat): CredentialSetting {
  return errors === "anthropic" ? "either" : "authorization";
}
