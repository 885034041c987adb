// `tph test` on `node --test`: each test's calls are stored as a run of its own, with Node's own
// outcome for the test. Nothing of node:test is replaced, so nothing of what Node reports moves:
// a test's place (Node takes it from the frame that calls `test()`), the frames of a failing
// test's stack, the module's exports. Node runs a test's function inside the test's own async
// resource (an object of its internal class `Test`, an AsyncResource): the recorder asks here,
// for each call made with no recorded call open, whether that resource is a test's, and the
// test's block opens at the first such call, the test's function itself (its file is traced).
// Node ends the test with its `postRun()`, after its hooks; the block ends there, with
// `passed`, `failed` (its error), `timed out` or `skipped` as Node decided.
//
// A test's own subtests (`t.test()`) run in resources of their own: each is a test with a run of
// its own, as Node reports it. A `beforeEach`/`afterEach` hook runs in a resource of its own
// (TestHook), given the test's context: its calls go to that test's run (its block opens there
// when the hook runs first). Suites' bodies (`describe`) and `before`/`after` hooks belong to no
// one test: their calls are in no test's run.

import * as asyncHooks from "node:async_hooks";
import { relative } from "node:path";
import process from "../../platform/node_process.ts";
import { fileURLToPath } from "node:url";
import { sourceColumn } from "../loader/node_stacks.ts";
import { bare, hasOwn, SafeWeakMap, strStartsWith } from "../../platform/intrinsics.ts";
import { endAllOpen, hookTests, takeOpen } from "./open_list.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { TestInfo, TestOutcome } from "../../types.ts";
import { Array, Error, Object, Reflect } from "../../platform/globals.ts";

/** A test's block (trace.ts's TraceHandle). */
interface TestBlock {
  readonly state: TraceState;
  endTest(outcome: TestOutcome, error: unknown): unknown;
}

/** Opens a test's block in the current async context (trace.ts's openTest). */
type OpenTest = (test: Omit<TestInfo, "outcome">) => TestBlock;
/** Puts a block's trace in the current async context (trace.ts's enterTest). */
type EnterTest = (state: TraceState) => void;

/** What tph reads of Node's `Test` objects (node:internal/test_runner/test). */
interface NodeTest {
  name?: unknown;
  parent?: NodeTest | null;
  loc?: { file?: unknown; line?: unknown; column?: unknown } | null;
  skipped?: unknown;
  passed?: unknown;
  error?: { failureType?: unknown; cause?: unknown } | null;
  endTime?: unknown;
  startTime?: unknown;
  subtests?: unknown;
  getCtx?: unknown;
}

/** What tph reads of Node's `TestHook` objects. */
interface NodeHook {
  hookType?: unknown;
  parentTest?: NodeTest | null;
  getRunArgs?: unknown;
}

// Captured before the tests load.
const { getPrototypeOf, getOwnPropertyDescriptor, defineProperty } = Object;
const { isArray } = Array;
const apply = Reflect.apply as (f: unknown, self: unknown, args: unknown[]) => unknown;
const later = queueMicrotask;

/** What objects of each prototype are (kindOf). */
const kinds = new SafeWeakMap<object, "test" | "hook" | null>();
/** The blocks of the tests that have started, by Node's test object. */
const blocks = new SafeWeakMap<object, TestBlock>();
/**
 * The blocks still open, ended as failed when the process ends first (process.exit in a test).
 * An array walked by index: a program may have replaced the built-ins' methods and iterators.
 */
const open: TestBlock[] = [];
/**
 * The tests Node has finished whose blocks end in a microtask (start): a process.exit before it
 * runs (the next test's) must not take them for open. Each with its block; emptied as they end.
 */
const finished: [NodeTest, TestBlock][] = [];

/** A constructor's name, read without running a getter. */
function constructorName(proto: object | null): string {
  if (proto === null) return "";
  const c = getOwnPropertyDescriptor(proto, "constructor")?.value;
  if (typeof c !== "function") return "";
  const name = getOwnPropertyDescriptor(c, "name")?.value;
  return typeof name === "string" ? name : "";
}

/**
 * What objects of this prototype are: Node's class `Test` (itself an AsyncResource), its
 * `TestHook` (a Test), or neither.
 */
function kindOf(proto: object): "test" | "hook" | null {
  let kind = kinds.get(proto);
  if (kind === undefined) {
    const name = constructorName(proto);
    const parent = getPrototypeOf(proto);
    kind = name === "Test" && constructorName(parent) === "AsyncResource"
      ? "test"
      : name === "TestHook" && parent !== null && kindOf(parent) === "test"
      ? "hook"
      : null;
    kinds.set(proto, kind);
  }
  return kind;
}

/** Whether a value is one of Node's test objects (class Test itself). */
function isTest(value: unknown): value is NodeTest & object {
  if (value === null || typeof value !== "object") return false;
  const proto = getPrototypeOf(value);
  return proto !== null && kindOf(proto) === "test";
}

/**
 * The test a `beforeEach`/`afterEach` hook runs for: Node gives the hook the test's context; the
 * test is the one running (started, not ended) under the suite or test the hook belongs to
 * whose context that is. Null for the other hooks, which belong to no one test.
 */
function hookedTest(hook: NodeHook): (NodeTest & object) | null {
  if (hook.hookType !== "beforeEach" && hook.hookType !== "afterEach") return null;
  const runArgs = typeof hook.getRunArgs === "function"
    ? apply(hook.getRunArgs as () => unknown, hook, []) as { ctx?: unknown } | null
    : null;
  const ctx = runArgs?.ctx;
  if (ctx == null) return null;
  const todo: unknown[] = [hook.parentTest];
  while (todo.length > 0) {
    const subtests = (todo.pop() as NodeTest | null)?.subtests;
    if (!isArray(subtests)) continue;
    for (const t of subtests as NodeTest[]) {
      if (t == null || t.startTime == null || t.endTime != null) continue;
      if (isTest(t) && typeof t.getCtx === "function" && apply(t.getCtx, t, []) === ctx) return t;
      todo.push(t);
    }
  }
  return null;
}

/** A test's full name: its suites' and its parent tests' names, then its own, joined by " › ". */
function fullName(test: NodeTest): string {
  let name = "";
  // The root test (no parent) is the file's, and has no name of its own in the report.
  for (let t: NodeTest | null | undefined = test; t?.parent != null; t = t.parent) {
    const own = typeof t.name === "string" ? t.name : "";
    name = name === "" ? own : own + " › " + name;
  }
  return name;
}

/** The file that declares a test, relative to the working folder. */
function fileOf(test: NodeTest): string {
  const given = test.loc?.file;
  let file = typeof given === "string" ? given : process.argv[1];
  if (typeof file !== "string") return "";
  try {
    if (strStartsWith(file, "file:")) file = fileURLToPath(file);
  } catch {
    return file;
  }
  return relative(process.cwd(), file) || file;
}

/** A finished test's outcome and error, as Node decided them. */
function outcomeOf(test: NodeTest): { outcome: TestOutcome; error: unknown } {
  const error = test.error ?? null;
  // A failure of the test's own code is Node's ERR_TEST_FAILURE around what was thrown.
  const thrown = error !== null && error.failureType === "testCodeFailure" &&
      error.cause !== undefined
    ? error.cause
    : error;
  if (test.skipped === true) return { outcome: "skipped", error: undefined };
  if (test.passed === true) return { outcome: "passed", error: undefined };
  if (error !== null && error.failureType === "testTimeoutFailure") {
    return { outcome: "timed out", error: thrown };
  }
  return { outcome: "failed", error: thrown };
}

/**
 * Open the block of a test whose function runs now, to end when Node finishes the test: Node sets
 * its `endTime` then (in `postRun()`, which also marks a test whose subtests failed as failed), and
 * reports it. The block ends just after, with Node's outcome. An accessor on this test object only
 * (its class is left as it is) sees the assignment: no frame of tph's is on the stack but while
 * the value is set, where none of the program's code runs.
 */
function start(test: NodeTest & object, openTest: OpenTest): TestBlock {
  const block = openTest({ name: fullName(test), file: fileOf(test), runner: "node" });
  blocks.set(test, block);
  open[open.length] = block;
  placeInSource(test);
  const own = getOwnPropertyDescriptor(test, "endTime");
  if (own !== undefined && hasOwn(own, "value") && own.value === null) {
    let endTime: unknown = null;
    defineProperty(
      test,
      "endTime",
      bare({
        get: () => endTime,
        set: (v: unknown) => {
          endTime = v;
          if (v === null || v === undefined) return;
          finished[finished.length] = [test, block];
          later(() => end(test, block));
        },
        enumerable: own.enumerable,
        configurable: true,
      }),
    );
  }
  return block;
}

/** End a test's block with the outcome Node gave the test. */
function end(test: NodeTest, block: TestBlock): void {
  for (let i = 0; i < finished.length; i++) {
    if (finished[i][1] !== block) continue;
    finished[i] = finished[finished.length - 1];
    finished.length--;
    break;
  }
  if (!takeOpen(open, block)) return;
  const { outcome, error } = outcomeOf(test);
  block.endTest(outcome, error);
}

/**
 * Node takes a test's place from the frame that declared it, where a traced file's columns are
 * those of the rewritten text: the column as written goes in its place before Node reports the
 * test.
 */
function placeInSource(test: NodeTest): void {
  const loc = test.loc;
  if (loc == null || typeof loc.line !== "number" || typeof loc.column !== "number") return;
  const column = sourceColumn(loc.file, loc.line, loc.column);
  if (column !== loc.column) loc.column = column;
}

/**
 * Make each test Node's runner runs in this process a block of its own.
 *
 * @param openTest Opens a test's block (trace.ts).
 * @param enterTest Puts a block's trace in the current async context (trace.ts).
 * @param useTestRoots Gives the recorder what finds the test whose function runs now.
 */
export function installNodeTests(
  openTest: OpenTest,
  enterTest: EnterTest,
  useTestRoots: (root: () => TraceState | undefined) => void,
): void {
  hookTests();
  const hooks = asyncHooks as {
    executionAsyncResource?: () => unknown;
    executionAsyncId?: () => number;
  };
  const current = hooks.executionAsyncResource, currentId = hooks.executionAsyncId;
  if (typeof current !== "function" || typeof currentId !== "function") return;
  // Asked at every call: the answer changes only with the async resource running, whose id is
  // one read.
  let lastId = -1;
  let last: TraceState | undefined;
  useTestRoots(() => {
    const id = currentId();
    if (id === lastId) return last;
    lastId = id;
    last = undefined;
    const resource = current();
    if (resource === null || typeof resource !== "object") return undefined;
    const proto = getPrototypeOf(resource);
    const kind = proto === null ? null : kindOf(proto);
    const test = kind === "test"
      ? resource as NodeTest & object
      : kind === "hook"
      ? hookedTest(resource as NodeHook)
      : null;
    if (test === null) return undefined;
    const known = blocks.get(test);
    // A block its beforeEach hook opened: its async context is the hook's, entered here too.
    if (known !== undefined) enterTest(known.state);
    last = (known ?? start(test, openTest)).state;
    return last;
  });
}

// Captured before the program runs, which may delete the global.
const ErrorCtor = Error;

/**
 * End the blocks of tests still running as the process ends (an exit in a test): failed, or as
 * Node counts a file whose process called exit (exit(0): passed).
 */
export function endOpenTests(): void {
  // A test that had ended keeps its outcome.
  while (finished.length > 0) {
    const [test, block] = finished[finished.length - 1];
    end(test, block);
  }
  endAllOpen(open, new ErrorCtor("the test's process ended before the test did"), true);
}
