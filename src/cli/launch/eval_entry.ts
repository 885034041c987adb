// `tph run -e CODE`: the program is an expression (its value is printed) or statements.
// Identifiers in it that name a module in the current folder (`foo` → ./foo.ts, .tsx, .mts, .js,
// .mjs, ./foo/mod.ts, ./foo/index.ts) or an installed package are imported as namespaces (a
// CommonJS package as its value, `module.exports`, as its users import it),
// `--import SPEC[=NAME]` adds more, and an entry module written in the current folder (so that its
// imports resolve as a script's there would; in a temporary folder when the current one cannot be
// written, see writeEvalEntry) runs the code: an expression is awaited and its value
// printed. The code is checked first: a syntax error is one line, with its place in the code. An
// error it throws at run time is the runtime's to report, in `.tph-e.ts`, where statements stand
// at their own lines and columns and an expression one line down.

import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { symlinkSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  exists,
  fileProblem,
  isDirectory,
  makeDir,
  readText,
  remove,
  writeText,
} from "../../platform/files.ts";
import { RunError } from "./run_error.ts";
import { tempFolder } from "./temp_folder.ts";
import { oxc } from "../../deps.ts";

/** Files an identifier may name, in the order they are looked for. */
const MODULE_FILES = [".ts", ".tsx", ".mts", ".js", ".mjs", "/mod.ts", "/index.ts"];

// Words that are never a module's name in an expression.
const RESERVED = new Set(
  ("await break case catch class const continue debugger default delete do else enum export " +
    "extends false finally for function if import in instanceof let new null return super switch " +
    "this throw true try typeof var void while with yield async of static get set undefined")
    .split(" "),
);

/** A name an expression refers to. */
export interface ReferencedName {
  name: string;
  /** Whether every use of it is followed by `.` or `?.` (`foo.bar`): as a module is used. */
  member: boolean;
}

/**
 * The identifiers an expression refers to by name, in order, once each: words outside strings,
 * template texts and comments that do not follow a `.` (a property). Object keys count too: a
 * candidate is only imported when a module or package has its name.
 *
 * @param expr The expression.
 */
export function referencedNames(expr: string): ReferencedName[] {
  const names: ReferencedName[] = [];
  const seen = new Map<string, ReferencedName>();
  let i = 0;
  const n = expr.length;
  const isStart = (c: string) => /[A-Za-z_$]/.test(c);
  const isPart = (c: string) => /[\w$]/.test(c);
  // Code until an unmatched `}` (the end of a template's `${…}`) or the end.
  const code = (): void => {
    let depth = 0;
    while (i < n) {
      const c = expr[i];
      if (c === "'" || c === '"') {
        const q = c;
        for (i++; i < n && expr[i] !== q; i++) if (expr[i] === "\\") i++;
        i++;
      } else if (c === "`") {
        i++;
        template();
      } else if (c === "/" && expr[i + 1] === "/") {
        while (i < n && expr[i] !== "\n") i++;
      } else if (c === "/" && expr[i + 1] === "*") {
        const end = expr.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c === "{") {
        depth++;
        i++;
      } else if (c === "}") {
        if (depth === 0) return;
        depth--;
        i++;
      } else if (isStart(c) && !(i > 0 && isPart(expr[i - 1]))) {
        let j = i + 1;
        while (j < n && isPart(expr[j])) j++;
        const word = expr.slice(i, j);
        // A property (`a.b`, `a?.b`) is not a name of its own.
        let k = i - 1;
        while (k >= 0 && /\s/.test(expr[k])) k--;
        const property = k >= 0 && expr[k] === "." && expr[k - 1] !== ".";
        if (!property && !RESERVED.has(word)) {
          let after = j;
          while (after < n && /\s/.test(expr[after])) after++;
          const member = (expr[after] === "." && expr[after + 1] !== ".") ||
            (expr[after] === "?" && expr[after + 1] === ".");
          const known = seen.get(word);
          if (known === undefined) {
            const ref = { name: word, member };
            seen.set(word, ref);
            names.push(ref);
          } else if (!member) known.member = false;
        }
        i = j;
      } else i++;
    }
  };
  // A template's text until its closing backtick; `${…}` holds code.
  const template = (): void => {
    while (i < n) {
      const c = expr[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        return;
      } else if (c === "$" && expr[i + 1] === "{") {
        i += 2;
        code();
        i++;
      } else i++;
    }
  };
  while (i < n) {
    code();
    i++;
  }
  return names;
}

/** An expression names a module that is not there (one line for the user). */
export class EvalNameError extends Error {
  override name = "EvalNameError";
}

/** One module the entry module imports. */
export interface EvalImport {
  name: string;
  /** The specifier, as written in the entry module. */
  specifier: string;
  /**
   * A CommonJS module: its value is what `import NAME from` gives (its `module.exports`, as a
   * user of the runtime imports it), not a namespace whose names only a static look at its code
   * found (`lodash.chunk` is not among them on Node and Deno).
   */
  commonjs?: boolean;
}

/** An installed package's folder, looking up from `dir` as module resolution does. */
export function packageFolder(name: string, dir: string): string | null {
  for (let d = dir;; d = dirname(d)) {
    const folder = join(d, "node_modules", name);
    if (isDirectory(folder)) return folder;
    if (dirname(d) === d) return null;
  }
}

/** `./x/y.ts` for a file under `dir`, as an import from a module in `dir`. */
function relativeSpecifier(file: string, dir: string): string {
  const rel = relative(dir, file).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * The modules an expression's names refer to, and those asked for with `--import`.
 *
 * @param expr The expression.
 * @param cwd The folder it is evaluated in.
 * @param explicit `--import` values: `SPEC` or `SPEC=NAME`.
 * @returns The imports; throws an Error (one line) for a bad `--import`.
 */
export function evalImports(expr: string, cwd: string, explicit: string[] = []): EvalImport[] {
  const out: EvalImport[] = [];
  const taken = new Set<string>();
  for (const spec of explicit) {
    const eq = spec.lastIndexOf("=");
    const target = eq > 0 ? spec.slice(0, eq) : spec;
    const name = eq > 0 ? spec.slice(eq + 1) : identifierOf(target);
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || RESERVED.has(name)) {
      throw new Error(`--import ${spec}: "${name}" is not a name to import as (use SPEC=NAME)`);
    }
    const local = target.startsWith(".") || target.startsWith("/");
    if (local && !exists(resolve(cwd, target))) {
      throw new Error(`--import ${spec}: "${target}" not found in ${cwd}`);
    }
    const specifier = local ? relativeSpecifier(resolve(cwd, target), cwd) : target;
    const folder = local ? null : packageFolder(packageName(target), cwd);
    const commonjs = local
      ? /\.c[jt]s$/.test(target)
      : folder !== null && commonJsPackage(folder, target.slice(packageName(target).length));
    out.push({ name, specifier, ...(commonjs ? { commonjs } : {}) });
    taken.add(name);
  }
  for (const { name, member } of referencedNames(expr)) {
    if (taken.has(name) || name in globalThis) continue;
    const file = MODULE_FILES.map((ext) => join(cwd, name + ext)).find((f) =>
      exists(f) && !isDirectory(f)
    );
    const folder = file === undefined ? packageFolder(name, cwd) : null;
    if (file !== undefined) out.push({ name, specifier: relativeSpecifier(file, cwd) });
    else if (folder !== null) {
      out.push({
        name,
        specifier: name,
        ...(commonJsPackage(folder, "") ? { commonjs: true } : {}),
      });
    } else if (member) {
      // Used only as `name.x`, bound nowhere in the expression: a module that is not there.
      throw new EvalNameError(
        `Cannot run -e: "${name}" is no module in ${cwd} (${name}.ts, ${name}.js, ` +
          `${name}/index.ts…) nor an installed package; import one with --import SPEC=${name}`,
      );
    }
  }
  return out;
}

/** The package a bare specifier names: `lodash` of `lodash/fp`, `@scope/pkg` of `@scope/pkg/x`. */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return parts.slice(0, spec.startsWith("@") ? 2 : 1).join("/");
}

/**
 * Whether importing a package (or its `subpath`, `/fp`) loads CommonJS: its package.json says
 * nothing of ES modules (no `"type": "module"`, no `import` or `module` condition and no `.mjs`
 * file in its exports, a main that is no `.mjs`), nor does the subpath's own extension.
 */
function commonJsPackage(folder: string, subpath: string): boolean {
  // deno-lint-ignore no-explicit-any
  let pkg: any;
  try {
    pkg = JSON.parse(readText(join(folder, "package.json")));
  } catch {
    return false;
  }
  if (pkg === null || typeof pkg !== "object" || pkg.type === "module") return false;
  if (/\.m[jt]s$/.test(subpath)) return false;
  const esm = (x: unknown): boolean =>
    typeof x === "string" ? /\.m[jt]s$/.test(x) : x !== null && typeof x === "object" &&
      Object.entries(x).some(([k, v]) => k === "import" || k === "module" || esm(v));
  if (pkg.exports !== undefined && esm(pkg.exports)) return false;
  return !(typeof pkg.main === "string" && /\.m[jt]s$/.test(pkg.main));
}

/** A name for a specifier: its file or package name as an identifier (`date-fns` → dateFns). */
function identifierOf(spec: string): string {
  const last = basename(spec.replace(/\/+$/, "")).replace(/\.[^.]*$/, "");
  const words = last.split(/[^A-Za-z0-9_$]+/).filter((w) => w !== "");
  const id = words.map((w, k) => k === 0 ? w : w[0].toUpperCase() + w.slice(1)).join("");
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** How `-e` code runs: an expression (its value printed) or statements. */
export type EvalForm = "expression" | "statements";

/** `-e` code that is neither an expression nor statements: the parser's words and the place. */
export class EvalSyntaxError extends Error {}

/**
 * Whether `-e` code is one expression (`add(1, 2)`, `await load()`) or statements
 * (`const x = parse("a"); print(x)`), TypeScript syntax included.
 *
 * @param code The code.
 * @throws {EvalSyntaxError} When it is neither: the parser's first error and its line:column in
 * the code (`Unexpected token at 1:12`).
 */
export function evalForm(code: string): EvalForm {
  const parse = (text: string) =>
    oxc().parseSync("eval.ts", text, { lang: "ts", sourceType: "module" } as never);
  // One expression: the code between parentheses parses as one parenthesized expression that is
  // all of it (not `1) + (2`, which only closes and reopens them).
  const wrapped = parse(`(${code}\n)`);
  const body = wrapped.program.body as {
    type: string;
    expression?: { type: string; end: number };
  }[];
  if (
    !wrapped.errors.some((e) => e.severity === "Error") && body.length === 1 &&
    body[0].type === "ExpressionStatement" &&
    body[0].expression?.type === "ParenthesizedExpression" &&
    body[0].expression.end === code.length + 3
  ) return "expression";
  const statements = parse(code);
  const error = statements.errors.find((e) => e.severity === "Error");
  if (error === undefined) return "statements";
  const at = error.labels?.[0]?.start;
  const place = at === undefined ? "" : ` at ${lineColumn(code, at)}`;
  throw new EvalSyntaxError(`${error.message.split("\n")[0]}${place}`);
}

/** 1-based `line:column` of an offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}

/** The entry module's name in the current folder (another run's there: `.tph-e-2.ts`, …). */
export function evalEntryName(taken: (name: string) => boolean): string {
  for (let k = 1;; k++) {
    const name = k === 1 ? ".tph-e.ts" : `.tph-e-${k}.ts`;
    if (!taken(name)) return name;
  }
}

/**
 * The entry module's source: statements as they are, from line 1; an expression on line 2, after
 * the line that awaits it, and its value printed as the runtime's inspector shows it. The imports
 * (hoisted as imports are) and a word on the file come after the code, so that its lines and
 * columns are its own.
 */
export function evalEntry(code: string, imports: EvalImport[], form: EvalForm): string {
  const lines = form === "expression"
    ? ["const __tph_value = await (", code, ");", "console.log(__tph_inspect(__tph_value));"]
    : [code, ";"];
  lines.push(
    ...imports.map((m) =>
      `import ${m.commonjs ? "" : "* as "}${m.name} from ${JSON.stringify(m.specifier)};`
    ),
    ...(form === "expression" ? ['import { inspect as __tph_inspect } from "node:util";'] : []),
    "// Written by `tph run -e`, removed when the run ends.",
    "",
  );
  return lines.join("\n");
}

/** The entry module `-e` runs, once written. */
export interface EvalEntryFile {
  path: string;
  /** Where the code's project is, when the entry is not in it (see writeEvalEntry). */
  root: string | null;
  /** What to remove after the run. */
  remove: string;
}

/**
 * Write the entry module: in `cwd`, so that its imports resolve as a script's there would; in a
 * folder `cwd` cannot have (read-only, or not the user's to write), in a temporary folder
 * instead, its files imported by their URLs and its packages through links to their folders.
 *
 * @throws {RunError} One line, when it cannot be written anywhere.
 */
export function writeEvalEntry(
  cwd: string,
  code: string,
  imports: EvalImport[],
  form: EvalForm,
): EvalEntryFile {
  let path = "";
  for (let tries = 0;; tries++) {
    path = join(cwd, evalEntryName((name) => exists(join(cwd, name))));
    try {
      writeText(path, evalEntry(code, imports, form), { exclusive: true });
      return { path, root: null, remove: path };
    } catch (e) {
      const code = (e as { code?: string }).code;
      // Another run took the name between the look and the write: the next one.
      if (code === "EEXIST" && tries < 100) continue;
      if (code === "EROFS" || code === "EACCES" || code === "EPERM") break;
      throw new RunError(
        `Cannot run -e: cannot write its entry module in ${cwd}: ${fileProblem(e)}`,
      );
    }
  }
  const dir = tempFolder("tph-e-");
  try {
    const elsewhere = imports.map((m) => {
      if (m.specifier.startsWith(".")) {
        return { ...m, specifier: pathToFileURL(resolve(cwd, m.specifier)).href };
      }
      const name = packageName(m.specifier);
      const folder = packageFolder(name, cwd);
      const link = join(dir, "node_modules", name);
      if (folder !== null && !exists(link)) {
        makeDir(dirname(link));
        symlinkSync(folder, link, "dir");
      }
      return m;
    });
    // An ES module, whatever the folder's package.json says (as the entry there would be).
    writeText(join(dir, "package.json"), '{ "type": "module" }\n');
    path = join(dir, evalEntryName(() => false));
    writeText(path, evalEntry(code, elsewhere, form));
  } catch (e) {
    remove(dir);
    if (e instanceof RunError) throw e;
    throw new RunError(`Cannot run -e: cannot write its entry module in ${dir}: ${fileProblem(e)}`);
  }
  return { path, root: cwd, remove: dir };
}
