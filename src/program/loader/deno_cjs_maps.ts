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
// run a CommonJS module that is imported (and of the main module) with the same map, as it has the
// same URL: the places that module calls the CommonJS module from keep the positions Deno gives
// them without tph.
//
// Nothing here runs per call: once per CommonJS module loaded.

import { Buffer } from "node:buffer";
import * as nodeModule from "node:module";
import process from "../../platform/node_process.ts";
import { pathToFileURL } from "node:url";
import { sourcemapCodec } from "../../deps.ts";
import { readInlineSourceMap } from "../instrument/_positions.ts";
import { readShiftMap } from "../instrument/instrument.ts";
import { hasOwnMap } from "./own_map.ts";
import { Array, Error, JSON, Math, Object } from "../../platform/globals.ts";
import { bare } from "../../platform/intrinsics.ts";

// Captured before the program runs (it may replace them).
// deno-lint-ignore no-explicit-any
const Module = (nodeModule as any).Module;
const compile = Module?.prototype?._compile;
const getOwn = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const isArray = Array.isArray;
const ErrorCtor = Error;

// Put together, as in instrument.ts.
const MAP_COMMENT = "//# sourceMapping" + "URL=data:application/json;base64,";
// An import whose URL does not parse: its resolution fails after V8 has compiled the module.
const UNRESOLVABLE = 'import "http://[";\n';

/** The module object the map's ES module is compiled through (nothing is kept on it). */
let carrier: unknown = null;

/** A frame's file, line and column (1-based), as Deno reports them. */
type Frame = [unknown, unknown, unknown];

/** A line beyond any file's end: Deno maps a position there only with a map of the file. */
const PROBE_LINE = 1_000_000_000;

/**
 * Where Deno's ES module that runs a CommonJS module (the main module, or one an ES module imports)
 * calls into it, as 0-based positions in that module's code (deno 2.9: `Module._load(...)` for the
 * main module on line 5, `require(...)` on line 7, 1-based). The module shares the CommonJS
 * module's URL, so its frame (on the stack while the module loads) is mapped with the same map.
 */
const WRAPPER_CALLS: [number, number][] = [[4, 25], [6, 8]];

/**
 * `run()` with Error's stack settings set for a moment (defined, not assigned: a setter of the
 * program's never runs; put back as they were); null when they cannot be (the program made them
 * unconfigurable) or `run` throws.
 *
 * @param limit The stackTraceLimit to capture with.
 * @param prepare The prepareStackTrace to format with (none: the runtime's).
 * @param run What to do.
 */
function withStackSettings<T>(
  limit: number,
  prepare: ((err: unknown, sites: unknown) => unknown) | undefined,
  run: () => T,
): T | null {
  const E = ErrorCtor as unknown as Record<string, unknown>;
  const oldPrepare = getOwn(E, "prepareStackTrace");
  const oldLimit = getOwn(E, "stackTraceLimit");
  if (oldPrepare?.configurable === false || oldLimit?.configurable === false) return null;
  const restore = (name: string, d: PropertyDescriptor | undefined) => {
    if (d === undefined) delete E[name];
    else defineProperty(E, name, bare(d));
  };
  try {
    if (prepare === undefined) {
      delete E.prepareStackTrace;
    } else {
      defineProperty(
        E,
        "prepareStackTrace",
        bare({
          value: prepare,
          writable: true,
          configurable: true,
        }),
      );
    }
    defineProperty(
      E,
      "stackTraceLimit",
      bare({ value: limit, writable: true, configurable: true }),
    );
    return run();
  } catch {
    return null;
  } finally {
    restore("prepareStackTrace", oldPrepare);
    restore("stackTraceLimit", oldLimit);
  }
}

/** The frames `capture` records (at most `limit`), as Deno reports them. */
function framesOf(limit: number, capture: () => { stack?: unknown }): Frame[] | null {
  const toFrames = (_: unknown, sites: unknown) =>
    isArray(sites)
      ? sites.map((s) => [s.getFileName(), s.getLineNumber(), s.getColumnNumber()])
      : null;
  return withStackSettings(limit, toFrames, () => {
    const stack = capture().stack;
    return isArray(stack) ? stack as Frame[] : null;
  });
}

let vm: { Script: new (code: string, options: object) => { runInThisContext(): unknown } } | null =
  null;

/** Whether Deno maps positions of `url` with a map of its own; null when it cannot be told. */
function denoMapsFile(url: string): boolean | null {
  // deno-lint-ignore no-explicit-any
  vm ??= (process as any).getBuiltinModule?.("node:vm") ?? null;
  if (vm === null) return null;
  const frames = framesOf(1, () => {
    const script = new vm!.Script("new Error()", { filename: url, lineOffset: PROBE_LINE });
    return script.runInThisContext() as { stack?: unknown };
  });
  const line = frames?.[0]?.[1];
  return typeof line === "number" ? line !== PROBE_LINE + 1 : null;
}

type Segment = number[];

/**
 * The decoded segments of the first lines of `mappings`: through `last`, and the next line that has
 * any (so that the rest of the text, relative to that one's last segment, still follows).
 */
function headOf(mappings: string, last: number): { head: Segment[][]; rest: string } {
  const lines = mappings.split(";");
  let end = last + 1;
  while (end < lines.length && lines[end] === "") end++;
  end = Math.min(end + 1, lines.length);
  const head = sourcemapCodec().decode(lines.slice(0, end).join(";")) as Segment[][];
  return { head, rest: end < lines.length ? lines.slice(end).join(";") : "" };
}

/** The segment that maps a 0-based position: the last at or before it (Deno's lookup). */
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
 * `json` (the map to give Deno) with a segment at each place Deno's wrapper module calls from,
 * mapped as Deno maps it without tph: where it is, or by Deno's own map of the file. Where the
 * rewritten code itself has a segment at that place, that one stays.
 *
 * @param json The map to give Deno.
 * @param denoMap Deno's own map of the file (as JSON), or null when it has none.
 */
function withWrapperCalls(json: string, denoMap: string | null): string {
  const last = Math.max(...WRAPPER_CALLS.map(([l]) => l));
  try {
    const map = JSON.parse(json);
    if (typeof map.mappings !== "string") return json;
    let deno: Segment[][] | null = null;
    if (denoMap !== null) {
      const mappings = JSON.parse(denoMap).mappings;
      if (typeof mappings !== "string") return json;
      deno = headOf(mappings, last).head;
    }
    const { head, rest } = headOf(map.mappings, last);
    for (const [line, col] of WRAPPER_CALLS) {
      const seg = deno === null ? [col, 0, line, col] : lookup(deno, line, col);
      if (seg === null || seg.length < 4) continue;
      while (head.length <= line) head.push([]);
      const segs = head[line];
      let i = 0;
      while (i < segs.length && segs[i][0] < col) i++;
      if (i < segs.length && segs[i][0] === col) continue;
      segs.splice(i, 0, [col, seg[1], seg[2], seg[3]]);
    }
    const text = sourcemapCodec().encode(head as never);
    map.mappings = rest === "" ? text : `${text};${rest}`;
    return JSON.stringify(map);
  } catch {
    return json;
  }
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
  if (typeof compile !== "function") return;
  const url = pathToFileURL(path).href;
  // A map in a file beside the source is the source's own too (the code carries it inline).
  const sourceMap = hasOwnMap(path, source);
  // Deno's own map of the file is the inline map of its source (Deno reads the file, or transpiles
  // it, as it hands it to the hook): without one, Deno has none. With one, Deno uses it only when
  // the file is in its module graph.
  const denoMaps = sourceMap ? denoMapsFile(url) : false;
  if (denoMaps === null) return;
  let json = denoMaps
    ? readInlineSourceMap(code)
    : (sourceMap ? readShiftMap(code) : readInlineSourceMap(code));
  if (json === null) return;
  json = withWrapperCalls(json, denoMaps ? readInlineSourceMap(source) : null);
  const data = Buffer.from(json, "utf8").toString("base64");
  // The import does not resolve (expected: the map is Deno's already), and the error Deno makes of
  // that needs no stack.
  withStackSettings(0, undefined, () =>
    compile.call(
      carrier ??= new Module("", null),
      `${UNRESOLVABLE}${MAP_COMMENT}${data}\n`,
      path,
      "module",
      true,
    ));
}
