/**
 * `npm run bundle-size`: how large the Worker is and what it is made of.
 *
 * Bundles as wrangler does (esbuild, ESM, the workerd conditions, minified and
 * with or without kept names as wrangler.toml says) with a metafile, and prints
 * per part of the code its minified bytes and its share; the whole bundle's size
 * gzip-compressed (what Cloudflare's limit counts); and the same totals for the
 * Worker with the admin API (src/worker-with-admin.ts), a middleware-only
 * consumer (`distillGuard` in an app of its own) and a bare Hono proxy.
 * A part's gzip figures are estimates (the totals are exact): its share of the
 * minified bytes applied to the bundle's gzip size, and what the bundle's gzip
 * size loses without it (each module minified on its own, the bundle's gzip
 * compared with and without the part's modules). Text compresses unevenly: a
 * table of codes costs more than its share, repetitive code less.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";
import { WORKERD_BUILD, root } from "./bundle.ts";

/** Parts of the bundle, by input path (first match wins). */
const PARTS: Array<[string, RegExp]> = [
  ["hono", /node_modules\/hono\//],
  ["other dependencies", /node_modules\//],
  ["admin API and dashboard", /^src\/admin\//],
  ["Analytics Engine SQL API (dashboard)", /^src\/telemetry\/(sql-api|queries)/],
  ["attestations and JWKS", /^src\/identity\/(attestation|jwks|jwt)\.ts$|^src\/config\/identity\.ts$/],
  ["data tables (ISO 3166, presets)", /^src\/config\/(iso3166(-data)?\.ts|presets\/)/],
  ["config validation", /^src\/config\//],
  ["limiter and stores", /^src\/limits\//],
  ["checks and signals", /^src\/(checks|request)\//],
  ["identity", /^src\/identity\//],
  ["proxy (forward, usage, degrade)", /^src\/proxy\//],
  ["verdict and error bodies", /^src\/verdict\//],
  ["telemetry", /^src\/telemetry\//],
  ["guard, gateway, worker", /^src\//],
];

type Entry = { source: string } | { file: string };

async function measure(entry: Entry, { minify, keepNames }: Minify) {
  const result = await build({
    ...("file" in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: root, loader: "ts" as const, sourcefile: "entry.ts" } }),
    absWorkingDir: root,
    ...WORKERD_BUILD,
    minify,
    keepNames,
    metafile: true,
    write: false,
    logLevel: "error",
  });
  const bytes = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, inputs };
}

type Minify = { minify: boolean; keepNames: boolean };

/** Whether wrangler.toml minifies the Worker, and whether it keeps functions' names (wrangler's default: yes). */
async function minified(): Promise<Minify> {
  const toml = await readFile(`${root}wrangler.toml`, "utf8");
  return { minify: /^minify\s*=\s*true/m.test(toml), keepNames: !/^keep_names\s*=\s*false/m.test(toml) };
}
const kib = (n: number) => (n / 1024).toFixed(1);

const MIDDLEWARE_ONLY = `import { Hono } from "hono";
  import { distillGuard } from "./src/index.ts";
  const app = new Hono();
  app.use("*", distillGuard({ config: { routes: [] }, keyHashSecret: "0123456789abcdef" }));
  app.all("*", (c) => c.text("ok"));
  export default app;`;
const BARE_PROXY = `import { Hono } from "hono";
  import { proxy } from "hono/proxy";
  const app = new Hono();
  app.all("*", (c) => proxy("https://origin.example" + new URL(c.req.url).pathname, c.req.raw));
  export default app;`;

/** The Worker, a middleware-only consumer, a bare Hono proxy and any `extra` bundles: bytes and gzip bytes, built as wrangler builds. */
export async function measureBundles(
  extra: Record<string, Entry> = {},
): Promise<Record<string, { bytes: number; gzip: number }>> {
  const minify = await minified();
  const entries: Record<string, Entry> = {
    "the Worker (src/worker.ts)": { file: "src/worker.ts" },
    "the Worker with the admin API (src/worker-with-admin.ts)": { file: "src/worker-with-admin.ts" },
    "a middleware-only consumer (distillGuard in a Hono app)": { source: MIDDLEWARE_ONLY },
    "a bare Hono proxy": { source: BARE_PROXY },
    ...extra,
  };
  const out: Record<string, { bytes: number; gzip: number }> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const { bytes, gzip } = await measure(entry, minify);
    out[name] = { bytes, gzip };
  }
  return out;
}

/**
 * Per part, how many gzip bytes the Worker loses without it: bundled with the modules' path comments kept (no
 * whitespace minification), each module then minified on its own, the gzip of every module but the part's.
 */
async function marginalGzip(file: string, { minify, keepNames }: Minify): Promise<Map<string, number>> {
  const result = await build({
    entryPoints: [file],
    absWorkingDir: root,
    ...WORKERD_BUILD,
    minifyIdentifiers: minify,
    minifySyntax: minify,
    keepNames,
    write: false,
    logLevel: "error",
  });
  const modules: Array<[string, string]> = [];
  for (const chunk of result.outputFiles[0]!.text.split(/^(?=\/\/ (?:src|node_modules)\/)/m)) {
    const path = /^\/\/ (\S+)/.exec(chunk)?.[1] ?? "";
    const code = minify ? (await transform(chunk, { minifyWhitespace: true, loader: "js" })).code : chunk;
    modules.push([PARTS.find(([, re]) => re.test(path))?.[0] ?? "other", code]);
  }
  const gzip = (without?: string) =>
    gzipSync(
      modules
        .filter(([part]) => part !== without)
        .map(([, code]) => code)
        .join(""),
      { level: 9 },
    ).length;
  const whole = gzip();
  return new Map([...new Set(modules.map(([part]) => part))].map((part) => [part, whole - gzip(part)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await report();

async function report() {
  const minify = await minified();
  const worker = await measure({ file: "src/worker.ts" }, minify);
  const bundles = await measureBundles();
  const parts = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(worker.inputs)) {
    const part = PARTS.find(([, re]) => re.test(path))?.[0] ?? "other";
    parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
  }
  const code = [...parts.values()].reduce((a, b) => a + b, 0);
  const marginal = await marginalGzip("src/worker.ts", minify);
  const how = minify.minify ? `, minified${minify.keepNames ? "" : ", no kept names"} (wrangler.toml)` : "";
  console.log(`\nThe Worker (src/worker.ts), bundled as wrangler does${how}:\n`);
  console.log("| part | KiB | share | ≈ KiB gzip, by share | ≈ KiB gzip, without it |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [part, n] of [...parts].sort((a, b) => b[1] - a[1]))
    console.log(
      `| ${part} | ${kib(n)} | ${((100 * n) / code).toFixed(1)} % | ${kib((n / code) * worker.gzip)} | ${kib(marginal.get(part) ?? 0)} |`,
    );
  console.log("\n| bundle | KiB | KiB gzip |");
  console.log("| --- | ---: | ---: |");
  for (const [name, b] of Object.entries(bundles)) console.log(`| ${name} | ${kib(b.bytes)} | ${kib(b.gzip)} |`);
  console.log("\nHeaviest files:\n");
  for (const [path, { bytesInOutput }] of Object.entries(worker.inputs)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 15))
    console.log(`- ${path}: ${kib(bytesInOutput)} KiB`);
}
