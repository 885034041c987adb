// Deno's require() of an ES module under a node:module load hook (checked with deno 2.9.6).
//
// Without hooks, Deno's require() of an ES module evaluates it with its whole graph prepared from
// disk (`op_import_sync`). Once a load hook gives require() the module's source, Deno evaluates
// that source alone (`op_import_sync_with_source`), and any import of a file from it then fails
// with `Cannot resolve module "./x.cjs"`: a pass-through hook is enough (async-function's
// "module-sync" export, which get-intrinsic, qs, express and tape require). Imports of built-ins
// work there. So the hook gives require() the source of an ES module only when it imports
// built-ins alone, and otherwise hands the file back to Deno's own loading: the program then runs
// exactly as without tph, that module's graph untraced (tests/program/loader/deno_require_esm_test.ts).

import * as nodeModule from "node:module";
import type { PackageInfo } from "../../project/nearest_package.ts";
import { packageOf } from "../../project/nearest_package.ts";
import { Array, Map } from "../../platform/globals.ts";

/** How Deno's require() runs a file: its extension's loader, before it looks at the text. */
export type RequireKind = "module" | "commonjs" | "maybe";

/**
 * How Deno's require() loads a file by its name and package: `.mjs`/`.mts`/`.wasm` as ES
 * modules, `.cjs`/`.cts` as CommonJS; other files as ES modules under a package.json that says
 * `"type": "module"`, else as CommonJS unless their text does not compile as CommonJS ("maybe").
 *
 * @param path The file's absolute path.
 * @param packages Cache of the package.json governing each folder.
 */
export function requireKind(path: string, packages: Map<string, PackageInfo | null>): RequireKind {
  const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
  if (ext === ".mjs" || ext === ".mts" || ext === ".wasm") return "module";
  if (ext === ".cjs" || ext === ".cts") return "commonjs";
  return packageOf(path, packages)?.type === "module" ? "module" : "maybe";
}

// A static import or re-export's module request: `import "x"`, `from "x"` (import … from,
// export … from), comments allowed before the string. Text in strings and comments can match
// too: that only makes a file look as if it imported something.
const MODULE_REQUEST =
  /(?<![\w$])(?:import|from)(?:\s|\/\*[^]*?\*\/|\/\/[^\n\r\u2028\u2029]*)*(["'])((?:(?!\1)[^\\\n\r]|\\[^])*)\1/g;

const isBuiltin = (nodeModule as unknown as { isBuiltin: (s: string) => boolean }).isBuiltin;

/**
 * Whether a module's text may import something other than a built-in (a file, a package, a URL):
 * true unless every static import and re-export it could have names a built-in module.
 *
 * @param source The module's text.
 */
export function importsFiles(source: string): boolean {
  MODULE_REQUEST.lastIndex = 0;
  for (let m; (m = MODULE_REQUEST.exec(source)) !== null;) {
    const specifier = m[2];
    if (specifier.includes("\\")) return true;
    if (!specifier.startsWith("node:") && !isBuiltin(specifier)) return true;
  }
  return false;
}

// Captured before the program runs (it may replace them).
const FunctionCtor = Function;

/**
 * Whether Deno's require() would run the text as CommonJS: it compiles as the body of the
 * CommonJS wrapper function (Deno tries that, and on a SyntaxError runs the file as an ES module).
 *
 * @param source The file's text.
 */
export function compilesAsCommonJS(source: string): boolean {
  if (source.startsWith("#!")) source = "//" + source.slice(2);
  try {
    new FunctionCtor("exports", "require", "module", "__filename", "__dirname", source);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether require() must load this file itself, without the hook's source: it runs as an ES
 * module (by its name and package, or by its syntax) and may import files.
 *
 * @param kind {@linkcode requireKind} of the file.
 * @param source Its text as require() reads it.
 */
export function needsOwnLoading(kind: RequireKind, source: string): boolean {
  if (kind === "commonjs" || !importsFiles(source)) return false;
  return kind === "module" || !compilesAsCommonJS(source);
}

/**
 * Whether Deno's CommonJS loader (require(), and the CommonJS side of an import) is asking: it
 * hands the hook the "require" condition, its ES module loader "import".
 *
 * @param context The load hook's context.
 */
export function isRequire(context: unknown): boolean {
  const conditions = (context as { conditions?: unknown } | null)?.conditions;
  return Array.isArray(conditions) && conditions.includes("require");
}

// Files that Deno's require() runs through its ".js" loader, which may take them for ES modules.
const OWN_LOADER = /\.(?:[cm][jt]s|json|node|wasm)$/i;

/**
 * A function that makes Deno forget that a resolve hook resolved a file. Deno notes every file a
 * resolve hook resolves for require(); when such a file turns out to be an ES module, Deno
 * evaluates the source it read without preparing the module's graph, even when no load hook gave
 * that source, and its imports fail as above. Deno forgets the note when it compiles the file
 * (`Module.prototype._compile` takes it off): compiling nothing under the file's name, in a
 * throwaway module, takes it off before Deno's own loading of the file.
 */
export function forgetHookResolution(): (path: string) => void {
  // deno-lint-ignore no-explicit-any
  const Module = (nodeModule as any).Module;
  // Captured before the program runs (it may replace it).
  const compile = Module.prototype._compile;
  return (path) => {
    if (OWN_LOADER.test(path)) return;
    try {
      compile.call(new Module(path, null), "", path, "commonjs");
    } catch {
      // Deno's own loading then reports what is wrong with the file.
    }
  };
}
