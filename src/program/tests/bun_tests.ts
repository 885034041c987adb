// `tph test` on `bun test`: each test's calls are stored as a run of its own. Bun tells a running
// test nothing of itself (no name, no context, no async resource), and any wrapper of tph's
// around a test's function would show in the frames Bun prints for a failing test. So the
// instrumenter marks, as it rewrites a test file, each function a `test()`/`it()` call registers,
// with the test's full name as written (its `describe`s' names and its own: instrument/_tests.ts).
// When Bun calls one (a call with no recorded call open), the recorder asks here, and the test's
// block opens in the async context of that call: its calls, after an await too, and those of the
// callbacks it schedules are the test's. The block ends when the function's call ends (an async
// one when its body does, a function that returns a promise when that settles): passed, or
// failed with what it threw; `test.failing` inverts that, as Bun does.
//
// Bun's hooks (`beforeEach`/`afterEach`) run in no test's context: their calls are in no run.

import { relative } from "node:path";
import process from "node:process";
import { FLAG_TEST_FAILING } from "../../abi.ts";
import { functionRecord } from "../recorder/functions.ts";
import type { CallEnd } from "../recorder/recorder.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { TestInfo, TestOutcome } from "../../types.ts";

/** A test's block (trace.ts's TraceHandle). */
interface TestBlock {
  readonly state: TraceState;
  endTest(outcome: TestOutcome, error: unknown): unknown;
}

/** Opens a test's block in the current async context (trace.ts's openTest). */
type OpenTest = (test: Omit<TestInfo, "outcome">) => TestBlock;

/** What of the recorder this uses. */
interface TestRecorder {
  useTestRoots(root: ((id: number) => TraceState | undefined) | null): void;
  watchNextCall(end: CallEnd): void;
  rj: ((e: unknown) => unknown) | null;
}

// Captured before the tests load.
const later = queueMicrotask;
const apply = Reflect.apply as (f: unknown, self: unknown, args: unknown[]) => unknown;
const promiseThen = Promise.prototype.then;
const { getPrototypeOf } = Object;

/**
 * The blocks still open, ended as failed when the process ends first (a test that timed out, or
 * called process.exit). An array walked by index: a program may have replaced the built-ins'
 * methods and iterators.
 */
const open: TestBlock[] = [];

/** Take a block from the open ones; false when it was not open. */
function closeBlock(block: TestBlock): boolean {
  for (let i = 0; i < open.length; i++) {
    if (open[i] !== block) continue;
    open[i] = open[open.length - 1];
    open.length--;
    return true;
  }
  return false;
}

/** End a test's block, once, a microtask after its function's call ended. */
function end(block: TestBlock, outcome: TestOutcome, error: unknown): void {
  later(() => {
    if (closeBlock(block)) block.endTest(outcome, error);
  });
}

/** Whether a value is a native promise (a test's function returned one: the test waits for it). */
function isPromise(value: unknown): value is Promise<unknown> {
  return value !== null && typeof value === "object" &&
    getPrototypeOf(value) === Promise.prototype;
}

/**
 * What ends a test's block when its function's call ends: with what it threw, or when the promise
 * it returned settles.
 */
function ender(block: TestBlock, failing: boolean): CallEnd {
  const settle = (failed: boolean, error: unknown) =>
    failing
      ? end(block, failed ? "passed" : "failed", undefined)
      : end(block, failed ? "failed" : "passed", failed ? error : undefined);
  return (threw, value) => {
    if (threw || !isPromise(value)) return settle(threw, value);
    apply(promiseThen, value, [() => settle(false, undefined), (e: unknown) => settle(true, e)]);
  };
}

/**
 * Have the recorder open a test's block when Bun calls a test's function.
 *
 * @param openTest Opens a test's block (trace.ts).
 * @param recorder The recorder (its test roots and watched calls).
 */
export function installBunTests(openTest: OpenTest, recorder: TestRecorder): void {
  const cwd = process.cwd();
  // Bun reports an error a test's function throws from where it was last thrown: the rewritten
  // function's rethrow, at its end. Handed over as a rejection, it is reported from its own
  // frames, where it was made (instrument/_emit.ts, REJECTING_CLOSER).
  const reject = Promise.reject.bind(Promise);
  recorder.rj = (e) => reject(e);
  recorder.useTestRoots((id) => {
    const f = functionRecord(id);
    if (f.test === undefined) return undefined;
    const block = openTest({ name: f.test, file: relative(cwd, f.file) || f.file, runner: "bun" });
    open[open.length] = block;
    recorder.watchNextCall(ender(block, (f.flags & FLAG_TEST_FAILING) !== 0));
    return block.state;
  });
}

/** End the blocks of tests still running as the process ends: failed. */
export function endOpenBunTests(): void {
  while (open.length > 0) {
    const block = open[open.length - 1];
    open.length--;
    block.endTest("failed", undefined);
  }
}
