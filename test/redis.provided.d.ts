// Values test/setup/redis.ts provides to the tests (read with inject()).
export {};
declare module "vitest" {
  export interface ProvidedContext {
    /** The Upstash-compatible bridge over a real redis-server (test/setup/redis.ts). */
    upstashBridge: { url: string; token: string };
  }
}
