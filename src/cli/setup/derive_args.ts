// Arguments built from parameters' types, as JavaScript source a user can read and edit:
// `number` → 1, `string` → the parameter's name, literals and unions (first member), arrays,
// tuples, object types, interfaces, type aliases and enums (followed into the files they are
// imported from), classes the module exports, `Date`, and a few other built-ins. A default
// written as a literal is passed as written; optional parameters are left out. What cannot be
// built is `undefined`, and named as a gap so that a failed call can say which.

import { type Param, paramsOf } from "./callables.ts";
import { propertyKey } from "./js_literal.ts";
import {
  type Found,
  type Modules,
  type Node,
  parseType,
  resolveImport,
  type SourceModule,
} from "./source_module.ts";

/** A date every generated call uses (any fixed one: runs compare alike). */
const DATE = 'new Date("2026-01-01T00:00:00.000Z")';
const MAX_DEPTH = 8;

/** A type node with the module its names resolve in. */
interface Scoped {
  node: Node;
  module: SourceModule;
}

type Bindings = ReadonlyMap<string, Scoped | null>;

interface Member {
  key: string;
  optional: boolean;
  type: Scoped | null;
  method: boolean;
}

const NULLISH = new Set(["TSNullKeyword", "TSUndefinedKeyword", "TSVoidKeyword"]);

const typedefCache = new WeakMap<SourceModule, Map<string, Node>>();

/** `@typedef` declarations of a JavaScript module, as TypeScript type alias declarations by name. */
function typedefs(m: SourceModule): Map<string, Node> {
  let map = typedefCache.get(m);
  if (map !== undefined) return map;
  map = new Map();
  typedefCache.set(m, map);
  if (m.lang !== "js") return map;
  for (const doc of m.docs) {
    const def = doc.value.match(/@typedef\s+(?:\{((?:[^{}]|\{[^{}]*\})*)\}\s*)?([\w$]+)/);
    if (!def) continue;
    let text = (def[1] ?? "object").trim();
    const props = [...doc.value.matchAll(
      /@(?:property|prop)\s+\{((?:[^{}]|\{[^{}]*\})*)\}\s*(\[[^\]]*\]|[\w$]+)/g,
    )];
    if (props.length > 0 && /^object$/i.test(text)) {
      text = `{ ${
        props.map((p) => {
          const optional = p[2].startsWith("[");
          const name = optional ? p[2].slice(1, -1).split("=")[0].trim() : p[2];
          return `${JSON.stringify(name)}${optional ? "?" : ""}: ${p[1]}`;
        }).join("; ")
      } }`;
    }
    const node = parseType(text.replace(/\bObject\b/g, "object"));
    // As a type alias declared here would be.
    if (node !== null) map.set(def[2], { type: "TSTypeAliasDeclaration", typeAnnotation: node });
  }
  return map;
}

/** Whether an expression is a literal a user would read as a value (no names, no calls). */
function isPlainLiteral(n: Node): boolean {
  switch (n?.type) {
    case "Literal":
      return !(n.regex);
    case "TemplateLiteral":
      return n.expressions.length === 0;
    case "UnaryExpression":
      return (n.operator === "-" || n.operator === "+") && isPlainLiteral(n.argument);
    case "Identifier":
      return n.name === "undefined" || n.name === "NaN" || n.name === "Infinity";
    case "ArrayExpression":
      return n.elements.every((e: Node) => e !== null && isPlainLiteral(e));
    case "ObjectExpression":
      return n.properties.every((p: Node) =>
        p.type === "Property" && !p.computed && p.kind === "init" && !p.method &&
        isPlainLiteral(p.value)
      );
    case "ParenthesizedExpression":
      return isPlainLiteral(n.expression);
  }
  return false;
}

/** The arguments of one call, built from its parameters. */
export interface DerivedArgs {
  /** Source text of each argument, trailing ones left out. */
  args: string[];
  /** What could not be built: `opts.callback (unknown)`, `x (no type)`. */
  gaps: string[];
}

/** Builds argument source from parameter types (see the file's header). */
export class Deriver {
  #gaps: string[] = [];
  readonly #active = new Set<Node>();

  readonly modules: Modules;
  readonly classAccess: (found: Found) => string | null;
  /**
   * @param modules The parsed files, to follow imported types.
   * @param classAccess How the generated file reaches a class (`m0.Cart`), or null when it
   *   cannot (the configured module does not export it).
   */
  constructor(
    modules: Modules,
    classAccess: (found: Found) => string | null,
  ) {
    this.modules = modules;
    this.classAccess = classAccess;
  }

  /**
   * Arguments for parameters.
   *
   * @param params The parameters.
   * @param given Arguments already chosen by position (from `args` or `kwargs`): used as they
   *   are; a position left undefined is built.
   */
  args(params: Param[], given: (string | undefined)[] = []): DerivedArgs {
    this.#gaps = [];
    const out: (string | null)[] = [];
    params.forEach((p, i) => {
      if (given[i] !== undefined) out.push(given[i]!);
      else out.push(this.param(p));
    });
    for (let i = params.length; i < given.length; i++) out.push(given[i] ?? "undefined");
    while (out.length > 0 && out[out.length - 1] === null) out.pop();
    return { args: out.map((a) => a ?? "undefined"), gaps: this.#gaps };
  }

  /** One parameter's argument; null when it is best left out (optional, a default, rest). */
  param(p: Param): string | null {
    if (p.rest) return null;
    if (p.default !== null) {
      return isPlainLiteral(p.default) ? p.module.source(p.default) : null;
    }
    if (p.optional) return null;
    if (p.type !== null) {
      return this.#value(
        { node: p.type, module: p.module },
        p.name ?? "value",
        p.label,
        new Map(),
        0,
      );
    }
    if (p.keys !== null) {
      // A destructured object without a type: its keys, each one a gap.
      for (const k of p.keys) this.#gaps.push(`${p.label.replace(/^\{.*\}$/, "")}${k} (no type)`);
      return `{ ${p.keys.map((k) => `${propertyKey(k)}: undefined`).join(", ")} }`;
    }
    this.#gaps.push(`${p.label} (no type)`);
    return "undefined";
  }

  /**
   * An object's members as built values, for `kwargs` to be laid over: key → source.
   *
   * @param p A parameter of an object type, or a destructured one.
   * @returns The members, or null when the parameter is not an object.
   */
  objectOf(p: Param): Map<string, string> | null {
    this.#gaps = [];
    if (p.type === null) {
      if (p.keys === null) return null;
      return new Map();
    }
    const members = this.#members({ node: p.type, module: p.module }, new Map(), 0);
    if (members === null) return null;
    const out = new Map<string, string>();
    for (const m of members) {
      if (m.optional) continue;
      out.set(m.key, this.#member(m, p.label, new Map(), 1));
    }
    return out;
  }

  /** The keys an object parameter's type declares (for matching `kwargs`), or null. */
  objectKeys(p: Param): string[] | null {
    if (p.type === null) return p.keys;
    const members = this.#members({ node: p.type, module: p.module }, new Map(), 0);
    return members === null
      ? p.keys
      : [...new Set([...(p.keys ?? []), ...members.map((m) => m.key)])];
  }

  /** The gaps of the last `args`/`objectOf`. */
  get gaps(): string[] {
    return this.#gaps;
  }

  #gap(path: string, why: string): string {
    const short = why.replace(/\s+/g, " ").trim();
    this.#gaps.push(`${path} (${short.length > 60 ? `${short.slice(0, 59)}…` : short})`);
    return "undefined";
  }

  #member(m: Member, path: string, bindings: Bindings, depth: number): string {
    const at = `${path}.${m.key}`;
    if (m.method) return this.#fn(m.type, at, depth);
    if (m.type === null) return this.#gap(at, "no type");
    return this.#value(m.type, m.key, at, bindings, depth + 1);
  }

  #object(members: Member[], path: string, bindings: Bindings, depth: number): string {
    const parts: string[] = [];
    for (const m of members) {
      if (m.optional) continue;
      parts.push(`${propertyKey(m.key)}: ${this.#member(m, path, bindings, depth)}`);
    }
    return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
  }

  /** `() => <value of the return type>`; `() => undefined` when that cannot be built. */
  #fn(ret: Scoped | null, path: string, depth: number): string {
    if (ret === null || NULLISH.has(ret.node.type)) return "() => {}";
    const saved = this.#gaps;
    this.#gaps = [];
    const v = this.#value(ret, "value", path, new Map(), depth + 1);
    const ok = this.#gaps.length === 0;
    this.#gaps = saved;
    return ok ? `() => (${v})` : "() => undefined";
  }

  /** A literal type's value. */
  #literal(node: Node, module: SourceModule): string {
    const lit = node.literal;
    if (lit.type === "Literal") {
      return typeof lit.value === "string" ? JSON.stringify(lit.value) : module.source(lit);
    }
    if (lit.type === "TemplateLiteral") {
      return JSON.stringify(lit.quasis.map((q: Node) => q.value.cooked ?? "").join(""));
    }
    return module.source(lit);
  }

  #value(t: Scoped, hint: string, path: string, bindings: Bindings, depth: number): string {
    const { node, module } = t;
    if (depth > MAX_DEPTH) return this.#gap(path, "nested too deep");
    switch (node.type) {
      case "TSNumberKeyword":
        return "1";
      case "TSStringKeyword":
        return JSON.stringify(hint);
      case "TSBooleanKeyword":
        return "true";
      case "TSBigIntKeyword":
        return "1n";
      case "TSSymbolKeyword":
        return `Symbol(${JSON.stringify(hint)})`;
      case "TSNullKeyword":
        return "null";
      case "TSUndefinedKeyword":
      case "TSVoidKeyword":
        return "undefined";
      case "TSObjectKeyword":
        return "{}";
      case "TSLiteralType":
        return this.#literal(node, module);
      case "TSTemplateLiteralType":
        return templateExample(node);
      case "TSParenthesizedType":
        return this.#value({ node: node.typeAnnotation, module }, hint, path, bindings, depth);
      case "TSUnionType": {
        const members: Node[] = node.types;
        const first = members.find((m) => !NULLISH.has(m.type)) ?? members[0];
        return this.#value({ node: first, module }, hint, path, bindings, depth);
      }
      case "TSArrayType":
        return this.#array({ node: node.elementType, module }, hint, path, bindings, depth);
      case "TSTupleType":
        return this.#tuple(t, hint, path, bindings, depth);
      case "TSTypeOperator":
        if (node.operator === "readonly") {
          return this.#value({ node: node.typeAnnotation, module }, hint, path, bindings, depth);
        }
        if (node.operator === "unique") return `Symbol(${JSON.stringify(hint)})`;
        if (node.operator === "keyof") {
          const members = this.#members({ node: node.typeAnnotation, module }, bindings, depth + 1);
          if (members !== null && members.length > 0) return JSON.stringify(members[0].key);
        }
        return this.#gap(path, module.source(node));
      case "TSFunctionType":
      case "TSConstructorType":
        return this.#fn(
          node.returnType ? { node: node.returnType.typeAnnotation, module } : null,
          path,
          depth,
        );
      case "TSTypeLiteral":
      case "TSIntersectionType": {
        const members = this.#members(t, bindings, depth);
        if (members === null) return this.#gap(path, module.source(node));
        return this.#object(members, path, bindings, depth);
      }
      case "TSTypeReference":
      case "TSImportType":
        return this.#reference(t, hint, path, bindings, depth);
    }
    return this.#gap(path, module.source(node));
  }

  /** A tuple's required items (the optional and rest ones after them are left out). */
  #tuple(t: Scoped, hint: string, path: string, bindings: Bindings, depth: number): string {
    const { node, module } = t;
    const items: string[] = [];
    for (const el of node.elementTypes) {
      if (el.type === "TSOptionalType" || el.type === "TSRestType") break;
      if (el.type === "TSNamedTupleMember") {
        if (el.optional) break;
        items.push(this.#value(
          { node: el.elementType, module },
          el.label.name,
          `${path}[${items.length}]`,
          bindings,
          depth + 1,
        ));
      } else {
        items.push(
          this.#value(
            { node: el, module },
            hint,
            `${path}[${items.length}]`,
            bindings,
            depth + 1,
          ),
        );
      }
    }
    return `[${items.join(", ")}]`;
  }

  #array(el: Scoped, hint: string, path: string, bindings: Bindings, depth: number): string {
    // A list of anything: an empty one is as good as any.
    if (el.node.type === "TSAnyKeyword" || el.node.type === "TSUnknownKeyword") return "[]";
    const target = this.#resolve(el, bindings);
    // A recursive type (a tree's children): an empty list ends it.
    if (target !== null && "decls" in target && target.decls.some((d) => this.#active.has(d))) {
      return "[]";
    }
    return `[${this.#value(el, hint, `${path}[0]`, bindings, depth + 1)}]`;
  }

  /** Where a type name leads: a binding, declarations here or in the module it comes from. */
  #resolve(t: Scoped, bindings: Bindings):
    | { bound: Scoped | null }
    | { decls: Node[]; module: SourceModule; enumMember?: string }
    | null {
    if (t.node.type === "TSImportType") {
      const from = resolveImport(t.module.path, t.node.source?.value ?? "");
      const other = from === null ? null : this.modules.tryLoad(from);
      const q = t.node.qualifier;
      if (other === null || q?.type !== "Identifier") return null;
      return this.#exportedType(other, q.name, new Set());
    }
    const name = t.node.typeName;
    if (name?.type === "Identifier") {
      if (bindings.has(name.name)) return { bound: bindings.get(name.name)! };
      return this.#typeDecls(t.module, name.name, new Set());
    }
    if (name?.type === "TSQualifiedName" && name.left.type === "Identifier") {
      const imported = t.module.imports.get(name.left.name);
      if (imported?.name === "*") {
        const other = this.modules.tryLoad(imported.from);
        return other && this.#exportedType(other, name.right.name, new Set());
      }
      const left = this.#typeDecls(t.module, name.left.name, new Set());
      if (left && left.decls[0]?.type === "TSEnumDeclaration") {
        return { ...left, enumMember: name.right.name };
      }
    }
    return null;
  }

  #typeDecls(
    m: SourceModule,
    name: string,
    seen: Set<string>,
  ): { decls: Node[]; module: SourceModule } | null {
    const decls = (m.locals.get(name) ?? []).filter((d) => TYPE_DECLARATIONS.has(d.type));
    if (decls.length > 0) return { decls, module: m };
    const def = typedefs(m).get(name);
    if (def !== undefined) return { decls: [def], module: m };
    const imported = m.imports.get(name);
    if (imported !== undefined && imported.name !== "*") {
      const other = this.modules.tryLoad(imported.from);
      return other && this.#exportedType(other, imported.name, seen);
    }
    return null;
  }

  #exportedType(
    m: SourceModule,
    name: string,
    seen: Set<string>,
  ): { decls: Node[]; module: SourceModule } | null {
    const key = `${m.path}\0${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const target = m.exports.get(name);
    if (target !== undefined) {
      if ("local" in target) return this.#typeDecls(m, target.local, seen);
      if ("from" in target && target.name !== "*") {
        const other = this.modules.tryLoad(target.from);
        return other && this.#exportedType(other, target.name, seen);
      }
      if ("node" in target && TYPE_DECLARATIONS.has(target.node.type)) {
        return { decls: [target.node], module: m };
      }
      return null;
    }
    // `export interface X` inside the file without an export list entry is in `locals` and
    // `exports` both; a JSDoc typedef is visible to importers as well.
    const def = typedefs(m).get(name);
    if (def !== undefined) return { decls: [def], module: m };
    for (const star of m.stars) {
      const other = this.modules.tryLoad(star);
      const found = other && this.#exportedType(other, name, seen);
      if (found) return found;
    }
    return null;
  }

  #enumValue(decl: Node, module: SourceModule, member: string | null): string | null {
    const members: Node[] = decl.body?.members ?? decl.members ?? [];
    let next = 0;
    for (const m of members) {
      const key = m.id.type === "Identifier" ? m.id.name : m.id.value;
      let value: string | null;
      const init = m.initializer;
      if (init === null || init === undefined) value = String(next);
      else if (init.type === "Literal" && typeof init.value === "number") {
        value = module.source(init);
        next = init.value;
      } else if (init.type === "Literal" && typeof init.value === "string") {
        value = JSON.stringify(init.value);
      } else if (init.type === "UnaryExpression" && isPlainLiteral(init)) {
        value = module.source(init);
        next = Number(value);
      } else value = null;
      next++;
      if (member === null || key === member) {
        return value === null
          ? null
          : `${value} /* ${`${decl.id.name}.${key}`.replaceAll("*/", "* /")} */`;
      }
    }
    return null;
  }

  /** A named type: a type parameter's binding, a declared type, or one JavaScript provides. */
  #reference(t: Scoped, hint: string, path: string, bindings: Bindings, depth: number): string {
    const { node, module } = t;
    const target = this.#resolve(t, bindings);
    if (target !== null && "bound" in target) {
      if (target.bound === null) return this.#gap(path, `type parameter ${module.source(node)}`);
      return this.#value(target.bound, hint, path, new Map(), depth + 1);
    }
    if (target !== null) return this.#declared(t, target, hint, path, bindings, depth);
    return this.#builtIn(t, hint, path, bindings, depth);
  }

  /** A type declared in the program: an enum's member, a class's instance, an alias, an object. */
  #declared(
    t: Scoped,
    target: { decls: Node[]; module: SourceModule; enumMember?: string },
    hint: string,
    path: string,
    bindings: Bindings,
    depth: number,
  ): string {
    const { node, module } = t;
    const args: Node[] = node.typeArguments?.params ?? [];
    const decl = target.decls[0];
    if (decl.type === "TSEnumDeclaration") {
      return this.#enumValue(decl, target.module, target.enumMember ?? null) ??
        this.#gap(path, `enum ${decl.id.name}`);
    }
    if (decl.type === "ClassDeclaration") return this.#construct(decl, target.module, path);
    if (target.decls.some((d) => this.#active.has(d))) {
      return this.#gap(path, `recursive type ${module.source(node)}`);
    }
    for (const d of target.decls) this.#active.add(d);
    try {
      if (decl.type === "TSTypeAliasDeclaration") {
        const inner = new Map(bindings);
        const tps: Node[] = decl.typeParameters?.params ?? [];
        tps.forEach((tp, i) => {
          const given = args[i] ? { node: args[i], module } : null;
          const fallback = tp.default ?? tp.constraint;
          inner.set(
            tp.name.name,
            given ?? (fallback ? { node: fallback, module: target.module } : null),
          );
        });
        return this.#value(
          { node: decl.typeAnnotation, module: target.module },
          hint,
          path,
          inner,
          depth + 1,
        );
      }
      const members = this.#members(t, bindings, depth);
      if (members === null) return this.#gap(path, module.source(node));
      return this.#object(members, path, bindings, depth + 1);
    } finally {
      for (const d of target.decls) this.#active.delete(d);
    }
  }

  /** `new C(...)` with arguments built from the constructor's parameters. */
  #construct(decl: Node, module: SourceModule, path: string): string {
    const access = this.classAccess({ module, node: decl });
    if (access === null) return this.#gap(path, `class ${decl.id.name}, not exported here`);
    if (this.#active.has(decl)) return this.#gap(path, `recursive type ${decl.id.name}`);
    this.#active.add(decl);
    try {
      const ctor = decl.body.body.find((m: Node) =>
        m.type === "MethodDefinition" && m.kind === "constructor"
      );
      const params = ctor ? paramsOf(ctor.value, module, null) : [];
      const built = params.map((p) => this.param(p));
      while (built.length > 0 && built[built.length - 1] === null) built.pop();
      return `new ${access}(${built.map((a) => a ?? "undefined").join(", ")})`;
    } finally {
      this.#active.delete(decl);
    }
  }

  /** A type JavaScript provides (Array, Promise, Map, Date, typed arrays, …), by its name. */
  #builtIn(t: Scoped, hint: string, path: string, bindings: Bindings, depth: number): string {
    const { node, module } = t;
    const args: Node[] = node.typeArguments?.params ?? [];
    const name = node.typeName?.type === "Identifier" ? node.typeName.name : null;
    const arg = (i: number): Scoped | null => (args[i] ? { node: args[i], module } : null);
    switch (name) {
      case "Array":
      case "ReadonlyArray":
        return arg(0) ? this.#array(arg(0)!, hint, path, bindings, depth) : "[]";
      case "Promise":
      case "PromiseLike":
        return `Promise.resolve(${
          arg(0) ? this.#value(arg(0)!, hint, path, bindings, depth + 1) : "undefined"
        })`;
      case "Readonly":
      case "NonNullable":
      case "Awaited":
        return arg(0) ? this.#value(arg(0)!, hint, path, bindings, depth + 1) : "{}";
      case "Partial":
      case "Record":
      case "Object":
        return "{}";
      case "Pick":
      case "Omit":
      case "Required": {
        const members = this.#members(t, bindings, depth);
        return members === null ? "{}" : this.#object(members, path, bindings, depth + 1);
      }
      case "Date":
        return DATE;
      case "Map":
      case "ReadonlyMap":
        return "new Map()";
      case "Set":
      case "ReadonlySet":
        return "new Set()";
      case "WeakMap":
      case "WeakSet":
        return `new ${name}()`;
      case "RegExp":
        return "/a/";
      case "URL":
        return 'new URL("https://example.com/")';
      case "URLSearchParams":
        return 'new URLSearchParams("a=1")';
      case "Error":
      case "TypeError":
      case "RangeError":
        return `new ${name}(${JSON.stringify(hint)})`;
      case "ArrayBuffer":
        return "new ArrayBuffer(8)";
      case "Uint8Array":
      case "Int8Array":
      case "Uint16Array":
      case "Int16Array":
      case "Uint32Array":
      case "Int32Array":
      case "Float32Array":
      case "Float64Array":
        return `new ${name}([1, 2, 3])`;
      case "Function":
        return "() => {}";
      case "String":
        return JSON.stringify(hint);
      case "Number":
        return "1";
      case "Boolean":
        return "true";
      case "BigInt":
        return "1n";
      case "AbortSignal":
        return "new AbortController().signal";
      case "Headers":
        return "new Headers()";
      case "PropertyKey":
        return JSON.stringify(hint);
      case "Iterable":
      case "Iterator":
      case "IterableIterator":
      case "Generator": {
        const item = arg(0) ? this.#value(arg(0)!, hint, `${path}[0]`, bindings, depth + 1) : "1";
        return name === "Iterable" ? `[${item}]` : `[${item}].values()`;
      }
      case "AsyncIterable":
      case "AsyncIterator":
      case "AsyncIterableIterator":
      case "AsyncGenerator": {
        const item = arg(0) ? this.#value(arg(0)!, hint, `${path}[0]`, bindings, depth + 1) : "1";
        return `(async function* () { yield ${item}; })()`;
      }
    }
    return this.#gap(path, module.source(node));
  }

  /** The members of an object type (literal, interface, alias, intersection, Pick/Omit). */
  #members(t: Scoped, bindings: Bindings, depth: number): Member[] | null {
    if (depth > MAX_DEPTH) return null;
    const { node, module } = t;
    switch (node.type) {
      case "TSParenthesizedType":
        return this.#members({ node: node.typeAnnotation, module }, bindings, depth);
      case "TSTypeLiteral":
        return this.#signatures(node.members, module);
      case "TSIntersectionType": {
        const out: Member[] = [];
        for (const part of node.types) {
          const ms = this.#members({ node: part, module }, bindings, depth + 1);
          if (ms === null) return null;
          for (const m of ms) {
            const i = out.findIndex((o) => o.key === m.key);
            if (i >= 0) out[i] = m;
            else out.push(m);
          }
        }
        return out;
      }
      case "TSTypeReference":
      case "TSImportType": {
        const name = node.typeName?.type === "Identifier" ? node.typeName.name : null;
        const args: Node[] = node.typeArguments?.params ?? [];
        const target = this.#resolve(t, bindings);
        if (target !== null && "bound" in target) {
          return target.bound && this.#members(target.bound, new Map(), depth + 1);
        }
        if (target === null) {
          if ((name === "Pick" || name === "Omit") && args.length === 2) {
            const base = this.#members({ node: args[0], module }, bindings, depth + 1);
            const keys = literalKeys(args[1]);
            if (base === null || keys === null) return null;
            return base.filter((m) => keys.has(m.key) === (name === "Pick"));
          }
          if ((name === "Required" || name === "Readonly") && args.length === 1) {
            const base = this.#members({ node: args[0], module }, bindings, depth + 1);
            return base && base.map((m) => name === "Required" ? { ...m, optional: false } : m);
          }
          if (name === "Partial" && args.length === 1) {
            const base = this.#members({ node: args[0], module }, bindings, depth + 1);
            return base && base.map((m) => ({ ...m, optional: true }));
          }
          return null;
        }
        const out: Member[] = [];
        for (const d of target.decls) {
          if (d.type === "TSInterfaceDeclaration") {
            for (const h of d.extends ?? []) {
              if (h.expression?.type !== "Identifier") continue;
              const parent = this.#members(
                {
                  node: { type: "TSTypeReference", typeName: h.expression, typeArguments: null },
                  module: target.module,
                },
                bindings,
                depth + 1,
              );
              if (parent) out.push(...parent);
            }
            out.push(...this.#signatures(d.body.body, target.module));
          } else if (d.type === "TSTypeAliasDeclaration") {
            const ms = this.#members(
              { node: d.typeAnnotation, module: target.module },
              bindings,
              depth + 1,
            );
            if (ms === null) return null;
            out.push(...ms);
          } else return null;
        }
        return out;
      }
    }
    return null;
  }

  #signatures(members: Node[], module: SourceModule): Member[] {
    const out: Member[] = [];
    for (const m of members) {
      if (m.type !== "TSPropertySignature" && m.type !== "TSMethodSignature") continue;
      const key = m.computed
        ? null
        : m.key.type === "Identifier"
        ? m.key.name
        : m.key.type === "Literal"
        ? String(m.key.value)
        : null;
      if (key === null) continue;
      // A method's type: what it returns.
      const annotation = m.type === "TSPropertySignature" ? m.typeAnnotation : m.returnType;
      const type = annotation ? { node: annotation.typeAnnotation, module } : null;
      out.push({
        key,
        optional: m.optional === true,
        type,
        method: m.type === "TSMethodSignature",
      });
    }
    return out;
  }
}

/** The keys of `"a" | "b"`, or null when the type is not a union of string literals. */
function literalKeys(node: Node): Set<string> | null {
  const parts: Node[] = node.type === "TSUnionType" ? node.types : [node];
  const keys = new Set<string>();
  for (const p of parts) {
    if (p.type !== "TSLiteralType" || typeof p.literal.value !== "string") return null;
    keys.add(p.literal.value);
  }
  return keys;
}

const TYPE_DECLARATIONS = new Set([
  "TSInterfaceDeclaration",
  "TSTypeAliasDeclaration",
  "TSEnumDeclaration",
  "ClassDeclaration",
]);

/** A string a template literal type accepts: its text, with 1 or the literal for each hole. */
function templateExample(node: Node): string {
  return JSON.stringify(
    node.quasis.map((q: Node, i: number) => {
      const ty = node.types[i];
      const filler = ty === undefined
        ? ""
        : ty.type === "TSNumberKeyword"
        ? "1"
        : ty.type === "TSLiteralType"
        ? String(ty.literal.value ?? "")
        : "";
      return (q.value.cooked ?? "") + filler;
    }).join(""),
  );
}
