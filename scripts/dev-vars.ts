// What `npm run dev` adds to your .dev.vars: the local-only secrets it lacks (scripts/dev.ts).

/** Only for local runs: keys are hashed with it before any use. Never deployed (wrangler.toml does not set it). */
export const DEV_KEY_HASH_SECRET = "dev-only-key-hash-secret-do-not-deploy";

/** The names a .dev.vars (dotenv syntax) sets: `NAME=value` or `export NAME=value` lines; comments skipped. */
export function devVarNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/**
 * `wrangler dev` arguments for the secrets the Worker needs that the developer's .dev.vars (null: none) does not
 * set: a .dev.vars holding only ADMIN_TOKEN must not leave KEY_HASH_SECRET unset (every request would get 503).
 */
export function devSecretArgs(devVars: string | null): string[] {
  const names = devVars === null ? new Set<string>() : devVarNames(devVars);
  return names.has("KEY_HASH_SECRET") ? [] : ["--var", `KEY_HASH_SECRET:${DEV_KEY_HASH_SECRET}`];
}
