// Stack positions of instrumented CommonJS modules on Deno (checked with deno 2.9.6).
//
// Deno runs a CommonJS module's code (its load hook's source too) through
// Module.prototype._compile, which compiles it as a function and never reads the source map at its
// end. Deno's source mapper, which maps every position it reports (`err.stack`, the call sites a
// program's Error.prepareStackTrace gets, console.trace, the report of an uncaught error with its
// code excerpt), keeps one map per file URL, taken from the first of: the map of an ES module
// compiled under that URL (from its sourceMappingURL comment, read when V8 compiles it), else the
// inline map of the file as its module graph holds it (the file on disk, or Deno's own
// transpilation of a TypeScript file), which only files reached by imports are in.
//
// So the map of the rewritten code is given to Deno by compiling, under the module's own URL, an ES
// module made of that map's comment and one import that cannot resolve: V8 compiles it and Deno
// takes the map, then Deno fails to resolve the import before it enters the module in its module
// map, so an import of the file later still loads the file itself.
//
// The map given is the one Deno would use for the source, fitted to the insertions: when Deno holds
// a map of its own for the file (asked by compiling a script under the file's URL and seeing
// whether a position far past its end is mapped), the source's inline map shifted (the code carries
// it); else the map of the rewriting alone. Deno maps the positions of the ES module it makes to
// run a CommonJS module that is imported (and of the main module) under the same URL: the one such
// frame on the stack while the module loads keeps the position Deno gives it now.
//
// Nothing here runs per call: once per CommonJS module loaded.

import { Buffer } from "node:buffer";
import * as nodeModule from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { sourcemapCodec } from "../../deps.ts";
import { findInlineMap, readInlineSourceMap } from "../instrument/_positions.ts";
import { readShiftMap } from "../instrument/instrument.ts";

// Captured before the program runs (it may replace them).
// deno-lint-ignore no-explicit-any
const Module = (nodeModule as any).Module;
const compile = Module?.prototype?._compile;
const getOwn = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const isArray = Array.isArray;
const ErrorCtor = Error;
const captureStackTrace = (Error as unknown as { captureStackTrace?: (o: object) => void })
  .captureStackTrace;

// Put together, as in instrument.ts.
const MAP_COMMENT = "//# sourceMapping" + "URL=data:application/json;base64,";
// An import whose URL does not parse: its resolution fails after V8 has compiled the module.
const UNRESOLVABLE = 'import "http://[";\n';

/** A frame's file, line and column (1-based), as Deno reports them. */
type Frame = [unknown, unknown, unknown];

/** A line beyond any file's end: Deno maps a position there only with a map of the file. */
const PROBE_LINE = 1_000_000_000;

/**
 * Where Deno's ES module for a CommonJS module calls into it (deno 2.9: `Module._load(...)` for the
 * main module on line 5, `require(...)` on line 7; 1-based), as positions in that module's code.
 * Used only when Deno maps the file's positions with a map of its own, to find the position it
 * maps to where the frame is shown now.
 */
const WRAPPER_CALLS: [number, number][] = [[5, 26], [7, 9]];

/**
 * The frames (file, line, column) `capture` records, as Deno reports them; null when Error's
 * stack settings cannot be set for a moment (the program made them unconfigurable).
 */
function framesOf(capture: () => { stack?: unknown }): Frame[] | null {
  const E = ErrorCtor as unknown as Record<string, unknown>;
  const prepare = getOwn(E, "prepareStackTrace");
  const limit = getOwn(E, "stackTraceLimit");
  if (prepare?.configurable === false || limit?.configurable === false) return null;
  // Defined, not assigned: a setter of the program's never runs; put back as they were.
  const restore = (name: string, d: PropertyDescriptor | undefined) => {
    if (d === undefined) delete E[name];
    else defineProperty(E, name, d);
  };
  try {
    defineProperty(E, "prepareStackTrace", {
      value: (_: unknown, sites: unknown) =>
        isArray(sites)
          ? sites.map((s) => [s.getFileName(), s.getLineNumber(), s.getColumnNumber()])
          : null,
      writable: true,
      configurable: true,
    });
    defineProperty(E, "stackTraceLimit", { value: 200, writable: true, configurable: true });
    const stack = capture().stack;
    return isArray(stack) ? stack as Frame[] : null;
  } catch {
    return null;
  } finally {
    restore("prepareStackTrace", prepare);
    restore("stackTraceLimit", limit);
  }
}

let vm: { Script: new (code: string, options: object) => { runInThisContext(): unknown } } | null =
  null;

/** Whether Deno maps positions of `url` with a map of its own; null when it cannot be told. */
function denoMapsFile(url: string): boolean | null {
  // deno-lint-ignore no-explicit-any
  vm ??= (process as any).getBuiltinModule?.("node:vm") ?? null;
  if (vm === null) return null;
  const frames = framesOf(() => {
    const script = new vm!.Script("new Error()", { filename: url, lineOffset: PROBE_LINE });
    return script.runInThisContext() as { stack?: unknown };
  });
  const line = frames?.[0]?.[1];
  return typeof line === "number" ? line !== PROBE_LINE + 1 : null;
}

type Segment = number[];

/** The position (0-based line, column, source index) `lines` maps a 0-based position to. */
function lookup(lines: Segment[][], line: number, col: number): Segment | null {
  for (let l = Math.min(line, lines.length - 1); l >= 0; l--) {
    const segs = lines[l];
    for (let i = segs.length - 1; i >= 0; i--) {
      if (segs[i].length >= 4 && (l < line || segs[i][0] <= col)) return segs[i];
    }
  }
  return null;
}

/**
 * `json` (a map) with a segment at each place Deno's wrapper module calls from, mapped where Deno
 * maps it now.
 *
 * @param json The map to give Deno.
 * @param wrapper The wrapper's frames: 1-based line and column, as Deno shows them now.
 * @param denoMap Deno's own map of the file (as JSON), or null when it has none.
 */
function withWrapperFrames(json: string, wrapper: [number, number][], denoMap: string | null) {
  const { decode, encode } = sourcemapCodec();
  let map: { mappings?: unknown; sources?: unknown };
  let deno: Segment[][] | null = null;
  try {
    map = JSON.parse(json);
    if (denoMap !== null) {
      const parsed = JSON.parse(denoMap);
      if (typeof parsed.mappings !== "string") return json;
      deno = decode(parsed.mappings) as Segment[][];
    }
  } catch {
    return json;
  }
  if (typeof map.mappings !== "string") return json;
  const lines = decode(map.mappings) as Segment[][];
  const put = (line: number, seg: Segment) => {
    while (lines.length <= line) lines.push([]);
    insert(lines[line], seg);
  };
  for (const [line, col] of wrapper) {
    // Without a map of Deno's, the frame is shown where it is in the wrapper's code; with one, it
    // is the wrapper's call whose position Deno's map takes to the one shown.
    if (deno === null) {
      put(line - 1, [col - 1, 0, line - 1, col - 1]);
      continue;
    }
    for (const [l, c] of WRAPPER_CALLS) {
      const seg = lookup(deno, l - 1, c - 1);
      if (seg !== null && seg[2] === line - 1 && seg[3] === col - 1) {
        put(l - 1, [c - 1, seg[1], seg[2], seg[3]]);
      }
    }
  }
  map.mappings = encode(lines as never);
  return JSON.stringify(map);
}

/** Put `seg` in a line's segments, in column order (in place of one at the same column). */
function insert(segs: Segment[], seg: Segment): void {
  let i = 0;
  while (i < segs.length && segs[i][0] < seg[0]) i++;
  if (i < segs.length && segs[i][0] === seg[0]) segs[i] = seg;
  else segs.splice(i, 0, seg);
}

/**
 * Give Deno the map of a CommonJS module's rewritten code (see the top of this file). Call from
 * the load hook, when require() loads the module, before Deno compiles the code.
 *
 * @param path The module's file.
 * @param code The rewritten code the hook gives Deno (with its inline map, and with the map of
 *   the rewriting alone when the source has an inline map: the `shiftMap` option).
 * @param source The source the hook was given.
 */
export function fitCommonJSMap(path: string, code: string, source: string): void {
  if (typeof compile !== "function" || typeof captureStackTrace !== "function") return;
  const url = pathToFileURL(path).href;
  // This module's frames now: those of Deno's ES module that runs it, if any.
  const now = framesOf(() => {
    const holder: { stack?: unknown } = {};
    captureStackTrace(holder);
    return holder;
  });
  if (now === null) return;
  const wrapper: [number, number][] = [];
  for (const [file, line, col] of now) {
    if ((file === path || file === url) && typeof line === "number" && typeof col === "number") {
      wrapper.push([line, col]);
    }
  }
  const denoMaps = denoMapsFile(url);
  if (denoMaps === null) return;
  const sourceMap = findInlineMap(source) !== null;
  // Without a map of the source Deno's own map is no map tph knows: positions stay as they were.
  let json = denoMaps
    ? (sourceMap ? readInlineSourceMap(code) : null)
    : (sourceMap ? readShiftMap(code) : readInlineSourceMap(code));
  if (json === null) return;
  if (wrapper.length > 0) {
    json = withWrapperFrames(json, wrapper, denoMaps ? readInlineSourceMap(source) : null);
  }
  const data = Buffer.from(json, "utf8").toString("base64");
  try {
    compile.call(
      new Module(path, null),
      `${UNRESOLVABLE}${MAP_COMMENT}${data}\n`,
      path,
      "module",
      true,
    );
  } catch {
    // The import does not resolve: expected (the map is Deno's already).
  }
}
