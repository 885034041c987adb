// The structure docs/design.md draws, held against the code: which folders of src/ may import
// which, no cycle between them, and how many functions are long. Read from the sources with the
// parser tph itself uses: every static import and export-from, and every import() of a literal.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { loadDeps, oxc } from "../src/deps.ts";
import { TYPE_ONLY_KEYS } from "../src/program/instrument/_parse.ts";

const REPO = resolve(import.meta.dirname!, "..");
const SRC = join(REPO, "src");

/** Every .ts file under a folder (the generated viewer bundle left out: it has no imports). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith(".ts") && e.name !== "viewer_bundle.ts") out.push(p);
  }
  return out;
}

// deno-lint-ignore no-explicit-any
type Node = any;

/** Calls `visit` on every node of a parsed program. */
function walk(node: Node, visit: (n: Node) => void): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (typeof node.type === "string") visit(node);
  for (const key in node) {
    if (key !== "type" && key !== "start" && key !== "end") walk(node[key], visit);
  }
}

interface Parsed {
  file: string;
  text: string;
  program: Node;
  imports: string[];
  /** The imports that run when the file loads: static, and not of types only. */
  loads: string[];
}

await loadDeps();
const PARSED: Parsed[] = sources(SRC).map((file) => {
  const text = readFileSync(file, "utf8");
  const { program } = oxc().parseSync(file, text);
  const imports: string[] = [], loads: string[] = [];
  walk(program, (n) => {
    const literal = n.type === "ImportDeclaration" || n.type === "ExportAllDeclaration" ||
        n.type === "ExportNamedDeclaration"
      ? n.source?.value
      : n.type === "ImportExpression" && n.source?.type === "Literal"
      ? n.source.value
      : undefined;
    if (typeof literal === "string" && literal.startsWith(".")) {
      const target = resolve(dirname(file), literal);
      imports.push(target);
      const typesOnly = n.importKind === "type" || n.exportKind === "type" ||
        (n.specifiers?.length > 0 && n.specifiers.every((s: Node) => s.importKind === "type"));
      if (n.type !== "ImportExpression" && !typesOnly) loads.push(target);
    }
  });
  return { file, text, program, imports, loads };
});

/** The part of src/ a file belongs to: its first folder, or the single file's name. */
function part(file: string): string {
  return relative(SRC, file).split("/")[0];
}

Deno.test("structure: the sources were read, with their imports", () => {
  assert.ok(PARSED.length > 150, `${PARSED.length} files`);
  const imports = PARSED.reduce((n, p) => n + p.imports.length, 0);
  assert.ok(imports > 500, `${imports} imports`);
});

Deno.test("structure: src/cli reaches into src/program only through the launch contract", () => {
  const contract = new Set(
    ["settings.ts", "command.ts", "read_runs.ts"].map((f) => join(SRC, "program", f)),
  );
  const wrong: string[] = [];
  for (const p of PARSED) {
    if (part(p.file) !== "cli") continue;
    for (const target of p.imports) {
      if (part(target) === "program" && !contract.has(target)) {
        wrong.push(`${relative(REPO, p.file)} → ${relative(REPO, target)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("structure: code the program's process loads takes `process` from node_process.ts", () => {
  // Importing node:process makes Node create process.stdin (src/platform/node_process.ts says why
  // that shows in an uncaught error's stack); only tph's own process (src/cli) may.
  const wrong: string[] = [];
  for (const p of PARSED) {
    if (part(p.file) === "cli") continue;
    walk(p.program, (n) => {
      if (
        n.type === "ImportDeclaration" && n.source?.value === "node:process" &&
        n.importKind !== "type"
      ) wrong.push(relative(REPO, p.file));
    });
  }
  assert.deepEqual(wrong, []);
});

Deno.test("structure: each part imports only the parts below it", () => {
  // The floors of docs/design.md, top down: a part imports its own files and the floors below
  // (tph's side reaches the program's launch contract beside it: the test above).
  const floors: Record<string, number> = {
    cli: 5,
    program: 5,
    store: 4,
    config: 3,
    render: 3,
    run_file: 2,
    project: 2,
    platform: 1,
    "abi.ts": 0,
    "types.ts": 0,
    "version.ts": 0,
    "deps.ts": 0,
  };
  const wrong: string[] = [];
  for (const p of PARSED) {
    const from = part(p.file);
    assert.ok(from in floors, `${from}: a part of src/ that docs/design.md does not place`);
    for (const target of p.imports) {
      if (!target.startsWith(SRC + "/")) continue;
      const to = part(target);
      if (to === from || (from === "cli" && to === "program")) continue;
      if (!(floors[to] < floors[from])) {
        wrong.push(`${relative(REPO, p.file)} → ${relative(REPO, target)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

/** The cycles of a graph, each as the path that closes it. */
function cycles(edges: Map<string, Set<string>>): string[] {
  const state = new Map<string, 1 | 2>();
  const found: string[] = [];
  const visit = (node: string, path: string[]) => {
    state.set(node, 1);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 1) found.push([...path, node, next].join(" → "));
      else if (!state.has(next)) visit(next, [...path, node]);
    }
    state.set(node, 2);
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  return found;
}

/**
 * The graph of the imports that run as a file loads (a type-only import is gone once compiled,
 * and an import() loads later: the command table loads each command's work that way), each file
 * named by `name` (imports within one name left out).
 */
function graph(name: (file: string) => string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const p of PARSED) {
    for (const target of p.loads) {
      if (!target.startsWith(SRC + "/")) continue;
      const a = name(p.file), b = name(target);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)!.add(b);
    }
  }
  return edges;
}

Deno.test("structure: no import cycle, between files or between folders", () => {
  assert.deepEqual(cycles(graph((f) => relative(SRC, f))), [], "files");
  // A folder's own files and its subfolders' are apart here: src/program's files (child.ts, the
  // launch contract) and its loader/ import each other's files without a cycle between files.
  assert.deepEqual(
    cycles(graph((f) => relative(SRC, dirname(f)))).filter((c) =>
      !/^program → program\/\w+ → program$|program\/\w+ → program → program\/\w+$/.test(c)
    ),
    [],
    "folders",
  );
});

Deno.test("structure: at most three functions over 100 lines, each a measured hot path", () => {
  const long: string[] = [];
  for (const p of PARSED) {
    const lineOf = (offset: number) => p.text.slice(0, offset).split("\n").length;
    walk(p.program, (n) => {
      if (
        n.type !== "FunctionDeclaration" && n.type !== "FunctionExpression" &&
        n.type !== "ArrowFunctionExpression"
      ) return;
      const first = lineOf(n.start), lines = lineOf(n.end) - first + 1;
      if (lines <= 100) return;
      // The comment above it (up to five lines) must say it is a hot path, and give a figure.
      const above = p.text.split("\n").slice(Math.max(0, first - 7), first).join("\n");
      const said = /hot path/i.test(above) && /\d/.test(above);
      long.push(`${relative(REPO, p.file)}:${first} (${lines} lines)${said ? "" : " unmarked"}`);
    });
  }
  assert.ok(long.length <= 3, `over 100 lines: ${long.join(", ")}`);
  assert.deepEqual(long.filter((l) => l.endsWith(" unmarked")), []);
});

/** The names a binding pattern declares. */
function bindingNames(p: Node, into: Set<string>): void {
  if (!p) return;
  if (p.type === "Identifier") into.add(p.name);
  else if (p.type === "ObjectPattern") {
    for (const q of p.properties) {
      bindingNames(q.type === "RestElement" ? q.argument : q.value, into);
    }
  } else if (p.type === "ArrayPattern") { for (const q of p.elements) bindingNames(q, into); }
  else if (p.type === "AssignmentPattern") bindingNames(p.left, into);
  else if (p.type === "RestElement") bindingNames(p.argument, into);
  else if (p.type === "TSParameterProperty") bindingNames(p.parameter, into);
}

const VALUE_TS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "TSParameterProperty",
]);

/**
 * The names a file reads inside its functions that no declaration of the file binds: globals,
 * read when the function runs (after the program may have replaced them). Types are left out,
 * and so is the module's top level, which runs as the file loads, before the program. (Scopes
 * are the file's: a name declared anywhere in it counts as bound.)
 */
function freeGlobals(p: Parsed): { name: string; line: number }[] {
  const declared = new Set<string>();
  const reads: { name: string; start: number }[] = [];
  let depth = 0;
  const visit = (n: Node, parent: Node, key: string): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const c of n) visit(c, parent, key);
      return;
    }
    const t = n.type;
    if (
      typeof t !== "string" || (t.startsWith("TS") && !VALUE_TS.has(t) && t !== "TSEnumDeclaration")
    ) {
      return;
    }
    if (t === "VariableDeclarator") bindingNames(n.id, declared);
    if (/^(Function|Class)(Declaration|Expression)$/.test(t) && n.id) declared.add(n.id.name);
    const fn = /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression)$/.test(t);
    if (fn) { for (const q of n.params) bindingNames(q, declared); }
    if (t === "CatchClause") bindingNames(n.param, declared);
    if (/^Import(Default|Namespace)?Specifier$/.test(t) || t === "TSEnumDeclaration") {
      if (n.importKind !== "type" && parent.importKind !== "type") {
        declared.add((n.local ?? n.id).name);
      }
      return;
    }
    if (t === "Identifier") {
      const pt = parent?.type;
      const named = (pt === "MemberExpression" && key === "property" && !parent.computed) ||
        (/^(Property|MethodDefinition|PropertyDefinition)$/.test(pt) && key === "key" &&
          !parent.computed) ||
        key === "label" || pt === "ExportSpecifier" || pt === "MetaProperty";
      if (!named && depth > 0) reads.push({ name: n.name, start: n.start });
      return;
    }
    if (fn) depth++;
    for (const k in n) if (k !== "type" && !TYPE_ONLY_KEYS.has(k)) visit(n[k], n, k);
    if (fn) depth--;
  };
  visit(p.program, null, "");
  const lineOf = (offset: number) => p.text.slice(0, offset).split("\n").length;
  return reads.filter((r) => !declared.has(r.name)).map((r) => ({
    name: r.name,
    line: lineOf(r.start),
  }));
}

/**
 * Globals the program's process may read as it runs, each with why: `undefined`, `NaN` and
 * `Infinity` cannot be changed (non-writable); `arguments` is the function's own; `globalThis`
 * is read for the runtime's objects (Bun, Deno, process), and TypeScript does not let a module
 * shadow it; `crypto` is Node's lazy getter, captured at load by files.ts, read only where the
 * runtime has no getter.
 */
const ALLOWED_GLOBALS = new Set(["undefined", "NaN", "Infinity", "arguments", "globalThis"]);
const ALLOWED_AT: Record<string, string> = { "src/platform/files.ts": "crypto" };

Deno.test("structure: code the program's process runs reads no global the program can replace", () => {
  // Every file src/program reaches by its imports (static or import()) runs in the program's
  // process, where the program may replace `Int32Array`, `JSON` or `setTimeout` before tph saves.
  const byFile = new Map(PARSED.map((p) => [p.file, p]));
  const reached = new Set<string>();
  const queue = PARSED.filter((p) => part(p.file) === "program").map((p) => p.file);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file) || !byFile.has(file)) continue;
    reached.add(file);
    queue.push(...byFile.get(file)!.imports);
  }
  assert.ok(reached.size > 100, `${reached.size} files`);
  const wrong: string[] = [];
  for (const file of [...reached].sort()) {
    const name = relative(REPO, file);
    for (const r of freeGlobals(byFile.get(file)!)) {
      if (ALLOWED_GLOBALS.has(r.name) || ALLOWED_AT[name] === r.name) continue;
      wrong.push(`${name}:${r.line} ${r.name}`);
    }
  }
  assert.deepEqual(
    wrong,
    [],
    "import these from src/platform/globals.ts (captured before the program runs; add it there " +
      "if missing): a program that replaces the global would break tph",
  );
});
