import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));
export const WORKER_KEY_HASH_SECRET = "worker-test-key-hash-secret-0123";

// Two projects. "workerd": tests run inside workerd (the Workers runtime);
// servers they talk to (a model-API origin, redis-server behind an
// Upstash-compatible bridge, a fake Analytics Engine SQL API) run in Node,
// started by the global setups in test/setup/, which `provide()` their
// addresses. "node": tests of Node-side tools (npm run report, the SQL
// queries) and the browser test (headless Chromium against wrangler dev), in test/node/.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          // The ready-made Worker as wrangler.toml's demo environment configures it, pointed at the
          // test origin, with the secret `wrangler secret put` would provide.
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: `${root}wrangler.toml`, environment: "demo" },
            miniflare: {
              bindings: { ORIGIN_URL: inject<string>("originUrl"), KEY_HASH_SECRET: WORKER_KEY_HASH_SECRET },
            },
          })),
        ],
        test: {
          name: "workerd",
          root,
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          globalSetup: [
            "test/setup/origin.global.ts",
            "test/setup/jwks-server.ts",
            "test/setup/redis.ts",
            "test/setup/analytics-sql.global.ts",
          ],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "node",
          root,
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
