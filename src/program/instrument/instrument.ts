import { Buffer } from "node:buffer";
import { isAbsolute, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Edits } from "./_edits.ts";
import { moduleHash } from "./module_hash.ts";
import { type Lang, langOf } from "../../project/languages.ts";
import { makeScope, outOfScope, type ScopeOptions } from "../../project/scope.ts";
import { CHILD_KEYS, clashesInBlock, FUNCTION_TYPES, parseSource } from "./_parse.ts";
import { usesCommonJSNames } from "./_free_names.ts";
import {
  FLAG_ASYNC,
  FLAG_GENERATOR,
  FLAG_STATIC,
  type MetaPlaces,
  type MetaRow,
  type ModuleMeta,
  type RecorderMethod,
  TEST_NAME_SEPARATOR,
} from "../../abi.ts";
import {
  ASYNC_CLOSER,
  AWAIT_CLOSE,
  AWAIT_OPEN,
  awaitInCatch,
  CLOSER,
  ERROR_PARAM,
  GUARDED_ASYNC_CLOSER,
  GUARDED_CLOSER,
  invoke,
  invokeOpen,
  moduleTable,
  NOT_RECORDED,
  prologue,
  REJECTING_CLOSER,
} from "./_emit.ts";
import type { FunctionInfo, FunctionKind } from "../../types.ts";
import { keyName, memberPath, type Node } from "./_names.ts";
import { collectParams } from "./_params.ts";
import { registration } from "./_tests.ts";
import {
  GLOBAL_FUNCTIONS,
  GLOBAL_NAMESPACES,
  isPackageSpecifier,
  patternNames,
  requiredPackage,
} from "./_externals.ts";
import {
  findInlineMap,
  type InputSourceMap,
  PositionMapper,
  readInlineSourceMap,
} from "./_positions.ts";
import { inlinedOwnMap, shiftInlineMap, shiftMap } from "./_shift_map.ts";
import { columnTable, type Insertions, sourceMapMappings } from "./_columns.ts";
import { Array, Boolean, JSON, Map, RegExp, Set } from "../../platform/globals.ts";
import { lineHashes, spanHash } from "../../platform/hash.ts";

export type { Lang } from "../../project/languages.ts";
export type { Insertions } from "./_columns.ts";
// Its own module: the loader names every module by it, on a transform-cache hit too, where this
// one is not loaded (Bun's preload bundle: src/cli/launch/bun_bytecode.ts).
export { moduleHash };

/** Options for {@linkcode instrument}. */
export interface InstrumentOptions {
  /** File path or URL; used for the language default, metadata and messages. */
  filename: string;
  /** Language; defaults from the extension (`.ts .mts .cts` → ts, `.tsx`, `.jsx`, else js). */
  lang?: Lang | "mjs" | "cjs" | "mts" | "cts";
  /** `module`, `commonjs`, `script` or `unambiguous` (default: from extension, else unambiguous). */
  sourceType?: "module" | "commonjs" | "script" | "unambiguous";
  /** Module name recorded for each call (default: the filename). */
  module?: string;
  /**
   * Source map of the input (as Deno's loader hands transpiled JS). Default: the inline
   * `sourceMappingURL` data URL at the end of the source, if any. Pass `false` to ignore it.
   */
  inputSourceMap?: InputSourceMap | false;
  /**
   * The URL of `inputSourceMap` (a compiled file's own map in a file beside it): its sources are
   * relative to it. Default: the file's own URL.
   */
  inputMapUrl?: string;
  /**
   * The project root: the module name of a function whose map places it in another source (a
   * compiled file's `src/*.ts`) is that source's path from here. Default: the folder `filename`
   * and `module` give (`module` being its path from the root).
   */
  root?: string;
  /**
   * The scope the sources a map names are held to: a function whose map places it in a source
   * out of it (a bundle's copy of a package in `node_modules`) is left as it is.
   */
  sourceScope?: ScopeOptions;
  /**
   * Record calls into packages and well-known globals (`JSON.parse`, `fs.readFileSync`) as
   * external leaf calls. Default true.
   */
  externalCalls?: boolean;
  /**
   * When the source has no inline source map, end the code with one back to the source (Deno
   * reads it for stack traces, and hands JavaScript files to the hook without one).
   */
  sourceMap?: boolean;
  /**
   * With `sourceMap`, when the source ends with an inline source map: also write, on a line before
   * that map's comment, the map of the rewriting alone (a `//# tphShiftMap=` comment, see
   * {@linkcode readShiftMap}). Deno uses a CommonJS module's own map only when the module is in
   * its module graph (src/program/loader/deno_cjs_maps.ts).
   */
  shiftMap?: boolean;
  /**
   * With `sourceMap`: whether the runtime reads the source's inline map for stack traces (default
   * true). Deno reads none of a file in a `node_modules` folder: false, and the code carries the
   * map of the rewriting alone in its place, so that stacks show the file's own positions.
   */
  inlineMapInStacks?: boolean;
  /** Also give the column table (see `columns` in the result). */
  columnTable?: boolean;
  /** Also give where text was inserted (for mapping the rewritten code back to the source). */
  insertions?: boolean;
  /**
   * Deno: an `await` of a recorded async function never leaves its value without a handler when
   * the recorder's call before it finds the stack full (AWAIT_CLOSE in _emit.ts). Not elsewhere:
   * JavaScriptCore places an async frame by the awaited expression's last part, which this moves.
   */
  guardAwaits?: boolean;
  /**
   * Also give the source map of the rewriting alone (`rewriteMap` in the result), from the code
   * back to the source as given: for a host that chains it with its own (vite, under vitest).
   */
  rewriteMap?: boolean;
  /**
   * Functions left as they are, with what they contain, by name (the counters coverage tools
   * add to the code they instrument: istanbul's `cov_<hash>`).
   */
  leaveFunctions?: RegExp;
  /**
   * A source map of the source (JSON) to fit to the rewriting (`fittedMap` in the result): the
   * map of the code back to what that map describes (jest's transformers, under tph test).
   */
  fitMap?: string;
}

/** Result of {@linkcode instrument}. */
export interface InstrumentResult {
  /** The rewritten source; the input unchanged when it could not be parsed. */
  code: string;
  /** Metadata of every instrumented function, in source order. */
  functions: FunctionInfo[];
  /** The parser's first error when the source was left untouched, else null. */
  error: string | null;
  /**
   * Whether the source has ES module syntax (import or export statements, `import.meta`,
   * top-level await), as the parser saw it; null when it did not parse.
   */
  moduleSyntax: boolean | null;
  /**
   * With `sourceType: "unambiguous"`, whether a source without module syntax uses CommonJS's
   * names (module, exports, require, __filename, __dirname) as free names, as Bun tells a
   * CommonJS file from a script (_free_names.ts); else false. Null when it did not parse.
   */
  commonJSNames: boolean | null;
  /** With options.insertions: where text was inserted (none when the code is the source). */
  insertions?: Insertions;
  /**
   * With `columnTable`, where text was inserted on each line (see _columns.ts), which maps a
   * position in the code back to the source; "" when nothing was; absent when not asked for.
   */
  columns?: string;
  /** With `rewriteMap`, the map of the rewriting alone (JSON); null when nothing was inserted. */
  rewriteMap?: string | null;
  /** With `fitMap`, that map fitted to the rewriting (JSON); null when it could not be read. */
  fittedMap?: string | null;
}

const SKIP_TYPES = new Set([
  "TSInterfaceDeclaration",
  "TSTypeAliasDeclaration",
  "TSDeclareFunction",
  "TSTypeAnnotation",
]);
// Nodes with nothing below them that could hold a function, call or await.
const LEAF_TYPES = new Set([
  "Identifier",
  "Literal",
  "ThisExpression",
  "Super",
  "TemplateElement",
  "PrivateIdentifier",
  "EmptyStatement",
  "DebuggerStatement",
  "JSXText",
  "JSXIdentifier",
]);
// A modifier that makes a constructor parameter a TypeScript parameter property. Matched on the
// text of the parameter list (the JS-flavoured AST does not mark them); a match inside a type
// (`readonly string[]`) only makes recording start after super(), which is always safe.
const PARAMETER_PROPERTY = /\b(?:public|private|protected|readonly|override)\s+[\w$@[{]/;

function lastSegment(hint: string | null): string | null {
  return hint === null ? null : hint.slice(hint.lastIndexOf(".") + 1);
}

/** Where a function stands: what it is called and what kind of member it is. */
interface Naming {
  name: string;
  qualname: string | null;
  kind: FunctionKind;
  static: boolean;
  /** Set for derived-class constructors: recording starts after the top-level `super()`. */
  derived?: boolean;
  /** Where the function is said to start (a method's key), when not at the function node. */
  at?: number;
  /** What an unnamed function is where it is written (`map callback`, `IIFE`), or null. */
  role?: string | null;
}

/** The name of a function with none of its own, until it is given one by place. */
const ANONYMOUS = "<anonymous>";
/** A walk hint that is a role (`\0map callback`), not a name. */
const ROLE = "\0";

/** The role a walk hint carries, or null when it is a name (or nothing). */
function roleOf(hint: string | null): string | null {
  return hint !== null && hint.startsWith(ROLE) ? hint.slice(ROLE.length) : null;
}

/** An expression without the parentheses around it. */
function unparenthesized(node: Node): Node {
  while (node && node.type === "ParenthesizedExpression") node = node.expression;
  return node;
}

function isFunctionNode(node: Node): boolean {
  return node?.type === "FunctionExpression" || node?.type === "ArrowFunctionExpression";
}

/** What a call's callee is called, for its callbacks' names: `setTimeout`, `items.map` → `map`. */
function calleeName(callee: Node): string {
  const c = unparenthesized(callee);
  if (c.type === "Identifier") return c.name;
  if (c.type === "MemberExpression" || c.type === "StaticMemberExpression") {
    if (!c.computed && c.property.type === "Identifier") return c.property.name;
    if (c.property.type === "PrivateIdentifier") return `#${c.property.name}`;
    if (c.property.type === "Literal" && typeof c.property.value === "string") {
      return c.property.value;
    }
  }
  if (c.type === "Super") return "super";
  return "call";
}

/**
 * How a function's body ends: an async function's call may end later, when the promise its
 * `return` handed over settles (ASYNC_CLOSER); the function of a test or hook a test file
 * registers hands a thrown error to Bun's runner as a rejection (REJECTING_CLOSER); where awaits
 * are guarded (Deno), an async function's catch may first make the await the plain code makes
 * (GUARDED_ASYNC_CLOSER, GUARDED_CLOSER).
 */
function closerOf(fn: Node, test: boolean, guardAwaits: boolean): string {
  if (fn.async && !fn.generator) return guardAwaits ? GUARDED_ASYNC_CLOSER : ASYNC_CLOSER;
  if (test && !fn.async && !fn.generator) return REJECTING_CLOSER;
  return fn.async && guardAwaits ? GUARDED_CLOSER : CLOSER;
}

/** The innermost instrumented function while walking its body. */
interface Scope {
  async: boolean;
  generator: boolean;
  /** Returns before this offset run before the prologue (code before `super()`). */
  recordFrom: number;
  /** The function's row in the module's table (external call sites are numbered from it). */
  k: number;
  /**
   * An async function (not a generator): the loops, switches and labeled statements around the
   * node walked, and the finally blocks, innermost last (see #jump). Null for other functions.
   */
  jumps: Node[] | null;
  finallies: Node[] | null;
}

/** The scope of function `fn`'s body (an expression body is no generator's). */
function scopeOf(fn: Node, generator: boolean, recordFrom: number, k: number): Scope {
  const adopts = Boolean(fn.async) && !generator;
  const async = Boolean(fn.async);
  return {
    async,
    generator,
    recordFrom,
    k,
    jumps: adopts ? [] : null,
    finallies: adopts ? [] : null,
  };
}

/** Statements a `break` or `continue` may jump out of. */
const LOOPS = new Set([
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
]);
const JUMP_TARGETS = new Set([...LOOPS, "SwitchStatement", "LabeledStatement"]);

/** The statement a `break`/`continue` jumps out of, among `around` (innermost last). */
function jumpTarget(jump: Node, around: Node[]): Node | null {
  for (let i = around.length - 1; i >= 0; i--) {
    const t = around[i];
    if (jump.label) {
      if (t.type === "LabeledStatement" && t.label.name === jump.label.name) return t;
    } else if (
      LOOPS.has(t.type) || (jump.type === "BreakStatement" && t.type === "SwitchStatement")
    ) {
      return t;
    }
  }
  return null;
}

/**
 * Rewrite every function in a TypeScript or JavaScript source so that its calls report to the
 * tph recorder (`globalThis.__tph`), without adding a line break or moving any code.
 *
 * @param source The module's source text.
 * @param options The filename (required), language and module name.
 * @returns The rewritten code and the metadata of each instrumented function.
 *
 * @example
 * ```ts
 * import { instrument } from "./src/program/instrument/instrument.ts";
 * const { code, functions } = instrument("export function add(a, b) { return a + b }", {
 *   filename: "add.js",
 * });
 * console.log(functions[0].qualname, functions[0].params); // add [ "a", "b" ]
 * ```
 */
export function instrument(source: string, options: InstrumentOptions): InstrumentResult {
  const { filename } = options;
  const ext = /\.([a-z]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? "js";
  const lang: Lang = langOf(options.lang ?? ext);
  const sourceType = options.sourceType ??
    (ext === "cjs" || ext === "cts"
      ? "commonjs"
      : ext === "mjs" || ext === "mts"
      ? "module"
      : "unambiguous");
  const result = parseSource(filename, source, lang, sourceType);
  if (result.errors.length > 0) {
    const failed: InstrumentResult = {
      code: source,
      functions: [],
      error: result.errors[0].message,
      moduleSyntax: null,
      commonJSNames: null,
    };
    if (options.columnTable) failed.columns = "";
    return failed;
  }
  const inlineMap = options.inputSourceMap === undefined ? readInlineSourceMap(source) : null;
  const inputMap = options.inputSourceMap === false ? null : options.inputSourceMap ?? inlineMap;
  const mapUrl = options.inputSourceMap === undefined || options.inputSourceMap === false
    ? undefined
    : options.inputMapUrl;
  const w = new Walker(
    source,
    filename,
    options.module ?? filename,
    inputMap,
    mapUrl,
    options.root,
  );
  w.externals = options.externalCalls ?? true;
  w.guardAwaits = options.guardAwaits ?? false;
  w.leave = options.leaveFunctions ?? null;
  // A compiled JavaScript file's own map gives its functions' names as written (a minified
  // `n` is `discount`); the map a transpiler made of TypeScript (Deno's, jest's) changed none.
  w.originalNames = inputMap !== null && (typeof options.inputSourceMap === "string" ||
    (options.inputSourceMap === undefined && (lang === "js" || lang === "jsx")));
  if (options.sourceScope !== undefined) {
    w.inSourceScope = sourceScope(options.sourceScope, filename);
  }
  w.walk(result.program, null);
  let code = w.finish(result.program);
  const insertions = code === source ? null : w.insertions();
  // The map the code carries must fit the code as rewritten (stack traces read it).
  code = carriedMap(code, source, options, {
    program: result.program,
    insertions,
    inlineMap,
    inputMap,
    all: () => w.insertions(),
  });
  const out: InstrumentResult = {
    code,
    functions: w.functions,
    error: null,
    moduleSyntax: result.module.hasModuleSyntax,
    commonJSNames: options.sourceType === "unambiguous" && usesCommonJSNames(result, source),
  };
  if (options.insertions) out.insertions = insertions ?? w.insertions();
  if (options.fitMap !== undefined) {
    out.fittedMap = insertions === null
      ? options.fitMap
      : shiftMap(options.fitMap, source, insertions);
  }
  if (options.rewriteMap) {
    out.rewriteMap = insertions === null
      ? null
      : mapBytes(source, filename, result.program, insertions).toString("utf8");
  }
  if (options.columnTable) {
    out.columns = insertions === null ? "" : columnTable(source, insertions);
  }
  return out;
}

/**
 * `code` (the rewritten `source`) with the source map it carries fitted to the rewriting: the
 * file's inline map shifted, or replaced by the rewriting's alone where the runtime would not apply
 * it (`inlineMapInStacks: false`), a compiled file's own map from beside it inlined, or the
 * rewriting's map where the file has none.
 */
function carriedMap(
  code: string,
  source: string,
  options: InstrumentOptions,
  { program, insertions, inlineMap, inputMap, all }: {
    program: Node;
    insertions: Insertions | null;
    inlineMap: string | null;
    inputMap: InstrumentOptions["inputSourceMap"] | null;
    all: () => Insertions;
  },
): string {
  const { filename } = options;
  if (inlineMap !== null && options.sourceMap && options.inlineMapInStacks === false) {
    const comment = findInlineMap(code);
    if (comment !== null) {
      const shift = madeMap(source, filename, program, insertions ?? all());
      code = `${code.slice(0, comment.at)}${comment.prefix}${shift}${comment.trail}`;
      if (options.shiftMap) {
        code = `${code.slice(0, comment.at)}${SHIFT_COMMENT}${shift}\n${code.slice(comment.at)}`;
      }
    }
  } else if (inlineMap !== null && insertions !== null) {
    code = shiftInlineMap(code, source, inlineMap, insertions);
    const comment = options.sourceMap && options.shiftMap ? findInlineMap(code) : null;
    if (comment !== null) {
      const shift = madeMap(source, filename, program, insertions);
      code = `${code.slice(0, comment.at)}${SHIFT_COMMENT}${shift}\n${code.slice(comment.at)}`;
    }
  } else if (
    options.sourceMap && typeof options.inputSourceMap === "string" && insertions !== null
  ) {
    // A compiled file's own map from a file beside it (Deno: stack traces read it): inline, as
    // fitted to the rewriting; it comes after the file's comment, and the last one counts.
    const own = inlinedOwnMap(
      options.inputSourceMap,
      options.inputMapUrl ?? (isAbsolute(filename) ? pathToFileURL(filename).href : filename),
      source,
      insertions,
      isAbsolute(filename)
        ? pathToFileURL(filename).href
        : filename.startsWith("file:")
        ? filename
        : null,
    );
    if (own !== null) {
      // Deno runs a CommonJS module without its map: the map of the rewriting alone, as above.
      const shift = options.shiftMap
        ? `${SHIFT_COMMENT}${madeMap(source, filename, program, insertions)}\n`
        : "";
      code = `${code}\n${shift}${MAP_COMMENT}${Buffer.from(own, "utf8").toString("base64")}\n`;
    }
  } else if (options.sourceMap && inputMap === null && insertions !== null) {
    code = `${code}\n${MAP_COMMENT}${madeMap(source, filename, program, insertions)}\n`;
  }
  return code;
}

// Put together: the whole comment written out in tph's source would be read as the map of the
// bundled preload of the binary by Bun, which then warns that it cannot decode it.
const MAP_COMMENT = "//# sourceMapping" + "URL=data:application/json;base64,";

// Not a sourceMappingURL comment: V8 and Deno never read it.
const SHIFT_COMMENT = "//# tphShiftMap=";

/**
 * The map of the rewriting alone that {@linkcode instrument} wrote into `code` with the
 * `shiftMap` option, as JSON; null when there is none.
 *
 * @param code Instrumented code.
 */
export function readShiftMap(code: string): string | null {
  const at = code.lastIndexOf(SHIFT_COMMENT);
  if (at < 0) return null;
  const start = at + SHIFT_COMMENT.length;
  const end = code.indexOf("\n", start);
  const data = code.slice(start, end < 0 ? code.length : end);
  return /^[A-Za-z0-9+/=]+$/.test(data) ? Buffer.from(data, "base64").toString("utf8") : null;
}

/** A source map from the rewritten code back to `source` (JSON, as base64). */
function madeMap(source: string, filename: string, program: Node, insertions: Insertions): string {
  return mapBytes(source, filename, program, insertions).toString("base64");
}

/** That source map's JSON, as bytes. */
function mapBytes(source: string, filename: string, program: Node, insertions: Insertions): Buffer {
  const url = isAbsolute(filename) ? pathToFileURL(filename).href : filename;
  // The JSON around the mappings, whose bytes go in as they are.
  const head = Buffer.from(
    `{"version":3,"sources":${JSON.stringify([url])},"names":[],"mappings":"`,
    "utf8",
  );
  const mappings = sourceMapMappings(source, program, insertions);
  return Buffer.concat([head, mappings, Buffer.from('"}', "utf8")]);
}

class Walker {
  readonly functions: FunctionInfo[] = [];
  readonly #rows: MetaRow[] = [];
  readonly #s: Edits;
  readonly #src: string;
  readonly #file: string;
  readonly #module: string;
  readonly #pos: PositionMapper;
  readonly #hash: string;
  /** The project root, for the module names of the sources a map places functions in. */
  readonly #root: string | null;
  /** The file's path (for telling its own map's source of itself apart from others). */
  readonly #filePath: string;
  /** The sources a map places functions in (files and module names), and each row's (-1: none). */
  readonly #placeFiles: string[] = [];
  readonly #placeModules: string[] = [];
  readonly #placeOfSource = new Map<string, number>();
  readonly #rowPlaces: number[] = [];
  /**
   * Each row's text as `tph lsp` checks it (flat pairs): how many lines follow its first in its
   * source, and the hash of those lines (spanHash); -1 and 0 where not known.
   */
  readonly #rowTexts: number[] = [];
  /** Whether any row's text is known. */
  #textsKnown = false;
  /** Each source's lines' hashes (null: its text is not at hand), by Place.source. */
  readonly #sourceLines = new Map<string | null, number[] | null>();
  #scope: Scope | null = null;
  /** The qualified names of the functions being walked, outermost first (names by place). */
  readonly #enclosing: string[] = [];
  /** How many functions of this module took each name by place so far. */
  readonly #placeNames = new Map<string, number>();
  /** The names of the suites (`describe`) whose function is being walked, outermost first. */
  readonly #suites: string[] = [];
  /** The functions of the tests registered in this module: their full names (registration). */
  readonly #tests = new Map<Node, { name: string | null; flags: number }>();
  #classes: { name: string; derived: boolean }[] = [];
  externals = true;
  /** Whether a source a map places a function in is traced (InstrumentOptions.sourceScope). */
  inSourceScope: ((path: string) => boolean) | null = null;
  /** Whether names are read through the source map (a compiled file's own). */
  originalNames = false;
  /** See InstrumentOptions.guardAwaits. */
  guardAwaits = false;
  /** Functions left as they are, by name (InstrumentOptions.leaveFunctions). */
  leave: RegExp | null = null;
  /** Every name the module declares anywhere: a global's name is external only if unused. */
  #declared = new Set<string>();
  /** Names bound to a package's exports (imports or `require("pkg")`), with the package. */
  #packageBindings = new Map<string, string>();
  /** Calls inside recorded functions that may call out of the traced code, with the row of the
   * function they are in. */
  #callSites: Node[] = [];
  #callSiteRows: number[] = [];

  constructor(
    source: string,
    file: string,
    module: string,
    map: InputSourceMap | null,
    mapUrl: string | undefined,
    root: string | undefined,
  ) {
    this.#src = source;
    this.#s = new Edits(source);
    this.#file = file;
    this.#module = module;
    const fileUrl = isAbsolute(file) ? pathToFileURL(file).href : file;
    this.#filePath = asPath(file);
    this.#pos = new PositionMapper(source, map, mapUrl ?? fileUrl);
    this.#hash = moduleHash(file, source);
    this.#root = root ??
      (isAbsolute(file) && !isAbsolute(module) && file.endsWith("/" + module)
        ? file.slice(0, file.length - module.length - 1)
        : null);
  }

  /** The index of the source a map names for a function (-1: the file itself, or none). */
  #placeOf(source: string | null): number {
    if (source === null) return -1;
    const known = this.#placeOfSource.get(source);
    if (known !== undefined) return known;
    const path = asPath(source);
    let at = -1;
    if (path !== this.#filePath) {
      at = this.#placeFiles.length;
      this.#placeFiles.push(path);
      this.#placeModules.push(
        this.#root !== null && isAbsolute(path) ? relative(this.#root, path) || path : path,
      );
    }
    this.#placeOfSource.set(source, at);
    return at;
  }

  /** The file a row's function is in: its source's, when the map names another. */
  #fileOf(place: number): string {
    return place < 0 ? this.#file : this.#placeFiles[place];
  }

  /** An identifier's name as written: the map's name for it in minified code, else its own. */
  #nameOf(id: Node): string {
    return (this.originalNames ? this.#pos.nameAt(id.start) : null) ?? id.name;
  }

  /** The name a binding pattern gives a value assigned to it (bindingName), as written. */
  #bindingName(id: Node): string | null {
    return id && id.type === "Identifier" ? this.#nameOf(id) : null;
  }

  /** Where text was inserted, and how much (after finish()). */
  insertions(): Insertions {
    return this.#s.insertions();
  }

  finish(program: Node): string {
    if (this.externals) {
      const sites = this.#callSites, rows = this.#callSiteRows;
      for (let i = 0; i < sites.length; i++) this.#external(sites[i], rows[i]);
    }
    if (this.#rows.length === 0) return this.#src;
    const h = this.#hash;
    const places: MetaPlaces | null = this.#placeFiles.length === 0
      ? null
      : [this.#placeFiles, this.#placeModules, this.#rowPlaces];
    const meta: ModuleMeta = this.#textsKnown
      ? [this.#file, this.#module, this.#rows, places, this.#rowTexts]
      : places === null
      ? [this.#file, this.#module, this.#rows]
      : [this.#file, this.#module, this.#rows, places];
    const body = program.body as Node[];
    const at = body.length > 0 ? body[body.length - 1].end : this.#src.length;
    // Hoisted declarations, so functions called during a cyclic import (before this module's
    // body ran) still find their table; appended on the last code line to keep line 1 intact.
    this.#s.appendLeft(at, moduleTable(h, meta));
    return this.#s.toString();
  }

  walk(node: Node, hint: string | null): void {
    if (node === null || typeof node !== "object") return;
    const jumps = this.#scope?.jumps;
    if (jumps && JUMP_TARGETS.has(node.type)) {
      jumps.push(node);
      this.#walkNode(node, hint);
      jumps.pop();
    } else this.#walkNode(node, hint);
  }

  #walkNode(node: Node, hint: string | null): void {
    const type: string = node.type;
    if (LEAF_TYPES.has(type)) return;
    switch (type) {
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.#functionNode(node, hint);
      case "ClassDeclaration":
      case "ClassExpression":
        return this.#class(
          node,
          (node.id ? this.#nameOf(node.id) : null) ?? hint ?? "<anonymous class>",
        );
      case "VariableDeclarator": {
        const names = patternNames(node.id);
        for (const n of names) this.#declared.add(n);
        const pkg = requiredPackage(node.init);
        if (pkg !== null) { for (const n of names) this.#packageBindings.set(n, pkg); }
        this.walk(node.id, null);
        return this.walk(node.init, this.#bindingName(node.id));
      }
      case "ImportDeclaration": {
        const external = node.importKind !== "type" && isPackageSpecifier(node.source.value);
        for (const spec of node.specifiers) {
          this.#declared.add(spec.local.name);
          if (external && spec.importKind !== "type") {
            this.#packageBindings.set(spec.local.name, node.source.value);
          }
        }
        return;
      }
      case "CallExpression":
        if (this.#scope && node.start >= this.#scope.recordFrom && !node.optional) {
          this.#callSites.push(node);
          this.#callSiteRows.push(this.#scope.k);
        }
        return this.#call(node, `${calleeName(node.callee)} callback`);
      case "NewExpression": {
        const made = calleeName(node.callee);
        return this.#call(node, made === "Promise" ? "Promise executor" : `${made} callback`);
      }
      case "CatchClause":
        for (const n of patternNames(node.param)) this.#declared.add(n);
        this.#wakeAt(node.body, node.param?.type === "Identifier" ? node.param.name : null, true);
        this.#caught(node);
        break;
      case "AssignmentExpression":
        this.walk(node.left, null);
        return this.walk(
          node.right,
          node.left.type === "Identifier"
            ? this.#nameOf(node.left)
            : memberPath(node.left, this.#src, (id) => this.#nameOf(id)),
        );
      case "AssignmentPattern":
        this.walk(node.left, null);
        return this.walk(node.right, this.#bindingName(node.left));
      case "ExportDefaultDeclaration":
        return this.walk(node.declaration, "default");
      case "ObjectExpression":
        return this.#object(node, hint);
      case "ReturnStatement":
        return this.#return(node);
      case "AwaitExpression":
        return this.#suspend(node, "async");
      case "YieldExpression":
        return this.#suspend(node, "generator");
      case "ForOfStatement":
        if (node.await) return this.#forAwait(node);
        break;
      case "Program":
      case "BlockStatement":
      case "StaticBlock":
        return this.#statements(node.body);
      case "SwitchCase":
        this.walk(node.test, null);
        return this.#statements(node.consequent);
      case "TryStatement":
        if (node.finalizer && this.#try(node)) return;
        break;
      case "BreakStatement":
      case "ContinueStatement":
        return this.#jump(node);
    }
    if (SKIP_TYPES.has(type)) return;
    const keys = CHILD_KEYS[type];
    if (keys === undefined) return;
    for (let i = 0; i < keys.length; i++) {
      const child = node[keys[i]];
      if (child === null || child === undefined) continue;
      if (Array.isArray(child)) {
        for (let j = 0; j < child.length; j++) this.walk(child[j], null);
      } else if (
        type !== "LabeledStatement" &&
        (child.type === "ForOfStatement" || child.type === "LabeledStatement")
      ) this.#nested(child);
      else this.walk(child, null);
    }
  }

  /** A function or arrow, named by its own name, else by `hint` (its binding or its role). */
  #functionNode(node: Node, hint: string | null): void {
    const role = roleOf(hint);
    const arrow = node.type === "ArrowFunctionExpression";
    const own: string | null = arrow || !node.id ? null : this.#nameOf(node.id);
    this.#function(node, {
      name: own ?? (role === null ? lastSegment(hint) : null) ?? ANONYMOUS,
      qualname: own !== null || role !== null ? null : hint,
      kind: arrow ? "arrow" : "function",
      static: false,
      role,
    });
  }

  #object(node: Node, owner: string | null): void {
    for (const prop of node.properties) {
      if (prop.type !== "Property") {
        this.walk(prop, null);
        continue;
      }
      if (prop.computed) this.walk(prop.key, null);
      const key = keyName(prop.key, prop.computed, this.#src);
      const value = prop.value;
      if (FUNCTION_TYPES.has(value.type) && !value.id) {
        const kind: FunctionKind = prop.kind === "get"
          ? "getter"
          : prop.kind === "set"
          ? "setter"
          : prop.method
          ? "method"
          : value.type === "ArrowFunctionExpression"
          ? "arrow"
          : "function";
        const prefix = kind === "getter" ? "get " : kind === "setter" ? "set " : "";
        this.#function(value, {
          name: prefix + key,
          qualname: prefix + (owner ? `${owner}.${key}` : key),
          kind,
          static: false,
          at: prop.key.start,
        });
      } else {
        this.walk(value, owner ? `${owner}.${key}` : key);
      }
    }
  }

  #class(node: Node, name: string): void {
    if (node.id) this.#declared.add(node.id.name);
    for (const d of node.decorators ?? []) this.walk(d, null);
    if (node.superClass) this.walk(node.superClass, null);
    this.#classes.push({ name, derived: Boolean(node.superClass) });
    for (const member of node.body.body) this.#member(member, name);
    this.#classes.pop();
  }

  #member(m: Node, cls: string): void {
    for (const d of m.decorators ?? []) this.walk(d, null);
    if (m.computed) this.walk(m.key, null);
    const key = keyName(m.key, m.computed, this.#src);
    if (m.type === "MethodDefinition" || m.type === "TSAbstractMethodDefinition") {
      const kind: FunctionKind = m.kind === "constructor"
        ? "constructor"
        : m.kind === "get"
        ? "getter"
        : m.kind === "set"
        ? "setter"
        : "method";
      const prefix = kind === "getter" ? "get " : kind === "setter" ? "set " : "";
      // Only TypeScript parameter properties need recording to start after super(): Bun
      // assigns them right after that call. Elsewhere the whole body, super() too, is recorded.
      const fn = m.value;
      const derived = kind === "constructor" && this.#classes[this.#classes.length - 1].derived &&
        fn.body && PARAMETER_PROPERTY.test(this.#src.slice(fn.start, fn.body.start));
      return this.#function(m.value, {
        name: prefix + key,
        qualname: `${prefix}${cls}.${key}`,
        kind,
        static: Boolean(m.static),
        derived,
        at: m.key.start,
      });
    }
    if (m.type === "PropertyDefinition" || m.type === "AccessorProperty") {
      return this.walk(m.value, `${cls}.${key}`);
    }
    this.walk(m, null); // StaticBlock and anything else
  }

  /**
   * A call or `new`: a function written as an argument is named by its role there (`map
   * callback`, `Promise executor`), one called where it is written is an `IIFE`.
   */
  #call(node: Node, role: string): void {
    const callee = unparenthesized(node.callee);
    if (isFunctionNode(callee) && !callee.id) this.walk(callee, ROLE + "IIFE");
    else this.walk(node.callee, null);
    const registered = node.type === "CallExpression" ? registration(node, this.#src) : null;
    if (registered !== null && registered.kind !== "suite") {
      this.#tests.set(registered.fn, {
        name: registered.kind === "test"
          ? [...this.#suites, registered.name].join(TEST_NAME_SEPARATOR)
          : null,
        flags: registered.flags,
      });
    }
    for (const arg of node.arguments as Node[]) {
      const inner = unparenthesized(arg);
      const suite = registered?.kind === "suite" && inner === registered.fn;
      if (suite) this.#suites.push(registered.name);
      if (isFunctionNode(inner) && !inner.id) this.walk(inner, ROLE + role);
      else this.walk(arg, null);
      if (suite) this.#suites.pop();
    }
  }

  /**
   * The qualified name of a function that has none of its own: its role (the `map callback`, an
   * `arrow`) under the function it is written in (`priceOrder › map callback`), numbered when the
   * module has several alike (`#2`, in source order). Never its line or column: a name survives
   * edits elsewhere in the file, and `tph diff` matches calls by it.
   */
  #placeName(naming: Naming): string {
    const role = naming.role ?? (naming.kind === "arrow" ? "arrow" : "function");
    const parent = this.#enclosing[this.#enclosing.length - 1];
    const base = parent === undefined ? role : `${parent} › ${role}`;
    const seen = (this.#placeNames.get(base) ?? 0) + 1;
    this.#placeNames.set(base, seen);
    return seen === 1 ? base : `${base} #${seen}`;
  }

  /**
   * Where a function was written (its line, column and source), or null when it is not the
   * project's to record: code a transpiler added (Deno: decorator helpers) has no original place,
   * and a bundle's copy of code out of the scope (a package it bundled) is not the project's.
   */
  #written(
    offset: number,
  ): { line: number; column: number; place: number; source: string | null } | null {
    const where = this.#pos.locate(offset);
    if (where === null) return null;
    const place = this.#placeOf(where.source);
    if (place >= 0 && this.inSourceScope !== null) {
      const file = this.#placeFiles[place];
      if (isAbsolute(file) && !this.inSourceScope(file)) return null;
    }
    return { line: where.line, column: where.column, place, source: where.source };
  }

  /**
   * A function's text as its row keeps it (#rowTexts): the lines of its source from its place's
   * line to the line of its last character, and their hash; unknown where its end is in another
   * source or the source's text is not at hand (a map without the sources' texts).
   */
  #keepText(line: number, source: string | null, end: number): void {
    const last = this.#pos.locate(end);
    let lines = this.#sourceLines.get(source);
    if (lines === undefined) {
      const text = this.#pos.sourceText(source);
      // Lines as an editor counts them; a text with U+2028/U+2029 counts more of them in
      // JavaScript (the rows' lines), so its lines cannot be matched.
      lines = text === null || /[\u2028\u2029]/.test(text) ? null : lineHashes(text);
      this.#sourceLines.set(source, lines);
    }
    const span = last === null || last.source !== source ? -1 : last.line - line;
    const hash = lines === null || span < 0 ? 0 : spanHash(lines, line - 1, span);
    if (hash !== 0) this.#textsKnown = true;
    this.#rowTexts.push(hash === 0 ? -1 : span, hash);
  }

  #function(fn: Node, naming: Naming): void {
    if (fn.id) this.#declared.add(fn.id.name);
    const paramNames: string[] = [];
    for (const p of fn.params) {
      for (const n of patternNames(p)) {
        this.#declared.add(n);
        paramNames.push(n);
      }
      this.walk(p, null);
    }
    const body = fn.body;
    if (!body) return; // overload signature, `declare`, abstract
    if (this.leave !== null && this.leave.test(naming.name)) return this.#plain(body);
    if (body.type === "BlockStatement" && clashesInBlock(body.body, paramNames)) {
      return this.#plain(body);
    }
    const k = this.#rows.length;
    const where = this.#written(naming.at ?? fn.start);
    if (where === null) return this.#plain(body);
    const { line, column, place } = where;
    this.#keepText(line, where.source, fn.end - 1);
    const params = collectParams(
      fn.params,
      this.originalNames ? (id: Node) => this.#nameOf(id) : undefined,
    );
    const anonymous = naming.name === ANONYMOUS;
    const fullQual = anonymous ? this.#placeName(naming) : naming.qualname ?? naming.name;
    const shortName = anonymous
      ? fullQual.slice(fullQual.lastIndexOf(" › ") + 1).replace(/^› /, "")
      : naming.name;
    let flags = 0;
    if (fn.async) flags |= FLAG_ASYNC;
    if (fn.generator) flags |= FLAG_GENERATOR;
    if (naming.static) flags |= FLAG_STATIC;
    const test = this.#tests.get(fn);
    if (test !== undefined) flags |= test.flags;
    this.#rowPlaces.push(place);
    this.#rows.push(
      test?.name == null
        ? [fullQual, naming.kind, line, column, flags, params.names.join(",")]
        : [fullQual, naming.kind, line, column, flags, params.names.join(","), test.name],
    );
    const adopts = Boolean(fn.async) && !fn.generator;
    const closer = closerOf(fn, test !== undefined, this.guardAwaits);
    this.functions.push({
      id: `${line}:${column}`,
      name: shortName,
      qualname: fullQual,
      kind: naming.kind,
      async: Boolean(fn.async),
      generator: Boolean(fn.generator),
      static: naming.static,
      file: this.#fileOf(place),
      line,
      column,
      params: params.names,
    });
    const prologue = this.#prologue(k, params.idents, this.guardAwaits && Boolean(fn.async));
    const outer = this.#scope;
    const s = this.#s;
    if (body.type !== "BlockStatement") {
      // Expression-bodied arrow: becomes a block that returns the recorded value.
      s.appendRight(body.start, `{${prologue}return ${invokeOpen(adopts ? "ra" : "r")}`);
      this.#scope = scopeOf(fn, false, 0, k);
      this.#enclosing.push(fullQual);
      this.walk(body, null);
      this.#enclosing.pop();
      this.#scope = outer;
      s.appendLeft(body.end, `)${closer}}`);
      return;
    }
    const stmts = body.body as Node[];
    let open = body.start + 1;
    let i = 0;
    while (i < stmts.length && stmts[i].type === "ExpressionStatement" && stmts[i].directive) {
      open = stmts[i++].end;
    }
    if (naming.derived) {
      // Code before super() may not touch `this`, and TypeScript parameter properties are
      // assigned right after it: start recording after the top-level super() call.
      const sup = stmts.find((st) =>
        st.type === "ExpressionStatement" && st.expression.type === "CallExpression" &&
        st.expression.callee.type === "Super"
      );
      if (sup) open = sup.end;
    }
    const close = body.end - 1;
    s.appendRight(open, prologue);
    this.#scope = scopeOf(fn, Boolean(fn.generator), open, k);
    this.#enclosing.push(fullQual);
    this.#statements(stmts);
    this.#enclosing.pop();
    this.#scope = outer;
    // Closers go in after the body's own (post-order, appended): inner ones come first at a
    // shared offset. An empty body has opener and closer at one offset, both after it.
    if (open === close) s.appendRight(open, closer);
    else s.appendLeft(close, closer);
  }

  /** Walk a body left unrecorded: its returns and awaits are its own, its inner functions not. */
  #plain(body: Node): void {
    const outer = this.#scope;
    this.#scope = null;
    this.walk(body, null);
    this.#scope = outer;
  }

  /** Walk a statement list; after a `for await` loop the call takes the stack again. */
  #statements(list: Node[]): void {
    for (const st of list) {
      this.walk(st, null);
      if (this.#awaitsLoop(st)) this.#s.appendLeft(st.end, `;${invoke("w")};`);
    }
  }

  /**
   * Walk a statement in a place that holds one (the body of an `if`, a loop, a `with`): a
   * `for await` loop there becomes a block, to make room for the take-back after it.
   */
  #nested(st: Node): void {
    const wrap = this.#awaitsLoop(st);
    if (wrap) this.#s.appendRight(st.start, "{");
    this.walk(st, null);
    if (wrap) this.#s.appendLeft(st.end, `;${invoke("w")};}`);
  }

  /** A `for await` loop (labels and all) of a recorded async function. */
  #awaitsLoop(st: Node): boolean {
    let loop = st;
    while (loop.type === "LabeledStatement") loop = loop.body;
    return loop.type === "ForOfStatement" && loop.await && Boolean(this.#scope?.async);
  }

  /**
   * Rewrite a call site whose callee is outside the traced code to record the call. `caller` is
   * the row of the recorded function the call is in: the site names its own row relative to it,
   * and the recorder finds the table through the caller's call (`__tph.k(c, d, f)`).
   */
  #external(call: Node, caller: number): void {
    const callee = call.callee;
    let name: string, module: string, object: Node | null = null;
    if (callee.type === "Identifier") {
      name = callee.name;
      const pkg = this.#packageBindings.get(name);
      if (pkg !== undefined) module = pkg;
      else if (GLOBAL_FUNCTIONS.has(name) && !this.#declared.has(name)) module = "global";
      else return;
    } else if (
      (callee.type === "MemberExpression" || callee.type === "StaticMemberExpression") &&
      !callee.computed && !callee.optional && callee.object.type === "Identifier" &&
      callee.property.type === "Identifier"
    ) {
      object = callee.object;
      const ns = callee.object.name;
      name = `${ns}.${callee.property.name}`;
      const pkg = this.#packageBindings.get(ns);
      if (pkg !== undefined) module = pkg;
      else if (GLOBAL_NAMESPACES.has(ns) && !this.#declared.has(ns)) module = "global";
      else return;
    } else return;
    const where = this.#pos.locate(call.start);
    if (where === null) return;
    const d = this.#rows.length - caller;
    // Shown by the names as written (a minified `n.replace` as `text.replace`); `name` stays
    // what the code calls.
    const shown = !this.originalNames
      ? name
      : object === null
      ? this.#nameOf(callee)
      : `${this.#nameOf(object)}.${callee.property.name}`;
    this.#rowPlaces.push(this.#placeOf(where.source));
    this.#rowTexts.push(-1, 0);
    // For external rows the last field names the package instead of parameters; the method key
    // of `ns.key(…)` is the name's part after the dot.
    this.#rows.push([shown, "external", where.line, where.column, 0, module]);
    const s = this.#s;
    const args = call.arguments as Node[];
    const none = args.length === 0;
    // No function of tph's stands between the caller and the callee, so the runtime reports an
    // error the callee throws as it would without tph: the site says when the callee is known
    // (k), hands each argument on (ka; kl for the last, when the call starts), and closes the
    // call with its result (kx). A throw leaves it to the caller's catch or exit (t, kc, x).
    // kx's opener is the innermost at the call's start (after a return's or await's own), the
    // markers the outermost around each argument (before an await's), and the closers mirror them.
    s.appendRight(call.start, invokeOpen("kx"));
    // The callee text stays in call position, so `this` and error messages are unchanged when
    // nothing records; only the recording branch goes through k/km. A called name stays the
    // callee itself (k runs before, in a sequence): V8 places a call at its callee's name, but a
    // parenthesized callee's call at its `(`, which a stack would show further right.
    if (object === null) {
      s.appendRight(callee.start, `(${NOT_RECORDED}||${invoke(none ? "k0" : "k", d, name)},`);
      s.prependLeft(call.end, ")");
    } else {
      s.appendRight(object.start, `(${NOT_RECORDED}?`);
      s.prependLeft(object.end, `:${invoke(none ? "km0" : "km", d, object.name)})`);
    }
    for (let i = 0; i < args.length; i++) {
      const last = i === args.length - 1;
      const arg = args[i];
      const spread = arg.type === "SpreadElement";
      const value = spread ? arg.argument : arg;
      const marker: RecorderMethod = spread ? (last ? "ksl" : "ks") : (last ? "kl" : "ka");
      s.prependRight(value.start, invokeOpen(marker));
      s.appendLeft(value.end, ")");
    }
    s.prependLeft(call.end, ")");
  }

  #prologue(k: number, idents: string[], async: boolean): string {
    return prologue(this.#hash, k, idents, async);
  }

  #return(node: Node): void {
    const arg = node.argument;
    const scope = this.#scope;
    const record = arg && scope && node.start >= scope.recordFrom;
    // The leading space: minified `return{…}` must not become `return__tph.r(…)`; a sequence
    // `return a, b` is one argument.
    const seq = record && arg.type === "SequenceExpression";
    // An async generator awaits the value it returns before its finally blocks run: the stack is
    // handed back first, as at an await (else the calls made meanwhile would be its children).
    const awaits = record && scope.async && scope.generator;
    // An async function's promise adopts a promise it returns: `ra` follows it to its end.
    const hand: RecorderMethod = record && scope.async && !scope.generator ? "ra" : "r";
    if (record) {
      this.#s.appendRight(
        arg.start,
        ` ${awaits ? invokeOpen("s") : ""}${invokeOpen(hand)}${seq ? "(" : ""}`,
      );
    }
    if (arg) this.walk(arg, null);
    if (record) this.#s.appendLeft(arg.end, (seq ? "))" : ")") + (awaits ? ")" : ""));
  }

  /**
   * A try statement with a finally block: catch and finally resume the call (#wakeAt), which owns
   * the stack in its finally block (#finally). Returns whether it walked the statement itself: in
   * an async function, to know the finally blocks a `break`/`continue` leaves (#jump).
   */
  #try(node: Node): boolean {
    this.#wakeAt(node.finalizer);
    this.#finally(node.finalizer);
    const finallies = this.#scope?.finallies;
    if (!finallies) return false;
    this.walk(node.block, null);
    this.walk(node.handler, null);
    finallies.push(node.finalizer);
    this.walk(node.finalizer, null);
    finallies.pop();
    return true;
  }

  /**
   * A `break`/`continue` out of a finally block of an async function cancels a `return` that the
   * block ran for: the promise that `return` handed over is not the function's (`rc`). Jumps that
   * stay inside the block, and jumps in blocks of functions of other kinds, are left as they are.
   */
  #jump(node: Node): void {
    const scope = this.#scope;
    const finallies = scope?.finallies;
    if (!scope || !finallies || finallies.length === 0 || node.start < scope.recordFrom) return;
    const target = jumpTarget(node, scope.jumps!);
    if (target === null || target.start >= finallies[finallies.length - 1].start) return;
    this.#s.appendRight(node.start, `{${invoke("rc")};`);
    this.#s.appendLeft(node.end, "}");
  }

  /**
   * `await x` / `yield x`: hand the stack back before suspending, take it again on resume.
   * `yield* x` keeps it: the delegate runs on this call's behalf, step by step (see yd/ya).
   */
  #suspend(node: Node, needs: "async" | "generator"): void {
    const scope = this.#scope;
    const arg = node.argument;
    const record = scope && scope[needs];
    const s = this.#s;
    // An await: see AWAIT_CLOSE.
    const awaits = record && this.guardAwaits && node.type === "AwaitExpression";
    if (record) {
      s.appendRight(node.start, ` ${invokeOpen("w")}`);
      const hand: RecorderMethod = !node.delegate ? "s" : scope.async ? "ya" : "yd";
      if (awaits) s.appendRight(arg.start, ` ${AWAIT_OPEN}`);
      else if (arg) s.appendRight(arg.start, ` ${invokeOpen(hand)}`);
    }
    if (arg) this.walk(arg, null);
    if (awaits) s.appendLeft(node.end, AWAIT_CLOSE);
    else if (record) {
      // A bare `yield` ends its statement where the next line starts with `(`, `[`, a template…
      // (automatic semicolon insertion): the call that now wraps it would not, so it gets the
      // semicolon the engine would have put there.
      const end = arg ? "))" : ` ${invoke("s")})${this.#endsStatement(node.end) ? ";" : ""}`;
      s.appendLeft(node.end, end);
    }
  }

  /**
   * Whether a bare `yield` that ends at `at` is followed, on a later line, by a token that
   * cannot continue it (so the engine ends the statement there).
   */
  #endsStatement(at: number): boolean {
    const src = this.#src;
    let newline = false;
    for (let i = at; i < src.length;) {
      const ch = src.charCodeAt(i);
      if (ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029) {
        newline = true;
        i++;
      } else if (ch === 32 || ch === 9 || ch === 11 || ch === 12 || ch === 0xa0 || ch === 0xfeff) {
        i++;
      } else if (ch === 47 && src.charCodeAt(i + 1) === 47) {
        while (i < src.length && !/[\n\r\u2028\u2029]/.test(src[i])) i++;
      } else if (ch === 47 && src.charCodeAt(i + 1) === 42) {
        const close = src.indexOf("*/", i + 2);
        if (close < 0) return false;
        if (/[\n\r\u2028\u2029]/.test(src.slice(i, close))) newline = true;
        i = close + 2;
      } else return newline && !",)]};:".includes(src[i]);
    }
    return false;
  }

  /**
   * A catch clause of a recorded function closes the external calls of the call that the error
   * left open, with the error (`kc`); a clause without a binding gets one, and one with a
   * destructuring pattern closes them without it (`ku`).
   */
  #caught(clause: Node): void {
    const scope = this.#scope;
    if (!this.externals || !scope || clause.body.start < scope.recordFrom) return;
    const param = clause.param;
    let error = ERROR_PARAM;
    if (param === null || param === undefined) {
      this.#s.appendRight(clause.body.start, `(${ERROR_PARAM})`);
    } else if (param.type === "Identifier") error = param.name;
    else {
      // A destructuring pattern: the error itself has no name here.
      this.#s.appendRight(clause.body.start + 1, `${invoke("ku")};`);
      return;
    }
    this.#s.appendRight(clause.body.start + 1, `${invoke("kc", error)};`);
  }

  /** A finally block runs as its function's call: an external call left open no longer owns it. */
  #finally(block: Node): void {
    const scope = this.#scope;
    if (this.externals && scope && block.start >= scope.recordFrom) {
      this.#s.appendRight(block.start + 1, `${invoke("kf")};`);
    }
  }

  /** After a rejected `await` or a `throw()` into a generator, catch/finally resume the call. */
  #wakeAt(block: Node, name: string | null = null, caught = false): void {
    const scope = this.#scope;
    if (scope && (scope.async || scope.generator) && block.start >= scope.recordFrom) {
      // A catch of an async function may first have to make an await (see awaitInCatch).
      const wait = caught && scope.async && this.guardAwaits ? awaitInCatch(name) : "";
      this.#s.appendRight(block.start + 1, `${wait}${invoke("w")};`);
    }
  }

  #forAwait(node: Node): void {
    const scope = this.#scope;
    const s = this.#s;
    const record = scope && scope.async;
    const block = node.body.type === "BlockStatement";
    if (record) {
      // The loop's implicit awaits: fa() wraps the iterator so the stack is handed back before
      // each one, and the body (and the code after the loop) take it again.
      s.appendRight(node.right.start, ` ${invokeOpen("fa")}`);
      if (block) s.appendRight(node.body.start + 1, `${invoke("w")};`);
      else s.appendRight(node.body.start, `{${invoke("w")};`);
    }
    this.walk(node.left, null);
    this.walk(node.right, null);
    if (record) s.appendLeft(node.right.end, ")");
    this.#nested(node.body);
    if (record && !block) s.appendLeft(node.body.end, "}");
  }
}

/** A file URL as a path; anything else as it is. */
function asPath(fileOrUrl: string): string {
  if (!fileOrUrl.startsWith("file:")) return fileOrUrl;
  try {
    return fileURLToPath(fileOrUrl);
  } catch {
    return fileOrUrl;
  }
}

/**
 * Whether a function a map places in a source is traced: its source is in the scope; or the file
 * that holds it is, and the source is neither excluded nor in a `node_modules` the file is not in
 * (a bundle's copy of a package).
 *
 * @param scope The run's scope.
 * @param filename The compiled file.
 */
function sourceScope(scope: ScopeOptions, filename: string): (path: string) => boolean {
  const file = asPath(filename);
  const fileIn = makeScope(scope)(file);
  const fileInPackages = /(?:^|\/)node_modules\//.test(file);
  return (path) => {
    const out = outOfScope(path, scope);
    if (out === null) return true;
    if (!fileIn || out.kind === "excluded") return false;
    return out.kind !== "node_modules" && !(fileInPackages === false &&
      /(?:^|\/)node_modules\//.test(path));
  };
}
