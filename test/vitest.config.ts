import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));
export const WORKER_KEY_HASH_SECRET = "worker-test-key-hash-secret-0123";

// Tests run inside workerd (the Workers runtime). Servers the tests talk to
// (a model-API origin, redis-server behind an Upstash-compatible bridge) run
// in Node, started by the global setups in test/setup/, which `provide()` their addresses.
export default defineConfig({
  plugins: [
    // The ready-made Worker as wrangler.toml configures it, pointed at the test origin,
    // with the secret `wrangler secret put` would provide.
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: { bindings: { ORIGIN_URL: inject<string>("originUrl"), KEY_HASH_SECRET: WORKER_KEY_HASH_SECRET } },
    })),
  ],
  test: {
    root,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/origin.global.ts", "test/setup/jwks-server.ts", "test/setup/redis.ts"],
    testTimeout: 20_000,
  },
});
