// `npm run dev`: the demo origin on 127.0.0.1:8788 (ORIGIN_URL in wrangler.toml's [env.demo])
// and the gateway under `wrangler dev` on port 8787, run together. Ctrl-C
// stops both; when either one exits, the other is stopped too.
// Extra arguments go to wrangler: `npm run dev -- --ip 0.0.0.0`.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { devSecretArgs } from "./dev-vars.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const ORIGIN_PORT = "8788";
const GATEWAY_PORT = "8787";
const devVarsPath = `${root}.dev.vars`;
const devVars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : null;
if (devVars !== null) console.log("dev: using your .dev.vars");
// the secrets your .dev.vars does not set get local-only values
// the demo environment of wrangler.toml: the demo origin and the demo configuration
const wranglerArgs = [
  "dev",
  "--env",
  "demo",
  "--port",
  GATEWAY_PORT,
  ...devSecretArgs(devVars),
  ...process.argv.slice(2),
];

const children: ChildProcess[] = [];
let stopping = false;
let exitCode = 0;

function start(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  // The same Node that runs this script runs both, whatever `node` is on PATH.
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit" });
  children.push(child);
  child.on("error", (error) => {
    console.error(`dev: ${name} failed to start: ${error.message}`);
    stop(1);
  });
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`dev: ${name} exited (${signal ?? `code ${code}`}); stopping`);
    stop(code ?? (signal ? 1 : 0));
  });
}

function stop(code: number): void {
  if (!stopping) exitCode = code;
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
  }
  if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  // Then wait for the remaining children's exit events, which call stop() again;
  // one that ignores SIGINT for 5 s is killed.
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }, 5_000).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

start("demo origin", [`${root}scripts/demo-origin.ts`, ORIGIN_PORT]);
start("wrangler dev", [realpathSync(`${root}node_modules/.bin/wrangler`), ...wranglerArgs], {
  ...process.env,
  // No network lookup of the request.cf object: tests and demos fake it.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
});
