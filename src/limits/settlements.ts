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
 * `delayMs`: the request that queued it waits that long (in its own
 * `waitUntil`) and then sends what still waits itself, so a correction without
 * a following take is applied all the same. A request never waits on another
 * request's store call: on Workers a promise settled from another request's
 * context is not safe to wait on. At most once: a call that fails loses what
 * it carried, as a failed post-charge always did (the estimate stands).
 */
import type { BucketAdjustment } from "./types.ts";

export interface PendingSettlementsOptions {
  /** Sends corrections in a call of their own (the store's `adjust`, bounded); may reject. */
  flush(adjustments: BucketAdjustment[]): Promise<void>;
  /** How long a correction waits for a take to carry it, in ms. */
  delayMs: number;
  /** Most bucket corrections waiting; reaching it sends them all. */
  maxPending: number;
}

export interface PendingSettlements {
  /**
   * Queues one response's corrections; resolves after `delayMs`, having sent them itself if no take took them
   * by then (or once sent, when they fill the queue). Never rejects.
   */
  add(adjustments: readonly BucketAdjustment[]): Promise<void>;
  /** Every waiting correction, for the take about to be sent. */
  drain(): BucketAdjustment[];
  /** Bucket corrections waiting now. */
  readonly size: number;
}

export function createPendingSettlements(options: PendingSettlementsOptions): PendingSettlements {
  const { flush, delayMs, maxPending } = options;
  let queue: Array<{ adjustments: readonly BucketAdjustment[]; sent: boolean }> = [];
  let size = 0;

  const drain = (): BucketAdjustment[] => {
    const taken = queue;
    queue = [];
    size = 0;
    for (const w of taken) w.sent = true;
    return taken.flatMap((w) => w.adjustments);
  };
  const sendAll = async () => {
    const adjustments = drain();
    try {
      if (adjustments.length > 0) await flush(adjustments);
    } catch {
      // lost with the call that carried it: the estimate stands
    }
  };

  return {
    async add(adjustments) {
      if (adjustments.length === 0) return;
      const waiting = { adjustments, sent: false };
      queue.push(waiting);
      size += adjustments.length;
      if (size >= maxPending) return sendAll();
      await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
      if (!waiting.sent) await sendAll();
    },
    drain,
    get size() {
      return size;
    },
  };
}
