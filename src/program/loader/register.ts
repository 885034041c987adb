// Install the module loader hook that instruments in-scope files: Deno through node:module's
// registerHooks (it hands us transpiled JS with an inline source map), Bun through Bun.plugin
// (it hands us the raw TypeScript and transpiles what we return).

import * as nodeModule from "node:module";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { instrument } from "../instrument/instrument.ts";
import { type Lang, langOf } from "../../run_file/languages.ts";
import { findInlineMap, lineStarts } from "../instrument/_positions.ts";
import { readText } from "../../host/files.ts";
import { runtime } from "../recorder/recorder.ts";
import { type PackageInfo, packageOf } from "../../run_file/nearest_package.ts";
import { makeScope, scopeRegExp } from "../../run_file/scope.ts";
import type { LoaderOptions } from "../settings.ts";
import { ownSources, tphCopy } from "./own_sources.ts";
import { Manifest } from "./manifest.ts";
import { VERSION } from "../../version.ts";
import { instrumentInWorker } from "./parser_worker.ts";
import { installToString, rememberModule } from "./original_text.ts";
import { insertAtLineStart, installBunStacks, rememberColumns } from "./bun_stacks.ts";
import { blankTypes, callerFile, compileShift, loadedByImport, mappedStarts } from "./bun_cjs.ts";
import { fitCommonJSMap } from "./deno_cjs_maps.ts";
import {
  forgetHookResolution,
  isRequire,
  needsOwnLoading,
  type RequireKind,
  requireKind,
} from "./deno_require.ts";
import {
  cacheKey,
  transform,
  transformCacheFolder,
  transformModule,
  type TransformOptions,
} from "./transform.ts";

// A TypeScript or JSX file without module syntax is CommonJS to Bun too, but Bun's transpiler
// writes what such a file needs (decorator and JSX helpers) as imports, which CommonJS cannot
// run: such a file goes to Bun as an ES module unless it uses CommonJS's own names.
const CJS_NAME = /\b(?:module|exports|require|__filename|__dirname)\b/;

/**
 * Bun's Module.prototype._compile runs a module's code with `this` = the module object, where Node
 * and Bun's own loader give `module.exports`: the code goes in a function called with that, opened
 * on its first line so that no line moves. The function takes the wrapper's five arguments under
 * their names, so that the module's own `var require = …` (or `exports`, `module`) rebinds the
 * same variable as in Node's wrapper, its old value still in it, instead of hiding it.
 *
 * @param js The module's code.
 * @param params The function's parameters: the names of the wrapper's five arguments.
 * @returns The code, and where the function's opening stands: at the start of line `line`
 *   (0-based), `width` long.
 */
function wrapExportsAsThis(
  js: string,
  params: string,
): { code: string; line: number; width: number } {
  let head = "";
  if (js.startsWith("#!")) {
    // Bun's Module.prototype._compile (1.4.5) rejects a hashbang line, which Node's accepts: it
    // becomes a comment of the same length, so lines and columns stay.
    const eol = js.indexOf("\n");
    if (eol < 0) return { code: "//" + js.slice(2), line: 0, width: 0 };
    head = "//" + js.slice(2, eol + 1);
    js = js.slice(eol + 1);
  }
  const open = `return (function (${params}) {`;
  return {
    code: `${head}${open}${js}\n}).apply(this.exports, arguments);`,
    line: head === "" ? 0 : 1,
    width: open.length,
  };
}

const FILENAME = "__tph_filename";
const DIRNAME = "__tph_dirname";
const TS_DEFINE = {
  "process.env.NODE_ENV": "process.env.NODE_ENV",
  __filename: FILENAME,
  __dirname: DIRNAME,
};

/** The file runCommonJS is in, as Bun's call sites name it (see bun_stacks.ts, wrapperLines). */
let loaderFile: string | null | undefined;

/**
 * Evaluate instrumented CommonJS code as Node would, and give its exports as module exports.
 *
 * @param path The module's file.
 * @param code Its instrumented code.
 * @param loader Its language.
 * @param source Its source.
 * @param columns The column table of `code` (_columns.ts).
 * @param onLoad The plugin callback that loads it (to tell an import from a require()).
 */
function runCommonJS(
  path: string,
  code: string,
  loader: Lang,
  source: string,
  columns: string,
  onLoad: unknown,
): Record<string, unknown> {
  // deno-lint-ignore no-explicit-any
  const Module = nodeModule.Module as any;
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  // The main module's id is "." in Node and Bun.
  const m = new Module(path === Bun.main ? "." : path, null);
  m.filename = path;
  m.paths = Module._nodeModulePaths(dirname(path));
  // TypeScript with its types blanked out keeps every position; what needs more is made
  // JavaScript by Bun's transpiler, whose positions then stand (lines too).
  const plain = loader === "js" ? code : loader === "ts" ? blankTypes(code, path) : null;
  // Bun's transpiler would put its own values in for __filename, __dirname (a file name of
  // "input.ts") and NODE_ENV: they get names of their own, given the real values.
  const wrapped = plain !== null
    ? wrapExportsAsThis(plain, "exports, require, module, __filename, __dirname")
    : wrapExportsAsThis(
      new Bun.Transpiler({ loader, define: TS_DEFINE }).transformSync(code),
      `exports, require, module, ${FILENAME}, ${DIRNAME}`,
    );
  const js = wrapped.code;
  // Positions in it are JavaScriptCore's own, line 1's moved by Bun's wrapper and both lines by
  // this one: mapped to what Bun's own loader would report (bun_cjs.ts).
  const table = insertAtLineStart(
    insertAtLineStart(plain !== null ? columns : "", wrapped.line, wrapped.width),
    0,
    compileShift(),
  );
  loaderFile ??= callerFile();
  const imported = path !== Bun.main && loadedByImport(onLoad);
  rememberColumns(path, table, {
    starts: () => plain !== null ? mappedStarts(source, loader, path) : null,
    wrapperLine: lineStarts(js).length,
    loaderFile,
    imported,
    // Bun runs the top-level code of a module it takes for CommonJS (by its extension, else by
    // CommonJS's names) in a function of its own, `<anonymous>` in stacks, unless an ES module
    // imports it; other modules' in none (checked with bun 1.4.5).
    nameless: imported ||
      !(/\.c[jt]s$/.test(path) || (!/\.m[jt]s$/.test(path) && CJS_NAME.test(source))),
  });
  // In the require cache before it runs, as Node and Bun do: a circular require() of it then
  // gets its exports so far instead of loading it again.
  Module._cache[path] = m;
  // No catch and rethrow: Bun reports an uncaught error from where it was last thrown.
  let ran = false;
  try {
    m._compile(js, path);
    ran = true;
  } finally {
    if (!ran) delete Module._cache[path];
  }
  m.loaded = true;
  const exports = m.exports;
  // What Bun gives an importer of a CommonJS module (checked with bun 1.4.5): as named exports
  // the exports' own enumerable keys (a function's own property names, `length` and `name`
  // too), less the `__esModule` marker; as `default` the module's `default` when marked, else
  // the exports. Bun's require() of a module tph loaded gives the namespace's "module.exports"
  // when it has one, so require() gets the exports object itself; without it, require() would
  // give the namespace, or its `default` when it has `__esModule`.
  const namespace: Record<string, unknown> = {};
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    const keys = typeof exports === "function"
      ? Object.getOwnPropertyNames(exports)
      : Object.keys(exports);
    for (const key of keys) {
      if (key === "__esModule") continue;
      const d = Object.getOwnPropertyDescriptor(exports, key);
      if (d === undefined) continue;
      if ("value" in d) namespace[key] = d.value;
      else {
        // Bun reads every named export when the module loads, a getter too: one that fails
        // outside its intended use (say on a prototype object it is meant for instances of)
        // is left out rather than failing the require().
        try {
          namespace[key] = exports[key];
        } catch {
          // Left out.
        }
      }
    }
  }
  namespace.default = exports !== null && typeof exports === "object" && exports.__esModule &&
      "default" in exports
    ? exports.default
    : exports;
  namespace["module.exports"] = exports;
  return namespace;
}

/** What Deno's resolve and load hooks hand on (node:module's registerHooks). */
interface Hook {
  url?: string | null;
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

// This tph's own folder, when it runs from one (not the binary, whose code is inside it).
const TPH_ROOT = import.meta.url.startsWith("file:")
  ? fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "")
  : null;

/**
 * Install the recorder global and the loader hook. Call before importing the program.
 *
 * @param options Scope, globs, project root and transform cache folder.
 * @returns The number of files instrumented so far, as a live getter, and `finish()` to call
 *   when the program ends (it keeps what the next run needs to know).
 */
export function registerLoader(
  options: LoaderOptions,
): { instrumented: () => number; finish: () => void } {
  runtime();
  installToString();
  // tph never traces any copy of itself (own_sources.ts). The running one's files are left out
  // of the scope too: on Bun they then never reach the plugin.
  const own = TPH_ROOT !== null && tphCopy(TPH_ROOT) !== null
    ? [`${TPH_ROOT}/src/**`, `${TPH_ROOT}/{mod,cli,bin}.ts`]
    : [];
  const scopeOptions = { ...options, exclude: [...(options.exclude ?? []), ...own] };
  const isOwn = ownFiles();
  const scoped = makeScope(scopeOptions);
  const inScope = (path: string) => scoped(path) && !isOwn(path);
  let count = 0;
  const moduleName = (path: string) => relative(options.root, path) || path;
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const Bun = g.Bun;
  // oxc loads parts of itself lazily with require(), which fails inside Deno's hook: load them
  // before the hook is there, unless this run will not parse at all (manifest.ts).
  const cacheDir = transformCacheFolder(options.transformCacheDir);
  const main = g.Deno?.mainModule;
  const manifest = Bun === undefined && cacheDir !== null && typeof main === "string"
    ? new Manifest(
      cacheDir,
      JSON.stringify([main, options, g.Deno.version?.deno]),
      configFiles([dirname(fileURLToPath(main)), process.cwd()]),
    )
    : null;
  const parserLoaded = manifest === null || !manifest.unchanged();
  if (parserLoaded) instrument("function warm() {}", { filename: "warm.js" });
  const finish = () => manifest?.save();
  if (Bun !== undefined) {
    // Bun matches the filter natively, and onLoad cannot hand a file back to Bun's own loading
    // (it must return contents): the filter is the whole scope test, so files out of scope, JSON
    // and other non-sources never reach the callback and load exactly as without tph.
    const filter = scopeRegExp(scopeOptions);
    installBunStacks();
    Bun.plugin({
      name: "tph",
      setup(
        build: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => unknown) => void },
      ) {
        build.onLoad({ filter }, function onLoad({ path }) {
          const ext = path.slice(path.lastIndexOf(".") + 1);
          const loader = langOf(ext);
          const source = readText(path);
          // Another copy of tph's library (tph's modules are ES modules): as it is.
          if (isOwn(path)) return { contents: source, loader };
          count++;
          const { code, moduleSyntax, columns } = transformModule(source, {
            filename: path,
            lang: loader,
            module: moduleName(path),
            cacheDir: options.transformCacheDir,
            externalCalls: options.externalCalls,
            // Bun decides a module's format by its syntax alone (checked with bun 1.4.5): with
            // import/export, import.meta or top-level await it is an ES module, else CommonJS,
            // whatever the extension (.mjs or .cjs) or package.json's "type" say.
            sourceType: "unambiguous",
            columnTable: true,
          });
          const commonJS = moduleSyntax === false && (loader === "js" || CJS_NAME.test(source));
          if (code !== source) {
            rememberModule({
              source,
              filename: path,
              lang: loader,
              module: moduleName(path),
              externalCalls: options.externalCalls,
              sourceType: "unambiguous",
              bunLoader: loader,
              bunPrint: !commonJS
                ? { loader, target: "bun" }
                : loader === "js"
                ? null
                : { loader, define: TS_DEFINE },
              bunBlank: commonJS && loader === "ts",
              // Bun itself runs a file as CommonJS when it uses CommonJS's names.
              bunCommonJS: commonJS && CJS_NAME.test(source),
            });
          }
          rememberColumns(path, columns ?? "");
          // Bun evaluates what onLoad returns as an ES module (oven-sh/bun#19279), which loses a
          // CommonJS module's exports: run it as CommonJS here and hand Bun its exports. A file
          // that does not parse goes to Bun as it is, to report its syntax error.
          return commonJS
            ? {
              exports: runCommonJS(path, code, loader, source, columns ?? "", onLoad),
              loader: "object",
            }
            : { contents: code, loader };
        });
      },
    });
  } else {
    const untraced = new Set<string>();
    // A module is resolved once per import of it, and a package's files share a package.json:
    // each is looked at once (zod's ~60 modules made ~10 ms of reads).
    const checked = new Set<string>();
    const packages = new Map<string, PackageInfo | null>();
    // Only files under node_modules can be ones Deno loads without the load hook, and only an
    // include glob puts such files in scope: without one, no resolve hook, and Deno resolves every
    // module itself, as without tph.
    const resolveHook = (options.include ?? []).length > 0;
    const forget = resolveHook ? forgetHookResolution() : null;
    const hooks = {
      resolve(specifier: string, context: unknown, nextResolve: (s: string, c: unknown) => Hook) {
        const result = nextResolve(specifier, context);
        const url = result?.url;
        if (
          typeof url === "string" && url.startsWith("file:") && url.includes("/node_modules/") &&
          !checked.has(url)
        ) {
          checked.add(url);
          const pkg = untracedPackage(fileURLToPath(url), inScope, packages);
          if (pkg !== null && !untraced.has(pkg)) {
            untraced.add(pkg);
            process.stderr.write(
              `tph: warning: ${pkg} is not traced: Deno does not pass the ES modules of a ` +
                `package whose package.json has no "type" through loader hooks\n`,
            );
          }
        }
        return result;
      },
      load(url: string, context: unknown, nextLoad: (u: string, c: unknown) => Hook) {
        const result = nextLoad(url, context);
        if (!url.startsWith("file:")) return result;
        const path = fileURLToPath(url);
        // require() (Deno's CommonJS loader asks with the "require" condition) of a file tph does
        // not instrument: no source, so Deno loads it exactly as without hooks (deno_require.ts).
        const required = isRequire(context);
        const handBack = () => {
          forget?.(path);
          return { format: result.format, source: null };
        };
        const format = result.format;
        const instrumented = inScope(path) && result.source != null &&
          (format === "module" || format === "commonjs" || format === undefined);
        // Handed back, a JSON file is also read as JSON: with the source a pass-through hook gives,
        // Deno compiles it as JavaScript (tests/loader/deno_json_hook_test.ts).
        if (!instrumented) return required ? handBack() : result;
        const source = typeof result.source === "string"
          ? result.source
          : new TextDecoder().decode(result.source as Uint8Array);
        const kind: RequireKind | null = required ? requireKind(path, packages) : null;
        if (kind !== null && needsOwnLoading(kind, source)) return handBack();
        count++;
        let code: string;
        try {
          const opts: TransformOptions = {
            filename: path,
            lang: "js",
            module: moduleName(path),
            cacheDir: options.transformCacheDir,
            externalCalls: options.externalCalls,
            sourceMap: true,
            // Deno may need the map of the rewriting alone for a CommonJS module whose source
            // has a map of its own (deno_cjs_maps.ts); require() loads every CommonJS module.
            shiftMap: required && findInlineMap(source) !== null,
            instrumenter: parserLoaded ? undefined : instrumentInWorker,
          };
          if (manifest !== null) {
            opts.key = manifest.keyFor(path) ?? cacheKey(source, opts);
            manifest.saw(path, opts.key);
          }
          code = transform(source, opts);
          if (code !== source) {
            rememberModule({
              source,
              filename: path,
              lang: "js",
              module: opts.module!,
              externalCalls: options.externalCalls,
            });
          }
        } catch (e) {
          // The program runs either way: this file's calls are not recorded.
          process.stderr.write(
            `tph: warning: ${moduleName(path)} is not traced: ${(e as Error).message}\n`,
          );
          return required ? handBack() : result;
        }
        // Run as CommonJS (or, given no format, as an ES module if that fails, whose map Deno then
        // reads from the code): Deno does not read the code's map (deno_cjs_maps.ts).
        if (required && kind !== "module" && format !== "module" && code !== source) {
          fitCommonJSMap(path, code, source);
        }
        // An ES module by its name or package runs as one, as without hooks (given no format,
        // Deno would try the code as CommonJS first).
        return {
          ...result,
          format: kind === "module" ? "module" : format,
          source: code,
          shortCircuit: true,
        };
      },
    };
    // Looked up at run time: Bun's node:module has no registerHooks export.
    // deno-lint-ignore no-explicit-any
    const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
    registerHooks(resolveHook ? hooks : { load: hooks.load });
  }
  return { instrumented: () => count, finish };
}

/**
 * Whether a file belongs to a copy of tph (own_sources.ts). The first file of a copy older than
 * the library contract gets one warning line: its trace() calls a recorder that may no longer
 * have what it calls.
 */
function ownFiles(): (path: string) => boolean {
  const copyOf = ownSources();
  const warned = new Set<string>();
  return (path) => {
    const copy = copyOf(path);
    if (copy === null) return false;
    if (!copy.library && !warned.has(copy.root)) {
      warned.add(copy.root);
      process.stderr.write(
        `tph: warning: ${relative(process.cwd(), copy.root) || "."} holds an older copy of ` +
          `tph's library than the running tph (${VERSION}): its trace() may fail or record ` +
          `nothing; import the running tph's library, or run the program with the tph it imports\n`,
      );
    }
    return true;
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

// Files that change how Deno transpiles a module (compiler options, JSX settings): in every
// folder from where Deno looks for them (the main module's and the working folder) up to the root.
const CONFIG_NAMES = ["deno.json", "deno.jsonc", "package.json", "tsconfig.json"];

function configFiles(dirs: string[]): string[] {
  const out = new Set<string>();
  for (let dir of dirs) {
    for (;; dir = dirname(dir)) {
      for (const name of CONFIG_NAMES) out.add(join(dir, name));
      if (dirname(dir) === dir) break;
    }
  }
  return [...out];
}
