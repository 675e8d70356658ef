/**
 * Token post-charges waiting for the isolate's next take. A token-weighted
 * answer's usage is known only after the response; a store call of its own
 * would be a second round trip per request. So the correction waits here, and
 * the next take this isolate sends to the store (any client's) carries every
 * waiting one in its round trip, applied before its own buckets
 * (`LimitStore.take`'s settlements). Applied later, a correction comes out
 * the same (bucket.ts `settle`), but for a bucket that refilled to full in
 * the meantime: a debt is then charged from full, at most its refill over the
 * wait more than at once, never less.
 *
 * Bounded in count and in time: when `maxPending` bucket corrections wait, all
 * are sent at once in a call of their own; and none waits longer than
 * `delayMs`: then the request that queued it sends what waits itself (from its
 * own `waitUntil`, which lasts until then), so a correction without a following
 * take is applied all the same. At most once: a call that fails loses what it
 * carried, as a failed post-charge always did (the estimate stands).
 */
import type { BucketAdjustment } from "./types.ts";

export interface PendingSettlementsOptions {
  /** Sends corrections in a call of their own (the store's `adjust`, bounded); may reject. */
  flush(adjustments: BucketAdjustment[]): Promise<void>;
  /** Longest wait for a take to carry a correction, in ms. */
  delayMs: number;
  /** Most bucket corrections waiting; reaching it sends them all. */
  maxPending: number;
}

export interface PendingSettlements {
  /** Queues one response's corrections; resolves once a store call carrying them has ended. Never rejects. */
  add(adjustments: readonly BucketAdjustment[]): Promise<void>;
  /** Every waiting correction, for a take to carry; call `done()` once that take has ended, whatever its outcome. */
  drain(): { settlements: BucketAdjustment[]; done(): void };
  /** Bucket corrections waiting now. */
  readonly size: number;
}

interface Waiting {
  adjustments: readonly BucketAdjustment[];
  sent: boolean;
  done: () => void;
}

export function createPendingSettlements(options: PendingSettlementsOptions): PendingSettlements {
  const { flush, delayMs, maxPending } = options;
  let queue: Waiting[] = [];
  let size = 0;

  const drain = () => {
    const taken = queue;
    queue = [];
    size = 0;
    for (const w of taken) w.sent = true;
    return {
      settlements: taken.flatMap((w) => w.adjustments),
      done: () => {
        for (const w of taken) w.done();
      },
    };
  };
  const sendAll = async () => {
    const batch = drain();
    try {
      if (batch.settlements.length > 0) await flush(batch.settlements);
    } catch {
      // lost with the call that carried it: the estimate stands
    } finally {
      batch.done();
    }
  };

  return {
    async add(adjustments) {
      if (adjustments.length === 0) return;
      let done!: () => void;
      const applied = new Promise<void>((resolve) => (done = resolve));
      const waiting: Waiting = { adjustments, sent: false, done };
      queue.push(waiting);
      size += adjustments.length;
      if (size >= maxPending) {
        await sendAll();
        return applied;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([applied, new Promise<void>((resolve) => (timer = setTimeout(resolve, delayMs)))]);
      clearTimeout(timer);
      if (!waiting.sent) await sendAll();
      return applied;
    },
    drain,
    get size() {
      return size;
    },
  };
}
