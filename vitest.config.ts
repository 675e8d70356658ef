import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd (the Workers runtime). Servers the tests talk to
// (a model-API origin, redis-server behind an Upstash-compatible bridge) run
// in Node, started by the global setups, which `provide()` their addresses.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    globalSetup: [],
    testTimeout: 20_000,
  },
});
