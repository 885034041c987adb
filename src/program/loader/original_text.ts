// Function.prototype.toString as without tph: an instrumented function's source is the rewritten
// code, which programs read (DI containers read parameter names, libraries copy or serialise
// functions, tests compare sources). tph replaces Function.prototype.toString with a method that
// asks the engine's own one first and, only when the text holds a rewritten function (it names
// a module's function table, `__tph_b_<hash>`), gives the function's text in the module as it
// was before tph rewrote it. Nothing happens per call: the loader keeps each rewritten module's
// source, and a module's map back is built the first time one of its functions is printed.
//
// - Deno hands the hook transpiled JavaScript and compiles what the hook returns as it is: the
//   engine's text is a slice of the rewritten code, which is the source with insertions; the
//   slice's ends are mapped back through the insertions (instrument() gives them again).
// - Bun transpiles (reprints) what a plugin returns, and the engine's text is a slice of that
//   print: the module is printed again by Bun's transpiler as written and as rewritten, and the
//   function is found by its place among the functions and classes of both prints (the
//   rewrite adds only the table function at the end, and prints nothing else differently). The
//   CommonJS modules tph runs itself are not printed again by Bun: their text is found in the
//   rewritten code (TypeScript: as tph transpiled it) and matched against the source's print
//   the same way.
//
// When anything does not fit (a text not found, prints with different functions), the engine's
// text is returned: the program sees what it would have seen before.

import { blankTypes } from "./bun_cjs.ts";
import { type Insertions, instrument, type InstrumentOptions } from "../instrument/instrument.ts";
import { moduleHash } from "../instrument/module_hash.ts";
import { instrumentInWorkerWithInsertions } from "./parser_worker.ts";
import { withoutInsertions } from "./aligned_text.ts";
import { readText } from "../../platform/files.ts";
import { dirname, join } from "node:path";
import { stripTypes } from "./node_strip.ts";
import type { Lang } from "../../project/languages.ts";
import { CHILD_KEYS, parseSource } from "../instrument/_parse.ts";
import type { Node } from "../instrument/_names.ts";
import { BASE_PREFIX, META_PREFIX } from "../../abi.ts";
import {
  apply,
  bare,
  hasOwn,
  parseJSON,
  regexExec,
  SafeMap,
  SafeWeakMap,
  strIndexOf,
  strSlice,
} from "../../platform/intrinsics.ts";
import {
  Array,
  Error,
  Function,
  Int32Array,
  Object,
  Proxy as ProxyCtor,
  Reflect,
  RegExp,
  Set,
} from "../../platform/globals.ts";

/** How a module was rewritten, enough to rewrite it again the same way. */
export interface RewrittenModule {
  /** The text the hook was given. */
  source: string;
  filename: string;
  lang: Lang;
  module: string;
  externalCalls?: boolean;
  sourceType?: "module" | "commonjs" | "script" | "unambiguous";
  /** Deno: how its awaits were rewritten (InstrumentOptions.guardAwaits). */
  guardAwaits?: boolean;
  /** Bun: the loader Bun transpiles the source with (`ts`, `tsx`, `js`, `jsx`). */
  bunLoader?: string;
  /**
   * Bun: how the rewritten code was transpiled before the engine got it (a plugin's contents:
   * as the source; tph's own CommonJS path: with its defines); null when it was not (tph runs
   * CommonJS JavaScript as it is).
   */
  bunPrint?: { loader: string; target?: string; define?: Record<string, string> } | null;
  /**
   * Bun: a TypeScript CommonJS module tph runs itself, given to the engine with its types blanked
   * out where that can be done (bun_cjs.ts, blankTypes), else as `bunPrint` says.
   */
  bunBlank?: boolean;
  /** Bun: a CommonJS module, which Bun prints inside its module function (one level deeper). */
  bunCommonJS?: boolean;
  /**
   * vitest: vite's SSR transform changed the rewritten code before the engine got it (a `;` after
   * statements, imported names), the same way it changes the source without tph.
   */
  hostChanged?: boolean;
  /**
   * Node: a TypeScript module, whose types Node blanked out in place before the engine got it
   * (positions unchanged): the engine's text and the one to give are of the blanked texts.
   */
  nodeStripped?: boolean;
}

interface Mapped {
  /** Deno and Node: the rewritten code (Node: as the engine got it) and its insertions. */
  code?: string;
  /** Node: the source as the engine would have got it without tph (types blanked). */
  stripped?: string;
  insertions?: Insertions;
  /** Bun: both prints and the functions and classes of each, as [start, end] pairs. */
  printed?: string;
  printedOriginal?: string;
  nodes?: Int32Array;
  nodesOriginal?: Int32Array;
  /** Set when the module cannot be mapped: its functions keep the engine's text. */
  failed?: boolean;
}

const modules = new SafeMap<string, RewrittenModule & Mapped>();
const texts = new SafeWeakMap<object, string>();
/** Functions of tph's that stand in for the runtime's own: each prints as the one it replaced. */
const disguised = new SafeWeakMap<object, object>();

/**
 * Make a function of tph's that takes the place of one of the runtime's print as that one does
 * (once installToString has run).
 *
 * @param fn tph's function.
 * @param as The function it replaced.
 */
export function disguise(fn: object, as: object): void {
  // Standing in for a stand-in (tph's wrappers of wrappers): printed as the first one stood for.
  disguised.set(fn, disguised.get(as) ?? as);
}

/** What a stand-in does when called or constructed (standIn). */
// deno-lint-ignore no-explicit-any
type StandInTrap<F> = { apply(target: F, self: any, args: any[]): unknown } | {
  // deno-lint-ignore no-explicit-any
  construct(target: F, args: any[], newTarget: any): object;
};

const ownKeys = Reflect.ownKeys;
const describe = Object.getOwnPropertyDescriptor;
const define = Object.defineProperty;

/**
 * tph's stand-in for one of the runtime's functions or classes, with its shape, printed as it is.
 *
 * - A function (`{ apply(real, self, args) }`, called with the stand-in's `this` and arguments): a
 *   `function` where the real one has a `prototype` (Node's, and Deno's JavaScript), a method,
 *   which has none and is no constructor, where it has none (Bun's natives, Deno's arrow
 *   functions), with the real one's own properties (`name`, `length`, Bun's `fetch.preconnect`).
 *   Not a proxy: a proxy's call is a frame of its own in Bun's stacks.
 * - A class (`{ construct(real, args, newTarget) }`): a proxy of it, whose handler has no
 *   prototype (a `get`, `apply`… the program puts on Object.prototype is never a trap of tph's).
 *
 * @param real The runtime's function or class.
 * @param trap What the stand-in does instead, as a proxy's `apply` or `construct` trap.
 */
export function standIn<F extends object>(real: F, trap: StandInTrap<F>): F {
  if (!hasOwn(trap, "apply")) {
    const handler = { __proto__: null } as ProxyHandler<F>;
    handler.construct = (trap as { construct: ProxyHandler<F>["construct"] }).construct;
    const proxy = new ProxyCtor(real, handler);
    disguise(proxy, real);
    return proxy;
  }
  const call = (trap as unknown as { apply(real: F, self: unknown, args: IArguments): unknown })
    .apply;
  const fn = hasOwn(real, "prototype")
    ? function (this: unknown) {
      return call(real, this, arguments);
    }
    : {
      m(this: unknown) {
        return call(real, this, arguments);
      },
    }.m;
  const keys = ownKeys(real);
  for (let i = 0; i < keys.length; i++) {
    const d = describe(real, keys[i]);
    if (keys[i] === "prototype" || d === undefined) continue;
    define(fn, keys[i], bare(d));
  }
  disguise(fn, real);
  return fn as unknown as F;
}

const TABLE_NAME = new RegExp(`${BASE_PREFIX}([0-9a-z]+)`, "g");

/**
 * Remember how a module was rewritten, for its functions' toString(). Call when the code given
 * to the runtime differs from the source.
 *
 * @param m The module's source and the options it was instrumented with.
 */
export function rememberModule(m: RewrittenModule): void {
  modules.set(moduleHash(m.filename, m.source), m);
}

/** Where a module's record is kept when another process rewrote it (vitest's: tests/). */
let recordFile: ((hash: string) => string) | null = null;

/**
 * Find the modules another process rewrote (vite's plugin, in vitest's own process) from the
 * records it wrote (a RewrittenModule as JSON): read when one of their functions is first printed.
 *
 * @param file The record's file for a module's hash.
 */
export function useModuleRecords(file: (hash: string) => string): void {
  recordFile = file;
}

/** A module rewritten elsewhere, from its record; undefined when there is none. */
function recorded(hash: string): (RewrittenModule & Mapped) | undefined {
  if (recordFile === null || !/^[0-9a-z]+$/.test(hash)) return undefined;
  let m: (RewrittenModule & Mapped) | undefined;
  try {
    m = parseJSON(readText(recordFile(hash))) as RewrittenModule;
  } catch {
    m = { source: "", filename: "", lang: "js", module: "", failed: true };
  }
  modules.set(hash, m);
  return m;
}

/** The realms whose `Function.prototype.toString` is replaced, by their Function.prototype. */
const installedOn = new SafeWeakMap<object, true>();

/**
 * Replace Function.prototype.toString (once per realm) with one that gives rewritten functions'
 * sources.
 *
 * @param realmFunction The realm's `Function` (default: this one's; vitest's vm pools run test
 *   files in a context of their own).
 */
export function installToString(realmFunction: typeof Function = Function): void {
  const proto = realmFunction.prototype;
  if (installedOn.get(proto) !== undefined) return;
  installedOn.set(proto, true);
  const native = proto.toString;
  // A method: like the built-in, it has no prototype and cannot be called with `new`.
  const replacement = {
    toString(this: unknown): string {
      if (this === replacement) return apply(native, native, []);
      const stand = disguised.get(this as object);
      if (stand !== undefined) return apply(native, stand, []);
      const text: string = apply(native, this, []);
      if (strIndexOf(text, BASE_PREFIX) < 0) return text;
      const known = texts.get(this as object);
      if (known !== undefined) return known;
      const original = originalText(text) ?? text;
      texts.set(this as object, original);
      return original;
    },
  }.toString;
  const d = Object.getOwnPropertyDescriptor(proto, "toString")!;
  Object.defineProperty(proto, "toString", bare({ ...d, value: replacement }));
}

/** The text of the function whose rewritten text is `text`, as written; null when unknown. */
export function originalText(text: string): string | null {
  // The first table name of a module tph rewrote (the program's own text may hold the prefix).
  let m: (RewrittenModule & Mapped) | undefined;
  TABLE_NAME.lastIndex = 0;
  for (let name; m === undefined && (name = regexExec(TABLE_NAME, text)) !== null;) {
    m = modules.get(name[1]) ?? recorded(name[1]);
  }
  if (m === undefined || m.failed) return null;
  try {
    return m.bunLoader === undefined ? fromInsertions(m, text) : fromPrints(m, text);
  } catch {
    m.failed = true;
    return null;
  }
}

const tsconfigs = new SafeMap<string, string | null>();

/** The text of the tsconfig.json (or jsconfig.json) nearest to a folder, or null. */
function tsconfigOf(dir: string): string | null {
  let found = tsconfigs.get(dir);
  if (found !== undefined) return found;
  found = null;
  for (const name of ["tsconfig.json", "jsconfig.json"]) {
    try {
      found = readText(join(dir, name));
      break;
    } catch {
      // Not there.
    }
  }
  if (found === null && dirname(dir) !== dir) found = tsconfigOf(dirname(dir));
  tsconfigs.set(dir, found);
  return found;
}

// Bun prints a CommonJS module's code inside the function it runs it in; a statement keeps the
// print from dropping the function as unused.
const COMMONJS_HEAD = "var __m = (function (exports, require, module, __filename, __dirname) {";

function commonJSWrapped(source: string): string {
  // A `#!` line is no JavaScript inside a function: an empty line in its place.
  const code = source.startsWith("#!") ? source.slice(source.indexOf("\n")) : source;
  return COMMONJS_HEAD + code + "\n})";
}

function rewrite(m: RewrittenModule & Mapped): void {
  const options: InstrumentOptions = {
    filename: m.filename,
    lang: m.lang,
    module: m.module,
    externalCalls: m.externalCalls,
    sourceType: m.sourceType,
    guardAwaits: m.guardAwaits,
    insertions: true,
  };
  let r;
  try {
    r = instrument(m.source, options);
  } catch (e) {
    // Deno cannot load the parser's lazy parts once its loader hook is there: a run that found
    // every file in the transform cache did not load them (see parser_worker.ts).
    if (m.bunLoader !== undefined) throw e;
    r = instrumentInWorkerWithInsertions(m.source, options);
  }
  m.code = m.nodeStripped ? stripTypes(r.code) : r.code;
  m.insertions = r.insertions;
}

function fromInsertions(m: RewrittenModule & Mapped, text: string): string | null {
  if (m.code === undefined) rewrite(m);
  const at = strIndexOf(m.code!, text);
  // vite changed the rewritten code a little after tph (under vitest): its changes stay.
  if (at < 0) return m.hostChanged ? withoutInsertions(m.code!, m.insertions!, text) : null;
  const { offsets, lengths } = m.insertions!;
  const start = sourceOffset(offsets, lengths, at);
  const end = sourceOffset(offsets, lengths, at + text.length);
  if (m.nodeStripped) m.stripped ??= stripTypes(m.source);
  return strSlice(m.stripped ?? m.source, start, end);
}

/**
 * The source offset of a place in the rewritten code: the number of source characters before
 * it. A place inside (or at either end of) the text inserted at one offset is that offset.
 */
function sourceOffset(offsets: Float64Array, lengths: Int32Array, place: number): number {
  let inserted = 0;
  for (let i = 0; i < offsets.length; i++) {
    const at = offsets[i] + inserted;
    if (place < at) break;
    if (place <= at + lengths[i]) return offsets[i];
    inserted += lengths[i];
  }
  return place - inserted;
}

const FUNCTION_OR_CLASS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ClassDeclaration",
  "ClassExpression",
]);

/** The [start, end] of every function and class of a JavaScript text, by start. */
function functionsOf(text: string, skipTable: boolean): Int32Array {
  const parsed = parseSource("print.js", text, "js", "unambiguous");
  if (parsed.errors.length > 0) throw new Error("the print does not parse");
  const pairs: [number, number][] = [];
  const walk = (node: Node | null | undefined): void => {
    if (node === null || typeof node !== "object") return;
    if (FUNCTION_OR_CLASS.has(node.type)) {
      if (
        skipTable && node.type === "FunctionDeclaration" && node.id?.name?.startsWith(META_PREFIX)
      ) {
        return;
      }
      pairs.push([node.start, node.end]);
    }
    for (const key of CHILD_KEYS[node.type] ?? []) {
      const child = node[key];
      if (Array.isArray(child)) { for (const c of child) walk(c); }
      else walk(child);
    }
  };
  walk(parsed.program as unknown as Node);
  pairs.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  return Int32Array.from(pairs.flat());
}

function fromPrints(m: RewrittenModule & Mapped, text: string): string | null {
  if (m.printed === undefined) {
    if (m.code === undefined) rewrite(m);
    // deno-lint-ignore no-explicit-any
    const Bun = (globalThis as any).Bun;
    // The settings Bun's runtime takes from the file's tsconfig.json (JSX factories, decorators).
    const tsconfig = tsconfigOf(dirname(m.filename));
    const withConfig = <T extends object>(o: T) => tsconfig === null ? o : { ...o, tsconfig };
    m.printed = (m.bunBlank ? blankTypes(m.code!, m.filename) : null) ??
      (m.bunPrint ? new Bun.Transpiler(withConfig(m.bunPrint)).transformSync(m.code!) : m.code!);
    const source = m.bunCommonJS ? commonJSWrapped(m.source) : m.source;
    // As Bun's runtime prints (it folds constants, say `["a" + "b"]` keys, as target "bun" does).
    m.printedOriginal = new Bun.Transpiler(withConfig({ loader: m.bunLoader, target: "bun" }))
      .transformSync(source);
    m.nodes = functionsOf(m.printed!, true);
    m.nodesOriginal = functionsOf(m.printedOriginal!, false);
    // Less the module function.
    if (m.bunCommonJS) m.nodesOriginal = m.nodesOriginal.subarray(2);
    if (m.nodes.length !== m.nodesOriginal.length) {
      m.failed = true;
      return null;
    }
  }
  const printed = m.printed!, nodes = m.nodes!, original = m.nodesOriginal!;
  const at = strIndexOf(printed, text);
  if (at < 0) return null;
  const end = at + text.length;
  // The outermost function or class that ends where the text does and starts inside it (a
  // method's text starts at its key, before the function's parameters).
  for (let i = 0; i < nodes.length; i += 2) {
    if (nodes[i] >= at && nodes[i + 1] === end) {
      return strSlice(m.printedOriginal!, original[i] - (nodes[i] - at), original[i + 1]);
    }
  }
  return null;
}
