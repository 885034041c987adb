// A configured function name (`add`, `Cart.total`, `Cart.create`, `api.fetch`, `default`) found
// in a source file: how to reach it from the module's namespace, and its parameters as written
// (name, optional, default, destructured keys, type — from TypeScript or JSDoc).

import { closest } from "../../config/closest.ts";
import { type Found, type Modules, type Node, parseType, SourceModule } from "./source_module.ts";

/** One parameter as declared. */
export interface Param {
  /** How messages name it: `a`, `{ userId, name }`, `...rest`. */
  label: string;
  /** Its name, when it is a plain identifier. */
  name: string | null;
  /** Declared `?` (or `[name]` in JSDoc). */
  optional: boolean;
  /** `...rest`. */
  rest: boolean;
  /** Its default value's expression, or null. */
  default: Node | null;
  /** The keys of a destructured object parameter; null for other parameters. */
  keys: string[] | null;
  /** Whether the destructured object takes other keys too (`{ a, ...others }`). */
  restKeys: boolean;
  /** Its type (a TypeScript type node), or null when none is declared. */
  type: Node | null;
  /** The module its type names resolve in. */
  module: SourceModule;
  /** The type as written, for messages. */
  typeText: string | null;
}

/** A function the generated file can call. */
export interface Callable {
  /** As configured. */
  name: string;
  /** `function`: `ns<access>(…)`; `static`/`member`: `ns<access>.m(…)`; `method`: `new ns<access>(…).m(…)`. */
  kind: "function" | "static" | "member" | "method";
  /** The property path from the module's namespace: `.add`, `.Cart`, `.ops.greet`; "" for the
   * whole of a CommonJS `module.exports = fn`. */
  access: string;
  /** How the call reads for the user: `add`, `Cart` (its class for a default export). */
  display: string;
  /** The method, for all kinds but `function`. */
  member: string | null;
  params: Param[];
  /** The constructor's parameters, for `method`. */
  ctor: Param[];
  /** A note when the parameters cannot be seen (`export const f = wrap(g)`). */
  opaque: string | null;
  /** A generator function: the generated file iterates what it returns. */
  generator: boolean;
}

const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "TSDeclareFunction",
]);

/** The expression under parentheses, `as`, `satisfies` and `!`. */
function unwrap(n: Node): Node {
  while (
    n && (n.type === "ParenthesizedExpression" || n.type === "TSAsExpression" ||
      n.type === "TSSatisfiesExpression" || n.type === "TSNonNullExpression")
  ) n = n.expression;
  return n;
}

/** The function or class a declaration holds (a variable's initializer), or the node itself. */
function valueOf(node: Node): Node {
  return node.type === "VariableDeclarator" ? unwrap(node.init) : unwrap(node);
}

function keyName(p: Node): string | null {
  if (p.computed) return p.key.type === "Literal" ? String(p.key.value) : null;
  if (p.key.type === "Identifier") return p.key.name;
  if (p.key.type === "Literal") return String(p.key.value);
  return null;
}

/** A JSDoc type as TypeScript: `?T`, `T=`, `*`, `Array.<T>`, `Object.<K, V>`, `function(…)`. */
function jsdocAsTs(text: string): { ts: string; optional: boolean; rest: boolean } {
  let t = text.trim();
  let optional = false;
  let rest = false;
  if (t.endsWith("=")) {
    optional = true;
    t = t.slice(0, -1);
  }
  if (t.startsWith("...")) {
    rest = true;
    t = t.slice(3);
  }
  let nullable = false;
  if (t.startsWith("?")) {
    nullable = true;
    t = t.slice(1);
  } else if (t.startsWith("!")) t = t.slice(1);
  t = t.replace(/\bArray\.</g, "Array<").replace(/\bObject\.</g, "Record<")
    .replace(/\bfunction\s*\([^)]*\)(\s*:\s*[\w.]+)?/g, "Function")
    .replace(/^\*$/, "any").replace(/\bObject\b(?!\s*<)/g, "object");
  if (nullable) t = `(${t}) | null`;
  return { ts: t, optional, rest };
}

/** `@param` tags of a JSDoc comment: name → type text, optional, default, nested properties. */
interface DocParam {
  type: string | null;
  optional: boolean;
  rest: boolean;
  props: Map<string, { type: string; optional: boolean }>;
}

function docParams(doc: string): Map<string, DocParam> {
  const out = new Map<string, DocParam>();
  const tag = /@(?:param|arg|argument)\s+(?:\{((?:[^{}]|\{[^{}]*\})*)\}\s*)?(\[[^\]]*\]|[\w$.]+)/g;
  for (const m of doc.matchAll(tag)) {
    let name = m[2];
    let optional = false;
    if (name.startsWith("[")) {
      optional = true;
      name = name.slice(1, -1).split("=")[0].trim();
    }
    const type = m[1] === undefined ? null : jsdocAsTs(m[1]);
    const dot = name.indexOf(".");
    if (dot > 0) {
      const parent = out.get(name.slice(0, dot));
      if (parent && type) {
        parent.props.set(name.slice(dot + 1), {
          type: type.ts,
          optional: optional || type.optional,
        });
      }
      continue;
    }
    out.set(name, {
      type: type?.ts ?? null,
      optional: optional || (type?.optional ?? false),
      rest: type?.rest ?? false,
      props: new Map(),
    });
  }
  return out;
}

function docType(doc: DocParam | undefined): { node: Node | null; text: string | null } {
  if (doc === undefined) return { node: null, text: null };
  let text = doc.type;
  if (doc.props.size > 0 && (text === null || /^(object|any)$/i.test(text))) {
    text = `{ ${
      [...doc.props].map(([k, p]) => `${JSON.stringify(k)}${p.optional ? "?" : ""}: ${p.type}`)
        .join("; ")
    } }`;
  }
  return { node: text === null ? null : parseType(text), text };
}

/**
 * The parameters of a function node.
 *
 * @param fn The function (or overload signature).
 * @param module The module declaring it.
 * @param doc Its JSDoc comment (for JavaScript files), or null.
 */
export function paramsOf(fn: Node, module: SourceModule, doc: string | null): Param[] {
  const docs = doc !== null && module.lang === "js" ? docParams(doc) : new Map<string, DocParam>();
  const params: Param[] = [];
  fn.params.forEach((raw: Node, i: number) => {
    let p = raw.type === "TSParameterProperty" ? raw.parameter : raw;
    if (p.type === "Identifier" && p.name === "this" && i === 0) return;
    let def: Node | null = null;
    let rest = false;
    let annotation = p.typeAnnotation?.typeAnnotation ?? null;
    if (p.type === "RestElement") {
      rest = true;
      annotation = annotation ?? p.argument.typeAnnotation?.typeAnnotation ?? null;
      p = p.argument;
    }
    if (p.type === "AssignmentPattern") {
      def = p.right;
      annotation = annotation ?? p.left.typeAnnotation?.typeAnnotation ?? null;
      p = p.left;
    }
    const name = p.type === "Identifier" ? p.name : null;
    let keys: string[] | null = null;
    let restKeys = false;
    if (p.type === "ObjectPattern") {
      keys = [];
      for (const prop of p.properties) {
        if (prop.type === "RestElement") restKeys = true;
        else {
          const k = keyName(prop);
          if (k !== null) keys.push(k);
        }
      }
    }
    const label = name ??
      (keys !== null
        ? `{ ${keys.join(", ")}${restKeys ? ", …" : ""} }`
        : p.type === "ArrayPattern"
        ? "[…]"
        : `parameter ${i + 1}`);
    let type = annotation;
    let typeText = annotation ? module.source(annotation) : null;
    let optional = p.optional === true;
    if (type === null && module.lang === "js") {
      // JSDoc names a destructured parameter by any name; take the i-th tag then.
      const entry = name !== null ? docs.get(name) : [...docs.values()][i];
      const parsed = docType(entry);
      type = parsed.node;
      typeText = parsed.text;
      optional ||= entry?.optional ?? false;
      rest ||= entry?.rest ?? false;
      if (rest && type !== null && entry?.rest) {
        type = parseType(`(${typeText})[]`);
      }
    }
    params.push({
      label: rest ? `...${label}` : label,
      name,
      optional,
      rest,
      default: def,
      keys,
      restKeys,
      type,
      module,
      typeText,
    });
  });
  return params;
}

/** A class's constructor parameters, inherited from a class it extends when it has none. */
function ctorOf(modules: Modules, found: Found, depth = 0): Param[] {
  const cls = valueOf(found.node);
  const ctor = cls.body.body.find((m: Node) =>
    m.type === "MethodDefinition" && m.kind === "constructor"
  );
  if (ctor) return paramsOf(ctor.value, found.module, found.module.docOf(ctor));
  const parent = superOf(modules, found);
  return parent && depth < 20 ? ctorOf(modules, parent, depth + 1) : [];
}

function superOf(modules: Modules, found: Found): Found | null {
  const sup = valueOf(found.node).superClass;
  if (sup?.type !== "Identifier") return null;
  const parent = modules.local(found.module, sup.name);
  if (parent === null) return null;
  const v = valueOf(parent.node);
  return v?.type === "ClassDeclaration" || v?.type === "ClassExpression" ? parent : null;
}

/** A method of a class (or of one it extends). */
function methodOf(
  modules: Modules,
  found: Found,
  member: string,
  depth = 0,
): { node: Node; module: SourceModule; static: boolean } | { problem: string } | null {
  for (const m of valueOf(found.node).body.body) {
    if (m.computed || m.key?.type !== "Identifier" || m.key.name !== member) continue;
    if (m.type === "MethodDefinition") {
      if (m.kind === "get" || m.kind === "set") {
        return { problem: `is a ${m.kind}ter, not a method` };
      }
      if (m.kind === "method") return { node: m, module: found.module, static: m.static };
    }
    if (m.type === "PropertyDefinition" && FUNCTION_TYPES.has(unwrap(m.value)?.type)) {
      return { node: m, module: found.module, static: m.static };
    }
  }
  const parent = superOf(modules, found);
  return parent && depth < 20 ? methodOf(modules, parent, member, depth + 1) : null;
}

/** The names a problem can suggest instead of a missing one. */
function exportedNames(m: SourceModule): string[] {
  return [...m.exports.keys()];
}

/** Whether an initializer is a value that is clearly not a function (a literal, an object…). */
function plainValue(n: Node): boolean {
  return ["Literal", "TemplateLiteral", "ArrayExpression", "ObjectExpression", "NewExpression"]
    .includes(n?.type) || (n?.type === "UnaryExpression" && n.argument.type === "Literal");
}

/** The local name a declaration is known by, when it has one. */
function localName(node: Node): string | null {
  if (node.type === "VariableDeclarator") {
    return node.id?.type === "Identifier" ? node.id.name : null;
  }
  return node.id?.type === "Identifier" ? node.id.name : null;
}

/**
 * Find a configured function in a module: the export it names (through a namespace), then the
 * function itself, or the method of the class or object it names.
 *
 * @param modules The parsed files (imports and re-exports are followed through it).
 * @param module The configured file.
 * @param name As configured: `f`, `Class.method`, `object.method`, `ns.f`, `default`.
 * @returns The callable, or one line saying why it cannot be called (`no exported function …`).
 */
export function findCallable(
  modules: Modules,
  module: SourceModule,
  name: string,
): Callable | string {
  const [exportName, member = null] = name.split(".");
  // `export * as ns from "./ops.ts"` (or `import * as ns` exported): `ns.f` is ops's `f`.
  const target = module.exports.get(exportName);
  if (member !== null && target && "from" in target && target.name === "*") {
    const other = modules.tryLoad(target.from);
    if (other === null) return `cannot read the module "${exportName}" stands for`;
    const inner = findCallable(modules, other, member);
    if (typeof inner === "string") return inner;
    return { ...inner, name, access: `.${exportName}${inner.access}`, display: name };
  }
  const exported = exportOf(modules, module, exportName, member);
  if (typeof exported === "string") return exported;
  const { found } = exported;
  const access = module.wholeExport.has(exported.name) ? "" : `.${exported.name}`;
  const display = exported.name === "default" ? localName(found.node) ?? "default" : exported.name;
  const named: Named = { name, exportName: exported.name, member, access, display, found };
  return member === null ? functionOf(named) : memberOf(modules, named, member);
}

/** A configured name's export, as it is called and shown. */
interface Named {
  /** As configured. */
  name: string;
  /** The export it names (`default` for a default export named by its local name). */
  exportName: string;
  member: string | null;
  /** How the call reaches the export from the module's namespace (`.f`, or "" for all of it). */
  access: string;
  display: string;
  found: Found;
}

/** The export a name names (a default export by its local name too), or why there is none. */
function exportOf(
  modules: Modules,
  module: SourceModule,
  exportName: string,
  member: string | null,
): { found: Found; name: string } | string {
  const found = modules.exported(module, exportName);
  if (found !== null) return { found, name: exportName };
  // `export default class PQueue`: PQueue is the default export.
  const def = modules.exported(module, "default");
  if (def !== null && localName(def.node) === exportName) return { found: def, name: "default" };
  const decls = module.locals.get(exportName) ?? [];
  if (decls.length > 0 && decls.every((d) => d.type === "TSDeclareFunction")) {
    return `"${exportName}" is only declared here (declare function): it has no code to call`;
  }
  if (module.locals.has(exportName) && !module.commonjs) {
    return `"${exportName}" is not exported: export it, or list a function that is`;
  }
  const guess = closest(exportName, exportedNames(module).filter((n) => n !== exportName));
  const what = member === null ? "function" : "class or object";
  return `no exported ${what} "${exportName}"${guess ? ` (did you mean "${guess}"?)` : ""}`;
}

/** The callable whose function is `fn`, its JSDoc at `doc` in `m`, its parameters `sig`'s. */
function callable(
  named: Named,
  kind: Callable["kind"],
  fn: Node,
  doc: Node,
  m: SourceModule = named.found.module,
  ctor: Param[] = [],
  sig: Node = fn,
): Callable {
  return {
    name: named.name,
    kind,
    access: named.access,
    display: named.display,
    member: kind === "function" ? null : named.member,
    params: paramsOf(sig, m, m.docOf(doc)),
    ctor,
    opaque: null,
    generator: fn.generator === true,
  };
}

/** An exported function (or a value that most likely is one), named without a member. */
function functionOf(named: Named): Callable | string {
  const { name, exportName, access, display, found } = named;
  const value = valueOf(found.node);
  const at = found.module;
  if (FUNCTION_TYPES.has(value?.type)) {
    return callable(named, "function", value, found.node, at, [], found.overload ?? value);
  }
  if (value?.type === "ClassDeclaration" || value?.type === "ClassExpression") {
    return `"${exportName}" is a class: name one of its methods ("${display}.method")`;
  }
  if (found.node.type === "VariableDeclarator" && value && !plainValue(value)) {
    // `export const f = wrap(g)`, `= immer.produce`: a function, most likely, whose
    // parameters cannot be seen here.
    const init = at.source(value).replace(/\s+/g, " ");
    return {
      name,
      kind: "function",
      access,
      display,
      member: null,
      params: [],
      ctor: [],
      opaque: `its parameters cannot be seen (${exportName} = ${
        init.length > 40 ? `${init.slice(0, 39)}…` : init
      })`,
      generator: false,
    };
  }
  return `"${exportName}" is not a function`;
}

/** `X.member`: a class's method, an old-style class's prototype method, an object's function. */
function memberOf(modules: Modules, named: Named, member: string): Callable | string {
  const { name, display, found } = named;
  const value = valueOf(found.node);
  const own = localName(found.node) ?? (value?.type ? localName(value) : null);
  const at = found.module;
  const assigned = own === null ? undefined : at.assigned.get(own)?.get(member);
  const assignedFn = assigned && FUNCTION_TYPES.has(unwrap(assigned).type)
    ? unwrap(assigned)
    : null;
  if (value?.type === "ClassDeclaration" || value?.type === "ClassExpression") {
    const method = methodOf(modules, found, member);
    if (method === null && assignedFn) return callable(named, "static", assignedFn, assigned);
    if (method === null) {
      const names = valueOf(found.node).body.body.filter((m: Node) =>
        m.type === "MethodDefinition" && m.kind === "method" && m.key?.type === "Identifier"
      ).map((m: Node) => m.key.name);
      const guess = closest(member, names);
      return `class "${display}" has no method "${member}"${
        guess ? ` (did you mean "${guess}"?)` : ""
      }`;
    }
    if ("problem" in method) return `"${name}" ${method.problem}`;
    if (!method.static && value.abstract) {
      return `"${display}" is abstract: name the method on a class that extends it`;
    }
    const fn = method.node.type === "MethodDefinition"
      ? method.node.value
      : unwrap(method.node.value);
    return method.static
      ? callable(named, "static", fn, method.node, method.module)
      : callable(named, "method", fn, method.node, method.module, ctorOf(modules, found));
  }
  // An old-style class: a function with methods on its prototype.
  const proto = own === null ? undefined : at.prototypes.get(own)?.get(member);
  if (FUNCTION_TYPES.has(value?.type) && proto && FUNCTION_TYPES.has(unwrap(proto).type)) {
    const ctor = paramsOf(value, at, at.docOf(found.node));
    return callable(named, "method", unwrap(proto), proto, at, ctor);
  }
  if (value?.type === "ObjectExpression") {
    for (const p of value.properties) {
      if (p.type !== "Property" || keyName(p) !== member) continue;
      const fn = unwrap(p.value);
      if (FUNCTION_TYPES.has(fn?.type)) return callable(named, "member", fn, p);
      if (!assigned) return `"${name}" is not a function`;
    }
  }
  if (assignedFn) return callable(named, "member", assignedFn, assigned);
  if (value?.type === "ObjectExpression") return `object "${display}" has no method "${member}"`;
  return `"${display}" is not a class or an object: "${name}" cannot be found`;
}

export { SourceModule };
