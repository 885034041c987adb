// `tph test` on `bun test`: each test's calls are stored as a run of its own. Bun tells a running
// test nothing of itself (no name, no context, no async resource), and any wrapper of tph's
// around a test's function would show in the frames Bun prints for a failing test. So the
// instrumenter marks, as it rewrites a test file, each function a `test()`/`it()` call registers,
// with the test's full name as written (its `describe`s' names and its own), and the functions of
// `beforeEach`/`afterEach` hooks (instrument/_tests.ts). When Bun calls one (a call with no
// recorded call open), the recorder asks here which test's block the call is in:
//
// - a `beforeEach` hook's function opens the block of the test to come (named when that test's
//   function is called), unless one is open for it already (several hooks);
// - a test's function: that block, or one of its own (no hook ran);
// - an `afterEach` hook's function: the block of the test that just ran.
//
// Each block opens in the async context of the call that opens it: the calls the test makes after
// an await, and those of the callbacks it schedules, are the test's. The test's outcome comes
// from its function's call: passed, or failed with what it threw (a returned promise when it
// settles); `test.failing` inverts that, as Bun does. Its block ends when the next test begins or
// the process ends, so that its `afterEach` hooks' calls are in it, with the time of its last
// call's end. Tests that run at once (`test.concurrent`) each end when their function does.

import { relative } from "node:path";
import { isProxy } from "node:util/types";
import process from "../../platform/node_process.ts";
import {
  FLAG_AFTER_EACH,
  FLAG_ALL_HOOK,
  FLAG_BEFORE_EACH,
  FLAG_TEST_CONCURRENT,
  FLAG_TEST_FAILING,
} from "../../abi.ts";
import { functionRecord } from "../recorder/functions.ts";
import type { CallEnd } from "../recorder/recorder.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import { hookTests, noTest, takeOpen, unfinished } from "./open_list.ts";
import type { TestInfo, TestOutcome } from "../../types.ts";
import { Error, Object, Promise, Reflect } from "../../platform/globals.ts";

/** A test's block (trace.ts's TraceHandle). */
interface TestBlock {
  readonly state: TraceState;
  endTest(outcome: TestOutcome, error: unknown, at?: number): unknown;
  renameTest(test: Omit<TestInfo, "outcome">): unknown;
  dropped(): unknown;
}

/** What of trace.ts this uses. */
interface Blocks {
  /** Opens a test's block in the current async context (openTest). */
  openTest(test: Omit<TestInfo, "outcome">): TestBlock;
  /** Puts a block's trace in the current async context (enterTest). */
  enterTest(state: TraceState): void;
  /** The recorder's clock. */
  now(): number;
}

/** What of the recorder this uses. */
interface TestRecorder {
  useTestRoots(root: ((id: number) => TraceState | undefined) | null, nested: boolean): void;
  watchNextCall(end: CallEnd): void;
  rj: ((e: unknown) => unknown) | null;
  re: (e: unknown) => boolean;
}

// Captured before the tests load.
const later = queueMicrotask;
const apply = Reflect.apply as (f: unknown, self: unknown, args: unknown[]) => unknown;
const promiseThen = Promise.prototype.then;
const { getPrototypeOf } = Object;

/** A test's block while its test runs, and what is known of how it went. */
interface Running {
  readonly block: TestBlock;
  /** Whether the test's function was called (the block is named after its test). */
  named: boolean;
  /** How the test's function ended, once it did. */
  outcome: TestOutcome | null;
  error: unknown;
  /** The recorder's clock when the last of its watched calls ended. */
  lastEnd: number;
  /**
   * Whether another test began before this one's function ended: it ends when its function does.
   * Bun runs the next test before a test's function ends only when they run at once
   * (`test.concurrent`, `--concurrent`), or when the test timed out.
   */
  overtaken: boolean;
  concurrent: boolean;
}

/**
 * The tests whose blocks are open (ended as failed when the process ends first: a test that timed
 * out, or called process.exit). An array walked by index: a program may have replaced the
 * built-ins' methods and iterators.
 */
const open: Running[] = [];
/** The test whose hooks and function run now (the last one begun), or null. */
let current: Running | null = null;

/** End a test's block, once, with how its function ended (none ran: no run). */
function end(test: Running): void {
  if (current === test) current = null;
  if (!takeOpen(open, test)) return;
  if (!test.named) {
    test.block.dropped();
    return;
  }
  // A test whose function has not ended, nor been overtaken: the process ends in it.
  const { outcome, error } = test.outcome === null && timedOut(test) === "failed"
    ? unfinished(test.error)
    : { outcome: test.outcome ?? timedOut(test), error: test.error };
  test.block.endTest(outcome, error, test.lastEnd || undefined);
}

/** How a test ended whose function had not, by the time the next one began or the process ended. */
function timedOut(test: Running): TestOutcome {
  return test.overtaken && !test.concurrent ? "timed out" : "failed";
}

/** Whether a value is a native promise (a test's function returned one: the test waits for it). */
function isPromise(value: unknown): value is Promise<unknown> {
  return value !== null && typeof value === "object" &&
    getPrototypeOf(value) === Promise.prototype;
}

/**
 * What learns how a test's function ended when its call does: what it threw, or how the promise
 * it returned settled. A test another began after ends then (a microtask later).
 */
function ender(test: Running, failing: boolean, clock: () => number): CallEnd {
  const settle = (failed: boolean, error: unknown) => {
    test.outcome = test.overtaken && !test.concurrent
      ? "timed out"
      : failing === failed
      ? "passed"
      : "failed";
    test.error = failed && !failing ? error : undefined;
    test.lastEnd = clock();
    if (test.overtaken) later(() => end(test));
  };
  return (threw, value) => {
    if (threw || !isPromise(value)) return settle(threw, value);
    apply(promiseThen, value, [() => settle(false, undefined), (e: unknown) => settle(true, e)]);
  };
}

/** A hook's call: the test it belongs to is watched to the hook's end (its block's end time). */
function hookEnd(test: Running, clock: () => number): CallEnd {
  return () => {
    test.lastEnd = clock();
  };
}

/** A test begins (a beforeEach hook or its function): the one before is done, or runs on. */
function begin(blocks: Blocks, info: Omit<TestInfo, "outcome">, named: boolean): Running {
  const before = current;
  if (before !== null) {
    if (before.outcome !== null || !before.named) end(before);
    else before.overtaken = true;
  }
  const test: Running = {
    block: blocks.openTest(info),
    named,
    outcome: null,
    error: undefined,
    lastEnd: 0,
    overtaken: false,
    concurrent: concurrentRun,
  };
  open[open.length] = test;
  current = test;
  return test;
}

// deno-lint-ignore no-explicit-any
const errorIsError = (Error as any).isError as ((v: unknown) => boolean) | undefined;
/** Whether a value is an error (Error.isError, which runs no code of the program's). */
const isError = (v: unknown): boolean =>
  typeof errorIsError === "function" ? errorIsError(v) === true : v instanceof Error;

/** `bun test --concurrent`: every test may run at once with others. */
const concurrentRun = process.argv.includes("--concurrent");

/**
 * Have the recorder open a test's block when Bun calls a test's function or a hook's.
 *
 * @param blocks Opens and enters test blocks (trace.ts), and the recorder's clock.
 * @param recorder The recorder (its test roots and watched calls).
 */
export function installBunTests(blocks: Blocks, recorder: TestRecorder): void {
  hookTests();
  const cwd = process.cwd();
  const clock = blocks.now;
  // Bun reports an error a test's function throws from where it was last thrown: the rewritten
  // function's rethrow, at its end. Handed over as a rejection, it is reported from its own
  // frames, where it was made (instrument/_emit.ts, REJECTING_CLOSER).
  // Only an error of its own (no Proxy, nor any other value; see REJECTING_CLOSER).
  const reject = Promise.reject.bind(Promise);
  recorder.re = (e) => isError(e) && !isProxy(e);
  recorder.rj = (e) => reject(e);
  recorder.useTestRoots((id) => {
    const f = functionRecord(id);
    const flags = f.flags;
    // A beforeAll/afterAll hook belongs to no test (its calls are in no run).
    if ((flags & FLAG_ALL_HOOK) !== 0) return noTest();
    if ((flags & FLAG_AFTER_EACH) !== 0) {
      if (current === null) return undefined;
      recorder.watchNextCall(hookEnd(current, clock));
      return current.block.state;
    }
    const file = relative(cwd, f.file) || f.file;
    if ((flags & FLAG_BEFORE_EACH) !== 0) {
      const test = current !== null && !current.named && current.outcome === null
        ? current
        : begin(blocks, { name: "beforeEach", file, runner: "bun" }, false);
      recorder.watchNextCall(hookEnd(test, clock));
      return test.block.state;
    }
    if (f.test === undefined) return undefined;
    const info = { name: f.test, file, runner: "bun" };
    let test = current;
    if (test !== null && !test.named && test.outcome === null) {
      test.named = true;
      test.block.renameTest(info);
      blocks.enterTest(test.block.state);
    } else test = begin(blocks, info, true);
    if ((flags & FLAG_TEST_CONCURRENT) !== 0) test.concurrent = test.overtaken = true;
    recorder.watchNextCall(ender(test, (flags & FLAG_TEST_FAILING) !== 0, clock));
    return test.block.state;
  }, false); // Bun calls tests' and hooks' functions with nothing of the program's open
}

/**
 * End the blocks of tests still open as the process ends: with their functions' outcomes, and a
 * test whose function had not ended failed, or timed out when Bun has run all its tests (it moved
 * on from that one).
 *
 * @param allRan Whether Bun has run all its tests (its last hook runs), or the process ends early.
 */
export function endOpenBunTests(allRan = false): void {
  for (let i = 0; i < open.length; i++) {
    if (allRan && !open[i].concurrent) open[i].overtaken = true;
  }
  current = null;
  while (open.length > 0) end(open[open.length - 1]);
}
