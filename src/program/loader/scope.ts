import { globToRegExp } from "../recorder/glob.ts";

/** Which files `tph run` instruments. */
export interface ScopeOptions {
  /** Absolute folders whose files are traced (node_modules inside them excluded). */
  scope: string[];
  /** Globs of files to trace as well (e.g. `node_modules/marked/**`). */
  include?: string[];
  /** Globs of files never traced. */
  exclude?: string[];
}

// Include and exclude globs apply to JavaScript and TypeScript sources only: a package's JSON
// or native addon is always the runtime's to load.
const SOURCE_EXT = String.raw`\.(?:[cm]?[jt]s|[jt]sx)$`;

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
  const roots = options.scope.map((d) => escapeRegExp(d.endsWith("/") ? d : d + "/"));
  const inc = (options.include ?? []).map((g) => `[^]*${globToRegExp(g).source}`);
  const exc = (options.exclude ?? []).map((g) => globToRegExp(g).source);
  if (roots.length > 0) inc.push(`(?![^]*/node_modules/)(?:${roots.join("|")})`);
  if (inc.length === 0) return /(?!)/;
  const excluded = exc.length > 0 ? `(?![^]*(?:${exc.join("|")}))` : "";
  return new RegExp(`^${excluded}(?=[^]*${SOURCE_EXT})(?:${inc.join("|")})`);
}

/**
 * Build the predicate deciding whether a file (absolute path) is instrumented: see
 * {@linkcode scopeRegExp}.
 *
 * @param options Scope folders and globs.
 * @returns A predicate on absolute file paths.
 *
 * @example
 * ```ts
 * import { makeScope } from "./src/program/loader/scope.ts";
 * const inScope = makeScope({ scope: ["/app"], include: ["node_modules/marked/**"] });
 * inScope("/app/src/main.ts"); // true
 * inScope("/app/node_modules/lodash/index.js"); // false
 * ```
 */
export function makeScope(options: ScopeOptions): (path: string) => boolean {
  const re = scopeRegExp(options);
  return (path) => re.test(path);
}
