/**
 * Sleeps the stack's background loops (lane backoff, confirmation polling, retries) take,
 * all cut short at once by `wakeAll()` when the stack stops, so stopping never waits out
 * a backoff.
 */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  wakeAll(): void;
}

export function createSleeper(): Sleeper {
  const sleeping = new Map<ReturnType<typeof setTimeout>, () => void>();
  // After wakeAll, a loop that was busy at that moment must not start a fresh wait.
  let awake = false;
  return {
    sleep(ms) {
      if (awake) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          sleeping.delete(timer);
          resolve();
        }, ms);
        sleeping.set(timer, resolve);
      });
    },
    wakeAll() {
      awake = true;
      for (const [timer, resolve] of sleeping) {
        clearTimeout(timer);
        resolve();
      }
      sleeping.clear();
    },
  };
}

/** min(base · 2^(attempt−1), cap) ms: the local queues' retry delay after the attempt-th failure. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20), capMs);
}
