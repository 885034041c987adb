// What `tph setup` reads of a source file: its top-level declarations, what it exports (ESM and
// CommonJS), what it imports, and JSDoc types, so that a configured name can be found and its
// parameters' types resolved, following relative imports and re-exports to other files.

import { dirname, resolve } from "node:path";
import { oxc } from "../../deps.ts";
import { isPlainFile, readText } from "../../platform/files.ts";
import { langOf } from "../../project/languages.ts";

// deno-lint-ignore no-explicit-any
export type Node = any;

/** Where an exported name leads: a declaration here, or a name of another module. */
export type ExportTarget =
  | { local: string }
  | { node: Node }
  | { from: string; name: string };

/** A file that cannot be read or parsed: one line saying why. */
export class SourceError extends Error {
  override name = "SourceError";
}

/** Whether a path looks like a JavaScript or TypeScript source file. */
export const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

const TRY_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/**
 * The file a relative import names, as the runtimes and TypeScript find it: as written, a `.js`
 * name standing for its `.ts` source, the name with an extension added, or the folder's index.
 *
 * @param from The importing file.
 * @param specifier The import's text.
 * @returns An absolute path, or null (a package, or nothing found).
 */
export function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const base = resolve(dirname(from), specifier);
  const candidates = [base];
  const js = base.match(/^(.*)\.([cm]?)js(x?)$/);
  if (js) candidates.push(`${js[1]}.${js[2]}ts${js[3]}`);
  for (const ext of TRY_EXTENSIONS) candidates.push(base + ext);
  for (const ext of TRY_EXTENSIONS) candidates.push(`${base}/index${ext}`);
  return candidates.find((c) => isPlainFile(c)) ?? null;
}

/** Line and column (1-based) of an offset. */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `${line}:${offset - last}`;
}

/** One parsed source file. */
export class SourceModule {
  readonly lang: "ts" | "js";
  readonly text: string;
  readonly body: Node[];
  /** Top-level declarations by name: functions, classes, variables, types, enums. */
  readonly locals = new Map<string, Node[]>();
  /** Exported name → where it leads. */
  readonly exports = new Map<string, ExportTarget>();
  /** Modules of `export * from`, resolved. */
  readonly stars: string[] = [];
  /** Local name → the module (absolute path, or the specifier of a package) and name imported. */
  readonly imports = new Map<string, { from: string; name: string }>();
  /** Where a declaration's JSDoc would end: its statement's start (export keyword included). */
  readonly anchors = new Map<Node, number>();
  /** Block comments starting with `*`, in order. */
  readonly docs: { start: number; end: number; value: string }[] = [];
  /** Whether it assigns to module.exports / exports (a CommonJS module). */
  commonjs = false;
  /**
   * Names that stand for the whole of `module.exports` when it is assigned one value
   * (`module.exports = fn`): `default`, and that value's own name.
   */
  readonly wholeExport = new Set<string>();
  /** Functions assigned to a property at the top level: `obj.f = function…`, `K.prototype.m = …`. */
  readonly assigned = new Map<string, Map<string, Node>>();
  readonly prototypes = new Map<string, Map<string, Node>>();

  readonly path: string;
  constructor(path: string, text?: string) {
    this.path = path;
    try {
      this.text = text ?? readText(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new SourceError(code === "ENOENT" ? "file not found" : (e as Error).message);
    }
    const ext = path.match(/\.([^./]+)$/)?.[1] ?? "js";
    const lang = langOf(ext);
    this.lang = lang === "ts" || lang === "tsx" ? "ts" : "js";
    const result = oxc().parseSync(path, this.text, {
      lang,
      sourceType: /\.c[jt]s$/.test(path) ? "commonjs" : "unambiguous",
      astType: "ts",
    } as never);
    const error = result.errors.find((e) => e.severity === "Error");
    if (error !== undefined) {
      const at = error.labels?.[0]?.start;
      throw new SourceError(
        `syntax error${at === undefined ? "" : ` at ${lineColumn(this.text, at)}`}: ${
          error.message.split("\n")[0]
        }`,
      );
    }
    for (const c of result.comments) {
      if (c.type === "Block" && c.value.startsWith("*")) {
        this.docs.push({ start: c.start, end: c.end, value: c.value });
      }
    }
    this.body = result.program.body;
    for (const st of this.body) this.#statement(st);
    if (this.lang === "js") this.#jsdocImports();
  }

  #declare(name: string, node: Node, anchor: number): void {
    const list = this.locals.get(name);
    if (list) list.push(node);
    else this.locals.set(name, [node]);
    if (!this.anchors.has(node)) this.anchors.set(node, anchor);
  }

  #declaration(d: Node, anchor: number, exported: boolean): void {
    if (!d) return;
    const names: string[] = [];
    if (d.type === "VariableDeclaration") {
      for (const v of d.declarations) {
        if (v.id?.type !== "Identifier") continue;
        this.#declare(v.id.name, v, anchor);
        names.push(v.id.name);
      }
    } else if (d.id?.type === "Identifier") {
      this.#declare(d.id.name, d, anchor);
      names.push(d.id.name);
    }
    if (exported) { for (const n of names) this.exports.set(n, { local: n }); }
  }

  #statement(st: Node): void {
    switch (st.type) {
      case "ImportDeclaration": {
        const from = resolveImport(this.path, st.source.value) ?? st.source.value;
        for (const s of st.specifiers) {
          const name = s.type === "ImportDefaultSpecifier"
            ? "default"
            : s.type === "ImportNamespaceSpecifier"
            ? "*"
            : s.imported.type === "Identifier"
            ? s.imported.name
            : s.imported.value;
          this.imports.set(s.local.name, { from, name });
        }
        return;
      }
      case "ExportNamedDeclaration": {
        if (st.declaration) return this.#declaration(st.declaration, st.start, true);
        const from = st.source ? resolveImport(this.path, st.source.value) : null;
        for (const s of st.specifiers) {
          const local = s.local.type === "Identifier" ? s.local.name : s.local.value;
          const exported = s.exported.type === "Identifier" ? s.exported.name : s.exported.value;
          if (st.source) {
            if (from !== null) this.exports.set(exported, { from, name: local });
          } else this.exports.set(exported, { local });
        }
        return;
      }
      case "ExportAllDeclaration": {
        const from = resolveImport(this.path, st.source.value);
        if (from === null) return;
        if (st.exported) {
          const name = st.exported.type === "Identifier" ? st.exported.name : st.exported.value;
          this.exports.set(name, { from, name: "*" });
        } else this.stars.push(from);
        return;
      }
      case "ExportDefaultDeclaration": {
        const d = st.declaration;
        if (d.type === "Identifier") this.exports.set("default", { local: d.name });
        else {
          if (d.id?.type === "Identifier") this.#declare(d.id.name, d, st.start);
          this.anchors.set(d, st.start);
          this.exports.set("default", { node: d });
        }
        return;
      }
      case "ExpressionStatement":
        return this.#commonjs(st.expression, st.start);
      case "FunctionDeclaration":
      case "ClassDeclaration":
      case "VariableDeclaration":
      case "TSInterfaceDeclaration":
      case "TSTypeAliasDeclaration":
      case "TSEnumDeclaration":
      case "TSDeclareFunction":
        return this.#declaration(st, st.start, false);
    }
  }

  /** JSDoc `@import { A, B as C } from "./types.js"`: imports of types, as TypeScript's. */
  #jsdocImports(): void {
    const tag = /@import\s+\{([^}]*)\}\s+from\s+["']([^"']+)["']/g;
    for (const doc of this.docs) {
      for (const m of doc.value.matchAll(tag)) {
        const from = resolveImport(this.path, m[2]) ?? m[2];
        for (const part of m[1].split(",")) {
          const [name, local = name] = part.trim().split(/\s+as\s+/);
          if (name) this.imports.set(local.trim(), { from, name: name.trim() });
        }
      }
    }
  }

  /** `module.exports.f = …`, `exports.f = …`, `module.exports = { f, g() {} }`. */
  #commonjs(e: Node, anchor: number): void {
    if (e.type !== "AssignmentExpression" || e.operator !== "=") return;
    const left = e.left;
    // `obj.f = function…` and `K.prototype.m = function…`: methods added after the fact.
    if (left.type === "MemberExpression" && !left.computed && left.property.type === "Identifier") {
      const obj = left.object;
      const put = (map: Map<string, Map<string, Node>>, name: string) => {
        let members = map.get(name);
        if (!members) map.set(name, members = new Map());
        members.set(left.property.name, e.right);
        this.anchors.set(e.right, anchor);
      };
      if (obj.type === "Identifier" && obj.name !== "exports" && obj.name !== "module") {
        put(this.assigned, obj.name);
      } else if (
        obj.type === "MemberExpression" && !obj.computed && obj.object.type === "Identifier" &&
        obj.property.name === "prototype"
      ) put(this.prototypes, obj.object.name);
    }
    const isModuleExports = (n: Node) =>
      n.type === "MemberExpression" && !n.computed && n.object.type === "Identifier" &&
      n.object.name === "module" && n.property.name === "exports";
    const isExports = (n: Node) =>
      (n.type === "Identifier" && n.name === "exports") || isModuleExports(n);
    const target = (value: Node): ExportTarget =>
      value.type === "Identifier" ? { local: value.name } : { node: value };
    if (isModuleExports(left)) {
      this.commonjs = true;
      if (e.right.type !== "ObjectExpression") {
        // `module.exports = fn` (or a class, or a name): the module's one value.
        const value = e.right;
        const own = value.type === "Identifier" ? value.name : value.id?.name;
        this.exports.set("default", target(value));
        this.anchors.set(value, anchor);
        this.wholeExport.add("default");
        if (own) {
          this.exports.set(own, target(value));
          this.wholeExport.add(own);
        }
        return;
      }
      for (const p of e.right.properties) {
        if (p.type !== "Property" || p.computed) continue;
        const key = p.key.type === "Identifier" ? p.key.name : String(p.key.value);
        this.exports.set(key, target(p.value));
        this.anchors.set(p.value, p.start);
      }
      return;
    }
    if (left.type === "MemberExpression" && !left.computed && isExports(left.object)) {
      this.commonjs = true;
      this.exports.set(left.property.name, target(e.right));
      this.anchors.set(e.right, anchor);
    }
  }

  /**
   * The JSDoc comment right before a declaration (only blanks between), or null.
   *
   * @param node A declaration this module holds.
   */
  docOf(node: Node): string | null {
    const anchor = this.anchors.get(node) ?? node.start;
    for (let i = this.docs.length - 1; i >= 0; i--) {
      const d = this.docs[i];
      if (d.end > anchor) continue;
      return /^\s*$/.test(this.text.slice(d.end, anchor)) ? d.value : null;
    }
    return null;
  }

  /** The source text of a node (of this file, or of a type parsed from JSDoc: parseType). */
  source(node: Node): string {
    return (node[SOURCE] ?? this.text).slice(node.start, node.end);
  }
}

/** Where a node parsed from text other than its module's keeps that text. */
const SOURCE = Symbol("source");

/**
 * A type written as text (a JSDoc type) as a TypeScript type node, or null when TypeScript cannot
 * read it. Its nodes carry their text, for `SourceModule.source`.
 *
 * @param text The type, e.g. `Array<string>`.
 */
export function parseType(text: string): Node | null {
  const src = `type T = ${text};`;
  const r = oxc().parseSync("jsdoc.ts", src, { lang: "ts", astType: "ts" } as never);
  if (r.errors.some((e) => e.severity === "Error")) return null;
  const st = r.program.body[0];
  if (st?.type !== "TSTypeAliasDeclaration" || r.program.body.length !== 1) return null;
  const mark = (n: Node): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(mark);
    if (typeof n.type === "string") n[SOURCE] = src;
    for (const k of Object.keys(n)) mark(n[k]);
  };
  mark(st.typeAnnotation);
  return st.typeAnnotation;
}

/** Parsed files by path, each parsed once; a file that cannot be read is remembered as such. */
export class Modules {
  readonly #cache = new Map<string, SourceModule | SourceError>();

  /**
   * The module of a file.
   *
   * @param path Absolute path.
   * @throws {SourceError} When it cannot be read or parsed.
   */
  load(path: string): SourceModule {
    let m = this.#cache.get(path);
    if (m === undefined) {
      try {
        m = new SourceModule(path);
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        m = e;
      }
      this.#cache.set(path, m);
    }
    if (m instanceof SourceError) throw m;
    return m;
  }

  /** The module of a file, or null when it cannot be read or parsed (following imports). */
  tryLoad(path: string): SourceModule | null {
    try {
      return this.load(path);
    } catch {
      return null;
    }
  }

  /**
   * The declaration an exported name leads to, across re-exports.
   *
   * @param m The module.
   * @param name The exported name.
   * @returns The module declaring it and the node (a declaration, or an expression for
   *   `export default <expression>` and CommonJS assignments), or null.
   */
  exported(m: SourceModule, name: string, seen = new Set<string>()): Found | null {
    const key = `${m.path}\0${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const target = m.exports.get(name);
    if (target !== undefined) {
      if ("node" in target) return { module: m, node: target.node };
      if ("local" in target) return this.local(m, target.local, seen);
      const other = this.tryLoad(target.from);
      if (other === null || target.name === "*") return null;
      return this.exported(other, target.name, seen);
    }
    if (name === "default") return null;
    for (const star of m.stars) {
      const other = this.tryLoad(star);
      const found = other && this.exported(other, name, seen);
      if (found) return found;
    }
    return null;
  }

  /** A local name's value declaration, following an import of it. */
  local(m: SourceModule, name: string, seen = new Set<string>()): Found | null {
    const decls = m.locals.get(name);
    const value = decls?.find((d) => VALUE_DECLARATIONS.has(d.type));
    if (value !== undefined) {
      // Overloads: the first signature names the parameters' types best.
      const overload = decls!.find((d) => d.type === "TSDeclareFunction");
      return { module: m, node: value, overload };
    }
    const imported = m.imports.get(name);
    if (imported !== undefined && imported.name !== "*") {
      const other = this.tryLoad(imported.from);
      if (other !== null) return this.exported(other, imported.name, seen);
    }
    return null;
  }
}

/** What a name leads to. */
export interface Found {
  module: SourceModule;
  node: Node;
  /** The first overload signature of a function declared with overloads. */
  overload?: Node;
}

const VALUE_DECLARATIONS = new Set([
  "FunctionDeclaration",
  "ClassDeclaration",
  "VariableDeclarator",
]);
