// The production example (wrangler.production.jsonc) and .dev.vars.example: what a team copies must be
// a configuration wrangler accepts and a gateway that builds, in every environment.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";
import { NAMED_CONFIGS } from "../../src/config/recommended.ts";
import { buildFromEnv, type WorkerEnv } from "../../src/worker.ts";
import { parseJsonc } from "./jsonc.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const example = new URL("wrangler.production.jsonc", root).pathname;
const ENVIRONMENTS = ["production", "staging"];

/** The secrets `wrangler secret put` provides, made up. */
const SECRETS = {
  KEY_HASH_SECRET: "a-key-hash-secret-of-some-length",
  UPSTASH_REDIS_REST_URL: "https://redis.example",
  UPSTASH_REDIS_REST_TOKEN: "token",
};

describe("wrangler.production.jsonc", () => {
  it("passes wrangler's own schema", () => {
    const schema = JSON.parse(read("node_modules/wrangler/config-schema.json"));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(parseJsonc(read("wrangler.production.jsonc"))), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(ENVIRONMENTS)("%s: a route, Analytics Engine, the store's secrets required, a valid configuration", (env) => {
    const config = unstable_readConfig({ config: example, env }, { hideWarnings: true });
    expect(config.routes?.length).toBeGreaterThan(0);
    expect(config.analytics_engine_datasets).toEqual([expect.objectContaining({ binding: "ANALYTICS" })]);
    expect(config.secrets?.required).toEqual(expect.arrayContaining(Object.keys(SECRETS)));
    const gateway = config.vars.GATEWAY_CONFIG;
    const parsed = parseConfig(typeof gateway === "string" ? NAMED_CONFIGS[gateway] : gateway);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    const built = buildFromEnv({ ...(config.vars as WorkerEnv), ...SECRETS });
    expect(built.ok ? [] : built.problems).toEqual([]);
  });

  it("production ships the recommended configuration; staging decides in shadow mode", () => {
    const vars = (env: string) => unstable_readConfig({ config: example, env }, { hideWarnings: true }).vars;
    expect(vars("production").GATEWAY_CONFIG).toBe("recommended");
    expect(vars("staging").GATEWAY_CONFIG).toMatchObject({ mode: "shadow" });
  });
});

describe(".dev.vars.example", () => {
  it("copied to .dev.vars, runs the demo environment", () => {
    const vars = Object.fromEntries(
      read(".dev.vars.example")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(Object.keys(vars)).toEqual(["KEY_HASH_SECRET"]);
    const demo = unstable_readConfig(
      { config: new URL("wrangler.toml", root).pathname, env: "demo" },
      { hideWarnings: true },
    );
    const built = buildFromEnv({ ...(demo.vars as WorkerEnv), ...vars });
    expect(built.ok ? [] : built.problems).toEqual([]);
  });
});
