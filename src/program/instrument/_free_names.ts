// Whether a file without module syntax uses CommonJS's own names (module, exports, require,
// __filename, __dirname) as free names: how Bun tells a CommonJS file from a plain script, which it
// runs as an ES module (strict). The words in a comment, a string, a property's name, or a name the
// file declares itself do not count; `typeof module` does. Nor does what Bun's transpiler drops as
// code whose value is unused and that has no effect (`typeof module;`, `if (typeof exports) {}`,
// `void module;`): checked with bun 1.4.5.

import type { Node } from "./_names.ts";
import { CHILD_KEYS, FUNCTION_TYPES, TS_WITH_VALUES, VISITOR_KEYS } from "./_parse.ts";
import { Array, RegExp, Set } from "../../platform/globals.ts";

/** CommonJS's names, as words anywhere in a text: the quick test before the walk. */
const CJS_WORD = new RegExp("\\b(?:module|exports|require|__filename|__dirname)\\b");
const NAMES = new Set(["module", "exports", "require", "__filename", "__dirname"]);
type Scopes = Set<string>[];

/**
 * Whether a source without module syntax uses a CommonJS name as a free name.
 *
 * @param parsed oxc's result: its program (ESTree) and module information.
 * @param source The text, for the quick test.
 */
export function usesCommonJSNames(parsed: Node, source: string): boolean {
  if (parsed.module.hasModuleSyntax || !CJS_WORD.test(source)) return false;
  const program = parsed.program;
  const top = new Set<string>();
  hoisted(program.body, top);
  const lex = new Set<string>();
  lexical(program.body, lex);
  // A top-level `var module` or `var exports` is CommonJS's own to Bun: `module.exports` and
  // `exports.x` still count (a bare `module` does not).
  topVars = null;
  if (top.has("module") && !lex.has("module")) (topVars ??= new Set()).add("module");
  if (top.has("exports") && !lex.has("exports")) (topVars ??= new Set()).add("exports");
  lexical(program.body, top);
  topScope = top;
  return refs(program.body, top.size > 0 ? [top] : []);
}

/** The top level's scope, and its names that only `var` declares (see usesCommonJSNames). */
let topScope: Set<string> | null = null;
let topVars: Set<string> | null = null;

/** The CommonJS names a binding pattern declares, into `out`. */
function bound(p: Node, out: Set<string>): void {
  if (p === null || typeof p !== "object") return;
  switch (p.type) {
    case "Identifier":
      if (NAMES.has(p.name)) out.add(p.name);
      return;
    case "ObjectPattern":
      for (const q of p.properties) bound(q.type === "RestElement" ? q.argument : q.value, out);
      return;
    case "ArrayPattern":
      for (const q of p.elements) bound(q, out);
      return;
    case "RestElement":
      return bound(p.argument, out);
    case "AssignmentPattern":
      return bound(p.left, out);
    case "TSParameterProperty":
      return bound(p.parameter, out);
  }
}

/** Names declared with `var` (and sloppy block functions) in statements, not in nested functions. */
function hoisted(n: Node, out: Set<string>): void {
  if (n === null || typeof n !== "object") return;
  if (Array.isArray(n)) {
    for (const m of n) hoisted(m, out);
    return;
  }
  if (typeof n.type !== "string" || FUNCTION_TYPES.has(n.type) || n.type.startsWith("Class")) {
    if (n.type === "FunctionDeclaration" && n.id) bound(n.id, out);
    return;
  }
  if (n.type === "VariableDeclaration" && n.kind === "var") {
    for (const d of n.declarations) bound(d.id, out);
  }
  if (n.type.endsWith("Expression")) return;
  for (const key of VISITOR_KEYS[n.type] ?? []) hoisted(n[key], out);
}

/** Names a block's own statements declare with let, const, class or function. */
function lexical(stmts: Node[], out: Set<string>): void {
  for (const st of stmts) {
    if (st.type === "VariableDeclaration" && st.kind !== "var") {
      for (const d of st.declarations) bound(d.id, out);
    } else if ((st.type === "ClassDeclaration" || st.type === "FunctionDeclaration") && st.id) {
      bound(st.id, out);
    }
  }
}

function declared(name: string, scopes: Scopes): boolean {
  return declaredAt(name, scopes) >= 0;
}

/** The innermost scope that declares `name`, or -1. */
function declaredAt(name: string, scopes: Scopes): number {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].has(name)) return i;
  return -1;
}

/** `scopes` with one more, when it declares any CommonJS name. */
function within(scopes: Scopes, names: Set<string>): Scopes {
  return names.size === 0 ? scopes : [...scopes, names];
}

/** Whether `n` (a node or an array of nodes, in a value's place) uses a free CommonJS name. */
function refs(n: Node, scopes: Scopes): boolean {
  if (n === null || typeof n !== "object") return false;
  if (Array.isArray(n)) {
    for (const m of n) if (refs(m, scopes)) return true;
    return false;
  }
  const type: string = n.type;
  if (typeof type !== "string") return false;
  switch (type) {
    case "Identifier":
      return NAMES.has(n.name) && !declared(n.name, scopes);
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return fn(n, scopes);
    case "MemberExpression":
      if (n.object.type === "Identifier" && topVars?.has(n.object.name)) {
        const at = declaredAt(n.object.name, scopes);
        if (at < 0 || scopes[at] === topScope) return true;
      }
      return refs(n.object, scopes) || (n.computed && refs(n.property, scopes));
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
    case "AccessorProperty":
      return (n.computed && refs(n.key, scopes)) || refs(n.decorators, scopes) ||
        refs(n.value, scopes);
    case "LabeledStatement":
      return refs(n.body, scopes);
    case "BreakStatement":
    case "ContinueStatement":
    case "MetaProperty":
      return false;
    case "ExpressionStatement":
      return !droppable(n.expression) && refs(n.expression, scopes);
    case "IfStatement":
      if (n.alternate === null && empty(n.consequent) && droppable(n.test)) return false;
      break;
    case "VariableDeclarator":
      return defaults(n.id, scopes) || refs(n.init, scopes);
    case "ClassDeclaration":
    case "ClassExpression": {
      const own = new Set<string>();
      if (type === "ClassExpression" && n.id) bound(n.id, own);
      return refs(n.decorators, scopes) || refs(n.superClass, scopes) ||
        refs(n.body, within(scopes, own));
    }
    case "CatchClause": {
      const own = new Set<string>();
      bound(n.param, own);
      const inner = within(scopes, own);
      return defaults(n.param, inner) || refs(n.body, inner);
    }
    case "Program":
    case "BlockStatement":
    case "StaticBlock":
    case "TSModuleBlock": {
      const own = new Set<string>();
      lexical(n.body, own);
      return refs(n.body, within(scopes, own));
    }
    case "SwitchStatement": {
      const own = new Set<string>();
      for (const c of n.cases) lexical(c.consequent, own);
      return refs(n.discriminant, scopes) || refs(n.cases, within(scopes, own));
    }
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement": {
      const head = type === "ForStatement" ? n.init : n.left;
      const own = new Set<string>();
      if (head?.type === "VariableDeclaration" && head.kind !== "var") {
        for (const d of head.declarations) bound(d.id, own);
      }
      const inner = within(scopes, own);
      return refs(head, inner) || refs(n.test, inner) || refs(n.update, inner) ||
        refs(n.right, inner) || refs(n.body, inner);
    }
    case "TSImportEqualsDeclaration":
      // `import fs = require("fs")`: TypeScript's CommonJS import.
      return n.moduleReference?.type === "TSExternalModuleReference";
  }
  if (type.startsWith("TS") && !TS_WITH_VALUES.has(type)) return false;
  for (const key of CHILD_KEYS[type] ?? []) if (refs(n[key], scopes)) return true;
  return false;
}

/**
 * Whether an expression whose value is unused is one Bun's transpiler drops before it counts the
 * names used: it has no effect, and names only `module` or `exports` bare or any name under typeof.
 */
function droppable(e: Node): boolean {
  switch (e.type) {
    case "Identifier":
      return e.name === "module" || e.name === "exports";
    case "Literal":
      return true;
    case "ParenthesizedExpression":
      return droppable(e.expression);
    case "UnaryExpression":
      return e.operator === "typeof" && e.argument.type === "Identifier" ||
        (e.operator === "void" || e.operator === "!") && droppable(e.argument);
    case "BinaryExpression":
      return EQUALITY.has(e.operator) && droppable(e.left) && droppable(e.right);
  }
  return false;
}

const EQUALITY = new Set(["===", "!==", "==", "!="]);

/** An empty statement or block. */
function empty(st: Node): boolean {
  return st.type === "EmptyStatement" || (st.type === "BlockStatement" && st.body.length === 0);
}

/** Whether a binding pattern's defaults or computed keys use a free CommonJS name. */
function defaults(p: Node, scopes: Scopes): boolean {
  if (p === null || typeof p !== "object") return false;
  switch (p.type) {
    case "ObjectPattern":
      for (const q of p.properties) {
        if (q.type === "RestElement") {
          if (defaults(q.argument, scopes)) return true;
        } else if ((q.computed && refs(q.key, scopes)) || defaults(q.value, scopes)) return true;
      }
      return false;
    case "ArrayPattern":
      for (const q of p.elements) if (defaults(q, scopes)) return true;
      return false;
    case "RestElement":
      return defaults(p.argument, scopes);
    case "AssignmentPattern":
      return defaults(p.left, scopes) || refs(p.right, scopes);
    case "TSParameterProperty":
      return refs(p.decorators, scopes) || defaults(p.parameter, scopes);
  }
  return refs(p.decorators, scopes);
}

/** A function: its own name (an expression's), parameters and body's declarations are its scope. */
function fn(f: Node, scopes: Scopes): boolean {
  const own = new Set<string>();
  if (f.type === "FunctionExpression" && f.id) bound(f.id, own);
  for (const p of f.params) bound(p, own);
  const body = f.body;
  if (body?.type === "BlockStatement") {
    hoisted(body.body, own);
    lexical(body.body, own);
  }
  const inner = within(scopes, own);
  for (const p of f.params) if (defaults(p, inner)) return true;
  if (body === null || body === undefined) return false;
  return body.type === "BlockStatement" ? refs(body.body, inner) : refs(body, inner);
}
