import { writeText } from "../platform/files.ts";
import { ownArray } from "../platform/intrinsics.ts";
import { AsyncLocalStorage } from "node:async_hooks";
import process from "../platform/node_process.ts";
import { fileURLToPath } from "node:url";
import { LIBRARY_VERSION, type LibraryABI, RUNTIME_GLOBAL } from "../abi.ts";
import { VERSION } from "../version.ts";
import { OWN_ROOT_URL } from "./loader/own_files.ts";
import { renderTree, type TreeOptions } from "../render/tree.ts";
import { now } from "./recorder/clock.ts";
import { isInstrumented, markOwn } from "./recorder/external.ts";
import { R, type Runtime, runtime } from "./recorder/recorder.ts";
import { callTree, findSection, firstCallName, traceToJSON } from "./recorder/to_json.ts";
import type { TraceState } from "./recorder/trace_state.ts";
import type { FindSpec, TraceLimits } from "../run_file/limits.ts";
import { repr } from "./recorder/repr.ts";
import type { CallNodeJSON, FindMatchJSON, RunJSON, TestInfo, TestOutcome } from "../types.ts";
import { blockOpened, blockSettings, type ProcessEnd, saveBlock } from "./blocks.ts";
import type { StoredRun, StoredRunsOptions } from "./stored_runs.ts";
import { Error, JSON, Promise, RegExp, String, Symbol } from "../platform/globals.ts";

/** Options of {@linkcode trace}: limits, filters, values to find and a label. */
export interface TraceOptions extends Omit<TraceLimits, "find"> {
  /** A label saved with the trace and shown by `tph logs`. */
  label?: string;
  /**
   * Throw instead of warning when nothing in the program is instrumented (the block could
   * record nothing): see {@linkcode trace}.
   */
  strict?: boolean;
  /**
   * Values to find in every call's arguments, return value and error while the trace is
   * active, calls its limits leave out included (see `matches`): a primitive is found where an
   * equal one goes (also inside arrays, objects, Maps and Sets), a RegExp where a string it
   * matches goes, any other object where that very object goes.
   */
  find?: unknown[];
}

/** The library's find targets as the recorder takes them. */
function findSpecs(values: unknown[]): FindSpec[] {
  return values.map((v): FindSpec => {
    if (v instanceof RegExp) return { text: String(v), value: v, type: null, match: "regex" };
    if ((typeof v === "object" && v !== null) || typeof v === "function") {
      return { text: repr(v), value: v, type: null, match: "same" };
    }
    return { text: typeof v === "string" ? v : repr(v), value: v, type: null, match: "equals" };
  });
}

/** Something with a `write(text)` method, such as a Node writable stream. */
export interface Writable {
  write(chunk: string): unknown;
}

// deno-lint-ignore no-explicit-any
function storage(): any {
  const rt = recorder();
  let als = rt.storage();
  if (als === null) {
    // Created on first use only: a program that never calls trace() pays nothing for it.
    als = new AsyncLocalStorage();
    rt.useStorage(als);
  }
  return als;
}

/**
 * Trace `t` stops, which call `c` was lent to: the call goes back to the trace it was lent to
 * before (an outer block still active), unless a later block holds it now.
 */
function endLoan(rt: Runtime, c: number, t: TraceState, before: TraceState | null): void {
  const holder = rt.lend(c, before !== null && before.active ? before : null);
  if (holder !== undefined && holder !== null && holder !== t) rt.lend(c, holder);
}

/**
 * The blocks open that store themselves when they stop, oldest first: endOpenBlocks stores them
 * when the process ends first. No array method: the program may have patched them.
 */
const open: TraceHandle[] = ownArray([]);

function forgetOpen(t: TraceHandle): void {
  let j = 0;
  for (let i = 0; i < open.length; i++) if (open[i] !== t) open[j++] = open[i];
  open.length = j;
}

/**
 * The process ends (exit(), its last line, an uncaught error, a signal) with blocks still open:
 * store each, innermost first, its open calls unfinished, as a run without a block is.
 */
export function endOpenBlocks(end: ProcessEnd): void {
  for (let i = open.length - 1; i >= 0; i--) if (i < open.length) open[i].endWithProcess(end);
}

/**
 * A running or finished trace. Calls made while it is active by instrumented code (loaded by
 * `tph run` or the tph loader) are recorded into it; see {@linkcode trace}.
 */
export class TraceHandle {
  readonly #state: TraceState;
  #label: string | null;
  /** Whether the block is stored as a run when it stops (auto_save). */
  #save: boolean;
  #saved: { cur: number; store: unknown; lent: number; loan: TraceState | null } | null;
  #stored: string | null = null;
  /** The test this block runs (`tph test`); its outcome is set when it stops. */
  #test: Omit<TestInfo, "outcome"> | null = null;
  /** What the callback of {@linkcode trace.run} returned, once it settled. */
  result: unknown = undefined;

  /**
   * Start a trace that owns the current async context until it is stopped.
   *
   * @param options Limits, filters and label.
   * @param scoped Internal: the caller scopes the async context itself (trace.run).
   */
  constructor(options: TraceOptions = {}, scoped = false) {
    const { find, label, strict: _strict, ...own } = options;
    // The project's config (read by `tph run` or the register entry), under the block's own.
    const settings = blockSettings();
    const limits = settings === null ? own : { ...settings.limits, ...defined(own) };
    this.#state = recorder().startTrace(
      find !== undefined && find.length > 0 ? { ...limits, find: findSpecs(find) } : limits,
    );
    this.#label = label ?? settings?.label ?? null;
    this.#save = settings !== null && settings.cacheDir !== null;
    const rt = recorder();
    if (scoped) this.#saved = null;
    else {
      const als = storage();
      // Opened inside a recorded call: the calls it makes from here on (after an await too)
      // are this trace's roots. Otherwise roots find this trace through the async context.
      const cur = rt.current();
      // Inside a recorded call, lending that call is enough. The async context is set only
      // otherwise: AsyncLocalStorage#enterWith also holds for the caller's code once an async
      // function first awaits, which would mix two concurrent blocks.
      this.#saved = { cur, store: als.getStore(), lent: cur, loan: null };
      if (cur >= 0) this.#saved.loan = rt.lend(cur, this.#state) ?? null;
      else als.enterWith(this.#state);
    }
    rt.countActive(1);
    if (this.#save) {
      open[open.length] = this;
      blockOpened();
    }
  }

  /** @internal The recorder-side state, for trace.run to scope the async context. */
  get state(): TraceState {
    return this.#state;
  }

  /** Stop recording; calls still open are reported as unfinished. Idempotent. */
  stop(): this {
    return this.#stop(false, undefined);
  }

  /** @internal Stop, as trace.run does: its callback threw `error` when `threw`. */
  stopRun(threw: boolean, error: unknown, fnName: string): this {
    if (this.#label === null && fnName !== "") this.#label = fnName;
    return this.#stop(threw, error);
  }

  /** @internal The test this block runs (`tph test`), stored with it. */
  runsTest(test: Omit<TestInfo, "outcome">): this {
    this.#test = test;
    return this;
  }

  /**
   * @internal Stop the block of a test (`tph test`), which ended as its runner says (at `at`,
   * the recorder's clock, when that was before now).
   */
  endTest(outcome: TestOutcome, error: unknown, at?: number): this {
    return this.#stop(outcome === "failed" || outcome === "timed out", error, outcome, at);
  }

  /** @internal The test a block opened for the one to come runs (`tph test` on Bun). */
  renameTest(test: Omit<TestInfo, "outcome">): this {
    this.#test = test;
    this.#label = test.name;
    return this;
  }

  /** @internal For a block that no-ops (TPH_DISABLE): nothing to store. */
  dropped(): this {
    this.#save = false;
    return this.stop();
  }

  /**
   * @internal The process ends with this block open (endOpenBlocks): stored as it is, its open
   * calls unfinished, with how the process ended.
   */
  endWithProcess(end: ProcessEnd): this {
    // A test's block is its runner's to end (tests/*.ts), as the test ended.
    if (this.#test !== null) return this;
    return this.#stop(false, undefined, undefined, undefined, end);
  }

  #stop(
    threw: boolean,
    error: unknown,
    outcome?: TestOutcome,
    at?: number,
    processEnd?: ProcessEnd,
  ): this {
    if (!this.#state.active) return this;
    forgetOpen(this);
    this.#state.active = false;
    this.#state.endTime = at ?? now();
    const rt = recorder();
    rt.countActive(-1);
    // A recorder installed by an older copy of tph has no detach: it only misses the bookkeeping.
    rt.detach?.(this.#state);
    const saved = this.#saved;
    if (saved !== null) {
      if (saved.lent >= 0) endLoan(rt, saved.lent, this.#state, saved.loan);
      else storage().enterWith(saved.store);
      this.#saved = null;
    }
    if (this.#save) {
      this.#save = false;
      const label = this.#label ?? fallbackLabel(this.#state);
      const test = this.#test === null
        ? undefined
        : { ...this.#test, outcome: outcome ?? (threw ? "failed" as const : "passed" as const) };
      this.#stored = saveBlock(
        this.#state,
        { label, threw, error, test, ...(processEnd !== undefined ? { processEnd } : {}) },
        test !== undefined,
      );
    }
    return this;
  }

  /** Where the block was stored as a run (auto_save), once it stopped; null when it was not. */
  get storedAt(): string | null {
    return this.#stored;
  }

  /** Stops the trace at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.stop();
  }

  /** Stops the trace at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    return Promise.resolve();
  }

  /** True while recording. */
  get active(): boolean {
    return this.#state.active;
  }

  /** Number of calls recorded. */
  get callCount(): number {
    return this.#state.callCount;
  }

  /** True when a limit (max_calls, max_depth) left calls out. */
  get wasLimited(): boolean {
    return this.#state.limitReasons.size > 0;
  }

  /** The limits that left calls out, joined by ", ", or null. */
  get limitReason(): string | null {
    return this.wasLimited ? [...this.#state.limitReasons].join(", ") : null;
  }

  /**
   * Where the values of `find` were seen, in the order they were (the first 10,000): function,
   * argument or return value or error, path inside the value, its repr and type, the stack, and
   * the call's place in `roots` (pre-order) when it was recorded.
   */
  get matches(): FindMatchJSON[] {
    return this.#state.finder === null ? [] : findSection(this.#state).matches;
  }

  /** The recorded root calls with their children, as JSON nodes. */
  get roots(): CallNodeJSON[] {
    return callTree(this.#state);
  }

  /**
   * The call tree as text.
   *
   * @param options Connector style, whether to show arguments and return values, depth, filter.
   * @returns One line per call.
   */
  tree(options: TreeOptions = {}): string {
    return renderTree(this.roots, options);
  }

  /** The trace as the versioned JSON document (see docs/json_format.md). */
  toJSON(): RunJSON {
    return traceToJSON(this.#state, this.#label);
  }

  /**
   * Write the JSON document to a file path or a writable.
   *
   * @param target A file path, or an object with a `write(text)` method.
   */
  save(target: string | Writable): void {
    const text = JSON.stringify(this.toJSON(), null, 2) + "\n";
    if (typeof target === "string") writeText(target, text);
    else target.write(text);
  }
}

/**
 * Start tracing the current execution context: sync code that follows, and async work started
 * from it. Use with `using`/`await using` (the trace stops at the end of the block), or call
 * `stop()`. Calls are recorded only for instrumented code (run it with `tph run`, or load the
 * tph loader); nested trace blocks record into the innermost one only.
 *
 * @param options Limits (`maxDepth`, `maxCalls`, `maxRepr`), filters and a label.
 * @returns The trace handle.
 *
 * @example
 * ```ts
 * import { trace } from "./mod.ts";
 * function handleRequest() { return 42; }
 * {
 *   using t = trace({ label: "request" });
 *   handleRequest();
 *   console.log(t.callCount);
 * }
 * ```
 */
export function trace(options: TraceOptions = {}): TraceHandle {
  if (disabled()) return new TraceHandle(options).dropped();
  noticeUninstrumented(options);
  const lib = library();
  return lib === null ? new TraceHandle(options) : lib.trace(options) as TraceHandle;
}

/**
 * `TPH_DISABLE=1` in the environment, or `enabled = false` in the config `tph run` or the
 * register entry read: every block is a no-op (production).
 */
function disabled(): boolean {
  return process.env.TPH_DISABLE === "1" || blockSettings()?.disabled === true;
}

/** The options a block gave, without those it left undefined (the config's apply there). */
function defined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in options) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

/**
 * The label of a block stored without one: its first call's function (trace.run's callback is
 * named by its own name before this), else the program's main file.
 */
function fallbackLabel(t: TraceState): string | null {
  const first = firstCallName(t);
  if (first !== null && first !== "") return first;
  const main = process.argv[1];
  return main === undefined ? null : main.slice(main.lastIndexOf("/") + 1);
}

/** Whether tph's recorder was installed before the first block: else nothing is instrumented. */
let recorderFound: boolean | null = null;
let toldUninstrumented = false;

/** What a block in a program without instrumented code says (once), or throws when strict. */
export const UNINSTRUMENTED = "trace() records nothing here: no code of this program is " +
  "instrumented; run the program with `tph run <script>`, or load tph's register entry first " +
  "(node --import tph/register, bun --preload tph/register, deno run --preload " +
  "npm:tph/register), or set TPH_DISABLE=1 to make every trace() block a no-op";

/** What a block says when the register entry came after the program's modules had loaded. */
export const LOADED_BEFORE = "trace() records nothing here: tph's register entry was loaded " +
  "after the program's modules, so none of them is instrumented; load it before the program " +
  "(node --import tph/register, bun --preload tph/register, deno run --preload " +
  "npm:tph/register), or import it from a module that imports the program afterwards";

/**
 * A block where nothing is instrumented records nothing: say so once on stderr, or throw with
 * `strict`. The recorder's global exists once tph's loader or instrumented code ran (`tph run`'s
 * preload installs it before the program); the register entry counts the files it instrumented.
 */
function noticeUninstrumented(options: TraceOptions): void {
  // deno-lint-ignore no-explicit-any
  recorderFound ??= (globalThis as any)[RUNTIME_GLOBAL] !== undefined;
  let problem: string | null = null;
  if (!recorderFound) problem = UNINSTRUMENTED;
  else {
    const s = blockSettings();
    if (s !== null && s.how === "register" && s.instrumented() === 0) problem = LOADED_BEFORE;
  }
  if (problem === null) return;
  if (options.strict) throw new Error(`tph: ${problem}`);
  if (toldUninstrumented) return;
  toldUninstrumented = true;
  process.stderr.write(`tph: warning: ${problem}\n`);
}

/**
 * Trace one callback, sync or async, and return the finished trace. The callback's value is in
 * `result`; if it throws (or rejects), the trace is stopped and the error rethrown.
 *
 * @param fn The code to trace.
 * @param options As for {@linkcode trace}.
 * @returns The finished trace (a promise of it when `fn` returns a promise).
 *
 * @example
 * ```ts
 * import { trace } from "./mod.ts";
 * const t = await trace.run(async () => 1 + 1);
 * console.log(t.result, t.callCount);
 * ```
 */
function run<T>(fn: () => Promise<T>, options?: TraceOptions): Promise<TraceHandle>;
function run<T>(fn: () => T, options?: TraceOptions): TraceHandle;
function run<T>(fn: () => T, options: TraceOptions = {}): TraceHandle | Promise<TraceHandle> {
  if (disabled()) return runDisabled(fn, options);
  noticeUninstrumented(options);
  const lib = library();
  return lib === null
    ? runHere(fn, options)
    : lib.run(fn, options) as TraceHandle | Promise<TraceHandle>;
}

/** trace.run under TPH_DISABLE: the callback runs as it is; the trace is empty. */
function runDisabled<T>(fn: () => T, options: TraceOptions): TraceHandle | Promise<TraceHandle> {
  const t = new TraceHandle(options).dropped();
  const value = fn();
  const then = value !== null && typeof value === "object"
    ? (value as { then?: unknown }).then
    : undefined;
  if (typeof then !== "function") {
    t.result = value;
    return t;
  }
  return (value as unknown as Promise<unknown>).then((v) => {
    t.result = v;
    return t;
  });
}

/**
 * Run one test's function as a block of its own (`tph test`): stored as a run labelled with the
 * test's name, its outcome failed when the function throws or rejects. The function is called
 * from a promise job of its own, so that no frame of tph's is on the stack while it runs (an
 * error's stack, which the runner prints, is the test's alone); its block reaches the calls it
 * makes through the async context. Always this copy's recorder: tph's own preload calls it.
 *
 * @param fn The test's function, bound to its arguments (a bound function has no frame).
 * @param test Which test it is.
 * @param failedAlso Called when the function did not fail: what the test failed with all the same
 *   (Deno's test whose step failed), or undefined.
 * @returns A promise of what the function returned; its error, rejected with.
 */
export function runTest(
  fn: () => unknown,
  test: Omit<TestInfo, "outcome">,
  failedAlso?: () => unknown,
): Promise<unknown> {
  const t = new TraceHandle({ label: test.name }, true).runsTest(test);
  return runAsBlock(t, fn, (threw, e) => {
    const also = threw ? undefined : failedAlso?.();
    if (also !== undefined) t.endTest("failed", also);
    else t.stopRun(threw, e, "");
  });
}

/**
 * Call `fn` from a promise job inside a block's async context (no frame of tph's below it), and
 * `settled` once what it returns settles (threw: whether it rejected, with what).
 */
function runAsBlock(
  t: TraceHandle,
  fn: () => unknown,
  settled: (threw: boolean, e: unknown) => void,
): Promise<unknown> {
  return storage().run(t.state, () =>
    Promise.resolve().then(fn).then(
      (v) => {
        settled(false, undefined);
        return v;
      },
      (e) => {
        settled(true, e);
        throw e;
      },
    ));
}

/**
 * Run an attempt of a test as a block whose outcome the runner decides (`tph test` on vitest:
 * tests/vitest_tests.ts): `run` is called from a promise job inside the block's async context, so
 * no frame of tph's is below it, and the block ends when it settles, as `ended` then says.
 *
 * @param run What runs the attempt (vitest's: the test's hooks and function).
 * @param test Which test it is.
 * @param ended The attempt's outcome, read once `run` settled.
 * @returns What `run` returns.
 */
export function runTestAttempt(
  run: () => unknown,
  test: Omit<TestInfo, "outcome">,
  ended: () => { outcome: TestOutcome; error: unknown },
): Promise<unknown> {
  const t = new TraceHandle({ label: test.name }, true).runsTest(test);
  return runAsBlock(t, run, () => {
    const { outcome, error } = ended();
    t.endTest(outcome, error);
  });
}

/**
 * Open the block of a test whose function runs now (`tph test` on Node: tests/node_tests.ts opens
 * it from the recorder, at the first traced call the test makes). The calls made from here on in
 * this async context (after an await too) are the block's; the runner's own scope ends the
 * context when the test's function returns, so nothing of the caller's is left in it.
 *
 * @param test Which test it is.
 * @returns The block; end it with its outcome when the runner finishes the test.
 */
export function openTest(test: Omit<TestInfo, "outcome">): TraceHandle {
  const t = new TraceHandle({ label: test.name }, true).runsTest(test);
  storage().enterWith(t.state);
  return t;
}

/** Put a test's block (openTest) in the current async context as well. */
export function enterTest(state: TraceState): void {
  storage().enterWith(state);
}

/** trace.run with this copy's recorder. */
function runHere<T>(fn: () => T, options: TraceOptions): TraceHandle | Promise<TraceHandle> {
  const t = new TraceHandle(options, true);
  const rt = recorder();
  return storage().run(t.state, () => {
    // The callback's calls are this trace's roots; when it is instrumented, its own call is the
    // first root and is left out of the tree (its calls take its place).
    const cur = rt.current();
    const loan = cur >= 0 ? rt.lend(cur, t.state) ?? null : null;
    t.state.wrapperPending = isInstrumented(fn);
    let value: T;
    const name = typeof fn.name === "string" ? fn.name : "";
    try {
      value = fn();
    } catch (e) {
      t.stopRun(true, e, name);
      throw e;
    } finally {
      t.state.wrapperPending = false;
      if (cur >= 0) endLoan(rt, cur, t.state, loan);
    }
    const then = value !== null && typeof value === "object"
      ? (value as { then?: unknown }).then
      : undefined;
    if (typeof then === "function") {
      return (value as unknown as Promise<unknown>).then(
        (v) => {
          t.result = v;
          return t.stopRun(false, undefined, name);
        },
        (e) => {
          t.stopRun(true, e, name);
          throw e;
        },
      );
    }
    t.result = value;
    return t.stopRun(false, undefined, name);
  });
}

trace.run = run;

/**
 * The stored runs, newest first, as `tph logs` numbers them: each run's top-level fields (time,
 * label, call count, limits, how the program ended…) with its `id` and `path`. Asynchronous: the
 * cache's reader loads when first asked for, so a program that never reads the cache never loads
 * it.
 *
 * @param options `cacheDir` (default: the cache `tph logs` reads from the working folder), `cwd`,
 *   `limit` (default 50).
 * @returns The runs, without their calls.
 *
 * @example
 * ```ts
 * import { trace } from "./mod.ts";
 * for (const run of await trace.logs()) console.log(run.timestamp, run.label, run.call_count);
 * ```
 */
async function logs(options: StoredRunsOptions & { limit?: number } = {}): Promise<StoredRun[]> {
  return (await import("./stored_runs.ts")).listStoredRuns(options);
}

/**
 * A stored run with its call tree, by the refs tph's commands take: `last`, a number as
 * {@linkcode trace.logs} lists it (from 1), a run id or the start of one, or a run file's path.
 *
 * @param ref The run.
 * @param options `cacheDir`, `cwd`, as for {@linkcode trace.logs}.
 * @returns The run as the JSON format (`tph export --format json`).
 * @throws {Error} One line naming the ref when there is no such run or it cannot be read (the
 *   promise rejects).
 *
 * @example
 * ```ts
 * import { trace } from "./mod.ts";
 * const run = await trace.load("last");
 * console.log(run.call_count, run.trace[0]?.name);
 * ```
 */
async function load(ref: string, options: StoredRunsOptions = {}): Promise<RunJSON> {
  return (await import("./stored_runs.ts")).loadStoredRun(ref, options);
}

trace.logs = logs;
trace.load = load;

// Any copy of tph's library works with the tph running the program. The tph that installed the
// recorder (`globalThis.__tph`: the running `tph run`, or this copy when it came first) is the
// only one whose code reads that recorder's traces: a copy hands trace() and trace.run() to its
// library (`__tph.lib`, LibraryABI). Its handles have this API, whatever their version's inside.

const HERE: LibraryABI = {
  version: LIBRARY_VERSION,
  tph: VERSION,
  trace: (options) => new TraceHandle(options),
  run: (fn, options) => runHere(fn, options ?? {}),
  own(...fns) {
    for (let i = 0; i < fns.length; i++) markOwn(fns[i]);
  },
};
R.lib ??= HERE;
// trace() and trace.run() are tracing's own controls: traced code calling them from a package
// (a copy of tph in node_modules) does not record them as external calls.
HERE.own(trace, run);
{
  // deno-lint-ignore no-explicit-any
  const installed = (globalThis as any)[RUNTIME_GLOBAL];
  if (installed !== undefined && installed !== R) installed.lib?.own?.(trace, run);
}

let warned = false;

/** Say once, in one line, that the running tph does not speak this copy's library contract. */
function warn(running: string, consequence: string): void {
  if (warned) return;
  warned = true;
  const where = OWN_ROOT_URL.protocol === "file:" ? fileURLToPath(OWN_ROOT_URL) : OWN_ROOT_URL.href;
  process.stderr.write(
    `tph: warning: the tph running this program (${running}) and the copy of tph's library it ` +
      `imports (${where}, ${VERSION}, library ${LIBRARY_VERSION}) differ: ${consequence}; run ` +
      `the program with the tph it imports, or import the running tph's library\n`,
  );
}

/** What this copy's handles call on a recorder. */
const USED = ["startTrace", "storage", "useStorage", "current", "lend", "countActive"];

/** An older tph's recorder that this copy's handles cannot use: they then record nothing. */
let unusable = false;

/** The recorder this copy's handles record with: the installed one, unless it is unusable. */
function recorder(): Runtime {
  return unusable ? R : runtime();
}

/**
 * The library of the tph that installed the recorder, when that is not this copy; null when this
 * copy's handles are to be used: its recorder is the installed one, or an older tph's, which has
 * no library to hand over to.
 */
function library(): LibraryABI | null {
  const rt = runtime();
  if (rt === R || unusable) return null;
  const lib = (rt as { lib?: LibraryABI | null }).lib;
  if (lib === undefined || lib === null || typeof lib.trace !== "function") {
    // An older tph: this copy's handles read its traces, when it has what they call.
    const r = rt as unknown as Record<string, unknown>;
    for (let i = 0; i < USED.length; i++) {
      if (typeof r[USED[i]] !== "function") {
        unusable = true;
        warn("older, without a library version", "trace() records nothing");
        return null;
      }
    }
    warn("older, without a library version", "trace() may miss calls");
    return null;
  }
  if (lib.version !== LIBRARY_VERSION) {
    warn(`${lib.tph}, library ${lib.version}`, "trace() gives the running tph's trace handles");
  }
  return lib;
}
