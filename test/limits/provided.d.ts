// Values the global setups provide to tests (read with `inject()` from "vitest").
export {};
declare module "vitest" {
  export interface ProvidedContext {
    /** The Upstash-compatible bridge over a real redis-server (test/setup/redis.ts). */
    upstashBridge: { url: string; token: string };
  }
}
