// Node reads no source map unless source maps are on for the whole process, which would change
// how every stack prints (paths instead of file: URLs, names taken from maps): the positions it
// reports for instrumented code are positions in the rewritten text, whose lines are longer. The
// instrumenter says where it inserted text on each line (the column table, _columns.ts), and this
// maps a reported column back where Node formats stacks.
//
// Node 22 and 24 format a stack through `Error.prepareStackTrace`, whose default is Node's own
// function (ErrorPrepareStackTrace) rather than undefined: tph's formatter takes that slot, under
// the same name, and hands Node's function the call sites with the frames of rewritten files
// mapped (Node joins their texts, or, with source maps on, reads their positions). V8's call
// sites are frozen: a mapped one is an object of their prototype that answers as the site does,
// with the column in the source. The slot becomes an accessor that gives Node (read from its
// stack formatting callback) tph's formatter, which calls what the program assigned with mapped
// call sites, and gives the program what it assigned.
//
// Nothing here runs per call: only when a stack is formatted, and then only frames in files tph
// rewrote look anything up.

import { fileURLToPath } from "node:url";
import { columnInSource, decodedTable } from "../instrument/_columns.ts";
import { Array, Error, Number, Object, Reflect, RegExp, String } from "../../platform/globals.ts";
import {
  put,
  SafeMap,
  SafeWeakMap,
  strStartsWith,
  withStackTraceLimit,
} from "../../platform/intrinsics.ts";

/** Column tables by file path, as the instrumenter wrote them; decoded on first use. */
const tables = new SafeMap<string, string>();
const decoded = new SafeMap<string, (Int32Array | undefined)[]>();

/**
 * Remember where text was inserted into a file Node runs, to map its positions back.
 *
 * @param path The file's path.
 * @param table Its column table ("" when nothing was inserted).
 */
export function rememberColumns(path: string, table: string): void {
  if (table === "") tables.delete(path);
  else tables.set(path, table);
  decoded.delete(path);
}

/** The decoded column table of a file V8 names (a file: URL or a path), or null. */
function tableOf(fileName: unknown): (Int32Array | undefined)[] | null {
  if (typeof fileName !== "string" || tables.size === 0) return null;
  let path = fileName;
  if (strStartsWith(fileName, "file://")) {
    try {
      path = fileURLToPath(fileName);
    } catch {
      return null;
    }
  }
  return decodedTable(tables, decoded, path);
}

/**
 * A position V8 gives in a file tph rewrote (1-based line and column), with the column in the
 * source as written; the column as it is in any other file.
 *
 * @param fileName The file as V8 names it: a file: URL or a path.
 */
export function sourceColumn(fileName: unknown, line: number, column: number): number {
  const pairs = tableOf(fileName)?.[line - 1];
  return pairs === undefined ? column : columnInSource(pairs, column);
}

/** An error's first frame, as its stack was formatted. */
export interface FirstFrame {
  /** The file as V8 names it (a path, or a file: URL for an ES module). */
  file: string;
  /** The file as its frame shows it (a `sourceURL` comment's URL: Node's stripped TypeScript). */
  shown: string;
  /** 1-based line. */
  line: number;
  /** 1-based column in the file as written (the compiled file's, where it has a map). */
  column: number;
  /** The column V8 reported, in the rewritten text. */
  reported: number;
}

const firstFrames = new SafeWeakMap<object, FirstFrame>();

/**
 * The first frame of an error whose stack tph's formatter formatted, with the position in the
 * file V8 ran (node_uncaught.ts prints Node's excerpt from it); undefined for any other.
 */
export function firstFrameOf(error: unknown): FirstFrame | undefined {
  return error !== null && typeof error === "object" ? firstFrames.get(error) : undefined;
}

// Captured when this module loads, before the program runs.
const apply = Reflect.apply;
const getPrototypeOf = Object.getPrototypeOf;
const getOwnNames = Object.getOwnPropertyNames;
const defineProperty = Object.defineProperty;
const create = Object.create;
const strSlice = String.prototype.slice;
const regexExec = RegExp.prototype.exec;
const arraySlice = Array.prototype.slice;
const isArray = Array.isArray;

/** Node's module of loader hooks, whose step calls tph's load hook. */
const HOOKS_FILE = "node:internal/modules/customization_hooks";

/** A stack whose first frame is Node's stack formatting callback. */
const NODE_CALLBACK = /^[^\n]*\n {4}at prepareStackTraceCallback \(node:internal\/errors:\d+:\d+\)/;

/** The `:line:column` a frame's text ends with (before its closing parenthesis, if any). */
const POSITION_AT_END = /:(\d+):(\d+)(\)?)$/;

type Site = Record<string, (...args: unknown[]) => unknown>;

let installed = false;

/**
 * Take Node's `Error.prepareStackTrace` slot (see the top of this file). Call once, before the
 * program runs; nothing happens where the slot does not hold a function (older Node).
 *
 * @param disguise Makes a function print (toString) as another one does.
 * @param hookFile The file of tph's load hook, whose frame (and the one of Node's that called it)
 *   a stack leaves out.
 */
export function installNodeStacks(
  disguise: (fn: object, as: object) => void,
  hookFile: string,
): void {
  if (installed) return;
  installed = true;
  const E = Error as unknown as { prepareStackTrace?: unknown; stackTraceLimit: number };
  const native = E.prepareStackTrace;
  if (typeof native !== "function") return;
  const captureStackTrace = Error.captureStackTrace;
  const proto = siteProto();
  if (proto === null) return;
  const mapSites = siteMapper(proto, hookFile);
  // Named and printed as Node's own: a program that looks at the slot sees what it would see.
  const formatter = function ErrorPrepareStackTrace(this: unknown, error: unknown, trace: unknown) {
    return apply(native as Fn, this, [error, mapSites(trace, error)]);
  };
  disguise(formatter, native);
  // The slot becomes an accessor, since Node reads it too. The program reads back what it
  // assigned (Node's own function until then, which is tph's formatter); Node, which reads it
  // only from its stack formatting callback, gets tph's formatter, calling what the program
  // assigned with the call sites mapped, or Node's own where that is no function.
  const wrapped = new SafeWeakMap<Fn, Fn>();
  const forNode = (value: unknown): unknown => {
    if (typeof value !== "function" || value === formatter) return formatter;
    let w = wrapped.get(value as Fn);
    if (w === undefined) {
      w = function (this: unknown, error: unknown, trace: unknown) {
        return apply(value as Fn, this, [error, mapSites(trace, error)]);
      };
      wrapped.set(value as Fn, w);
    }
    return w;
  };
  let assigned: unknown = formatter;
  let checking = false;
  const rawSites = (_: unknown, sites: unknown) => sites;
  const get = function prepareStackTrace(): unknown {
    if (checking) return rawSites;
    return readByNode(get) ? forNode(assigned) : assigned;
  };
  // Whether the read comes from Node's stack formatting: the getter's caller, from a stack
  // captured here. Inside a formatting, V8 formats a stack captured there its default way (no
  // callback): its first frame names Node's callback. Elsewhere its formatting reads the slot
  // again and gets the call sites: a read by the program.
  const readByNode = (getter: Fn): boolean => {
    checking = true;
    try {
      const o: { stack?: unknown } = {};
      // A program that froze Error: the whole stack is captured, its first frame is the same.
      const capture = () => captureStackTrace(o, getter);
      withStackTraceLimit(1, capture, capture);
      const stack = o.stack;
      return typeof stack === "string" && apply(regexExec, NODE_CALLBACK, [stack]) !== null;
    } catch {
      return false;
    } finally {
      checking = false;
    }
  };
  defineProperty(E, "prepareStackTrace", {
    get,
    set: (v: unknown) => void (assigned = v),
    enumerable: false,
    configurable: true,
  });
}

type Fn = (...args: unknown[]) => unknown;

/** A data descriptor of no prototype (one of Object.prototype would lend it a `get`). */
const valueOf = (value: unknown): PropertyDescriptor =>
  ({ __proto__: null, value }) as PropertyDescriptor;

/**
 * A function of a stack's call sites: the same array when none is in a rewritten file, else a
 * copy where each such site is an object of the call sites' prototype that answers as the site
 * does, but with the column in the source.
 */
function siteMapper(
  proto: Site,
  hookFile: string,
): (trace: unknown, error: unknown) => unknown {
  const methods = getOwnNames(proto).filter((k) => k !== "constructor");
  const wrap = (site: Site, lines: (Int32Array | undefined)[]): Site => {
    const line = apply(proto.getLineNumber, site, []) as number | null;
    const column = apply(proto.getColumnNumber, site, []) as number | null;
    const pairs = line === null ? undefined : lines[line - 1];
    const mapped = pairs === undefined || column === null ? column : columnInSource(pairs, column);
    // The enclosing function's start too: Node, with source maps on, looks up its name there.
    const fnLine = typeof proto.getEnclosingLineNumber === "function"
      ? apply(proto.getEnclosingLineNumber, site, []) as number | null
      : null;
    const fnColumn = fnLine === null
      ? null
      : apply(proto.getEnclosingColumnNumber, site, []) as number | null;
    const fnPairs = fnLine === null ? undefined : lines[fnLine - 1];
    const fnMapped = fnPairs === undefined || fnColumn === null
      ? fnColumn
      : columnInSource(fnPairs, fnColumn);
    if (mapped === column && fnMapped === fnColumn) return site;
    const out = create(proto) as Site;
    for (let i = 0; i < methods.length; i++) {
      const k = methods[i];
      const f = proto[k];
      if (
        typeof f !== "function" || k === "getColumnNumber" || k === "toString" ||
        k === "getEnclosingColumnNumber"
      ) continue;
      defineProperty(out, k, valueOf((...args: unknown[]) => apply(f, site, args)));
    }
    defineProperty(out, "getColumnNumber", valueOf(() => mapped));
    if (typeof proto.getEnclosingColumnNumber === "function") {
      defineProperty(out, "getEnclosingColumnNumber", valueOf(() => fnMapped));
    }
    defineProperty(
      out,
      "toString",
      valueOf(() => {
        const text = apply(proto.toString, site, []) as string;
        const m = apply(regexExec, POSITION_AT_END, [text]) as RegExpExecArray | null;
        if (m === null || Number(m[1]) !== line || Number(m[2]) !== column) return text;
        return `${apply(strSlice, text, [0, m.index])}:${line}:${mapped}${m[3]}`;
      }),
    );
    return out;
  };
  return (trace, error) => {
    if (!isArray(trace)) return trace;
    let sites: unknown[] | null = null;
    let first = true;
    for (let i = 0; i < trace.length; i++) {
      const site = trace[i] as Site;
      const file = apply(proto.getFileName, site, []);
      if (file === hookFile) {
        // tph's load hook, and Node's step that called it (see node.ts).
        sites ??= apply(arraySlice, trace, [0, i]) as unknown[];
        const next = trace[i + 1] as Site | undefined;
        if (next !== undefined && apply(proto.getFileName, next, []) === HOOKS_FILE) i++;
        continue;
      }
      const lines = tables.size === 0 ? null : tableOf(file);
      const w = lines === null ? site : wrap(site, lines);
      if (first) {
        first = false;
        const line = apply(proto.getLineNumber, site, []);
        const column = apply(w.getColumnNumber, w, []);
        if (
          typeof file === "string" && typeof line === "number" && typeof column === "number" &&
          error !== null && typeof error === "object"
        ) {
          const named = typeof proto.getScriptNameOrSourceURL === "function"
            ? apply(proto.getScriptNameOrSourceURL, site, [])
            : file;
          firstFrames.set(error, {
            file,
            shown: typeof named === "string" ? named : file,
            line,
            column,
            reported: apply(proto.getColumnNumber, site, []) as number,
          });
        }
      }
      if (w !== site) sites ??= apply(arraySlice, trace, [0, i]) as unknown[];
      if (sites !== null) put(sites, sites.length, w);
    }
    return sites ?? trace;
  };
}

/** The prototype V8's call sites share, taken from one; null when it cannot be had. */
function siteProto(): Site | null {
  const E = Error as unknown as { prepareStackTrace?: unknown };
  const before = E.prepareStackTrace;
  try {
    E.prepareStackTrace = (_: unknown, sites: unknown[]) => sites;
    const sites = new Error().stack as unknown as unknown[];
    return Array.isArray(sites) && sites.length > 0 ? getPrototypeOf(sites[0]) as Site : null;
  } catch {
    return null;
  } finally {
    E.prepareStackTrace = before;
  }
}
