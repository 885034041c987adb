// `tph test` on vitest, in a worker (a process or thread vitest runs test files in, started with
// tph's preload): each test's calls are stored as a run of its own, with vitest's outcome.
//
// tph's setup file (vitest runs it first in each test file, the plugin says so: vitest_plugin.ts)
// registers one `aroundEach` hook there. vitest calls it for each attempt of a test with the
// function that runs the rest: the test's `beforeEach` hooks, its function, its `afterEach` and
// `onTestFinished` hooks. The hook runs that function as a block of its own, from a promise job
// inside the block's async context, so the calls it makes (after awaits too, concurrent tests
// apart) are the test's, and no frame of tph's is below the program's code. When it is done,
// vitest has decided the attempt: the block ends with that outcome. What runs outside (the file's
// body, `describe` bodies, `beforeAll`/`afterAll`) belongs to no one test.

import { relative } from "node:path";
import process from "../../platform/node_process.ts";
import type { TestInfo, TestOutcome } from "../../types.ts";
import { apply } from "../../platform/intrinsics.ts";
import { RUNTIME_GLOBAL } from "../../abi.ts";
import { installToString } from "../loader/original_text.ts";
import { hookTests } from "./open_list.ts";
import { Array, Error, Function, Object, Promise, Symbol } from "../../platform/globals.ts";

/** Where the setup file finds what registers the hook. */
export const VITEST_TESTS = Symbol.for("tph.vitest.tests");

/** Runs a test's attempt as a block (trace.ts's runTestAttempt). */
type RunAttempt = (
  run: () => unknown,
  test: Omit<TestInfo, "outcome">,
  ended: () => { outcome: TestOutcome; error: unknown },
) => Promise<unknown>;

/** What tph reads of vitest's test objects (`context.task`). */
interface VitestTask {
  type?: unknown;
  name?: unknown;
  suite?: VitestTask | null;
  file?: { filepath?: unknown } | null;
  fails?: unknown;
  result?: {
    state?: unknown;
    pending?: unknown;
    errors?: { message?: unknown; name?: unknown; stack?: unknown }[];
  } | null;
}

// Captured before the tests load.
const { isArray } = Array;

/** A test's full name: its suites' names, then its own, joined by " › ". */
function fullName(task: VitestTask): string {
  let name = typeof task.name === "string" ? task.name : "";
  // The file's own suite is named by its path: left out, as vitest's report does.
  for (let s = task.suite; s != null && s !== task.file; s = s.suite) {
    if (typeof s.name === "string" && s.name !== "") name = s.name + " › " + name;
  }
  return name;
}

/** The file that declares a test, relative to the working folder. */
function fileOf(task: VitestTask): string {
  const path = task.file?.filepath;
  return typeof path !== "string" ? "" : relative(process.cwd(), path) || path;
}

/** vitest's error, as the test's failure. */
function errorOf(task: VitestTask): unknown {
  const errors = task.result?.errors;
  const first = isArray(errors) ? errors[0] : undefined;
  if (first == null) return undefined;
  const e = new Error(typeof first.message === "string" ? first.message : "");
  if (typeof first.name === "string") e.name = first.name;
  if (typeof first.stack === "string") e.stack = first.stack;
  return e;
}

// vitest's message for a test that ran past its time.
const TIMED_OUT = /^Test timed out in \d+ms\./;

/**
 * An attempt's outcome as vitest decides it: a test skipped from inside (`context.skip()`) is
 * pending; a test marked `fails` passes by failing.
 */
function outcomeOf(task: VitestTask): { outcome: TestOutcome; error: unknown } {
  const result = task.result;
  if (result == null || result.state === "run") {
    return { outcome: "failed", error: new Error("the test's process ended before the test did") };
  }
  if (result.pending === true || result.state === "skip") {
    return { outcome: "skipped", error: undefined };
  }
  const failed = result.state === "fail";
  if (task.fails === true) {
    return failed
      ? { outcome: "passed", error: undefined }
      : { outcome: "failed", error: new Error("Expect test to fail") };
  }
  if (!failed) return { outcome: "passed", error: undefined };
  const error = errorOf(task);
  const message = (error as Error | undefined)?.message;
  return {
    outcome: typeof message === "string" && TIMED_OUT.test(message) ? "timed out" : "failed",
    error,
  };
}

/** A test's block (trace.ts's TraceHandle). */
interface TestBlock {
  endTest(outcome: TestOutcome, error: unknown): unknown;
}

/** Opens a test's block in the current async context (trace.ts's openTest). */
type OpenTest = (test: Omit<TestInfo, "outcome">) => TestBlock;

/** What the setup file hands over of vitest's module. */
interface VitestModule {
  aroundEach?: unknown;
  beforeEach?: unknown;
}

/** What tph uses of a test's context. */
interface VitestContext {
  task?: VitestTask;
  onTestFinished?: unknown;
}

/**
 * The tests whose `onTestFinished` has not come (vitest before 4.1), with their blocks. An array
 * walked by index: a program may have replaced the built-ins' methods and iterators.
 */
const started: { task: VitestTask; block: TestBlock }[] = [];

/** End the block of the test at `i` of `started` with vitest's outcome. */
function endStarted(i: number): void {
  const { task, block } = started[i];
  started[i] = started[started.length - 1];
  started.length--;
  const { outcome, error } = outcomeOf(task);
  block.endTest(outcome, error);
}

/** End a test's block, when it is open. */
function endTest(task: VitestTask): void {
  for (let i = 0; i < started.length; i++) {
    if (started[i].task === task) return endStarted(i);
  }
}

/**
 * vitest before 4.1 has no aroundEach: a `beforeEach` hook of the file's own suite, registered
 * first, is the first hook vitest calls for a test, synchronously from where it runs the test's
 * attempt (the suites' hooks are called from the outermost, and an async function's first part
 * runs at once): the block entered there is the async context of the rest of the attempt, the
 * test's function and its other hooks. It ends at the test's `onTestFinished` (vitest calls none
 * for a test that skipped itself: that one ends when the next test of the file starts, or as the
 * process ends).
 */
function registerBeforeEach(
  beforeEach: (fn: (context: VitestContext) => void) => void,
  openTest: OpenTest,
): void {
  beforeEach((context) => {
    const task = context?.task;
    if (task == null || task.type !== "test") return;
    // A test that skipped itself (no onTestFinished), or this one's earlier attempt.
    for (let i = started.length - 1; i >= 0; i--) {
      const t = started[i].task;
      if (t === task || t.result?.state !== "run") endStarted(i);
    }
    const block = openTest({ name: fullName(task), file: fileOf(task), runner: "vitest" });
    started[started.length] = { task, block };
    const finished = context.onTestFinished;
    if (typeof finished === "function") apply(finished, context, [() => endTest(task)]);
  });
}

/** End the blocks of tests still open as the process ends. */
export function endOpenVitestTests(): void {
  while (started.length > 0) endStarted(started.length - 1);
}

/**
 * Make each test vitest runs in this worker a block of its own: what the setup file calls with
 * vitest's module.
 *
 * @param runAttempt Runs an attempt as a block (trace.ts): with vitest's aroundEach (4.1 on).
 * @param openTest Opens a test's block (trace.ts): before 4.1.
 */
export function installVitestTests(runAttempt: RunAttempt, openTest: OpenTest): void {
  hookTests();
  const register = (vitest: VitestModule, realmFunction?: unknown): void => {
    // A vm pool's context: its functions print through its own Function.prototype.toString.
    if (typeof realmFunction === "function" && realmFunction !== Function) {
      installToString(realmFunction as typeof Function);
    }
    const { aroundEach, beforeEach } = vitest;
    if (typeof aroundEach !== "function") {
      if (typeof beforeEach === "function") registerBeforeEach(beforeEach as never, openTest);
      return;
    }
    aroundEach((run: () => unknown, context: { task?: VitestTask } | null) => {
      const task = context?.task;
      if (task == null || task.type !== "test") return run();
      return runAttempt(
        run,
        { name: fullName(task), file: fileOf(task), runner: "vitest" },
        () => outcomeOf(task),
      );
    });
  };
  // Also on the recorder's global, which a test file sees in vitest's vm pools (a context of its
  // own: its global object is not this one).
  // deno-lint-ignore no-explicit-any
  for (const on of [globalThis, (globalThis as any)[RUNTIME_GLOBAL]]) {
    if (on == null) continue;
    Object.defineProperty(on, VITEST_TESTS, {
      value: register,
      enumerable: false,
      configurable: true,
    });
  }
}
