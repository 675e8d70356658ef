// `npm run build` (and `npm pack`, through prepack): src/ compiled to dist/, JavaScript and .d.ts files, from
// scratch so no file of a deleted module is shipped. `npm run build:worker` bundles the ready-made Worker instead.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = realpathSync(join(root, "node_modules/.bin/tsc"));
const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) process.exit(result.status ?? 1);

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript; some .d.ts files keep `./x.ts`, which only TypeScript 5+
// resolves. The same rewrite there: the declarations name the files the package ships.
const RELATIVE_TS = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g;
for (const file of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".d.ts")) continue;
  const path = join(dist, file);
  const text = readFileSync(path, "utf8");
  const rewritten = text.replace(RELATIVE_TS, "$1$2$3.js$2");
  if (rewritten !== text) writeFileSync(path, rewritten);
}
