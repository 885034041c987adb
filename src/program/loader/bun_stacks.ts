// Bun reads no source map from a plugin (oven-sh/bun#6173): the positions it reports for
// instrumented code are positions in the rewritten text, whose lines are longer. The instrumenter
// says where it inserted text on each line (the column table, _columns.ts), and this maps a
// reported column back, exactly, wherever Bun hands positions to JavaScript:
//
// - `err.stack`, `Error.captureStackTrace`: Bun formats a stack when it is first read, its own
//   way while `Error.prepareStackTrace` is the native default, from call sites once it is any
//   function. tph's formatter takes Bun's slot (looking native: a bound function) and gets Bun's
//   own text by moving the error's frames to a fresh error (`Error.appendStackTrace`) whose stack
//   it reads (inside a formatter Bun formats its own way), then maps each frame's column. The
//   property becomes an accessor: what a program assigns is called from here as Bun would call it.
// - a program's own `Error.prepareStackTrace` gets Bun's call sites, whose getColumnNumber(),
//   toString() and toJSON() (on their shared prototype) give the mapped column.
// - `console.trace` prints the frames Bun captured itself: it is replaced by one that prints the
//   same lines from the mapped stack.
// - Bun prints an error (uncaught, or through console.log) from the frames it captured unless its
//   stack was read, in which case it reads them back from that text. When Bun would print a
//   shifted column, the stack is formatted first, in the form its printer reads back.
// - In a CommonJS module tph runs itself (bun.ts, runCommonJS), a position mapped back goes on
//   to where Bun's own loader would report it (bun_cjs.ts), and the frames of tph's running of it
//   are left out of every stack.
//
// Nothing here runs per call: only when a stack is formatted or an error printed, and then only
// frames in files tph rewrote look anything up.

import process from "../../platform/node_process.ts";
import {
  apply,
  arrayJoin,
  bare,
  defineProperty,
  getOwn,
  hasOwn,
  isArray,
  objectKeys,
  ownArray,
  ownKeys,
  protoOf as getPrototypeOf,
  put,
  regexExec,
  SafeMap,
  SafeSet,
  SafeWeakMap,
  strEndsWith,
  strLastIndexOf,
  strSlice,
  strSplit,
  strStartsWith,
  withStackTraceLimit,
} from "../../platform/intrinsics.ts";
import { type MappedStarts, snapColumn } from "./bun_cjs.ts";
import { columnInSource, decodedTable } from "../instrument/_columns.ts";
import { traceMapping } from "../../deps.ts";
import { disguise } from "./original_text.ts";
import {
  Array,
  Error,
  Object,
  Proxy,
  Set,
  String,
  SyntaxError,
  WeakMap,
} from "../../platform/globals.ts";

/** A frame line as Bun prints it: its file, line and column. */
const PRINTED_FRAME = /^ +at (?:.*\()?(.+?):(\d+):(\d+)\)?$/gm;

/** The `:line:column` a frame's text ends with (before its closing parenthesis, if any). */
const POSITION_AT_END = /:(\d+):(\d+)(\)?)$/;

type Site = Record<string, (...args: unknown[]) => unknown>;

/** Column tables by file, as the instrumenter wrote them; decoded on first use. */
const tables = new SafeMap<string, string>();
/** Decoded: per line (0-based), pairs of (column in the source, length inserted there). */
const decoded = new SafeMap<string, (Int32Array | undefined)[]>();
/**
 * For the CommonJS modules tph runs itself (bun_cjs.ts): the places Bun's own loader would report,
 * made on first use (null when they cannot be).
 */
const snaps = new SafeMap<string, (() => MappedStarts | null) | MappedStarts | null>();
/**
 * For the CommonJS modules tph runs itself: the line of the wrapper's call (after the module's
 * last line). Its frame and the frames of tph's loading below it, down to Bun's, are none of the
 * program's: left out of every stack, as Bun's own loader shows none.
 */
const wrapperLines = new SafeMap<string, number>();
/**
 * For the bundles of Bun's own that tph runs as CommonJS modules (`// @bun @bun-cjs`): the
 * bundle's own map, through which Bun maps their positions plainly (bun_own_map.ts); made on
 * first use (null when it cannot be).
 */
const throughs = new SafeMap<string, (() => string | null) | TraceMapOf | null>();
type TraceMapOf = InstanceType<ReturnType<typeof traceMapping>["TraceMap"]>;
/** The file of tph's loader (runCommonJS), whose frames under a wrapper's are left out. */
let loaderFile: string | null = null;
/** Those of them that an ES module imported (see CommonJSRun). */
const importedFiles = new SafeSet<string>();
/** Those of them whose top-level code Bun runs in no function of its own (see CommonJSRun). */
const namelessFiles = new SafeSet<string>();
const LEFT_OUT = 1, NAMELESS = 2;
/** A frame line of an anonymous function: its indent, and its position. */
const ANONYMOUS_FRAME = /^( +at )<anonymous> \((.*)\)$/;
/** What is known of a CommonJS module tph runs itself on Bun (bun.ts, runCommonJS). */
export interface CommonJSRun {
  /** Gives the places Bun's own loader reports (bun_cjs.ts), where a mapped position then goes. */
  starts: () => MappedStarts | null;
  /** The 1-based line of the wrapper's call, after the module's code. */
  wrapperLine: number;
  /** The file of the function that runs it (tph's loader). */
  loaderFile: string | null;
  /** Whether an ES module imports it (not require() nor the main module). */
  imported: boolean;
  /**
   * Whether Bun's loader would run its top-level code in no function of its own (an imported
   * module, or one Bun takes for an ES module), whose frame then has no name.
   */
  nameless: boolean;
}

/**
 * Remember where text was inserted into a file Bun runs, to map its positions back.
 *
 * @param path The file's path, as Bun's call sites name it.
 * @param table Its column table ("" when nothing was inserted).
 * @param commonJS For a CommonJS module tph runs itself: what maps its positions.
 */
export function rememberColumns(path: string, table: string, commonJS?: CommonJSRun): void {
  if (table === "" && commonJS === undefined) tables.delete(path);
  else tables.set(path, table);
  decoded.delete(path);
  if (commonJS === undefined) {
    snaps.delete(path);
    wrapperLines.delete(path);
    importedFiles.delete(path);
    namelessFiles.delete(path);
  } else {
    snaps.set(path, commonJS.starts);
    wrapperLines.set(path, commonJS.wrapperLine);
    if (commonJS.imported) importedFiles.add(path);
    else importedFiles.delete(path);
    if (commonJS.nameless) namelessFiles.add(path);
    else namelessFiles.delete(path);
    if (commonJS.loaderFile !== null) loaderFile = commonJS.loaderFile;
  }
}

/**
 * A table with `length` more inserted at the start of line `line` (0-based), before what the
 * table has there: the start of a wrapper, which moves that line's columns.
 *
 * @param table A column table (_columns.ts).
 * @param line The line.
 * @param length How much.
 * @returns The new table.
 */
export function insertAtLineStart(table: string, line: number, length: number): string {
  if (length <= 0) return table;
  const rows = table === "" ? ownArray<string[]>([]) : strSplit(table, ";");
  while (rows.length <= line) rows[rows.length] = "";
  // The first pair's column is relative to 0, which the new pair's is too.
  const pair = "0," + length.toString(36);
  rows[line] = rows[line] === "" ? pair : pair + "," + rows[line];
  return arrayJoin(rows, ";");
}

/**
 * Map the positions of a file (once mapped back to it) on through its own source map, as Bun
 * does for a bundle of its own.
 *
 * @param path The file.
 * @param map Gives the map's JSON (its sources absolute paths), or null.
 */
export function rememberThroughMap(path: string, map: () => string | null): void {
  throughs.set(path, map);
}

/** A place in a source: its file, 1-based line and column. */
interface Place {
  file: string;
  line: number;
  column: number;
}

/** Where a position of a file (its 1-based line and column) is through its own map, or null. */
function through(path: string, line: number, column: number): Place | null {
  if (throughs.size === 0) return null;
  let map = throughs.get(path);
  if (map === undefined || map === null) return null;
  const tm = traceMapping();
  if (typeof map === "function") {
    let made: TraceMapOf | null = null;
    try {
      const text = map();
      // deno-lint-ignore no-explicit-any
      if (text !== null) made = new tm.TraceMap(text as any);
    } catch {
      made = null;
    }
    throughs.set(path, made);
    if (made === null) return null;
    map = made;
  }
  const pos = tm.originalPositionFor(map, { line, column: column - 1 });
  if (pos.source === null || pos.line === null || pos.column === null) return null;
  return { file: pos.source, line: pos.line, column: pos.column + 1 };
}

function decode(path: string): (Int32Array | undefined)[] | null {
  return decodedTable(tables, decoded, path);
}

/**
 * The column in the source of a position Bun reports in the rewritten code of `path`; the column
 * itself when the file was not rewritten. A position inside inserted text maps to the source
 * character the text was inserted before.
 *
 * @param path The file.
 * @param line 1-based line.
 * @param column 1-based column in the rewritten code.
 * @returns 1-based column in the source.
 */
export function originalColumn(path: string, line: number, column: number): number {
  const inSource = tableColumn(path, line, column);
  let starts = snaps.get(path);
  if (starts === undefined) return inSource;
  if (typeof starts === "function") {
    try {
      starts = starts();
    } catch {
      // Tried again at the next position.
      return inSource;
    }
    snaps.set(path, starts);
  }
  return starts === null ? inSource : snapColumn(starts, line, inSource);
}

/** A column in the rewritten code of `path` in its source (see originalColumn). */
function tableColumn(path: string, line: number, column: number): number {
  const lines = decode(path);
  const pairs = lines === null ? undefined : lines[line - 1];
  return pairs === undefined ? column : columnInSource(pairs, column);
}

let installed = false;
let beforeUncaught: ((err: unknown) => void) | null = null;

// Captured when this module loads, before the program runs: a program that patches them cannot
// change what tph does (the rest: platform/intrinsics.ts).
const ErrorCtor = Error, SyntaxErrorCtor = SyntaxError;
const syntaxProto = SyntaxError.prototype;
const StringCtor = String;
/** The getter of `Object.prototype.__proto__`, the one accessor a plain error's chain holds. */
const protoGetter = getOwn(Object.prototype, "__proto__")?.get;
/** The prototypes of Bun's reports of a failed build or resolution (see isBuildMessage). */
const buildProtos: unknown[] = [];
const arrayProto = Array.prototype;
for (const name of ["BuildMessage", "ResolveMessage"]) {
  const d = getOwn(globalThis, name);
  const proto = d !== undefined && typeof d.value === "function"
    ? getOwn(d.value, "prototype")?.value
    : undefined;
  if (proto !== undefined && proto !== null) buildProtos.push(proto);
}

/** Bun's stack machinery as it was before the program ran: Error's, and its call sites'. */
interface Natives {
  // deno-lint-ignore no-explicit-any
  E: any;
  /** Bun's own Error.prepareStackTrace. */
  native: (...args: unknown[]) => unknown;
  captureStackTrace: (target: object, below?: unknown) => void;
  appendStackTrace: unknown;
  isProxy: (v: unknown) => boolean;
  isError: (v: unknown) => boolean;
  /** The prototype Bun's call sites share, and its methods. */
  // deno-lint-ignore no-explicit-any
  proto: any;
  fileName: (...args: unknown[]) => unknown;
  lineNumber: (...args: unknown[]) => unknown;
  columnNumber: (...args: unknown[]) => unknown;
  toText: (...args: unknown[]) => unknown;
  functionName: unknown;
  /** Bun.inspect, which prints an error as console.log does. */
  inspect: unknown;
}

/** What the parts of the formatter share while the program runs. */
interface Formatting {
  /**
   * How stacks are formatted: for the program, for Bun's printer to read back (an uncaught error,
   * see beforeUncaught), or as console.trace prints them; "sites" gives the call sites.
   */
  mode: "stack" | "printer" | "trace" | "sites";
  /** Set while Bun prints (console.log of an error, an uncaught error): see keepBoth. */
  printing: boolean;
  /** Set while the program's own Error.prepareStackTrace runs. */
  inProgram: boolean;
  /** Errors formatted for Bun's printer, and the stack each would have had. */
  printed: object[];
  asStack: WeakMap<object, string>;
  /** tph's formatter, as Bun's slot holds it. */
  prepare: unknown;
  /** What the program reads as Error.prepareStackTrace (what it assigned, else `prepare`). */
  programValue: unknown;
}

/**
 * Map the positions Bun reports back to the sources (see the top of this file). Call once, before
 * the program runs.
 */
export function installBunStacks(): void {
  if (installed) return;
  installed = true;
  const n = bunNatives();
  if (n === null) return;
  patchCallSites(n);
  const state: Formatting = {
    mode: "stack",
    printing: false,
    inProgram: false,
    printed: [],
    asStack: new SafeWeakMap(),
    prepare: null,
    programValue: null,
  };
  installFormatter(n, state);
  installTrace(n, state);
  installPrinters(n, state);
}

/** Bun's stack machinery, or null when this Bun lacks a part tph needs (then nothing is mapped). */
function bunNatives(): Natives | null {
  // deno-lint-ignore no-explicit-any
  const E = Error as any;
  const native = E.prepareStackTrace;
  if (
    typeof native !== "function" || typeof E.captureStackTrace !== "function" ||
    typeof E.appendStackTrace !== "function"
  ) return null;
  const captureStackTrace = E.captureStackTrace, appendStackTrace = E.appendStackTrace;
  const isProxy = proxyCheck();
  const isErrorFn = E.isError;
  const isError = (v: unknown): boolean =>
    typeof isErrorFn === "function" ? isErrorFn(v) === true : v instanceof ErrorCtor;
  // Bun's call sites share one prototype: take it from a stack formatted as the sites themselves.
  E.prepareStackTrace = (_: unknown, sites: unknown) => sites;
  const holder: { stack?: Site[] } = {};
  captureStackTrace(holder);
  const sites = holder.stack;
  E.prepareStackTrace = native;
  if (!isArray(sites) || sites.length === 0) return null;
  const proto = getPrototypeOf(sites[0]);
  const fileName = proto.getFileName, lineNumber = proto.getLineNumber;
  const columnNumber = proto.getColumnNumber, toText = proto.toString;
  if (
    typeof fileName !== "function" || typeof lineNumber !== "function" ||
    typeof columnNumber !== "function" || typeof toText !== "function"
  ) return null;
  return {
    E,
    native,
    captureStackTrace,
    appendStackTrace,
    isProxy,
    isError,
    proto,
    fileName,
    lineNumber,
    columnNumber,
    toText,
    functionName: proto.getFunctionName,
    // deno-lint-ignore no-explicit-any
    inspect: (globalThis as any).Bun?.inspect,
  };
}

/** A call site's place in the source, or null when it is the reported one. */
function placeOf(n: Natives, site: unknown): Place | null {
  if (site === null || typeof site !== "object" || getPrototypeOf(site) !== n.proto) return null;
  const file = apply(n.fileName, site, []);
  if (typeof file !== "string" || !tables.has(file)) return null;
  const line = apply(n.lineNumber, site, []), column = apply(n.columnNumber, site, []);
  if (typeof line !== "number" || typeof column !== "number" || column <= 0) return null;
  const original = originalColumn(file, line, column);
  const further = through(file, line, original);
  if (further !== null) return further;
  return original === column ? null : { file, line, column: original };
}

/** A call site's column in the source, or -1 when it is the reported one. */
function mapped(n: Natives, site: unknown): number {
  const place = placeOf(n, site);
  return place === null ? -1 : place.column;
}

/** `text` with the last `file:line:column` of `site` replaced by its place in the source. */
function withPlace(n: Natives, text: string, site: unknown, place: Place): string {
  const file = apply(n.fileName, site, []);
  const line = apply(n.lineNumber, site, []), column = apply(n.columnNumber, site, []);
  const reported = `:${line}:${column}`;
  let at = strLastIndexOf(text, reported);
  if (at < 0) return text;
  const end = at + reported.length;
  if (place.file !== file) {
    if (typeof file !== "string" || !strEndsWith(strSlice(text, 0, at), file)) return text;
    at -= file.length;
  }
  const shown = place.file === file ? "" : place.file;
  return strSlice(text, 0, at) + `${shown}:${place.line}:${place.column}` + strSlice(text, end);
}

/**
 * The call sites a program's own Error.prepareStackTrace gets. Proxies of Bun's methods keep their
 * names, lengths and `this`.
 */
function patchCallSites(n: Natives): void {
  const proto = n.proto, toJSON = proto.toJSON;
  const patch = (name: string, fn: (target: Site, site: unknown, args: unknown[]) => unknown) => {
    const real = proto[name];
    if (typeof real !== "function") return;
    proto[name] = new Proxy(real, { apply: (target, site, args) => fn(target, site, args) });
  };
  patch("getColumnNumber", (target, site, args) => {
    const original = mapped(n, site);
    return original < 0 ? apply(target as never, site, args) : original;
  });
  // Another file and line only through a bundle's own map.
  patch("getFileName", (target, site, args) => {
    const place = throughs.size === 0 ? null : placeOf(n, site);
    return place === null ? apply(target as never, site, args) : place.file;
  });
  patch("getLineNumber", (target, site, args) => {
    const place = throughs.size === 0 ? null : placeOf(n, site);
    return place === null ? apply(target as never, site, args) : place.line;
  });
  patch("toString", (target, site, args) => {
    const text = apply(target as never, site, args) as string;
    const place = placeOf(n, site);
    return place === null ? text : withPlace(n, String(text), site, place);
  });
  if (typeof toJSON === "function") {
    patch("toJSON", (target, site, args) => {
      const json = apply(target as never, site, args);
      const place = placeOf(n, site);
      if (place !== null && json !== null && typeof json === "object") {
        const o = json as Record<string, unknown>;
        if ("columnNumber" in o) o.columnNumber = place.column;
        if ("lineNumber" in o) o.lineNumber = place.line;
        if ("sourceURL" in o) o.sourceURL = place.file;
      }
      return json;
    });
  }
}

/**
 * The stack Bun's own formatter writes for `err` (it is not the one the native
 * `Error.prepareStackTrace` writes from call sites: `async`, native frames, a SyntaxError's
 * `<parse>` line): inside a prepareStackTrace callback Bun formats stacks its own way, so the
 * error's frames are moved to a new error that reads the same name and message, and that one's
 * stack is read. Null when `err` is not an error of its own frames.
 */
function defaultStack(n: Natives, err: unknown): string | null {
  if (!n.isError(err) || n.isProxy(err)) return null;
  // The name Bun's formatter reads (own, then the prototype's; values only) and the message
  // (own value only).
  let name: PropertyDescriptor | undefined;
  for (let o: unknown = err, depth = 0; depth < 2 && o !== null; depth++) {
    if (n.isProxy(o)) return null;
    const d = getOwn(o as object, "name");
    if (d !== undefined && hasOwn(d, "value")) {
      name = d;
      break;
    }
    o = getPrototypeOf(o);
  }
  const message = getOwn(err, "message");
  let syntax = false;
  for (let o: unknown = getPrototypeOf(err); o !== null; o = getPrototypeOf(o)) {
    if (n.isProxy(o)) return null;
    if (o === syntaxProto) syntax = true;
  }
  // Assigned, never defined: Bun keeps both values in slots of its own, set by assignment.
  const E = n.E;
  const make = () => syntax ? new SyntaxErrorCtor() : new ErrorCtor();
  // Where the program froze Error's limit, its frames are taken off again: those below a
  // function on no stack are none.
  const copy: { stack?: unknown } = withStackTraceLimit(0, make, () => {
    const c = make();
    n.captureStackTrace(c, offStack);
    return c;
  });
  defineProperty(
    copy,
    "name",
    bare({
      value: name === undefined ? "Error" : name.value,
      configurable: true,
      writable: true,
    }),
  );
  if (message !== undefined && hasOwn(message, "value")) {
    defineProperty(
      copy,
      "message",
      bare({ value: message.value, configurable: true, writable: true }),
    );
  } else delete (copy as { message?: unknown }).message;
  try {
    apply(n.appendStackTrace as never, E, [err, copy]);
  } catch {
    return null;
  }
  const stack = copy.stack;
  return typeof stack === "string" ? stack : null;
}

/** A function no stack holds. */
function offStack(): void {}

/**
 * Per frame: LEFT_OUT for tph's running of a CommonJS module (see wrapperLines) and, under the
 * top-level code of a module an ES module imports, the importer's; NAMELESS for a module's
 * top-level code that Bun runs in no function of its own (CommonJSRun); null when all stay.
 */
function loaderFrames(n: Natives, list: unknown): number[] | null {
  if (wrapperLines.size === 0 || !isArray(list)) return null;
  const { proto, fileName, lineNumber, functionName } = n;
  let drop: number[] | null = null;
  for (let i = 0; i < list.length; i++) {
    const site = list[i];
    if (getPrototypeOf(site) !== proto) continue;
    const file = apply(fileName, site, []);
    const wrapper = typeof file === "string" ? wrapperLines.get(file) : undefined;
    if (wrapper === undefined || apply(lineNumber, site, []) !== wrapper) continue;
    if (drop === null) {
      drop = ownArray([]);
      for (let k = 0; k < list.length; k++) drop[k] = 0;
    }
    drop[i] = LEFT_OUT;
    const imported = importedFiles.has(file as string);
    if (namelessFiles.has(file as string) && i > 0) drop[i - 1] = NAMELESS;
    // Below it: Bun's _compile (native, no file), then tph's loader.
    for (let j = i + 1; j < list.length; j++) {
      const below = list[j];
      if (getPrototypeOf(below) !== proto) break;
      const f = apply(fileName, below, []);
      const native = (f === "[native code]" || f === undefined || f === null || f === "") &&
        typeof functionName === "function" && apply(functionName, below, []) === "_compile";
      if (!native && (loaderFile === null || f !== loaderFile)) break;
      drop[j] = LEFT_OUT;
      i = j;
    }
    if (imported) {
      for (let j = i + 1; j < list.length; j++) drop[j] = LEFT_OUT;
      break;
    }
  }
  return drop;
}

/**
 * Install tph's formatter in Bun's slot. Bound: its source text is native code, as the original's
 * (`function ErrorPrepareStackTrace() { [native code] }`), and so are its length and, once named,
 * its name. Bun keeps the formatter it calls in a slot of its own, which an assignment sets and a
 * definition does not: the slot holds this one for good, and the property becomes an accessor
 * that keeps what the program assigns (called from here, as Bun would call it).
 */
function installFormatter(n: Natives, state: Formatting): void {
  const E = n.E;
  const prepare = stackFormatter(n, state).bind(undefined);
  defineProperty(prepare, "name", { value: n.native.name, configurable: true });
  state.prepare = prepare;
  E.prepareStackTrace = prepare;
  state.programValue = prepare;
  defineProperty(E, "prepareStackTrace", {
    get: function prepareStackTrace() {
      return state.programValue;
    },
    set: function prepareStackTrace(value: unknown) {
      state.programValue = value;
    },
    enumerable: false,
    configurable: true,
  });
}

/** tph's Error.prepareStackTrace (see the top of this file), before it is bound. */
function stackFormatter(
  n: Natives,
  state: Formatting,
): (error: unknown, full: unknown) => unknown {
  const { E, proto } = n;
  return function ErrorPrepareStackTrace(error: unknown, full: unknown): unknown {
    const drop = loaderFrames(n, full);
    const list = drop === null ? full : kept(full as unknown[], drop);
    if (state.mode === "sites") return list;
    // The program's own formatter, as Bun would call it (its sites give mapped columns); one that
    // calls the original in turn gets Bun's formatting below. Called from here, so that the
    // frames under the program's formatter are as they were.
    const own = state.programValue;
    if (
      state.mode === "stack" && !state.inProgram && own !== state.prepare &&
      typeof own === "function"
    ) {
      state.inProgram = true;
      try {
        return apply(own, E, [error, list]);
      } finally {
        state.inProgram = false;
      }
    }
    const stack = isArray(list) && allSites(list, proto)
      ? withoutFrames(defaultStack(n, error), full as unknown[], drop)
      : null;
    if (stack === null) {
      // Not Bun's own call (a program's formatter handing its sites on): the native's form.
      // The native one takes only an error (Bun's formatter heads any other object "Error").
      const target = n.isError(error) ? error : new ErrorCtor();
      return apply(n.native, undefined, [target, nativeSites(n, list)]);
    }
    return mappedStack(n, state, error, stack, list as unknown[]);
  };
}

/** The frames loaderFrames() does not leave out. */
function kept(full: unknown[], drop: number[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < full.length; i++) if (drop[i] !== LEFT_OUT) put(out, out.length, full[i]);
  return out;
}

/** Whether every item is one of Bun's call sites. */
function allSites(list: unknown[], proto: unknown): boolean {
  for (let i = 0; i < list.length; i++) if (getPrototypeOf(list[i]) !== proto) return false;
  return true;
}

/** Call sites for Bun's native formatter: those that map, as objects giving the mapped text. */
function nativeSites(n: Natives, list: unknown): unknown {
  if (!isArray(list)) return list;
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const site = list[i];
    const place = placeOf(n, site);
    if (place === null) {
      put(out, i, site);
      continue;
    }
    const text = withPlace(n, StringCtor(apply(n.toText, site, [])), site, place);
    put(out, i, { __proto__: null, toString: () => text });
  }
  return out;
}

/**
 * Bun's stack text of `frames`, each frame's position mapped, in the form the mode asks for: the
 * program's stack, what Bun's printer reads back (then also kept as the stack the program would
 * have read, see keepBoth), or console.trace's lines.
 */
function mappedStack(
  n: Natives,
  state: Formatting,
  error: unknown,
  stack: string,
  frames: unknown[],
): string {
  const mode = state.mode;
  const lines = strSplit(stack, "\n");
  // The frames start after the header, which may hold line breaks of its own.
  const first = lines.length - frames.length;
  if (first < 1) return stack;
  for (let i = first; i < lines.length; i++) if (!strStartsWith(lines[i], "    at ")) return stack;
  const out: string[] = [];
  for (let i = 0; i < first; i++) put(out, i, lines[i]);
  // A SyntaxError's `<parse>` line is no frame: Bun's printer shows none.
  if (mode !== "stack" && first >= 2 && strStartsWith(lines[first - 1], "    at <parse> (")) {
    out.length--;
  }
  if (mode === "printer" && error !== null && typeof error === "object") {
    // What the stack would have been, for when the program reads it after it was printed.
    const whole: string[] = [];
    for (let i = 0; i < out.length; i++) put(whole, i, out[i]);
    for (let i = 0; i < frames.length; i++) {
      put(whole, whole.length, mappedLine(n, lines[first + i], frames[i]));
    }
    state.asStack.set(error, arrayJoin(whole, "\n"));
    put(state.printed, state.printed.length, error);
  }
  for (let i = 0; i < frames.length; i++) {
    const site = frames[i];
    const line = lines[first + i];
    if (mode === "stack") {
      put(out, out.length, mappedLine(n, line, site));
      continue;
    }
    // Bun's printer shows no frame without a position (a native function's), and its positions
    // are the call sites' (`new X(…)` at `new`, where the stack text has `X`).
    if (strEndsWith(line, "(unknown)")) continue;
    // In a CommonJS module Bun's loader ran, the printer's positions are the stack text's.
    const text = commonJSSite(n, site)
      ? strSlice(mappedLine(n, line, site), 7)
      : sitePosition(n, strSlice(line, 7), site);
    // Bun's printer reads `async f` back as f, and a frame without a function name only in
    // parentheses.
    const entry = mode === "trace" ? "      at " + text : "    at " +
      (strStartsWith(text, "async ")
        ? "async " + text
        : strEndsWith(text, ")")
        ? text
        : ` (${text})`);
    put(out, out.length, entry);
  }
  return arrayJoin(out, "\n");
}

/** Whether a call site is in a CommonJS module tph runs itself. */
function commonJSSite(n: Natives, site: unknown): boolean {
  if (wrapperLines.size === 0 || getPrototypeOf(site) !== n.proto) return false;
  const file = apply(n.fileName, site, []);
  return typeof file === "string" && wrapperLines.has(file);
}

/** Bun's stack text as loaderFrames() says (as it is when `drop` is null). */
function withoutFrames(
  stack: string | null,
  frames: unknown[],
  drop: number[] | null,
): string | null {
  if (stack === null || drop === null) return stack;
  const lines = strSplit(stack, "\n");
  const first = lines.length - frames.length;
  if (first < 1) return stack;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const mark = i < first ? 0 : drop[i - first];
    if (mark === LEFT_OUT) continue;
    const m = mark === NAMELESS ? regexExec(ANONYMOUS_FRAME, lines[i]) : null;
    put(out, out.length, m === null ? lines[i] : m[1] + m[2]);
  }
  return arrayJoin(out, "\n");
}

/** A frame line of Bun's stack text with its column mapped (its own position, in the site's file). */
function mappedLine(n: Natives, line: string, site: unknown): string {
  if (getPrototypeOf(site) !== n.proto) return line;
  const file = apply(n.fileName, site, []);
  if (typeof file !== "string" || !tables.has(file)) return line;
  const m = regexExec(POSITION_AT_END, line);
  if (m === null) return line;
  const column = originalColumn(file, +m[1], +m[2]);
  const further = through(file, +m[1], column);
  const rest = strSlice(line, m.index + m[0].length - m[3].length);
  if (further !== null && strEndsWith(strSlice(line, 0, m.index), file)) {
    return strSlice(line, 0, m.index - file.length) +
      `${further.file}:${further.line}:${further.column}` + rest;
  }
  return strSlice(line, 0, m.index) + `:${m[1]}:${column}` + rest;
}

/** A frame's text with the call site's position (mapped) in place of the one written. */
function sitePosition(n: Natives, text: string, site: unknown): string {
  if (getPrototypeOf(site) !== n.proto) return text;
  const line = apply(n.lineNumber, site, []), reported = apply(n.columnNumber, site, []);
  if (typeof line !== "number" || typeof reported !== "number" || reported <= 0) return text;
  const m = regexExec(POSITION_AT_END, text);
  if (m === null) return text;
  const place = placeOf(n, site);
  const rest = strSlice(text, m.index + m[0].length - m[3].length);
  if (place === null) return strSlice(text, 0, m.index) + `:${line}:${reported}` + rest;
  const file = apply(n.fileName, site, []);
  if (place.file !== file) {
    if (typeof file !== "string" || !strEndsWith(strSlice(text, 0, m.index), file)) return text;
    return strSlice(text, 0, m.index - file.length) +
      `${place.file}:${place.line}:${place.column}` +
      rest;
  }
  return strSlice(text, 0, m.index) + `:${line}:${place.column}` + rest;
}

/** Whether any of the call sites maps to another column. */
function anyMapped(n: Natives, list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (mapped(n, list[i]) >= 0) return true;
  return false;
}

/**
 * console.trace prints the frames Bun captured as `      at <frame>` under the message (no line
 * without one), to stdout: from here, the same lines from the mapped stack, less this function's.
 */
function installTrace(n: Natives, state: Formatting): void {
  // deno-lint-ignore no-explicit-any
  const con = globalThis.console as any;
  const realTrace = con.trace, realLog = con.log;
  if (typeof realTrace !== "function" || typeof realLog !== "function") return;
  const { captureStackTrace } = n;
  const trace = function trace(this: unknown, ...args: unknown[]): void {
    const prev = state.mode;
    let text: string | null = null;
    try {
      state.mode = "sites";
      const frames: { stack?: unknown } = {};
      captureStackTrace(frames, trace);
      const list = frames.stack;
      if (isArray(list) && anyMapped(n, list)) {
        state.mode = "trace";
        const e = new ErrorCtor();
        captureStackTrace(e, trace);
        const stack = e.stack;
        if (typeof stack === "string") {
          const lines = strSplit(stack, "\n"), at: string[] = [];
          for (let i = 0; i < lines.length; i++) {
            if (strStartsWith(lines[i], "      at ")) put(at, at.length, lines[i]);
          }
          text = arrayJoin(at, "\n");
        }
      }
    } finally {
      state.mode = prev;
    }
    if (text === null) return apply(realTrace, this, args);
    // Bun writes a trace where console.log writes (stdout).
    if (args.length > 0) apply(realLog, this, args);
    apply(realLog, this, [text]);
  };
  const bound = trace.bind(undefined) as typeof trace;
  defineProperty(bound, "name", { value: realTrace.name, configurable: true });
  con.trace = bound;
}

/**
 * Format the stacks Bun's printer would print with a shifted column: an uncaught error's (see
 * beforeUncaughtPrint), and those console.log and its kin print, as an uncaught one is printed:
 * from the frames Bun captured, again at each print, unless its stack was read (then from that
 * text). Formatted here for the printer; afterwards `stack` gives the printer that text and the
 * program the stack it would have read.
 */
function installPrinters(n: Natives, state: Formatting): void {
  beforeUncaught = (err: unknown) => void forPrinter(n, state, [err]);
  // deno-lint-ignore no-explicit-any
  const con = globalThis.console as any;
  const isError = n.isError;
  for (const name of ["log", "info", "warn", "error", "debug", "dir"]) {
    const real = con[name];
    if (typeof real !== "function") continue;
    const print = function (...args: unknown[]): unknown {
      let shown: unknown[] | null = null;
      for (let i = 0; i < args.length; i++) {
        if (isError(args[i])) put(shown ??= [], shown.length, args[i]);
      }
      const errors = shown === null ? [] : forPrinter(n, state, shown);
      const was = state.printing;
      state.printing = true;
      try {
        return apply(real, con, args);
      } finally {
        state.printing = was;
        for (let i = 0; i < errors.length; i++) keepBoth(n, state, errors[i]);
      }
    };
    // Bound: no `prototype`, as the built-in has none; printed as the built-in (a bound function
    // prints without its name).
    const bound = print.bind(undefined);
    defineProperty(bound, "name", { value: real.name, configurable: true });
    disguise(bound, real);
    con[name] = bound;
  }
}

/**
 * Format the stacks of errors (their causes', aggregated errors') for Bun's printer; the errors
 * so formatted.
 */
function forPrinter(n: Natives, state: Formatting, errors: unknown[]): object[] {
  // Bun prints from its own frames whatever the program's formatter would say.
  if (state.programValue !== state.prepare && typeof state.programValue === "function") return [];
  // Formatted only where Bun would print a wrong column: read back from text, a frame of an
  // anonymous function loses its `<anonymous>`.
  if (!printsShifted(n, errors)) return [];
  state.mode = "printer";
  state.printed = [];
  try {
    const seen = new SafeSet<unknown>();
    for (let i = 0; i < errors.length; i++) materialize(n, errors[i], 0, seen);
  } finally {
    state.mode = "stack";
  }
  return state.printed;
}

/** Format the stack of an error, its cause's and its aggregated errors'. */
function materialize(n: Natives, err: unknown, depth: number, seen: Set<unknown>): void {
  if (depth > 8 || !n.isError(err) || seen.has(err) || n.isProxy(err)) return;
  seen.add(err);
  // Formats the stack, unless it was read before (a descriptor runs no getter of the program's).
  getOwn(err, "stack");
  const cause = getOwn(err, "cause");
  if (cause !== undefined && hasOwn(cause, "value")) materialize(n, cause.value, depth + 1, seen);
  const errors = getOwn(err, "errors");
  if (errors !== undefined && isArray(errors.value)) {
    const list = errors.value;
    if (n.isProxy(list)) return;
    for (let i = 0; i < list.length; i++) {
      const item = getOwn(list, i);
      if (item !== undefined && hasOwn(item, "value")) materialize(n, item.value, depth + 1, seen);
    }
  }
}

/**
 * Whether Bun would print a column of a rewritten line for any of these errors (their causes
 * and aggregated errors too): Bun.inspect() prints them as console.log does, from the frames Bun
 * captured, which it leaves in place.
 */
function printsShifted(n: Natives, errors: unknown[]): boolean {
  const inspect = n.inspect;
  if (typeof inspect !== "function") return true;
  for (let e = 0; e < errors.length; e++) {
    const err = errors[e];
    // Bun's report of a module that failed to build or resolve (an AggregateError of its
    // BuildMessage or ResolveMessage objects, no Errors) has no frames to map, and Bun prints
    // nothing for it once Bun.inspect has seen it (checked with bun 1.4.5).
    if (holdsBuildMessages(n, err)) continue;
    // Bun.inspect() reads the error's properties: only an error whose reading runs none of the
    // program's code (no Proxy, no getter, no value it would inspect in turn) is inspected here;
    // any other is formatted (as one with a shifted column is), which runs none of it either.
    if (!inert(n, err, 0)) {
      if (n.isError(err) && !n.isProxy(err)) return true;
      continue;
    }
    let text: string;
    try {
      text = StringCtor(inspect(err));
    } catch {
      return true;
    }
    PRINTED_FRAME.lastIndex = 0;
    for (let m = regexExec(PRINTED_FRAME, text); m !== null; m = regexExec(PRINTED_FRAME, text)) {
      if (
        tables.has(m[1]) &&
        (throughs.has(m[1]) || originalColumn(m[1], +m[2], +m[3]) !== +m[3])
      ) return true;
    }
  }
  return false;
}

/** `stack` of a printed error: the printer's text while printing, else the program's. */
function keepBoth(n: Natives, state: Formatting, e: object): void {
  const own = getOwn(e, "stack");
  const stack = state.asStack.get(e);
  if (own === undefined || !hasOwn(own, "value") || stack === undefined) return;
  const forPrint = own.value;
  const { captureStackTrace } = n;
  // Bun's printer reads it with no code of the program's running (an uncaught error).
  const get = function (): unknown {
    if (state.printing) return forPrint;
    const prev = state.mode;
    const below: { stack?: unknown } = {};
    try {
      state.mode = "sites";
      withStackTraceLimit(
        1,
        () => captureStackTrace(below, get),
        () => captureStackTrace(below, get),
      );
    } finally {
      state.mode = prev;
    }
    return isArray(below.stack) && below.stack.length === 0 ? forPrint : stack;
  };
  defineProperty(
    e,
    "stack",
    bare({
      get,
      set(value: unknown) {
        defineProperty(
          e,
          "stack",
          bare({
            value,
            writable: true,
            configurable: true,
            enumerable: false,
          }),
        );
      },
      enumerable: false,
      configurable: true,
    }),
  );
}

/**
 * Whether a value is a Proxy (whose traps are the program's code), by node:util/types, which the
 * recorder loads anyway (node:util itself cost Bun ~1.9 ms more of every start).
 */
function proxyCheck(): (v: unknown) => boolean {
  // deno-lint-ignore no-explicit-any
  const check = (process as any).getBuiltinModule?.("node:util/types")?.isProxy;
  return typeof check === "function" ? (v) => check(v) : () => false;
}

/**
 * Whether `err` is, or has an own `errors` array holding, Bun's report of a failed build. Read
 * through descriptors and prototypes only: no trap or getter of the program's runs.
 */
function holdsBuildMessages(n: Natives, err: unknown): boolean {
  if (err === null || typeof err !== "object" || n.isProxy(err)) return false;
  if (isBuildMessage(n, err)) return true;
  const d = getOwn(err, "errors");
  const list = d === undefined ? undefined : d.value;
  if (!isArray(list) || n.isProxy(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const item = getOwn(list, i);
    if (item !== undefined && isBuildMessage(n, item.value)) return true;
  }
  return false;
}

function isBuildMessage(n: Natives, v: unknown): boolean {
  if (v === null || typeof v !== "object" || n.isProxy(v)) return false;
  const proto = getPrototypeOf(v);
  for (let i = 0; i < buildProtos.length; i++) if (buildProtos[i] === proto) return true;
  return false;
}

/** The own properties of an error that Bun.inspect() reads (see inert). */
const INSPECTED = ["name", "message", "cause", "errors"];

/**
 * Whether Bun.inspect() of an error runs none of the program's code: it is an error, nothing on
 * its prototype chain is a Proxy or holds a getter or setter (but Object.prototype's `__proto__`),
 * and its own name, message, cause and aggregated errors are values: primitives, but for a cause
 * and aggregated errors that are such errors in turn; so are its enumerable own properties
 * (which Bun prints). Its other own properties are not looked at: listing them (or reading
 * `stack`, `line`, `column` or `sourceURL`) formats its stack, and Bun then prints the error from
 * that text, no longer from the frames it captured.
 */
function inert(n: Natives, err: unknown, depth: number): boolean {
  if (depth > 8 || !n.isError(err) || n.isProxy(err)) return false;
  // Enumerable string keys only: listing them formats nothing (see fmtError in repr.ts).
  const keys = objectKeys(err as object);
  for (let i = 0; i < INSPECTED.length + keys.length; i++) {
    const key = i < INSPECTED.length ? INSPECTED[i] : keys[i - INSPECTED.length];
    const d = getOwn(err, key);
    if (d === undefined) continue;
    if (!hasOwn(d, "value")) return false;
    const v = d.value;
    if (v === null || (typeof v !== "object" && typeof v !== "function")) continue;
    if (key === "cause" && inert(n, v, depth + 1)) continue;
    if (key === "errors" && isArray(v) && !n.isProxy(v) && getPrototypeOf(v) === arrayProto) {
      const items = ownKeys(v);
      for (let j = 0; j < items.length; j++) {
        const item = getOwn(v, items[j])!;
        if (!hasOwn(item, "value")) return false;
        if (items[j] !== "length" && !inert(n, item.value, depth + 1)) return false;
      }
      continue;
    }
    return false;
  }
  for (let o: unknown = getPrototypeOf(err); o !== null; o = getPrototypeOf(o)) {
    if (n.isProxy(o)) return false;
    const keys = ownKeys(o as object);
    for (let i = 0; i < keys.length; i++) {
      const d = getOwn(o, keys[i])!;
      if (hasOwn(d, "value")) continue;
      if (d.get !== protoGetter || getPrototypeOf(o) !== null) return false;
    }
  }
  return true;
}

/**
 * Call when the program dies of `err` (an "uncaughtExceptionMonitor" listener), before Bun prints
 * it: Bun prints the frames it captured unless the error's stack was read, in which case it reads
 * them back from that text (Bun 1.4: ZigException.cpp, fromErrorInstance). The stack, its causes'
 * and aggregated errors' are formatted here, mapped, in the form its printer reads back.
 *
 * @param err What the program threw.
 * @param origin The listener's second argument ("uncaughtException" or "unhandledRejection").
 */
export function beforeUncaughtPrint(err: unknown, origin: unknown): void {
  // A listener of the program's handles it: the program goes on, and reads its own stacks.
  const event = origin === "unhandledRejection" ? "unhandledRejection" : "uncaughtException";
  if (process.listenerCount(event) > 0) return;
  beforeUncaught?.(err);
}
