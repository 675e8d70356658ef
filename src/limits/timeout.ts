/** A store call that took longer than its bound. */
export class StoreTimeout extends Error {}

/** `promise`, or a StoreTimeout after `ms`; a late failure of `promise` never surfaces as an unhandled rejection. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  promise.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout(`store timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
