// The Worker built from what a team copies: each environment of wrangler.production.jsonc with the secrets
// `wrangler secret put` gives it, and the demo environment with .dev.vars.example copied to .dev.vars.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import devVars from "../.dev.vars.example?raw";
import production from "../wrangler.production.jsonc?raw";
import { buildFromEnv, type WorkerEnv } from "../src/worker.ts";
import { buildFromEnv as buildWithAdmin } from "../src/worker-with-admin.ts";
import { parseJsonc } from "./node/jsonc.ts";

const SECRETS = {
  KEY_HASH_SECRET: "a-key-hash-secret-of-some-length",
  UPSTASH_REDIS_REST_URL: "https://redis.example",
  UPSTASH_REDIS_REST_TOKEN: "token",
};

describe("the Worker from the examples", () => {
  const environments = Object.entries(
    (parseJsonc(production) as { env: Record<string, { vars: WorkerEnv; main?: string }> }).env,
  );

  it.each(environments)("wrangler.production.jsonc, %s: builds", (_name, environment) => {
    // the Worker the environment names: with the admin API, its secrets too
    const built =
      environment.main === "src/worker-with-admin.ts"
        ? buildWithAdmin({
            ...environment.vars,
            ...SECRETS,
            ADMIN_TOKEN: "an-admin-token-0123456789",
            ANALYTICS_API_TOKEN: "t",
          })
        : buildFromEnv({ ...environment.vars, ...SECRETS });
    expect(built.ok ? [] : built.problems).toEqual([]);
  });

  it(".dev.vars.example copied to .dev.vars: the demo environment builds", () => {
    const vars = Object.fromEntries(
      devVars
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(Object.keys(vars)).toEqual(["KEY_HASH_SECRET"]);
    const built = buildFromEnv({ ...(env as WorkerEnv), KEY_HASH_SECRET: undefined, ...vars });
    expect(built.ok ? [] : built.problems).toEqual([]);
  });
});
