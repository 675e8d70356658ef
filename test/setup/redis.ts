/// <reference path="../redis.provided.d.ts" />
/**
 * Global setup for the limiter tests: a throwaway redis-server and the
 * Upstash-compatible bridge in front of it. Provides `upstashBridge`: the
 * bridge's base address (tests make a tenant of their own: see test/limits/bridge.ts).
 */
import type { TestProject } from "vitest/node";
import { startRedis } from "./redis-server.ts";
import { startBridge } from "./upstash-bridge.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  const bridge = await startBridge(redis.port);
  project.provide("upstashBridge", { url: bridge.url, token: bridge.token });
  return async () => {
    await bridge.close();
    await redis.stop();
  };
}
