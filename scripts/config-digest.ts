import { createHash } from "node:crypto";

/**
 * The SHA-256 of a configuration as JSON, in hex. `npm run simulate` writes it
 * into its report, so a test can tell a committed report was made from
 * src/config/recommended.json as it is now (test/node/recommended.test.ts).
 */
export const configDigest = (config: unknown): string =>
  createHash("sha256").update(JSON.stringify(config)).digest("hex");
