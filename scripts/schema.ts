/**
 * `npm run schema`: writes src/config/config.schema.json, the configuration's
 * JSON Schema, from the validator's own field lists and constants
 * (src/config/schema.ts) and the doc comments of src/config/input.ts.
 * test/node/config-schema.test.ts fails while the committed file is stale.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { root } from "./bundle.ts";
import { loadConfigModules, schemaText } from "./config-modules.ts";

const file = join(root, "src/config/config.schema.json");
await writeFile(file, schemaText(await loadConfigModules()));
console.log(`Wrote ${file}.`);
