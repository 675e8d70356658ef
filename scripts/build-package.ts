// `npm run build` (and `npm pack`, through prepack): src/ compiled to dist/, JavaScript and .d.ts files, from
// scratch so no file of a deleted module is shipped. `npm run build:worker` bundles the ready-made Worker instead.
import { spawnSync } from "node:child_process";
import { realpathSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
const tsc = realpathSync(`${root}node_modules/.bin/tsc`);
const result = spawnSync(process.execPath, [tsc, "-p", `${root}tsconfig.build.json`], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
