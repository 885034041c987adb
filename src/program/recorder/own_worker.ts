// tph's own worker threads (the clock, the parser's on Deno) are made through the same Worker
// class the program's are, which follow.ts wraps: made inside ownWorker(), one is not followed.

let making = 0;

/**
 * Make one of tph's own workers.
 *
 * @param make Makes it.
 * @returns What `make` returns.
 */
export function ownWorker<T>(make: () => T): T {
  making++;
  try {
    return make();
  } finally {
    making--;
  }
}

/** Whether tph is making one of its own workers now. */
export function makingOwnWorker(): boolean {
  return making > 0;
}
