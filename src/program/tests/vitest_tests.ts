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
import process from "node:process";
import type { TestInfo, TestOutcome } from "../../types.ts";

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
  if (result == null) return { outcome: "failed", error: undefined };
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

/**
 * Make each test vitest runs in this worker a block of its own: what the setup file calls with
 * vitest's `aroundEach`.
 *
 * @param runAttempt Runs an attempt as a block (trace.ts).
 */
export function installVitestTests(runAttempt: RunAttempt): void {
  const register = (aroundEach: unknown): void => {
    if (typeof aroundEach !== "function") return;
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
  Object.defineProperty(globalThis, VITEST_TESTS, {
    value: register,
    enumerable: false,
    configurable: true,
  });
}
