// What the runners' modules share: the tests whose blocks are open, kept in arrays walked by
// index (a program may have replaced the built-ins' methods and iterators), and the trace of
// calls that belong to no test.

import { TraceState } from "../recorder/trace_state.ts";
import type { TestOutcome } from "../../types.ts";

/** The trace of what belongs to no test (a testRoot answer): it records nothing. */
export const noTest = new TraceState();
noTest.active = false;

/**
 * Take `item` from `list` (the last one takes its place); false when it was not there.
 *
 * @param list The open items.
 * @param item The one to take.
 */
export function takeOpen<T>(list: T[], item: T): boolean {
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== item) continue;
    list[i] = list[list.length - 1];
    list.length--;
    return true;
  }
  return false;
}

/**
 * End every block still open as failed, with `error` (the process ends before its tests did).
 *
 * @param list The open blocks, emptied.
 * @param error What each block's run says the test failed with.
 */
export function endAllOpen(
  list: { endTest(outcome: TestOutcome, error: unknown): unknown }[],
  error: unknown,
): void {
  while (list.length > 0) {
    const block = list[list.length - 1];
    list.length--;
    block.endTest("failed", error);
  }
}
