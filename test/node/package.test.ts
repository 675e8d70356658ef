// The package as a user gets it: packed, installed from the tarball into a fresh project, type-checked with plain
// tsc under both module resolutions (no runtime types: the package's own must suffice), and bundled with wrangler.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Consumer, createConsumer } from "../../scripts/package-consumer.ts";

let consumer: Consumer;
beforeAll(() => {
  consumer = createConsumer();
}, 240_000);
afterAll(() => consumer?.remove());

describe("the packed package in a fresh project", () => {
  it("ships the built JavaScript and its types, not the sources or the tests", () => {
    expect(consumer.packed).toContain("dist/index.js");
    expect(consumer.packed).toContain("dist/index.d.ts");
    for (const entry of ["worker", "worker-with-admin", "signals", "limits/index", "telemetry/index", "admin/index"])
      expect(consumer.packed).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.d.ts`]));
    expect(consumer.packed.filter((f) => !/^(dist\/|README\.md$|LICENSE|package\.json$)/.test(f))).toEqual([]);
    expect(consumer.packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("imports .js files only: the source's .ts suffixes are rewritten in the JavaScript and the declarations", () => {
    const installed = join(consumer.dir, "node_modules/distill-guard");
    const tsImports = consumer.packed
      .filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))
      .filter((f) =>
        /(?:from|import)\s*\(?\s*["']\.{1,2}\/[^"']+\.ts["']/.test(readFileSync(join(installed, f), "utf8")),
      );
    expect(tsImports).toEqual([]);
  });

  it("runs as plain JavaScript in Node: every entry loads, the middleware answers", () => {
    expect(JSON.parse(consumer.runInNode())).toEqual({ health: "ok", denied: 451, code: "geo.unknown_location" });
  });

  it("type-checks with plain tsc, moduleResolution NodeNext", () => {
    expect(consumer.typecheck("tsconfig.nodenext.json")).toBe("");
  }, 120_000);

  it("type-checks with plain tsc, moduleResolution Bundler", () => {
    expect(consumer.typecheck("tsconfig.bundler.json")).toBe("");
  }, 120_000);

  it("bundles a middleware-only Worker and the ready-made Worker without the admin API and dashboard, the Worker with admin with them", () => {
    const middleware = consumer.bundle("middleware");
    const ready = consumer.bundle("ready");
    const admin = consumer.bundle("admin");
    // a string of the admin API's sessions (src/admin/auth.ts) and one of the dashboard's pages (src/admin/dashboard.ts)
    for (const marker of ["distill-guard admin session", `<meta name="robots" content="noindex">`]) {
      expect(middleware.code).not.toContain(marker);
      expect(ready.code).not.toContain(marker);
      expect(admin.code).toContain(marker);
    }
    // the gateway's own request path is in both Workers: the forward to the origin (src/proxy/forward.ts)
    for (const worker of [ready, admin]) expect(worker.code).toContain("origin.unreachable");
    expect(middleware.gzipBytes).toBeLessThan(ready.gzipBytes);
    expect(ready.gzipBytes).toBeLessThan(admin.gzipBytes);
    console.log(
      `gzip: middleware-only Worker ${(middleware.gzipBytes / 1024).toFixed(1)} KiB, ` +
        `ready-made Worker ${(ready.gzipBytes / 1024).toFixed(1)} KiB, ` +
        `with the admin API ${(admin.gzipBytes / 1024).toFixed(1)} KiB (npm run bench: bench/package.ts)`,
    );
  }, 120_000);
});
