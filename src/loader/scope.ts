import { globToRegExp } from "../runtime/glob.ts";

/** Which files `tph run` instruments. */
export interface ScopeOptions {
  /** Absolute folders whose files are traced (node_modules inside them excluded). */
  scope: string[];
  /** Globs of files to trace as well (e.g. `node_modules/marked/**`). */
  include?: string[];
  /** Globs of files never traced. */
  exclude?: string[];
}

const SOURCE_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * Build the predicate deciding whether a file (absolute path) is instrumented: under a scope
 * folder and not in node_modules, or matched by an include glob; and not matched by an exclude
 * glob. Only JavaScript and TypeScript sources qualify.
 *
 * @param options Scope folders and globs.
 * @returns A predicate on absolute file paths.
 *
 * @example
 * ```ts
 * import { makeScope } from "./src/loader/scope.ts";
 * const inScope = makeScope({ scope: ["/app"], include: ["node_modules/marked/**"] });
 * inScope("/app/src/main.ts"); // true
 * inScope("/app/node_modules/lodash/index.js"); // false
 * ```
 */
export function makeScope(options: ScopeOptions): (path: string) => boolean {
  const roots = options.scope.map((d) => d.endsWith("/") ? d : d + "/");
  const inc = (options.include ?? []).map((g) => globToRegExp(g));
  const exc = (options.exclude ?? []).map((g) => globToRegExp(g));
  return (path) => {
    if (!SOURCE_EXT.test(path)) return false;
    if (exc.some((re) => re.test(path))) return false;
    if (inc.some((re) => re.test(path))) return true;
    if (path.includes("/node_modules/")) return false;
    return roots.some((r) => path.startsWith(r));
  };
}
