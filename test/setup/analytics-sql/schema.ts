/**
 * The data point schema as docs/telemetry.md documents it (the tables:
 * `| \`blob1\` | \`route\` | … |`), and the dataset name from wrangler.toml. The
 * fake SQL API checks queries against this, not against the code: a query
 * must work with what users are told. (A workerd test keeps docs/telemetry.md and
 * src/telemetry/analytics.ts in step.)
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Schema } from "./engine.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

export interface DocumentedSchema extends Schema {
  /** Column → field name, e.g. blob3 → reason. */
  fields: Map<string, string>;
}

export function documentedSchema(
  docs = readFileSync(`${root}docs/telemetry.md`, "utf8"),
  wrangler = readFileSync(`${root}wrangler.toml`, "utf8"),
): DocumentedSchema {
  const fields = new Map<string, string>();
  const count = { blob: 0, double: 0 };
  for (const m of docs.matchAll(/^\| `(blob|double)(\d+)` \| `(\w+)` \|/gm)) {
    const kind = m[1] as "blob" | "double";
    const n = Number(m[2]);
    if (n !== count[kind] + 1)
      throw new Error(
        `docs/telemetry.md: ${kind}${n} follows ${kind}${count[kind]}: the schema tables must number columns from 1, in order`,
      );
    count[kind] = n;
    fields.set(`${kind}${n}`, m[3]!);
  }
  if (!count.blob || !count.double) throw new Error("docs/telemetry.md: no data point schema tables found");
  const dataset = /^\s*dataset\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1];
  if (!dataset) throw new Error("wrangler.toml: no analytics_engine_datasets dataset");
  return { dataset, blobs: count.blob, doubles: count.double, fields };
}
