// The production example (wrangler.production.jsonc): what a team copies must be a configuration wrangler
// accepts, with a valid gateway configuration in every environment. (test/examples.test.ts builds the
// Worker from each environment's bindings, and from .dev.vars.example, in workerd.)
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { loadConfigModules } from "../../scripts/config-modules.ts";
import { parseJsonc } from "./jsonc.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const example = new URL("wrangler.production.jsonc", root).pathname;
const ENVIRONMENTS = ["production", "production-admin", "staging"];
const { parseConfig, NAMED_CONFIGS } = await loadConfigModules();

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
  });

  it("production-admin is production's gateway with the admin API, on the admin paths of its hostname, its store shared", () => {
    const read = (env: string) => unstable_readConfig({ config: example, env }, { hideWarnings: true });
    const [gateway, admin] = [read("production"), read("production-admin")];
    expect(gateway.main).toMatch(/src\/worker\.ts$/);
    expect(admin.main).toMatch(/src\/worker-with-admin\.ts$/);
    for (const v of ["ORIGIN_URL", "GATEWAY_CONFIG"]) expect(admin.vars[v]).toEqual(gateway.vars[v]);
    expect(admin.analytics_engine_datasets).toEqual(gateway.analytics_engine_datasets);
    expect(admin.secrets?.required).toEqual(expect.arrayContaining([...gateway.secrets!.required, "ADMIN_TOKEN"]));
    const host = (gateway.routes![0] as { pattern: string }).pattern;
    expect(admin.routes).toEqual([expect.objectContaining({ pattern: `${host}/_guard*` })]);
  });

  it("production ships the recommended configuration; staging decides in shadow mode", () => {
    const vars = (env: string) => unstable_readConfig({ config: example, env }, { hideWarnings: true }).vars;
    expect(vars("production").GATEWAY_CONFIG).toBe("recommended");
    expect(vars("staging").GATEWAY_CONFIG).toMatchObject({ mode: "shadow" });
  });
});
