/**
 * Bundles workerd code (src/, bench/sim/: extensionless imports, resolved for the
 * Workers runtime) with esbuild, for Miniflare and for Node scripts that
 * import it. The file lands in node_modules/.cache/distill-guard/.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** `entry`: a file under the repository; or `source`: module text resolved from the repository's root. */
/** esbuild's options for workerd, as wrangler bundles a Worker: ES modules, the `workerd` export conditions. */
export const WORKERD_BUILD = {
  bundle: true,
  format: "esm" as const,
  platform: "neutral" as const,
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
};

export async function bundleForWorkerd(
  name: string,
  input: ({ entry: string } | { source: string }) & { sourcemap?: boolean },
): Promise<{ code: string; path: string; map?: string }> {
  const result = await build({
    ...("entry" in input
      ? { entryPoints: [join(root, input.entry)] }
      : { stdin: { contents: input.source, resolveDir: root, loader: "ts" as const, sourcefile: `${name}.ts` } }),
    ...WORKERD_BUILD,
    write: false,
    logLevel: "error",
    ...(input.sourcemap ? { sourcemap: "external" as const, sourcesContent: false, outfile: `${name}.mjs` } : {}),
  });
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text;
  const code = result.outputFiles.find((f) => !f.path.endsWith(".map"))!.text;
  const path = join(root, "node_modules/.cache/distill-guard", `${name}.mjs`);
  await mkdir(dirname(path), { recursive: true });
  // written whole, then renamed: test files running side by side may bundle and import the same name
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(partial, code);
  await rename(partial, path);
  return { code, path, ...(map ? { map } : {}) };
}

/** The compatibility date wrangler.toml deploys with, for Miniflare. */
export async function compatibilityDate(): Promise<string> {
  const toml = await readFile(join(root, "wrangler.toml"), "utf8");
  return /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "2026-10-01";
}
