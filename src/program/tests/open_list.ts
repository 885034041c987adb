// What the runners' modules share: the tests whose blocks are open, kept in arrays walked by
// index (a program may have replaced the built-ins' methods and iterators), and the trace of
// calls that belong to no test.

import { TraceState } from "../recorder/trace_state.ts";
import type { TestOutcome } from "../../types.ts";
import { Error } from "../../platform/globals.ts";

let none: TraceState | null = null;

/**
 * The trace of what belongs to no test (a testRoot answer): it records nothing. Made when a runner
 * first asks, not as tph loads (a trace's set-up compiles its redaction's patterns).
 */
export function noTest(): TraceState {
  if (none === null) {
    none = new TraceState();
    none.active = false;
  }
  return none;
}

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

/** Whether a runner's hooks were installed in this process (each install call says so). */
let hooked = false;

/** A runner's hooks are installed: its tests still open are ended as the process ends. */
export function hookTests(): void {
  hooked = true;
}

/**
 * Whether any runner's hooks were installed: else no test can be open, and the process's end does
 * not load the runners' modules to find none (on Bun from a checkout they are loaded when first
 * used: src/cli/launch/bun_bytecode.ts).
 */
export function testsHooked(): boolean {
  return hooked;
}

/** The code the process exits with when it ends by a call to exit (process.exit), else null. */
let exitCode: number | null = null;

/**
 * The process ends by a call to exit (process.exit, Deno.exit), with this code: its tests still
 * open end as the runner reports their file (node --test and bun test: passed when it is 0).
 */
export function endingByExit(code: number): void {
  exitCode = code;
}

/**
 * How a test still open as its process ends is stored: failed with `error`; when the process
 * exits by its own call, as the runner counts it (exit(0): passed; another code: failed, saying
 * so).
 *
 * @param error What the test failed with when the process just ends.
 */
export function unfinished(error: unknown): { outcome: TestOutcome; error: unknown } {
  if (exitCode === null) return { outcome: "failed", error };
  if (exitCode === 0) return { outcome: "passed", error: undefined };
  return {
    outcome: "failed",
    error: new Error(`the test's process called exit(${exitCode}) before the test ended`),
  };
}

/**
 * End every block still open as failed, with `error` (the process ends before its tests did).
 *
 * @param list The open blocks, emptied.
 * @param error What each block's run says the test failed with.
 * @param byExit Whether a call to exit ends them as the runner counts it (unfinished).
 */
export function endAllOpen(
  list: { endTest(outcome: TestOutcome, error: unknown): unknown }[],
  error: unknown,
  byExit = false,
): void {
  const end = byExit ? unfinished(error) : { outcome: "failed" as const, error };
  while (list.length > 0) {
    const block = list[list.length - 1];
    list.length--;
    block.endTest(end.outcome, end.error);
  }
}
