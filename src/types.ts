/**
 * Shared data shapes: function metadata produced by the instrumenter, and the
 * versioned JSON run format written by the recorder and read by the CLI.
 *
 * @module
 */

/** What kind of function a {@linkcode FunctionInfo} describes. */
export type FunctionKind =
  | "function"
  | "arrow"
  | "method"
  | "getter"
  | "setter"
  | "constructor";

/** Static metadata about one instrumented function. */
export interface FunctionInfo {
  /** Stable id within the file: `"<line>:<column>"` of the function start (original source). */
  id: string;
  /** Short name: `fetchUser`, `get x`, `#secret`, `default`, `map callback` (a function named by place). */
  name: string;
  /** Qualified name: `Class.method`, `obj.prop`, `get Class.x`, `priceOrder › map callback`. */
  qualname: string;
  kind: FunctionKind;
  /** True for `async` functions (and async generators). */
  async: boolean;
  /** True for generators (and async generators). */
  generator: boolean;
  /** True for static class members. */
  static: boolean;
  /** File path or URL as given to the instrumenter. */
  file: string;
  /** 1-based line in the original source. */
  line: number;
  /** 1-based column in the original source. */
  column: number;
  /** Parameter binding names in order; destructured bindings are flattened, rest is `...name`. */
  params: string[];
}

/** Current version of the JSON run format. Bump on incompatible change. */
export const SCHEMA_VERSION = 1;

// The JSON run format (docs/json_format.md), declared once: its types below are made from these
// tables, the reader checks a file by them (run_file/json_run.ts), the writers' field names are
// theirs (the compiler holds the header's fields to the types, json_form.ts names a call's
// fields by `callKey`), and a test holds docs/json_format.md to them.
//
// A field is a text naming what it holds: `string`, `number`, `boolean`, `true`, `null`, `texts`
// (an object of strings), `strings` (a list of strings), `'word'` (that string), several joined
// by `|`; ending in `?` it may be absent, in `*` it is always written but a run of tracepatch
// (Python) or an older tph may lack it. `calls` is a list of calls. Or it is an object of the
// fields of a table (`list`: a list of them), which the reader checks field by field unless it
// is `lenient`: then the reader leaves it to what uses it, which checks it (`tph find` by its
// table, json_run.ts's sectionProblem; store/trace_context.ts) or copes with anything (the
// listings of a family's runs), so that a run whose `find` or family links are damaged is still
// read.

/** A field of the JSON run format: see above. */
export type FieldSpec = string | {
  readonly fields: FieldTable;
  readonly list?: true;
  readonly optional?: true | "read";
  readonly lenient?: true;
};
/** A table of fields: name → spec. */
export type FieldTable = { readonly [name: string]: FieldSpec };

type Prim<S extends string> = S extends "string" ? string
  : S extends "number" ? number
  : S extends "boolean" ? boolean
  : S extends "true" ? true
  : S extends "null" ? null
  : S extends "texts" ? Record<string, string>
  : S extends "strings" ? string[]
  : S extends "calls" ? unknown[]
  : S extends `'${infer L}'` ? L
  : never;
type Alts<S extends string> = S extends `${infer A}|${infer B}` ? Prim<A> | Alts<B> : Prim<S>;
type ValueOf<F> = F extends `${infer T}?` ? Alts<T>
  : F extends `${infer T}*` ? Alts<T>
  : F extends string ? Alts<F>
  : F extends { fields: infer T; list: true } ? Shape<T>[]
  : F extends { fields: infer T } ? Shape<T>
  : never;
type Optional<F> = F extends `${string}?` ? true : F extends { optional: true } ? true : false;
/** The type of an object of a table's fields. */
export type Shape<T> =
  & { -readonly [K in keyof T as Optional<T[K]> extends true ? never : K]: ValueOf<T[K]> }
  & { -readonly [K in keyof T as Optional<T[K]> extends true ? K : never]?: ValueOf<T[K]> };

/** One call in a saved run. */
export const CALL_FIELDS = {
  /** Qualified name: `fetchUser`, `Inventory.reserve`; external calls: the callee as written. */
  name: "string",
  /** The file relative to the project root (external calls: the package, `node:fs`, `global`). */
  module: "string",
  /** Where the function (or the external call) is, in the original source. */
  file: "string",
  line: "number",
  /** `function`, `method`, ... or `external` for calls into untraced code. */
  kind: "string?",
  /** Arguments by parameter name, each a bounded repr. */
  args: "texts",
  /** Repr of the return value; null when the call threw or has not finished. */
  return_value: "string|null",
  /** `RangeError: bad amount -1`; present only when an error propagated out of the call. */
  exception: "string?",
  /** Milliseconds since the trace started (microsecond resolution). */
  start_ms: "number",
  /** Duration in milliseconds; null when the call never finished. */
  elapsed_ms: "number|null",
  /**
   * Of `elapsed_ms`, the time the call spent suspended: awaiting (an async call), or between its
   * yields (a generator). Absent when none.
   */
  awaited_ms: "number?",
  /** True when the run ended while this call was still open. */
  unfinished: "boolean?",
  /** True for calls from traced code into code that is not traced. */
  external: "boolean?",
  /** True for async functions (duration runs until the promise settles). */
  async: "boolean?",
  /** Calls made under this node that limits left out. */
  dropped: "number?",
  /** The calls it made, in call order. */
  children: "calls",
} as const;

/** One call in a saved run (the JSON contract; see docs/json_format.md). */
export interface CallNodeJSON extends Shape<typeof CALL_FIELDS> {
  children: CallNodeJSON[];
}

/** The effective limits and filters a trace ran with (run_file/limits.ts, LIMITS). */
export const CONFIG_FIELDS = {
  max_depth: "number*",
  max_calls: "number*",
  max_repr: "number*",
  /**
   * The detail budget: calls of each function whose objects were described in full (`"all"`:
   * every call). Absent in runs made before it existed (every call was described in full).
   */
  details: "number|'all'?",
  ignore_modules: "strings*",
  include: "strings*",
  exclude: "strings*",
} as const;

/** The effective limits and filters a trace ran with. */
export type TraceConfigJSON = Shape<typeof CONFIG_FIELDS>;

/** How a test ended, as `tph test` stores it with the test's run. */
export type TestOutcome = "passed" | "failed" | "skipped" | "timed out";

/** A test whose calls a run holds (`tph test`). */
export const TEST_FIELDS = {
  /** The test's full name, as its runner reports it (suites and steps joined by " › "). */
  name: "string",
  /** The file that declares it, relative to the working folder. */
  file: "string",
  /** The runner that ran it: `deno`, `bun`, `node`, `vitest` or `jest`. */
  runner: "string",
  outcome: "'passed'|'failed'|'skipped'|'timed out'",
} as const;

/** A test whose calls a run holds (`tph test`). */
export type TestInfo = Shape<typeof TEST_FIELDS>;

/** An HTTP request a run holds the calls of. */
export const REQUEST_FIELDS = {
  method: "string",
  /** The request's path, without its query (which may carry secrets), redacted as values are. */
  path: "string",
  /** The response's status code; null when none was sent. */
  status: "number|null",
  /** True when the response did not finish: the client went away, or the process ended first. */
  aborted: "boolean",
} as const;

/** An HTTP request a run holds the calls of. */
export type RequestInfo = Shape<typeof REQUEST_FIELDS>;

/** How a `tph run` ended. */
export const RUN_INFO_FIELDS = {
  command: "strings",
  cwd: "string",
  runtime: "string",
  runtime_version: "string",
  /** `completed`, `exit`, `exception`, `rejection` or `signal`. */
  ended: "string",
  exit_code: "number|null",
  signal: "string|null",
  /** One-line description of the uncaught error, when there was one. */
  error: "string?",
  duration_ms: "number",
  /**
   * True for a `trace()` block stored as a run (auto_save): `command` is the program's, `ended`
   * is `completed`, or `exception` when the block's callback threw, and `exit_code` is null; a
   * block still open when the process ended has the process's `ended`, `exit_code` and `signal`.
   */
  block: "boolean?",
  /** For a test's run (`tph test`): which test it is and how it ended. */
  test: { fields: TEST_FIELDS, optional: true },
  /**
   * For a request's run (a server traced by `tph run` gets one per HTTP request): which request
   * it was and how it ended. `ended` is `completed`, `exit_code` null.
   */
  request: { fields: REQUEST_FIELDS, optional: true },
} as const;

/** How a `tph run` ended. */
export type RunInfo = Shape<typeof RUN_INFO_FIELDS>;

/** A followed process or worker, as the run of the program that started it lists it. */
export const CHILD_RUN_FIELDS = {
  /**
   * Its run's id in the cache; null when it left no run (it was killed, say), or when the run
   * that lists it was not stored (`--no-cache`, `-o` written before it was); in a request's run,
   * also while the server runs (a request's children are stored when the program ends).
   */
  run: "string|null",
  /** The call that started it: its number in this run (pre-order, from 0); null: not recorded. */
  call: "number|null",
  kind: "'process'|'worker'",
  /** Its process id (a worker's: its program's); null when not known. */
  pid: "number|null",
  /** A worker's thread id. */
  thread: "number?",
  /** When it started, in ms from this run's start. */
  start_ms: "number",
} as const;

/** A followed process or worker, as the run of the program that started it lists it. */
export type ChildRunJSON = Shape<typeof CHILD_RUN_FIELDS>;

/** The run of the program that started a followed process or worker. */
export const PARENT_RUN_FIELDS = {
  /** Its run's id in the cache. */
  run: "string",
  /**
   * The `timestamp` of the program's run (the first of the family): the runs of a program and of
   * the processes and workers it started are listed together, under it.
   */
  timestamp: "string",
  /** The call that started this one, numbered in the parent run (ChildRunJSON.call). */
  call: "number|null",
  kind: "'process'|'worker'",
  pid: "number|null",
  thread: "number?",
} as const;

/** The run of the program that started a followed process or worker. */
export type ParentRunJSON = Shape<typeof PARENT_RUN_FIELDS>;

/** A W3C trace context, as the `traceparent` and `tracestate` headers carry it. */
export const TRACE_CONTEXT_FIELDS = {
  /** `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. */
  traceparent: "string",
  tracestate: "string?",
} as const;

/** A W3C trace context, as the `traceparent` and `tracestate` headers carry it. */
export type TraceContextJSON = Shape<typeof TRACE_CONTEXT_FIELDS>;

/** What a run's outgoing requests carried on (`sent_trace`). */
export const SENT_TRACE_FIELDS = {
  /** 32 hex digits: the trace id its traceparents carried. */
  trace_id: "string",
  /**
   * The span id (16 hex digits) each call that sent a traceparent gave as its parent, by the
   * call's number: its place in the run's calls depth first, from 1. Absent or empty when the run
   * only read the context the program itself sent (OpenTelemetry's, a header of its own).
   */
  spans: "texts?",
} as const;

/** What a run's outgoing requests carried on (`sent_trace`). */
export type SentTraceJSON = Shape<typeof SENT_TRACE_FIELDS>;

/** A value `tph run --find` looked for. */
export const FIND_TARGET_FIELDS = {
  text: "string",
  type: "string|null",
  /** `same`: the library's object targets, found by identity. */
  match: "'equals'|'contains'|'regex'|'same'",
} as const;

/** One place a target was found. */
export const FIND_MATCH_FIELDS = {
  /** The target's index in `targets`. */
  target: "number",
  /** `module.Qualified.name`: the module's file name without extension, then the function's. */
  func: "string",
  module: "string",
  where: "'arg'|'return'|'throw'",
  /** The argument's name (arg only; external calls: its position). */
  arg_name: "string|null",
  /** Inside the value: `""` for the value itself, `.order.items[2].sku`, `[0]`, `{1}` (a Set). */
  path: "string",
  /** The repr of what matched. */
  value: "string",
  /** Its JS type or class name. */
  type: "string",
  /** ISO 8601, to the µs. */
  timestamp: "string",
  /** `func` names from the root call down to this one (calls left out of the tree: the recorded ones above it, then it). */
  stack: "strings",
  /** The call's place in the tree (pre-order index from 0), null when it was not recorded. */
  call: "number|null",
} as const;

/** One place a target was found. */
export type FindMatchJSON = Shape<typeof FIND_MATCH_FIELDS>;

/** What `tph run --find` looked for and found. */
export const FIND_FIELDS = {
  /** The targets, in the order given. */
  targets: { fields: FIND_TARGET_FIELDS, list: true },
  /** Matches in all; `matches` keeps the first 10,000. */
  count: "number",
  matches: { fields: FIND_MATCH_FIELDS, list: true },
} as const;

/** What `tph run --find` looked for and found. */
export type FindJSON = Shape<typeof FIND_FIELDS>;

/** A saved run: the top level of the JSON format. */
export const RUN_FIELDS = {
  schema: "number",
  tracepatch_version: "string*",
  /** ISO 8601 time the trace started. */
  timestamp: "string",
  label: "string|null*",
  call_count: "number",
  was_limited: "boolean*",
  /** `max_calls`, `max_depth`, or both joined by `, `; null when not limited. */
  limit_reason: "string|null*",
  /** Calls left out by limits, in total. */
  dropped_calls: "number*",
  /** Of those, calls left out with no recorded call open to count them under. */
  dropped_at_root: "number?",
  /** Objects shown as summaries (`Token {…}`) past the detail budget (absent: none). */
  summarised: "number?",
  config: { fields: CONFIG_FIELDS, optional: "read" },
  /**
   * The values looked for (`tph run --find`) and where they were found. Read leniently: `tph find`
   * checks it by its table, `tph logs` shows only target texts.
   */
  find: { fields: FIND_FIELDS, optional: true, lenient: true },
  /** Present for runs made by `tph run`. */
  run: { fields: RUN_INFO_FIELDS, optional: true },
  /**
   * The W3C trace context of the request the run served, when it carried one: exports place the
   * run's calls under that span, in that trace (checked when read: store/trace_context.ts, which
   * leaves a malformed one out with a warning).
   */
  trace_context: { fields: TRACE_CONTEXT_FIELDS, optional: true, lenient: true },
  /**
   * What the run's outgoing requests (fetch, http.request) carried on as their W3C trace context:
   * the trace they were in, and the span id each call that sent one gave as the parent. Exports
   * give those calls those span ids, and a run without `trace_context` that trace (checked when
   * read: store/trace_context.ts). Absent when it sent none (and in older runs).
   */
  sent_trace: { fields: SENT_TRACE_FIELDS, optional: true, lenient: true },
  /**
   * The processes and workers the program started that were followed (`tph run`), each stored as
   * a run of its own, in the order they started. Read leniently (launch/child_runs.ts and the
   * family's listing take what each entry holds).
   */
  children: { fields: CHILD_RUN_FIELDS, list: true, optional: true, lenient: true },
  /** A followed process's or worker's run: the run of the program that started it (leniently). */
  parent: { fields: PARENT_RUN_FIELDS, optional: true, lenient: true },
  /** The root calls. */
  trace: "calls",
} as const;

/** A saved run: the top level of the JSON format. */
export interface RunJSON extends Shape<typeof RUN_FIELDS> {
  trace: CallNodeJSON[];
}
