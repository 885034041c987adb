// Deno's loader: node:module's registerHooks hands the load hook each module Deno loads, as
// transpiled JavaScript with an inline source map. A file is taken through named steps: resolved
// (Deno's own loading), decided (traced, as it is, or handed back to Deno's require), transformed,
// remembered (its source for toString, its map for CommonJS stacks), handed over.

import * as nodeModule from "node:module";
import process from "../../platform/node_process.ts";
import { fileURLToPath } from "node:url";
import { dirname, relative } from "node:path";
import { hasOwnMap } from "./own_map.ts";
import { readText } from "../../platform/files.ts";
import { type PackageInfo, packageOf } from "../../project/nearest_package.ts";
import { instrumentInWorker } from "./parser_worker.ts";
import { rememberModule } from "./original_text.ts";
import { fitCommonJSMap } from "./deno_cjs_maps.ts";
import {
  forgetHookResolution,
  isRequire,
  needsOwnLoading,
  type RequireKind,
  requireKind,
} from "./deno_require.ts";
import { cacheKey, transform, type TransformOptions } from "./transform.ts";
import { type LoaderSetup, warnNotTraced } from "./setup.ts";
import { ArrayBuffer, Map, Set, TextDecoder, Uint8Array } from "../../platform/globals.ts";

/** What Deno's resolve and load hooks hand on (node:module's registerHooks). */
interface Hook {
  url?: string | null;
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextResolve = (specifier: string, context: unknown) => Hook;
type NextLoad = (url: string, context: unknown) => Hook;

/** A module the load hook instruments (see decide). */
interface Taken {
  path: string;
  /** Its code as Deno would run it. */
  source: string;
  /** Whether require() loads it (Deno's CommonJS loader asks with the "require" condition). */
  required: boolean;
  /** How require() would load it (deno_require.ts); null for an import. */
  kind: RequireKind | null;
}

/**
 * Install the load hook (and, when an include glob can put package files in scope, the resolve
 * hook that warns of those Deno will not pass through it).
 *
 * @param setup What every runtime's loader shares (register.ts).
 */
export function installDenoLoader(setup: LoaderSetup): void {
  // A package's files share a package.json: each is read once.
  const packages = new Map<string, PackageInfo | null>();
  // Only files under node_modules can be ones Deno loads without the load hook, and only an
  // include glob puts such files in scope: without one, no resolve hook, and Deno resolves every
  // module itself, as without tph.
  const resolveHook = (setup.options.include ?? []).length > 0;
  const forget = resolveHook ? forgetHookResolution() : null;
  const hooks = {
    resolve: untracedWarnings(setup, packages),
    load(url: string, context: unknown, nextLoad: NextLoad): Hook {
      // Resolved: what Deno would load without tph.
      const result = nextLoad(url, context);
      if (!url.startsWith("file:")) return result;
      const path = fileURLToPath(url);
      const required = isRequire(context);
      // require() of a file tph does not instrument: no source, so Deno loads it exactly as
      // without hooks (deno_require.ts).
      const handBack = () => {
        forget?.(path);
        return { format: result.format, source: null };
      };
      const taken = decide(setup, path, result, required, packages);
      if (taken === "as it is") return required ? handBack() : result;
      if (taken === "hand back") return handBack();
      setup.counted();
      let code: string;
      try {
        const opts = transformOptions(setup, taken);
        code = transform(taken.source, opts);
        rememberText(setup, taken, opts, code);
      } catch (e) {
        warnNotTraced(setup.moduleName(path), e);
        return required ? handBack() : result;
      }
      rememberMap(taken, result.format, code);
      return handOver(result, taken, code);
    },
  };
  // Looked up at run time: Bun's node:module has no registerHooks export.
  // deno-lint-ignore no-explicit-any
  const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
  registerHooks(resolveHook ? hooks : { load: hooks.load });
}

/**
 * Whether the load hook instruments a module Deno resolved: "as it is" for one out of scope or
 * not JavaScript (handed back, a JSON file is also read as JSON: with the source a pass-through
 * hook gives, Deno compiles it as JavaScript; tests/program/loader/deno_json_hook_test.ts), "hand back"
 * for one that require() must load itself (deno_require.ts).
 */
function decide(
  setup: LoaderSetup,
  path: string,
  result: Hook,
  required: boolean,
  packages: Map<string, PackageInfo | null>,
): Taken | "as it is" | "hand back" {
  const format = result.format;
  const instrumented = setup.inScope(path) && result.source != null &&
    (format === "module" || format === "commonjs" || format === undefined);
  if (!instrumented) return "as it is";
  const source = typeof result.source === "string"
    ? result.source
    : new TextDecoder().decode(result.source as Uint8Array);
  const kind: RequireKind | null = required ? requireKind(path, packages) : null;
  if (kind !== null && needsOwnLoading(kind, source)) return "hand back";
  return { path, source, required, kind };
}

const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;

/** The transform options of a module Deno loads, its cache key from the manifest when known. */
function transformOptions(setup: LoaderSetup, taken: Taken): TransformOptions {
  const opts: TransformOptions = {
    ...setup.transformOptions(taken.path, "js"),
    sourceMap: true,
    // Deno may need the map of the rewriting alone for a CommonJS module whose source has a map
    // of its own (deno_cjs_maps.ts); require() loads every CommonJS module.
    shiftMap: taken.required && hasOwnMap(taken.path, taken.source),
    instrumenter: setup.parserLoaded ? undefined : instrumentInWorker,
    guardAwaits: true,
  };
  // Deno reads no inline map of a file in a node_modules folder for its stacks (a map in a file
  // beside it, it does): the code carries the map of the rewriting alone instead.
  if (IN_NODE_MODULES.test(taken.path)) opts.inlineMapInStacks = false;
  const manifest = setup.manifest;
  if (manifest !== null) {
    opts.key = manifest.keyFor(taken.path) ?? cacheKey(taken.source, opts);
    manifest.saw(taken.path, opts.key);
  }
  return opts;
}

/** Keep a rewritten module's source, for its functions' toString (original_text.ts). */
function rememberText(setup: LoaderSetup, taken: Taken, opts: TransformOptions, code: string) {
  if (code === taken.source) return;
  rememberModule({
    source: taken.source,
    filename: taken.path,
    lang: "js",
    module: opts.module,
    externalCalls: setup.options.externalCalls,
    guardAwaits: true,
  });
}

/**
 * Give Deno the map of a module that runs as CommonJS (or, given no format, as an ES module if
 * that fails, whose map Deno then reads from the code): Deno does not read the code's map
 * (deno_cjs_maps.ts).
 */
function rememberMap(taken: Taken, format: Hook["format"], code: string): void {
  if (taken.required && taken.kind !== "module" && format !== "module" && code !== taken.source) {
    fitCommonJSMap(taken.path, code, taken.source);
  }
}

/**
 * What the load hook gives Deno. An ES module by its name or package runs as one, as without
 * hooks (given no format, Deno would try the code as CommonJS first).
 */
function handOver(result: Hook, taken: Taken, code: string): Hook {
  return {
    ...result,
    format: taken.kind === "module" ? "module" : result.format,
    source: code,
    shortCircuit: true,
  };
}

/**
 * The resolve hook: one warning line for each in-scope package whose ES modules Deno loads
 * without the load hook (see untracedPackage).
 */
function untracedWarnings(
  setup: LoaderSetup,
  packages: Map<string, PackageInfo | null>,
): (specifier: string, context: unknown, nextResolve: NextResolve) => Hook {
  const untraced = new Set<string>();
  // A module is resolved once per import of it: each is looked at once (zod's ~60 modules made
  // ~10 ms of reads).
  const checked = new Set<string>();
  return function resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    const url = result?.url;
    if (
      typeof url === "string" && url.startsWith("file:") && url.includes("/node_modules/") &&
      !checked.has(url)
    ) {
      checked.add(url);
      const pkg = untracedPackage(fileURLToPath(url), setup.inScope, packages);
      if (pkg !== null && !untraced.has(pkg)) {
        untraced.add(pkg);
        process.stderr.write(
          `tph: warning: ${pkg} is not traced: Deno does not pass the ES modules of a ` +
            `package whose package.json has no "type" through loader hooks\n`,
        );
      }
    }
    return result;
  };
}

// An ES module statement at the start of a line (not `importance:` or `exports.x =`), or
// import.meta: a heuristic, used only to warn (see untracedPackage).
const ESM_STATEMENT =
  /^[ \t]*(?:import\s*(?:[\w$]+\s*(?:,|from\b)|[{*"'])|export\s*(?:[{*]|default\b|(?:const|let|var|function|class|async)\s))|\bimport\.meta\b/m;

/**
 * The package of an in-scope file that Deno will load without calling the load hook: Deno
 * decides the format of a .js file in node_modules whose package.json has no "type" by its
 * syntax, and loads the ES modules among them on a path that skips the hooks (checked with
 * deno 2.9.6; CommonJS ones do reach the hook). Null when the file is traced as usual.
 */
function untracedPackage(
  path: string,
  inScope: (path: string) => boolean,
  packages: Map<string, PackageInfo | null>,
): string | null {
  if (!path.endsWith(".js") || !inScope(path)) return null;
  const pkg = packageOf(path, packages);
  if (pkg === null || pkg.type !== undefined) return null;
  try {
    if (!ESM_STATEMENT.test(readText(path))) return null;
  } catch {
    return null;
  }
  return relative(process.cwd(), dirname(pkg.path)) || dirname(pkg.path);
}
