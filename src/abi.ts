// The contract between instrumented code and the recorder: the global the emitted code calls,
// the names of the locals it declares, and every method it calls (RecorderABI). The emitter
// (src/program/instrument/_emit.ts) builds each snippet from these, and the recorder object is
// checked against RecorderABI, so renaming either side alone fails to type-check.

/**
 * Version of this contract: part of the transform cache key, so code instrumented for another
 * recorder is never reused. Bump on any change to what the instrumenter emits.
 */
export const ABI_VERSION = 23;

/**
 * Global property holding the recorder that instrumented code reports to. This very line also
 * marks a folder as a copy of tph, whose files are never instrumented
 * (src/program/loader/own_sources.ts): keep it as it is.
 */
export const RUNTIME_GLOBAL = "__tph";
/** Local holding the current call's handle (or -1 when the call is not recorded). */
export const CALL_LOCAL = "__tph_c";
/** Catch parameter used by the emitted try/catch. */
export const ERROR_LOCAL = "__tph_x";
/**
 * Locals of a recorded async function around each `await` (see AWAIT_CLOSE in
 * program/instrument/_emit.ts): the awaited value while the recorder runs, the value the await
 * takes, and the error of an await made in a catch.
 */
export const AWAIT_LOCAL = "__tph_v";
export const OPERAND_LOCAL = "__tph_u";
export const AWAIT_ERROR_LOCAL = "__tph_y";
/** Module-scope names: the function-table base id (var) and the table itself (function). */
export const BASE_PREFIX = "__tph_b_";
export const META_PREFIX = "__tph_m_";

/** Bit flags of a function in the emitted metadata table. */
export const FLAG_ASYNC = 1;
export const FLAG_GENERATOR = 2;
export const FLAG_STATIC = 4;
/** A test registered with `test.failing` (its runner inverts its outcome). */
export const FLAG_TEST_FAILING = 8;
/** A test registered with `test.concurrent`. */
export const FLAG_TEST_CONCURRENT = 16;
/** A `beforeEach` hook's function. */
export const FLAG_BEFORE_EACH = 32;
/** An `afterEach` hook's function. */
export const FLAG_AFTER_EACH = 64;
/** A `beforeAll` or `afterAll` hook's function. */
export const FLAG_ALL_HOOK = 128;
/** Joins a test's suites' names and its own in a test's full name. */
export const TEST_NAME_SEPARATOR = " › ";

/**
 * One row of the emitted metadata table: qualified name, kind, line, column, flags, and the
 * parameter display names joined by ","; for the function of a test a test file registers
 * (`test("adds", () => …)` in a `describe`), the test's full name as written.
 */
export type MetaRow =
  | [string, string, number, number, number, string]
  | [string, string, number, number, number, string, string];

/**
 * Where a compiled file's map places its functions: the sources' files and module names, and
 * for each row the index of its source (-1: the file itself).
 */
export type MetaPlaces = [string[], string[], number[]];

/**
 * What `__tph_m_<h>()` returns: the file, the module name, and one row per function; with the
 * places of its rows when the file's source map puts them in other sources (else null, where the
 * texts follow); with the texts of its rows where any is known: for each row, how many lines
 * follow its first line in its source and their hash (-1 and 0: not known), for `tph lsp` to
 * tell a function whose text changed since the run.
 */
export type ModuleMeta =
  | [string, string, MetaRow[]]
  | [string, string, MetaRow[], MetaPlaces]
  | [string, string, MetaRow[], MetaPlaces | null, number[]];

/**
 * The recorder as rewritten code sees it (`globalThis.__tph`): a call's handle is a number,
 * -1 when the call is not recorded. See src/program/recorder/recorder.ts for what each does.
 */
export interface RecorderABI {
  /** True while any trace records; rewritten functions skip everything else when false. */
  on: boolean;
  /** Register a module's function table; returns the id of its first function. */
  reg(meta: ModuleMeta): number;
  /** A call of function `b + k` starts, with 0–3 arguments or an array of them. */
  e0(b: number, k: number): number;
  e1(b: number, k: number, a: unknown): number;
  e2(b: number, k: number, a: unknown, a2: unknown): number;
  e3(b: number, k: number, a: unknown, a2: unknown, a3: unknown): number;
  en(b: number, k: number, args: unknown[]): number;
  /** A `return`: keep the value, hand it on. */
  r<T>(c: number, v: T): T;
  /**
   * A `return` of an async function (not a generator): as r, except that a promise returned is
   * followed, and the call ends when it settles (xa).
   */
  ra<T>(c: number, v: T): T;
  /** An error propagating out of the call. */
  t(c: number, e: unknown): void;
  /** The call ended. */
  x(c: number): void;
  /** An async function's body ended: as x, unless its promise waits for a returned one (ra). */
  xa(c: number): void;
  /** A `break`/`continue` out of a finally block of an async function: a `return` is cancelled. */
  rc(c: number): void;
  /**
   * `tph test` on Bun, else null: what a test's function that threw returns instead of throwing
   * again (a rejected promise: REJECTING_CLOSER in instrument/_emit.ts).
   */
  rj: ((e: unknown) => unknown) | null;
  /** With rj: whether it takes what the function threw (else it is thrown again). */
  re(e: unknown): boolean;
  /** Before `await`/`yield`: give the stack back. */
  s<T>(c: number, v: T): T;
  /** After resuming: take the stack again. */
  w<T>(c: number, v?: T): T | undefined;
  /** An external call site: its callee `f` (k0: no arguments), its method on `obj` (km, km0). */
  k(c: number, d: number, f: unknown): unknown;
  k0(c: number, d: number, f: unknown): unknown;
  km(c: number, d: number, obj: unknown): unknown;
  km0(c: number, d: number, obj: unknown): unknown;
  /** Its arguments: one (ka), the last (kl), spread (ks, ksl). */
  ka<T>(c: number, v: T): T;
  kl<T>(c: number, v: T): T;
  ks<T>(c: number, v: T): T;
  ksl<T>(c: number, v: T): T;
  /** Its result. */
  kx<T>(c: number, v: T): T;
  /** A catch clause caught `e` (kc), or an error it cannot see (ku); a finally block runs (kf). */
  kc(c: number, e: unknown): void;
  ku(c: number): void;
  kf(c: number): void;
  /** `for await (… of x)`, `yield* x`, `yield* x` in an async generator. */
  fa(c: number, iterable: unknown): unknown;
  yd(c: number, iterable: unknown): unknown;
  ya(c: number, iterable: unknown): unknown;
}

/** A method rewritten code calls. */
export type RecorderMethod = Exclude<keyof RecorderABI, "on">;

/**
 * Version of the library's contract (LibraryABI). Any copy of tph's library a program imports
 * (the running tph's, a vendored one, another version) hands `trace()` and `trace.run()` to the
 * library of the tph that installed the recorder, found as `globalThis.__tph.lib`: its handles
 * are the ones that read that recorder's traces. Bump when what they take or give changes in a
 * way an older copy's caller would misread.
 */
export const LIBRARY_VERSION = 1;

/** The library of the tph whose recorder is installed (`globalThis.__tph.lib`). */
export interface LibraryABI {
  /** LIBRARY_VERSION of that tph. */
  version: number;
  /** That tph's version (src/version.ts), for messages. */
  tph: string;
  /** `trace(options)`: a started trace handle. */
  trace(options?: object): unknown;
  /** `trace.run(fn, options)`: a finished handle, or a promise of one. */
  run(fn: () => unknown, options?: object): unknown;
  /**
   * Mark functions of a copy of tph's library: a call to one from traced code is never recorded
   * as an external call.
   */
  own(...fns: unknown[]): void;
}
