// A fresh project that installs the packed package, as a user's would: `npm pack` here (which builds dist/),
// `npm install` of the tarball there. test/node/package.test.ts type-checks and bundles it; bench/package.ts
// reports the gzip size of its two Workers. The repository's own tsc and wrangler do the work (nothing else is
// installed into the consumer), and npm prefers its cache, warm after `npm ci`.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  peerDependencies: Record<string, string>;
};
const bin = (name: string) => realpathSync(join(root, "node_modules/.bin", name));
const quiet = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", npm_config_fund: "false" };

/** Runs a Node CLI with this Node; its output, or an Error carrying everything it printed. */
function run(cli: string, args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], { cwd, env: quiet, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cli} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

/** npm, as on PATH. */
function npm(args: string[], cwd: string): string {
  try {
    return execFileSync("npm", args, { cwd, env: quiet, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}\n${e.message}`);
  }
}

// The consumer's code: the guard inside an existing Hono app, every subpath, and the ready-made Worker.
const MIDDLEWARE_APP = `import { Hono, type MiddlewareHandler } from "hono";
import { type AccountId, type ConfigInput, GuardDenial, distillGuard } from "distill-guard";
import { createMemoryStore } from "distill-guard/limits";

type Bindings = { KEY_HASH_SECRET: string };
type Variables = { orgId?: string };

const config: ConfigInput = {
  routes: [
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }],
    },
  ],
};

const app = new Hono<{ Bindings: Bindings; Variables: Variables }>();
// built once, on the first request (the secret is a binding)
let guard: MiddlewareHandler | undefined;
app.use("*", (c, next) => {
  guard ??= distillGuard({
    config,
    keyHashSecret: c.env.KEY_HASH_SECRET,
    store: createMemoryStore(),
    account: (ctx): AccountId => ctx.get("orgId"),
    denials: "throw",
  });
  return guard(c, next);
});
app.onError((error, c) => {
  if (error instanceof GuardDenial) return error.getResponse();
  return c.text("internal error", 500);
});
app.post("/v1/chat/completions", (c) => {
  const action: "allow" | "flag" | "degrade" | "challenge" | "throttle" | "block" = c.get("guard").verdict.action;
  return c.json({ action });
});
app.get("/health", (c) => c.text("ok"));

export default app;
`;

const SUBPATHS = `import { Hono } from "hono";
import { ConfigError, createGateway, loadConfig, type GuardState, type ConfigInput } from "distill-guard";
import { createLimiter, createUpstashStore, type LimitStore } from "distill-guard/limits";
import { fingerprintSignals, parseUserAgent, templateHash } from "distill-guard/signals";
import { ANALYTICS_BLOBS, toDataPoint, type AnalyticsDataset, type DecisionEvent } from "distill-guard/telemetry";
import { createAdmin, isolateStats } from "distill-guard/admin";
import worker, { buildFromEnv, type WorkerEnv } from "distill-guard/worker";
import workerWithAdmin from "distill-guard/worker-with-admin";

export const used = [ConfigError, createGateway, loadConfig, createLimiter, createUpstashStore, fingerprintSignals,
  parseUserAgent, templateHash, ANALYTICS_BLOBS, toDataPoint, createAdmin, isolateStats, worker, buildFromEnv,
  workerWithAdmin];
export type Used = [GuardState, ConfigInput, LimitStore, AnalyticsDataset, DecisionEvent, WorkerEnv];
// typed, not any: a wrong use is an error
// @ts-expect-error the key-hash secret is required
createGateway({ config: { routes: [] }, origin: { url: "https://api.example" } });
export const env: WorkerEnv = { ORIGIN_URL: "https://api.example", GATEWAY_CONFIG: { routes: [] } };
export const sink: AnalyticsDataset = { writeDataPoint: () => {} };
new Hono().get("/", (c) => {
  // @ts-expect-error c.get("guard") is typed (GuardState), not any
  const wrong: number = c.get("guard").verdict.action;
  return c.text(String(wrong));
});
`;

// Plain JavaScript in Node: every entry loads (no bundler), and the middleware answers.
const NODE_RUN = `import { Hono } from "hono";
import { distillGuard } from "distill-guard";
await Promise.all(
  ["limits", "signals", "telemetry", "admin", "worker", "worker-with-admin"].map((p) => import("distill-guard/" + p)),
);
const app = new Hono();
const config = { routes: [{ name: "m", match: { path: "/v1/messages" }, geo: { presets: ["sanctions"] } }] };
app.use("*", distillGuard({ config, keyHashSecret: "node-consumer-secret-0123", log: () => {} }));
app.post("/v1/messages", (c) => c.json({ action: c.get("guard").verdict.action }));
app.get("/health", (c) => c.text("ok"));
const health = await app.request("/health");
const denied = await app.request("/v1/messages", { method: "POST" });
// no request.cf outside Workers: an unknown location, refused by the sanctions preset
const code = (await denied.json()).error.code;
console.log(JSON.stringify({ health: await health.text(), denied: denied.status, code }));
`;

const READY_WORKER = `export { default } from "distill-guard/worker";\n`;
const WORKER_WITH_ADMIN = `export { default } from "distill-guard/worker-with-admin";\n`;

/** The ts block of docs/package.md that is a whole Worker (it ends in `export default app`). */
function docsExample(): string {
  const blocks = readFileSync(join(root, "docs/package.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g);
  const app = [...blocks].map((m) => m[1]!).find((code) => code.includes("export default app;"));
  if (!app) throw new Error("docs/package.md: no complete example (a ts block ending in `export default app;`)");
  return app;
}

const tsconfig = (module: string, moduleResolution: string) => ({
  compilerOptions: {
    target: "ES2022",
    module,
    moduleResolution,
    lib: ["ES2023", "DOM", "DOM.Iterable"],
    // no runtime types at all: neither @cloudflare/workers-types nor wrangler types
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    verbatimModuleSyntax: true,
  },
  include: ["src"],
});

const wranglerToml = (name: string, main: string) =>
  `name = "${name}"\nmain = "${main}"\ncompatibility_date = "2026-10-01"\n`;

export interface Consumer {
  dir: string;
  /** The tarball `npm pack` made. */
  tarball: string;
  /** The files the tarball holds (package/...). */
  packed: string[];
  /** Runs the repository's tsc on one of the consumer's tsconfig files; its output. */
  typecheck(config: "tsconfig.nodenext.json" | "tsconfig.bundler.json"): string;
  /** Bundles one of the consumer's Workers with `wrangler deploy --dry-run`: its code and gzip size in bytes. */
  bundle(worker: "middleware" | "ready" | "admin"): { code: string; bytes: number; gzipBytes: number };
  /** Runs run.mjs (plain JavaScript importing the package) with this Node; what it printed. */
  runInNode(): string;
  remove(): void;
}

/** Packs the package and installs the tarball into a new project in a temporary folder. */
export function createConsumer(): Consumer {
  const dir = mkdtempSync(join(tmpdir(), "dg-consumer-"));
  const packs = join(dir, "packs");
  mkdirSync(packs);
  const [pack] = JSON.parse(npm(["pack", "--json", "--pack-destination", packs], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = join(packs, pack!.filename);
  const app = join(dir, "app");
  mkdirSync(join(app, "src"), { recursive: true });
  const files: Record<string, string> = {
    "package.json": JSON.stringify(
      {
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { [rootPackage.name]: `file:${tarball}`, hono: rootPackage.peerDependencies.hono },
      },
      null,
      2,
    ),
    "src/middleware.ts": MIDDLEWARE_APP,
    "src/subpaths.ts": SUBPATHS,
    "src/ready.ts": READY_WORKER,
    "src/admin.ts": WORKER_WITH_ADMIN,
    // docs/package.md's complete example, as a user would paste it (its Bindings name the runtime's dataset type)
    "src/docs-example.ts": docsExample(),
    "src/runtime.d.ts": `type AnalyticsEngineDataset = import("distill-guard/telemetry").AnalyticsDataset;\n`,
    "run.mjs": NODE_RUN,
    "tsconfig.nodenext.json": JSON.stringify(tsconfig("NodeNext", "NodeNext"), null, 2),
    "tsconfig.bundler.json": JSON.stringify(tsconfig("ESNext", "Bundler"), null, 2),
    "wrangler.middleware.toml": wranglerToml("consumer-middleware", "src/middleware.ts"),
    "wrangler.ready.toml": wranglerToml("consumer-ready", "src/ready.ts"),
    "wrangler.admin.toml": wranglerToml("consumer-admin", "src/admin.ts"),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], app);

  return {
    dir: app,
    tarball,
    packed: pack!.files.map((f) => f.path),
    typecheck: (config) => run(bin("tsc"), ["-p", config], app),
    bundle(worker) {
      const out = join(dir, `out-${worker}`);
      run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out, "-c", `wrangler.${worker}.toml`], app);
      const js = readdirSync(out).filter((f) => f.endsWith(".js"));
      const code = js.map((f) => readFileSync(join(out, f), "utf8")).join("\n");
      return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length };
    },
    runInNode: () => run(join(app, "run.mjs"), [], app),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
