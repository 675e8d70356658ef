import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

// Tests run inside workerd (the Workers runtime). Servers the tests talk to
// (a model-API origin, redis-server behind an Upstash-compatible bridge) run
// in Node, started by the global setups in test/setup/, which `provide()` their addresses.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: `${root}wrangler.toml` } })],
  test: {
    root,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/origin.global.ts", "test/setup/jwks-server.ts", "test/setup/redis.ts"],
    testTimeout: 20_000,
  },
});
