import { compileGlob, globRegExpSource } from "./glob.ts";
import { RegExp, String } from "../platform/globals.ts";
import { regexTest, strIncludes, strSlice, strStartsWith } from "../platform/intrinsics.ts";

/** Which files `tph run` instruments. */
export interface ScopeOptions {
  /** Absolute folders whose files are traced (node_modules inside them excluded). */
  scope: string[];
  /** Absolute files traced on their own (a scope that names a file). */
  files?: string[];
  /** Globs of files to trace as well (e.g. `node_modules/marked/**`). */
  include?: string[];
  /** Globs of files never traced. */
  exclude?: string[];
  /** Absolute folders whose files are never traced, taken literally (not as globs). */
  excludeFolders?: string[];
}

// Include and exclude globs apply to JavaScript and TypeScript sources only: a package's JSON
// or native addon is always the runtime's to load.
const SOURCE_EXT = String.raw`\.(?:[cm]?[jt]s|[jt]sx)$`;
/** A file tph traces, by its extension. */
export const SOURCE_FILE = new RegExp(SOURCE_EXT);

/** A folder's path ending with `/`. */
function asFolder(dir: string): string {
  return dir.endsWith("/") ? dir : dir + "/";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * The files `tph run` instruments as one RegExp on absolute paths: under a scope folder and not
 * in node_modules, or matched by an include glob; and not matched by an exclude glob. Only
 * JavaScript and TypeScript sources qualify. Bun matches plugin filters natively, so this one
 * expression is both the Bun filter and the Deno hook's test: a file out of scope never reaches
 * the loader on Bun, whose onLoad cannot hand a file back to the runtime's own loading.
 *
 * @param options Scope folders and globs.
 * @returns The RegExp.
 */
export function scopeRegExp(options: ScopeOptions): RegExp {
  const roots = options.scope.map((d) => escapeRegExp(asFolder(d)));
  // Each glob's source matches a whole path from its start (glob.ts: it does not backtrack
  // without bound, which Bun's native filter would, the CLI waiting on it), its groups numbered
  // in turn.
  const groups = { next: 1 };
  const inc = (options.include ?? []).map((g) => globRegExpSource(g, groups));
  const exc = (options.exclude ?? []).map((g) => globRegExpSource(g, groups));
  for (const d of options.excludeFolders ?? []) exc.push(`^${escapeRegExp(asFolder(d))}`);
  // node_modules below a scope folder is left out, not one the folder is in (`--scope
  // node_modules/pkg` traces that package).
  if (roots.length > 0) inc.push(`(?:${roots.join("|")})(?!(?:[^]*/)?node_modules/)`);
  const files = (options.files ?? []).map(escapeRegExp);
  if (files.length > 0) inc.push(`(?:${files.join("|")})$`);
  if (inc.length === 0) return /(?!)/;
  const excluded = exc.length > 0 ? `(?!${exc.join("|")})` : "";
  return new RegExp(`^${excluded}(?=[^]*${SOURCE_EXT})(?:${inc.join("|")})`);
}

/**
 * Build the predicate deciding whether a file (absolute path) is instrumented: the test
 * {@linkcode scopeRegExp} makes, its globs matched by glob.ts without a RegExp. It may run
 * while the program runs (a loader's hook): through captured built-ins only.
 *
 * @param options Scope folders and globs.
 * @returns A predicate on absolute file paths.
 *
 * @example
 * ```ts
 * import { makeScope } from "./src/project/scope.ts";
 * const inScope = makeScope({ scope: ["/app"], include: ["node_modules/marked/**"] });
 * inScope("/app/src/main.ts"); // true
 * inScope("/app/node_modules/lodash/index.js"); // false
 * ```
 */
export function makeScope(options: ScopeOptions): (path: string) => boolean {
  const roots = options.scope.map(asFolder);
  const files = [...(options.files ?? [])];
  const inc = (options.include ?? []).map((g) => compileGlob(g).test);
  const exc = (options.exclude ?? []).map((g) => compileGlob(g).test);
  const excFolders = (options.excludeFolders ?? []).map(asFolder);
  return (path) => {
    if (!regexTest(SOURCE_FILE, path)) return false;
    for (let i = 0; i < exc.length; i++) if (exc[i](path)) return false;
    for (let i = 0; i < excFolders.length; i++) {
      if (strStartsWith(path, excFolders[i])) return false;
    }
    for (let i = 0; i < inc.length; i++) if (inc[i](path)) return true;
    for (let i = 0; i < roots.length; i++) {
      if (!strStartsWith(path, roots[i])) continue;
      // node_modules below a scope folder is left out, not one the folder is in.
      const rest = strSlice(path, roots[i].length);
      if (!strStartsWith(rest, "node_modules/") && !strIncludes(rest, "/node_modules/")) {
        return true;
      }
    }
    for (let i = 0; i < files.length; i++) if (path === files[i]) return true;
    return false;
  };
}

/** Why a file is not traced: see {@linkcode outOfScope}. */
export type OutOfScope =
  | { kind: "excluded"; glob: string }
  | { kind: "not a source" }
  | { kind: "node_modules" }
  | { kind: "outside" };

/**
 * Why a file is not traced, or null when it is: an exclude glob matches it, it is not a
 * JavaScript or TypeScript source, it is in node_modules below a scope folder, or it is outside
 * every scope folder and file and matches no include glob.
 *
 * @param path The file, absolute.
 * @param options Scope folders and globs.
 *
 * @example
 * ```ts
 * import { outOfScope } from "./src/project/scope.ts";
 * outOfScope("/app/main.ts", { scope: ["/app/lib"] }); // { kind: "outside" }
 * ```
 */
export function outOfScope(path: string, options: ScopeOptions): OutOfScope | null {
  if (makeScope(options)(path)) return null;
  if (!SOURCE_FILE.test(path)) return { kind: "not a source" };
  for (const glob of options.exclude ?? []) {
    if (compileGlob(glob).test(path)) return { kind: "excluded", glob };
  }
  for (const d of options.excludeFolders ?? []) {
    if (path.startsWith(asFolder(d))) return { kind: "excluded", glob: `${asFolder(d)}**` };
  }
  const inNodeModules = options.scope.some((d) => {
    const root = asFolder(d);
    return path.startsWith(root) && /(?:^|\/)node_modules\//.test(path.slice(root.length));
  });
  return inNodeModules ? { kind: "node_modules" } : { kind: "outside" };
}
