// Positions in the CommonJS modules tph runs itself on Bun (bun.ts, runCommonJS), made those
// Bun's own loader reports.
//
// Bun's loader runs its transpiler's output and reports a position through that output's source
// map: JavaScriptCore's position (a call at its `(`, a member at its `.`) becomes the start of the
// last mapped expression at or before it, in the file as written: a call at its callee's last
// name, a failed member access at its object. Code given to Module.prototype._compile has no such
// map: JavaScriptCore's positions come as they are, line 1's shifted by the function Bun wraps the
// code in. The column table (_columns.ts) takes a position back to the source; then it goes to
// the last place there that Bun's map would have (the start of any node that is no type), as
// Bun's lookup does.

import * as nodeModule from "node:module";
import { oxc } from "../../deps.ts";
import { CHILD_KEYS, parseSource, TS_WITH_VALUES } from "../instrument/_parse.ts";
import { patternNames } from "../instrument/_externals.ts";
import { lineStarts } from "../instrument/_positions.ts";
import type { Lang } from "../../project/languages.ts";
import type { Node } from "../instrument/_names.ts";
import { Array, Error, Int32Array, Set } from "../../platform/globals.ts";
import { withStackTraceLimit } from "../../platform/intrinsics.ts";

/**
 * The places Bun's source map would have: per line (0-based), pairs of (0-based column, the
 * 0-based column reported for a position from there on), columns ascending.
 */
export type MappedStarts = (Int32Array | undefined)[];

/** What a walk's visit says of a node: walk its children, or not, or stop (the code rejected). */
const WALK = 0, DONE = 1, REJECT = 2;

/**
 * Walk an AST depth first on a stack of its own (a deeply nested expression overflows nothing):
 * `visit` is given each node that has a type (and the stack, for nodes of its own to come next);
 * then the node's children by `keys`, unless it said DONE. REJECT ends the walk: false.
 */
function walkNodes(
  root: Node,
  keys: Record<string, readonly string[]>,
  visit: (node: Node, type: string, stack: Node[]) => number,
): boolean {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (const child of node) if (child !== null && typeof child === "object") stack.push(child);
      continue;
    }
    const type = node.type;
    if (typeof type !== "string") continue;
    const done = visit(node, type, stack);
    if (done === REJECT) return false;
    if (done === DONE) continue;
    const children = keys[type];
    if (children === undefined) continue;
    for (const key of children) {
      const child = node[key];
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return true;
}

/**
 * Where in `source` Bun's loader can report a position: each node's start, type syntax left out.
 *
 * @param source The module as written.
 * @param lang Its language.
 * @param filename For the parser.
 * @returns Per line, the columns; null when it does not parse.
 * @throws What the parser throws.
 */
export function mappedStarts(source: string, lang: Lang, filename: string): MappedStarts | null {
  // Not caught: a failure of the parser itself (say, out of stack while a stack overflow is
  // reported) is the caller's to retry later.
  const result = parseSource(filename, source, lang, "unambiguous");
  if (result.errors.length > 0) return null;
  const program = result.program as unknown as Node;
  // Per offset, 1 + the offset reported for a position there (0: none).
  const marks = new Int32Array(source.length + 1);
  const quasis = new Set<Node>();
  const declared = declaredNames(program);
  walkNodes(program, CHILD_KEYS, (node, type) => {
    // Types are gone from what Bun runs: nothing there is ever reported.
    if (type.startsWith("TS") && !TS_WITH_VALUES.has(type)) return DONE;
    // A template's text is no expression of its own; a tag's template is printed as part of the
    // tagged expression (checked with bun 1.4.5).
    if (typeof node.start === "number" && type !== "TemplateElement" && !quasis.has(node)) {
      if (marks[node.start] === 0) marks[node.start] = node.start + 1;
    }
    if (type === "TaggedTemplateExpression" && node.quasi) quasis.add(node.quasi);
    // Bun prints `new Error(…)` (the global one) as `Error(…)`, which does the same: what starts
    // at `new` is reported at the name (the call sites of such a frame).
    if (
      type === "NewExpression" && node.callee?.type === "Identifier" &&
      NEW_DROPPED.has(node.callee.name) && !declared.has(node.callee.name)
    ) marks[node.start] = node.callee.start + 1;
    return WALK;
  });
  const starts = lineStarts(source);
  const lines: MappedStarts = [];
  for (let line = 0; line < starts.length; line++) {
    const from = starts[line], to = line + 1 < starts.length ? starts[line + 1] : source.length;
    let n = 0;
    for (let at = from; at < to; at++) if (marks[at] !== 0) n++;
    if (n === 0) continue;
    const pairs = new Int32Array(2 * n);
    for (let at = from, k = 0; at < to; at++) {
      if (marks[at] === 0) continue;
      const target = marks[at] - 1;
      pairs[k++] = at - from;
      // Reported on the same line only (a name on the next line than its `new`: as it is).
      pairs[k++] = target < to ? target - from : at - from;
    }
    lines[line] = pairs;
  }
  return lines;
}

/** Constructors whose `new` Bun's transpiler leaves out (checked with bun 1.4.5). */
const NEW_DROPPED = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "Object",
  "Function",
]);

/** Every name a declaration in the program binds (a global's name bound nowhere is the global). */
function declaredNames(program: Node): Set<string> {
  const names = new Set<string>();
  // A declaration's patterns are walked as nodes of their own, on the walk's stack.
  let stack: Node[] = [];
  const bind = (pattern: Node | null | undefined): void => {
    if (pattern !== null && typeof pattern === "object") stack.push({ type: "#binding", pattern });
  };
  walkNodes(program, CHILD_KEYS, (node, type, walking) => {
    if (type === "#binding") {
      for (const name of patternNames(node.pattern)) names.add(name);
      return DONE;
    }
    stack = walking;
    switch (type) {
      case "VariableDeclarator":
        bind(node.id);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (node.id) bind(node.id);
        for (const p of node.params ?? []) bind(p);
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        if (node.id) bind(node.id);
        break;
      case "CatchClause":
        bind(node.param);
        break;
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
        bind(node.local);
        break;
    }
    return WALK;
  });
  return names;
}

/**
 * The column Bun's loader reports for a position in the source: the last mapped place at or
 * before it on its line.
 *
 * @param starts The module's mapped places.
 * @param line 1-based line.
 * @param column 1-based column in the source.
 * @returns 1-based column.
 */
export function snapColumn(starts: MappedStarts, line: number, column: number): number {
  const pairs = starts[line - 1];
  if (pairs === undefined) return column;
  const at = column - 1;
  let lo = 0, hi = (pairs.length >> 1) - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid] <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? column : pairs[2 * found + 1] + 1;
}

// deno-lint-ignore no-explicit-any
const E = Error as any;
// Taken before the program runs, which may replace it.
const captureStackTrace = E.captureStackTrace as (target: object, fn: unknown) => void;

/** The call sites of the frames below `fn` (at most `count`), with Bun's own prepareStackTrace. */
function sitesBelow(fn: unknown, count: number): { [name: string]: () => unknown }[] {
  const holder: { stack?: unknown } = {};
  const prepare = E.prepareStackTrace;
  try {
    E.prepareStackTrace = (_: unknown, sites: unknown) => sites;
    const capture = () => captureStackTrace(holder, fn);
    withStackTraceLimit(count, capture, capture);
  } finally {
    E.prepareStackTrace = prepare;
  }
  return Array.isArray(holder.stack) ? holder.stack : [];
}

/** The file of the function that calls this one, as Bun's call sites name it. */
export function callerFile(): string | null {
  const file = sitesBelow(callerFile, 1)[0]?.getFileName();
  return typeof file === "string" && file !== "" ? file : null;
}

/**
 * Whether the module Bun's loader is loading through `callback` (a plugin's onLoad, the caller of
 * the caller of this) is imported: a require() calls it from Bun's native require function; an
 * import from no frame, or from the frame of an `import()`.
 */
export function loadedByImport(callback: unknown): boolean {
  const below = sitesBelow(callback, 1)[0];
  return below === undefined || below.isNative?.() !== true;
}

let wrapperWidth: number | null = null;

/**
 * How far right Bun's Module.prototype._compile moves line 1 (the start of the function it wraps
 * the code in), measured once: a call reported on line 1 and the same on line 2.
 */
export function compileShift(): number {
  if (wrapperWidth !== null) return wrapperWidth;
  wrapperWidth = 0;
  // deno-lint-ignore no-explicit-any
  const Module = nodeModule.Module as any;
  const name = "/tph-compile-probe.cjs";
  const m = new Module(name, null);
  m.filename = name;
  const at = (): unknown => sitesBelow(at, 1)[0]?.getColumnNumber();
  m.exports.at = at;
  try {
    m._compile("exports.a = exports.at();\nexports.b = exports.at();", name);
    const { a, b } = m.exports;
    if (typeof a === "number" && typeof b === "number" && a >= b) wrapperWidth = a - b;
  } catch {
    // Taken as none.
  }
  return wrapperWidth;
}

/** Class member modifiers that only TypeScript has: they go, and the member stays. */
const TS_MODIFIERS = new Set([
  "public",
  "private",
  "protected",
  "readonly",
  "override",
  "abstract",
]);

/**
 * TypeScript made JavaScript by putting spaces where its types were, every other character kept in
 * place: positions in it are positions in the TypeScript. Null when the code has syntax that
 * needs more than that (an enum, a namespace, a parameter property, a decorator,
 * `import x = require()`, `export =`, JSX): Bun's transpiler must make its JavaScript.
 *
 * @param code TypeScript (tph's instrumented code of a module).
 * @param filename For the parser.
 * @returns The JavaScript, or null.
 */
export function blankTypes(code: string, filename: string): string | null {
  let program: Node;
  let keys: Record<string, readonly string[]>;
  try {
    const parser = oxc();
    keys = parser.visitorKeys;
    const result = parser.parseSync(filename, code, {
      lang: "ts",
      sourceType: "unambiguous",
      astType: "ts",
      preserveParens: true,
    });
    if (result.errors.length > 0) return null;
    program = result.program as unknown as Node;
  } catch {
    return null;
  }
  const b = new Blanks(code);
  const walked = walkNodes(
    program,
    keys,
    (node, type, stack) => blankNode(node, type, b, stack, keys),
  );
  return walked ? b.spaced() : null;
}

/** Where the types are in a module's code, and the code with them blanked. */
class Blanks {
  /** [start, end) pairs. */
  readonly #spans: number[] = [];

  readonly code: string;
  constructor(code: string) {
    this.code = code;
  }

  blank(start: number, end: number): void {
    if (end > start) this.#spans.push(start, end);
  }

  /** Blank the words of `words` in code[from, to) (modifiers before a class member's key). */
  words(from: number, to: number, words: Set<string>): void {
    const re = /[A-Za-z]+/g;
    re.lastIndex = from;
    for (let m = re.exec(this.code); m !== null && m.index < to; m = re.exec(this.code)) {
      if (words.has(m[0])) this.blank(m.index, m.index + m[0].length);
    }
  }

  /** Blank the first `ch` in code[from, to). */
  char(from: number, to: number, ch: string): void {
    const at = this.code.indexOf(ch, from);
    if (at >= 0 && at < to) this.blank(at, at + 1);
  }

  /** Spaces in place of everything blanked but line breaks, which keep lines where they are. */
  spaced(): string {
    const blanks = this.#spans, code = this.code;
    if (blanks.length === 0) return code;
    const chars = code.split("");
    for (let i = 0; i < blanks.length; i += 2) {
      for (let at = blanks[i]; at < blanks[i + 1]; at++) {
        const c = chars[at];
        if (c !== "\n" && c !== "\r" && c !== "\u2028" && c !== "\u2029") chars[at] = " ";
      }
    }
    return chars.join("");
  }
}

/**
 * Blank what TypeScript alone has in one node (blankTypes): WALK when its children are to be
 * walked, DONE when they are not (the node is blanked whole, or its children are on the stack
 * already), REJECT for syntax that needs more than blanks.
 */
function blankNode(
  node: Node,
  type: string,
  b: Blanks,
  stack: Node[],
  keys: Record<string, readonly string[]>,
): number {
  if (Array.isArray(node.decorators) && node.decorators.length > 0) return REJECT;
  switch (type) {
    case "TSTypeAnnotation":
    case "TSTypeParameterDeclaration":
    case "TSTypeParameterInstantiation":
    case "TSInterfaceDeclaration":
    case "TSTypeAliasDeclaration":
    case "TSDeclareFunction":
    case "TSIndexSignature":
    case "TSAbstractMethodDefinition":
    case "TSAbstractPropertyDefinition":
    case "TSAbstractAccessorProperty":
      b.blank(node.start, node.end);
      return DONE;
    case "TSEnumDeclaration":
    case "TSModuleDeclaration":
      if (!node.declare) return REJECT;
      b.blank(node.start, node.end);
      return DONE;
    case "TSParameterProperty":
    case "TSImportEqualsDeclaration":
    case "TSExportAssignment":
    case "JSXElement":
    case "JSXFragment":
      return REJECT;
    case "TSAsExpression":
    case "TSSatisfiesExpression":
      b.blank(node.expression.end, node.end);
      stack.push(node.expression);
      return DONE;
    case "TSNonNullExpression":
      b.blank(node.end - 1, node.end);
      stack.push(node.expression);
      return DONE;
    case "TSTypeAssertion":
      b.blank(node.start, node.expression.start);
      stack.push(node.expression);
      return DONE;
    case "ImportDeclaration":
    case "ExportNamedDeclaration":
    case "ExportAllDeclaration":
      if (node.importKind === "type" || node.exportKind === "type") {
        b.blank(node.start, node.end);
        return DONE;
      }
      return WALK;
    case "ClassDeclaration":
    case "ClassExpression":
      return blankClass(node, b);
    case "MethodDefinition":
    case "PropertyDefinition":
    case "AccessorProperty":
      return blankMember(node, b);
    case "VariableDeclarator":
      if (node.definite && node.id?.type === "Identifier") {
        b.char(node.id.start + node.id.name.length, node.id.end, "!");
      }
      return WALK;
    case "Identifier":
      if (node.optional) b.char(node.start + node.name.length, node.end, "?");
      return WALK;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression": {
      const first = node.params?.[0];
      if (first?.type === "Identifier" && first.name === "this") {
        // `this: T` is no parameter: it goes with the comma after it.
        const next = node.params[1];
        b.blank(first.start, next !== undefined ? next.start : first.end);
        stack.push(node.params.slice(1));
        for (const key of keys[type] ?? []) {
          if (key !== "params" && node[key] !== null && typeof node[key] === "object") {
            stack.push(node[key]);
          }
        }
        return DONE;
      }
      return WALK;
    }
  }
  return WALK;
}

/** A class's TypeScript (see blankNode): all of a declared one, `abstract`, `implements …`. */
function blankClass(node: Node, b: Blanks): number {
  if (node.declare) {
    b.blank(node.start, node.end);
    return DONE;
  }
  if (node.abstract) b.words(node.start, node.body.start, new Set(["abstract"]));
  if (Array.isArray(node.implements) && node.implements.length > 0) {
    const first = node.implements[0];
    const kw = b.code.lastIndexOf("implements", first.start);
    b.blank(kw >= node.start ? kw : first.start, node.implements.at(-1).end);
  }
  return WALK;
}

/**
 * A class member's TypeScript (see blankNode): all of a declared or bodiless one, its modifiers,
 * its `?` and `!`.
 */
function blankMember(node: Node, b: Blanks): number {
  if (node.declare || node.value?.type === "TSEmptyBodyFunctionExpression") {
    b.blank(node.start, node.end);
    return DONE;
  }
  if (node.accessibility || node.readonly || node.override) {
    b.words(node.start, node.key.start, TS_MODIFIERS);
  }
  if (node.optional) b.char(node.key.end, node.end, "?");
  if (node.definite) b.char(node.key.end, node.end, "!");
  return WALK;
}
