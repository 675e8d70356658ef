/**
 * `npm run schema`: writes src/config/config.schema.json, the configuration's
 * JSON Schema, from the validator's own field lists and constants
 * (src/config/schema.ts) and the doc comments of src/config/input.ts.
 * `--check` writes nothing and fails when the committed file is stale
 * (test/node/config-schema.test.ts does the same in `npm test`).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { argv, exit } from "node:process";
import { pathToFileURL } from "node:url";
import { bundleForWorkerd, root } from "./bundle.ts";
import { formatJson } from "./format-json.ts";
import { inputDocs } from "./input-docs.ts";

export const SCHEMA_FILE = join(root, "src/config/config.schema.json");

const { path } = await bundleForWorkerd("config-schema", { entry: "src/config/schema.ts" });
const { configSchema } = (await import(pathToFileURL(path).href)) as {
  configSchema(docs: (path: string) => string | undefined): unknown;
};
const text = `${formatJson(configSchema(inputDocs(root)))}\n`;

if (argv.includes("--check")) {
  const committed = await readFile(SCHEMA_FILE, "utf8").catch(() => "");
  if (committed !== text) {
    console.error(`${SCHEMA_FILE} is stale: run npm run schema`);
    exit(1);
  }
  console.log(`${SCHEMA_FILE} is up to date.`);
} else {
  await writeFile(SCHEMA_FILE, text);
  console.log(`Wrote ${SCHEMA_FILE}.`);
}
