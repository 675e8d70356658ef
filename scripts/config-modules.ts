/**
 * The configuration's modules (src/config/, workerd code importing JSON) for
 * Node-side tools and tests, bundled once with esbuild: `npm run schema`, and
 * the tests that hold the schema, the recommended configuration and the
 * simulator to each other. One bundle, so objects keep their identity.
 */
import { pathToFileURL } from "node:url";
import { bundleForWorkerd, root } from "./bundle.ts";
import { formatJson } from "./format-json.ts";
import { inputDocs } from "./input-docs.ts";

type Json = Record<string, unknown>;

/** What the bundle exports (typed here: the Node-side tsconfig does not check workerd code). */
export interface ConfigModules {
  parseConfig(raw: unknown): { ok: true } | { ok: false; problems: string[] };
  configSchema(docs: (path: string) => string | undefined): Json;
  RECOMMENDED_CONFIG: Json;
  NAMED_CONFIGS: Record<string, Json>;
  SHIPPED_CONFIGS: Record<string, { config: Json }>;
}

export async function loadConfigModules(): Promise<ConfigModules> {
  const { path } = await bundleForWorkerd("config-modules", {
    source: [
      'export { parseConfig } from "./src/config/parse.ts";',
      'export { configSchema } from "./src/config/schema.ts";',
      'export { NAMED_CONFIGS, RECOMMENDED_CONFIG } from "./src/config/recommended.ts";',
      'export { SHIPPED_CONFIGS } from "./bench/sim/configs.ts";',
    ].join("\n"),
  });
  return (await import(pathToFileURL(path).href)) as ConfigModules;
}

/** src/config/config.schema.json as `npm run schema` writes it. */
export const schemaText = (modules: ConfigModules): string => `${formatJson(modules.configSchema(inputDocs(root)))}\n`;
