// The configuration's JSON Schema (src/config/config.schema.json) is generated from the validator's own
// field lists and constants: regenerated here, it must equal the committed file; and the configurations
// users are given (the recommended one, the demo, the production example, every example in the docs) must
// pass both the schema and the validator.
import { readdirSync, readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { loadConfigModules, schemaText } from "../../scripts/config-modules.ts";
import { parseJsonc } from "./jsonc.ts";

type JsonSchema = Record<string, unknown>;
const modules = await loadConfigModules();
const { parseConfig, RECOMMENDED_CONFIG } = modules;

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const committed = JSON.parse(read("src/config/config.schema.json")) as JsonSchema;
const validate = new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(committed);
const schemaProblems = (config: unknown) =>
  validate(config) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);
const validatorProblems = (config: unknown) => {
  const parsed = parseConfig(config);
  return parsed.ok ? [] : parsed.problems;
};

/**
 * Every example configuration of the user docs, as a whole configuration: a ```jsonc block that is a
 * configuration, a route or a part of a route, or a ```json block that is a configuration. (Other ```json
 * blocks are answers, such as the admin API's.)
 */
function docExamples(): Array<{ where: string; config: unknown }> {
  const definitions = committed.definitions as Record<string, { properties: object }>;
  const routeFields = new Set(Object.keys(definitions.route!.properties));
  const files = ["README.md", ...readdirSync(new URL("docs/", root)).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith(".md"),
  );
  const found: Array<{ where: string; config: unknown }> = [];
  for (const file of files) {
    for (const [, lang, body] of read(file).matchAll(/^```(jsonc?)\n([\s\S]*?)^```$/gm)) {
      const text = body!.trim();
      let value: unknown;
      try {
        value = parseJsonc(text.startsWith('"') ? `{${text}}` : text);
      } catch {
        continue; // not one JSON value: answers and log lines shown one a line
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
      const where = `${file}: ${text.slice(0, 60)}…`;
      if ("routes" in value) found.push({ where, config: value });
      else if (lang === "jsonc" && Object.keys(value).every((k) => routeFields.has(k)))
        found.push({ where, config: { routes: [{ name: "example", match: { path: "/v1/messages" }, ...value }] } });
    }
  }
  return found;
}

describe("the configuration's JSON Schema", () => {
  it("is the file npm run schema writes from the validator (run it after changing src/config)", () => {
    expect(schemaText(modules)).toBe(read("src/config/config.schema.json"));
  });

  it("describes each field with its doc comment in src/config/input.ts", () => {
    const route = (committed.definitions as Record<string, { properties: Record<string, JsonSchema> }>).route!;
    expect(route.properties.keyless!.description).toMatch(/^A request without an API key/);
    expect((committed.properties as Record<string, JsonSchema>).proveKeys!.description).toMatch(
      /^Keep the keys the origin has accepted/,
    );
  });

  /** The recommended configuration with `value` set at `path`. */
  const changed = (path: Array<string | number>, value: unknown): unknown => {
    const config = structuredClone(RECOMMENDED_CONFIG) as unknown as Record<string | number, unknown>;
    let at = config;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    at[path.at(-1)!] = value;
    return config;
  };
  const refusedByBoth = (path: Array<string | number>, value: unknown) => {
    const config = changed(path, value);
    const where = `${path.join(".")} = ${JSON.stringify(value)}`;
    expect(schemaProblems(config), where).not.toEqual([]);
    expect(validatorProblems(config), where).not.toEqual([]);
  };

  it("refuses unknown fields at every level, as the validator does", () => {
    refusedByBoth(["rotues"], []);
    refusedByBoth(["routes", 0, "limit"], []);
    refusedByBoth(["routes", 0, "match", "method"], ["POST"]);
    refusedByBoth(["routes", 0, "geo", "deny"], { country: ["RU"] });
    refusedByBoth(["routes", 0, "limits", 0, "per_second"], 1);
    refusedByBoth(["routes", 0, "clusters", 0, "maxKeys"], 3);
    refusedByBoth(["routes", 0, "fingerprint", "automaton"], "flag");
    refusedByBoth(["store"], { onerror: "open" });
  });

  it("refuses the values the validator refuses by enumeration or pattern", () => {
    refusedByBoth(["routes", 0, "mode"], "loud");
    refusedByBoth(["routes", 0, "limits", 0, "rate"], "60 a minute");
    refusedByBoth(["routes", 0, "limits", 0, "by"], ["user"]);
    refusedByBoth(["routes", 0, "clusters", 0, "window"], "1 week");
    refusedByBoth(["routes", 0, "geo", "presets"], ["sanction"]);
    refusedByBoth(["routes", 0, "name"], "has spaces");
    refusedByBoth(["routes", 0, "trust"], { keys: ["sk-live-not-a-hash"] });
  });
});

describe("the configurations users are given pass the schema and the validator", () => {
  const both = (config: unknown) => ({ schema: schemaProblems(config), validator: validatorProblems(config) });
  const clean = { schema: [], validator: [] };

  it("the recommended configuration (src/config/recommended.json), which names the schema for editors", () => {
    expect(RECOMMENDED_CONFIG.$schema).toBe("./config.schema.json");
    expect(both(RECOMMENDED_CONFIG)).toEqual(clean);
  });

  it("the demo configuration of wrangler.toml's [env.demo]", () => {
    const demo = unstable_readConfig(
      { config: new URL("wrangler.toml", root).pathname, env: "demo" },
      { hideWarnings: true },
    );
    expect(both(demo.vars.GATEWAY_CONFIG)).toEqual(clean);
  });

  it("every configuration example in README.md and docs/", () => {
    const examples = docExamples();
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const { where, config } of examples) expect(both(config), where).toEqual(clean);
  });
});
