// Node's report of an error that ends the program starts with an excerpt (the file and line, the
// source line, a caret) taken from where V8 saw the error last thrown with no handler above it.
// Every rewritten function catches an error to record it and throws it on: for an error thrown
// through traced functions, that place is tph's rethrow in the outermost one, and Node would show
// that rewritten line. Where tph can tell the place of the plain run's excerpt — the error's own
// first frame, in a `throw new …` there, or the expression that failed for an error the engine
// made — it prints Node's report itself, with that excerpt, after every other `exit` listener (as
// Node prints it), and ends the process with the exit code Node would. Anywhere else (a value
// thrown that was made elsewhere, a program that handles uncaught errors itself), Node prints its
// report as it does.

import process from "../../platform/node_process.ts";
import { fileURLToPath } from "node:url";
import { readText } from "../../platform/files.ts";
import { rethrownLast } from "../recorder/recorder.ts";
import { firstFrameOf } from "./node_stacks.ts";
import { onOwn } from "./own_listeners.ts";
import { stripTypes } from "./node_strip.ts";
import { isProxy } from "node:util/types";
import { Array, Error, Math, Number } from "../../platform/globals.ts";
import { hasOwn, regexExec, strSlice, strSplit, strStartsWith } from "../../platform/intrinsics.ts";

const getOwn = Object.getOwnPropertyDescriptor;
const isArray = Array.isArray;
const apply = Reflect.apply;
/**
 * V8's getter of an error's `stack` (an own accessor of every error), as errors have it: taken
 * from an error of the Error captured before the program ran, when first needed (an error made
 * while a module loads costs Deno ~11 ms: see draw_calls.ts, readerGone).
 */
let nativeStack: (() => unknown) | undefined | null = null;
function nativeStackGetter(): (() => unknown) | undefined {
  if (nativeStack === null) nativeStack = getOwn(new Error(), "stack")?.get;
  return nativeStack;
}
const LINE_BREAK = /\r?\n|\r|\u2028|\u2029/g;
const NEW_AT_START = /^new\b/;
const THROW_AT_END = /\bthrow\s+$/;
const TYPESCRIPT = /\.[cm]?ts$/;
/** Node splits an original source at `\r?\n` (its getSourceLine). */
const CR_AT_END = /\r$/;

/** A frame line's place: its file (a file: URL or a path), line and column. */
const FRAME = /^ {4}at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Take over Node's report of an uncaught error where it would show tph's rewritten code. */
export function installNodeUncaught(): void {
  onOwn("uncaughtExceptionMonitor", (err: unknown, origin: unknown) => {
    const fromPromise = origin === "unhandledRejection";
    if (!fromPromise && (origin !== "uncaughtException" || !rethrownLast(err))) return;
    // Handled by the program: no report.
    if (
      process.listenerCount("uncaughtException") > 0 ||
      process.hasUncaughtExceptionCaptureCallback()
    ) return;
    const report = fatalReport(err, fromPromise);
    if (report === null) return;
    // After the program's own `exit` listeners (this one comes last), as Node prints its report.
    onOwn("exit", () => {
      try {
        builtin<{ writeSync(fd: number, text: string): void }>("node:fs").writeSync(2, report);
      } catch {
        // No stderr: nothing to print to.
      }
      // deno-lint-ignore no-explicit-any
      (process as any).reallyExit(process.exitCode ?? 1);
    });
  });
}

/**
 * Node's report of an uncaught error, with the plain run's excerpt; null when unknown or when
 * Node's own is the plain one.
 *
 * @param fromPromise Whether the error ends the program as a rejection nobody handled (an ES
 *   module main's top-level error too): then V8 places the excerpt at the error's own first frame
 *   rather than where it was last thrown.
 */
export function fatalReport(err: unknown, fromPromise = false): string | null {
  if (err === null || typeof err !== "object" || isProxy(err)) return null;
  // Its own stack, as a value or through V8's own accessor: a getter of the program's is left to
  // Node's report to run.
  const own = getOwn(err, "stack");
  const stack = own === undefined
    ? undefined
    : hasOwn(own, "value")
    ? own.value
    : own.get !== undefined && own.get === nativeStackGetter()
    ? apply(own.get, err, [])
    : undefined;
  if (typeof stack !== "string") return null;
  // The first frame, in the file as V8 ran it: from the call sites (the text shows the positions
  // a source map gives, with source maps on).
  const first = firstFrameOf(err);
  let file: string, shown: string, line: number, column: number;
  if (first !== undefined) {
    // A rejection's excerpt is at its first frame: Node's own is right where tph moved nothing.
    if (fromPromise && first.column === first.reported) return null;
    ({ file, shown, line, column } = first);
  } else {
    if (fromPromise) return null;
    const lines = strSplit(stack, "\n");
    let top: string | undefined;
    for (let i = 0; i < lines.length && top === undefined; i++) {
      if (strStartsWith(lines[i], "    at ")) top = lines[i];
    }
    const m = top === undefined ? null : regexExec(FRAME, top);
    if (m === null) return null;
    file = shown = m[1];
    line = Number(m[2]);
    column = Number(m[3]);
    // A position a source map gave is not one in the file V8 ran.
    if (mapOf(file) !== undefined) return null;
  }
  const excerpt = excerptAt(file, shown, line, column, !fromPromise);
  if (excerpt === null) return null;
  const colors = stderrColors();
  const { inspect } = builtin<typeof import("node:util")>("node:util");
  const trace = inspect(err, {
    colors,
    customInspect: false,
    depth: Math.max(inspect.defaultOptions.depth ?? 2, 5),
  });
  return `${excerpt}\n\n${trace}\n\nNode.js ${process.version}\n`;
}

/** What Node's `findSourceMap` gives (node:module). */
interface NodeSourceMap {
  payload: { sources?: unknown; sourcesContent?: unknown };
  findEntry(
    line: number,
    column: number,
  ): { originalSource?: string; originalLine?: number; originalColumn?: number };
}

/**
 * The map Node holds for a file, with source maps on: the one it maps the file's stack positions
 * and excerpt through; undefined otherwise.
 */
function mapOf(file: string): NodeSourceMap | undefined {
  // deno-lint-ignore no-explicit-any
  if (!(process as any).sourceMapsEnabled) return undefined;
  try {
    const { findSourceMap } = builtin<{ findSourceMap?: (f: string) => unknown }>("node:module");
    return typeof findSourceMap === "function"
      ? findSourceMap(file) as NodeSourceMap | undefined
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node's excerpt (its first line the file and line, then the source line and its caret) where V8
 * would have seen the error thrown: at the `throw` of a `throw new …` whose `new` is at the
 * place (`throwAt`), or at the place itself where no `new` stands there (an error the engine made,
 * as it failed); through the file's source map where Node reads one. Null for a `new` not thrown
 * there.
 *
 * @param file The file as V8 names it.
 * @param shown The file as its frame shows it.
 * @param throwAt Whether V8 places it at the `throw` (an error thrown where no handler is above).
 */
function excerptAt(
  file: string,
  shown: string,
  line: number,
  column: number,
  throwAt: boolean,
): string | null {
  let path = file;
  if (strStartsWith(file, "file:")) {
    try {
      path = fileURLToPath(file);
    } catch {
      return null;
    }
  } else if (!strStartsWith(file, "/")) return null;
  let text: string;
  try {
    text = readText(path);
    if (regexExec(TYPESCRIPT, path) !== null) text = stripTypes(text);
  } catch {
    return null;
  }
  const source = lineOf(text, line);
  if (source === undefined) return null;
  let at = column - 1;
  if (throwAt) {
    const thrown = regexExec(THROW_AT_END, strSlice(source, 0, at));
    if (thrown !== null) at = thrown.index;
    else if (regexExec(NEW_AT_START, strSlice(source, at)) !== null) return null;
  }
  const map = mapOf(file);
  if (map !== undefined) {
    const mapped = mappedExcerpt(map, line - 1, at);
    if (mapped !== undefined) return mapped;
  }
  return `${shown}:${line}\n${source}\n${caretAt(source, at)}`;
}

/**
 * The excerpt Node prints through a source map (its getErrorSource): the original file and line,
 * the line from the map's sources (or the file), a caret at the original column; undefined where
 * Node prints the file's own line.
 */
function mappedExcerpt(map: NodeSourceMap, line: number, column: number): string | undefined {
  let entry;
  try {
    entry = map.findEntry(line, column);
  } catch {
    return undefined;
  }
  const { originalSource, originalLine, originalColumn } = entry;
  if (
    typeof originalSource !== "string" || typeof originalLine !== "number" ||
    typeof originalColumn !== "number"
  ) return undefined;
  const { sources, sourcesContent } = map.payload;
  let index = -1;
  if (isArray(sources)) {
    for (let i = 0; i < sources.length && index < 0; i++) {
      if (sources[i] === originalSource) index = i;
    }
  }
  let text: unknown = isArray(sourcesContent) ? sourcesContent[index] : undefined;
  let path = originalSource;
  if (strStartsWith(originalSource, "file://")) {
    try {
      path = fileURLToPath(originalSource);
    } catch {
      return undefined;
    }
    if (typeof text !== "string" || text === "") {
      try {
        text = readText(path);
      } catch {
        return undefined;
      }
    }
  }
  if (typeof text !== "string" || text === "") return undefined;
  let source: string | undefined = strSplit(text, "\n")[originalLine];
  if (source !== undefined && regexExec(CR_AT_END, source) !== null) {
    source = strSlice(source, 0, source.length - 1);
  }
  if (!source) return undefined;
  return `${path}:${originalLine + 1}\n${source}\n${caretAt(source, originalColumn)}`;
}

/** The caret line under a column (0-based) of a source line (tabs kept, as Node does). */
function caretAt(source: string, at: number): string {
  let caret = "";
  for (let i = 0; i < at; i++) caret += source[i] === "\t" ? "\t" : " ";
  return `${caret}^`;
}

/** The 1-based line `line` of a text (split as JavaScript splits lines), or undefined. */
function lineOf(text: string, line: number): string | undefined {
  LINE_BREAK.lastIndex = 0;
  let from = 0;
  for (let n = 1; n < line; n++) {
    const m = regexExec(LINE_BREAK, text);
    if (m === null) return undefined;
    from = m.index + m[0].length;
  }
  const end = regexExec(LINE_BREAK, text);
  return strSlice(text, from, end === null ? text.length : end.index);
}

/**
 * A built-in module, loaded when first needed: this module loads with tph's preload on every
 * runtime, where node:util alone would cost Deno ~20 ms of each run.
 */
function builtin<T>(name: string): T {
  // deno-lint-ignore no-explicit-any
  return (process as any).getBuiltinModule(name) as T;
}

/**
 * Whether Node colours its report on stderr. From fd 2 and the environment, as Node decides for
 * the stream, without `process.stderr`: its first read makes the stream, which runs code a program
 * may have broken (a replaced Function.prototype.call), where Node's own report needs none.
 */
function stderrColors(): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  const tty = builtin<typeof import("node:tty")>("node:tty");
  if (!tty.isatty(2)) return false;
  const depth = tty.WriteStream.prototype.getColorDepth;
  return typeof depth !== "function" || apply(depth, undefined, []) > 2;
}
