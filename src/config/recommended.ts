import type { ConfigInput } from "./input.ts";
import recommended from "./recommended.json" with { type: "json" };

/** A JSON value made read-only all the way down, so no importer can change what the others read. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The recommended configuration: src/config/recommended.json, the file the
 * ready-made Worker ships (`GATEWAY_CONFIG = "recommended"` in wrangler.toml),
 * the simulator measures (bench/results/recommended/report.md names its
 * SHA-256) and docs/configuration.md explains. test/config/recommended.test.ts
 * checks it against the validator and the JSON Schema.
 */
export const RECOMMENDED_CONFIG: ConfigInput = deepFreeze(recommended as ConfigInput);

/** Configurations shipped with the package that GATEWAY_CONFIG can name instead of spelling one out. */
export const NAMED_CONFIGS: Readonly<Record<string, ConfigInput>> = { recommended: RECOMMENDED_CONFIG };
