// The limiter's public API: `distill-guard/limits` (src/index.ts re-exports the common part).
export { BLOCK_DIMENSIONS, type BlockDimension } from "../request/dimensions.ts";
export { ADMIN_SCRIPT, ADMIN_SCRIPT_SHA1 } from "./admin-script.ts";
export {
  createMemoryAccounts,
  createRedisAccounts,
  type AccountRecord,
  type AccountStore,
} from "./accounts.ts";
export {
  blockKey,
  blocksIndexKey,
  isAdminStore,
  parseBlockTarget,
  type AdminStore,
  type BlockEntry,
  type BlockRecord,
  type ListedCounter,
} from "./blocks.ts";
export type { ClusterState } from "./clusters.ts";
export { evalScript, type Script, type ScriptRedis } from "./eval.ts";
export { estimateTokens, type TokenEstimate, type TokenEstimateOptions } from "./estimate.ts";
export { createDenialCache, type DenialCache } from "./denial-cache.ts";
export { createLimiter, type LimitCheck, type Limiter, type LimiterOptions, type LimitSource } from "./limiter.ts";
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./memory-store.ts";
export { reasonStem, sha256Hex, windowSeconds } from "./rules.ts";
export { LIMIT_SCRIPT, LIMIT_SCRIPT_SHA1 } from "./script.ts";
export type { BucketAdjustment, BucketRequest, BucketResult, CounterRequest, LimitStore, TakeResult } from "./types.ts";
export { createUpstashStore, type UpstashStoreOptions } from "./upstash-store.ts";
