/** A store call that took longer than its bound. */
export class StoreTimeout extends Error {}

/** `promise`, or a StoreTimeout after `ms`; a late failure of `promise` never surfaces as an unhandled rejection. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  promise.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout(`store timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

/**
 * `withTimeout`, except for a store in the isolate's memory (kind "memory"), which answers without I/O:
 * a timer set and cleared per request costs more there than the call itself.
 */
export function boundedFor<T>(store: { kind: string }, promise: Promise<T>, ms: number): Promise<T> {
  return store.kind === "memory" ? promise : withTimeout(promise, ms);
}

/** The least a store call off the request's path (a post-charge after the response, the admin API) may wait: the hot path's bound is too tight there. */
export const OFF_PATH_TIMEOUT_FLOOR_MS = 1000;

/** The bound of a store call off the request's path: the route's timeout, but at least OFF_PATH_TIMEOUT_FLOOR_MS. */
export const offPathTimeoutMs = (store: { timeoutMs: number }): number =>
  Math.max(store.timeoutMs, OFF_PATH_TIMEOUT_FLOOR_MS);
