// `npm run key-hash`: the hash the gateway uses for an API key (HMAC-SHA-256
// under KEY_HASH_SECRET, 32 hex characters), for a route's `trust.keys` or to
// find a key in telemetry. The key is read from standard input, so it stays
// out of the shell's history and the process list; the secret from the
// KEY_HASH_SECRET environment variable.
//
//   printf %s "$API_KEY" | KEY_HASH_SECRET=… npm run --silent key-hash
import { argv, env, exit, stdin, stdout } from "node:process";
import { createKeyHasher } from "../src/identity/key-hash.ts";

if (argv.length > 2) {
  console.error(
    'usage: printf %s "$API_KEY" | KEY_HASH_SECRET=… npm run --silent key-hash   (the key on standard input, not as an argument)',
  );
  exit(2);
}
const secret = env.KEY_HASH_SECRET;
if (!secret || secret.length < 16) {
  console.error("key-hash: set KEY_HASH_SECRET to the gateway's secret (at least 16 characters)");
  exit(2);
}
let input = "";
for await (const chunk of stdin) input += chunk;
// One key per line; surrounding whitespace is not part of a key (the gateway trims it too).
const keys = input
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "");
if (keys.length === 0) {
  console.error("key-hash: no key on standard input");
  exit(2);
}
const hash = createKeyHasher(secret);
for (const key of keys) stdout.write(`${await hash(key)}\n`);
