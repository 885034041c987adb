// Bun's loader: a Bun.plugin whose onLoad gets each in-scope file as Bun would read it (raw
// TypeScript), and gives back what Bun transpiles and runs. A file is taken through named steps:
// read, decided (a copy of tph's own library goes as it is), transformed, remembered (its source
// for toString, its column table for stacks), handed over (as code, or a CommonJS module run here
// and handed over as its exports).

import * as nodeModule from "node:module";
import { dirname } from "node:path";
import { type Lang, langOf } from "../../project/languages.ts";
import { lineCount } from "../instrument/_positions.ts";
import { readText } from "../../platform/files.ts";
import { type PackageInfo, packageOf } from "../../project/nearest_package.ts";
import { scopeRegExp } from "../../project/scope.ts";
import { rememberModule } from "./original_text.ts";
import {
  insertAtLineStart,
  installBunStacks,
  rememberColumns,
  rememberThroughMap,
} from "./bun_stacks.ts";
import { blankTypes, callerFile, compileShift, loadedByImport, mappedStarts } from "./bun_cjs.ts";
import { transformModule, type TransformResult } from "./transform.ts";
import { bundleMap, bunPragma, unwrapBunCommonJS, withFittedMap } from "./bun_own_map.ts";
import { type LoaderSetup, warnNotTraced } from "./setup.ts";
import { Object, RegExp } from "../../platform/globals.ts";
import { hasOwn, ownArray, put, strLastIndexOf, strSlice } from "../../platform/intrinsics.ts";

const FILENAME = "__tph_filename";
const DIRNAME = "__tph_dirname";
const TS_DEFINE = {
  "process.env.NODE_ENV": "process.env.NODE_ENV",
  __filename: FILENAME,
  __dirname: DIRNAME,
};

/**
 * Install the plugin, and the stack formatting that maps Bun's positions back (bun_stacks.ts).
 *
 * @param setup What every runtime's loader shares (register.ts).
 */
export function installBunLoader(setup: LoaderSetup): void {
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  // Bun matches the filter natively, and onLoad cannot hand a file back to Bun's own loading
  // (it must return contents): the filter is the whole scope test, so files out of scope, JSON
  // and other non-sources never reach the callback and load exactly as without tph.
  const filter = scopeRegExp(setup.scope);
  installBunStacks();
  Bun.plugin({
    name: "tph",
    setup(
      build: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => unknown) => void },
    ) {
      build.onLoad({ filter }, function onLoad({ path }) {
        const ext = strSlice(path, strLastIndexOf(path, ".") + 1);
        const loader = langOf(ext);
        const source = readText(path);
        // Another copy of tph's library (tph's modules are ES modules): as it is.
        if (setup.isOwn(path)) return { contents: source, loader };
        setup.counted();
        // A file Bun bundled itself runs by its pragma, through its own map (bun_own_map.ts).
        const pragma = loader === "js" ? bunPragma(source) : null;
        const unwrapped = pragma?.commonJS ? unwrapBunCommonJS(source) : null;
        const ran = unwrapped ?? source;
        let transformed: TransformResult;
        try {
          transformed = transformFile(setup, path, loader, ran);
        } catch (e) {
          // As on Node and Deno: the program runs either way, this file's calls unrecorded.
          warnNotTraced(setup.moduleName(path), e);
          return { contents: source, loader };
        }
        const { moduleSyntax, commonJSNames, columns } = transformed;
        let code = transformed.code;
        if (pragma !== null && !pragma.commonJS && code !== source) {
          code = withFittedMap(path, source, code, columns ?? "", setup.moduleName(path));
        }
        // Under `bun test`, a test file goes to Bun whatever its format: Bun gives a test file
        // its runner's globals (`test`, `expect`) as it transpiles it, which runCommonJS cannot.
        const testFile = bunTests && moduleSyntax === false && TEST_FILE.test(path);
        // Bun takes a file without module syntax for CommonJS by its names or its package.
        const byBun = moduleSyntax === false &&
          (commonJSNames || commonJSPackage(path, ext, onLoad));
        const commonJS = pragma !== null
          ? unwrapped !== null
          : (ext === "cjs" || byBun) && moduleSyntax === false && !testFile;
        rememberText(setup, path, loader, ran, code, commonJS, byBun, pragma !== null);
        rememberColumns(path, columns ?? "");
        if (unwrapped !== null) {
          rememberThroughMap(path, () => bundleMap(path, source, setup.moduleName(path)));
        }
        // Bun evaluates what onLoad returns as an ES module (oven-sh/bun#19279), which loses a
        // CommonJS module's exports: run it as CommonJS here and hand Bun its exports. A file
        // that does not parse goes to Bun as it is, to report its syntax error. Called from here
        // and running the module itself, so that the frames under the module's are as many as
        // before (bun_stacks.ts leaves them out, but they count toward the stack's limit).
        return commonJS
          ? {
            exports: runCommonJS(
              path,
              code,
              loader,
              ran,
              columns ?? "",
              onLoad,
              byBun,
              unwrapped !== null,
            ),
            loader: "object",
          }
          : { contents: testFile ? code + "\nexport {};" : code, loader };
      });
    },
  });
}

/**
 * Whether a file's package says `"type": "commonjs"`, which makes a file without module syntax
 * CommonJS to Bun whatever names it uses; an .mjs or .mts file only when an import loads it, not
 * as the main module or by require() (checked with bun 1.4.5).
 *
 * @param onLoad The plugin callback that loads it (to tell an import from a require()).
 */
function commonJSPackage(path: string, ext: string, onLoad: unknown): boolean {
  if (packageOf(path, packages)?.type !== "commonjs") return false;
  // deno-lint-ignore no-explicit-any
  const main = (globalThis as any).Bun.main;
  return (ext !== "mjs" && ext !== "mts") || (path !== main && loadedByImport(onLoad));
}

/** Whether this is `bun test`'s process (tph test): see onLoad. */
let bunTests = false;
/** The files `bun test` takes for test files (`*.test.ts`, `*_spec.js`). */
const TEST_FILE = /[._](test|spec)\.[cm]?[jt]sx?$/;

/** `tph test` on Bun: test files are Bun's to run as modules (see onLoad). */
export function useBunTestFiles(): void {
  bunTests = true;
}

/** Instrument a file Bun loads, learning its format and column table on the way. */
function transformFile(
  setup: LoaderSetup,
  path: string,
  loader: Lang,
  source: string,
): TransformResult {
  return transformModule(source, {
    ...setup.transformOptions(path, loader),
    // Bun decides a module's format by its syntax (checked with bun 1.4.5): with import/export,
    // import.meta or top-level await it is an ES module, whatever the extension or package.json's
    // "type" say; without, CommonJS if it is a .cjs file, in a package of `"type": "commonjs"`
    // (not an .mjs file), or uses module, exports, require…
    // (as free names: _free_names.ts), else an ES module: a plain script runs strict. A
    // TypeScript or JSX file without module syntax is CommonJS to Bun too, but Bun's transpiler
    // writes what such a file needs (decorator and JSX helpers) as imports, which CommonJS cannot
    // run: such a file goes to Bun as an ES module unless it uses CommonJS's own names.
    sourceType: "unambiguous",
    columnTable: true,
  });
}

/**
 * Keep a rewritten file's source, and how Bun printed it, for its functions' toString
 * (original_text.ts).
 */
function rememberText(
  setup: LoaderSetup,
  path: string,
  loader: Lang,
  source: string,
  code: string,
  commonJS: boolean,
  names: boolean,
  bunBundle: boolean,
): void {
  if (code === source) return;
  // A bundle of Bun's own runs as it is, not transpiled: its functions' texts are slices of the
  // rewritten code, mapped back through the insertions as on Node.
  const module = {
    source,
    filename: path,
    lang: loader,
    module: setup.moduleName(path),
    externalCalls: setup.options.externalCalls,
    sourceType: "unambiguous" as const,
  };
  if (bunBundle) {
    rememberModule(module);
    return;
  }
  rememberModule({
    ...module,
    bunLoader: loader,
    bunPrint: !commonJS
      ? { loader, target: "bun" }
      : loader === "js"
      ? null
      : { loader, define: TS_DEFINE },
    bunBlank: commonJS && loader === "ts",
    // Bun itself runs a file as CommonJS when it uses CommonJS's names or its package says so.
    bunCommonJS: commonJS && names,
  });
}

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
 * @param names Whether Bun takes it for CommonJS by its names or package (not only its extension).
 * @param bunBundle Whether it is a bundle of Bun's own (`// @bun @bun-cjs`, bun_own_map.ts).
 */
function runCommonJS(
  path: string,
  code: string,
  loader: Lang,
  source: string,
  columns: string,
  onLoad: unknown,
  names: boolean,
  bunBundle = false,
): Record<string, unknown> {
  // deno-lint-ignore no-explicit-any
  const Module = nodeModule.Module as any;
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  // The main module's id is "." in Node and Bun.
  const m = new Module(path === Bun.main ? "." : path, null);
  m.filename = path;
  m.paths = Module._nodeModulePaths(dirname(path));
  const imported = path !== Bun.main && loadedByImport(onLoad);
  const js = compilable(path, code, loader, source, columns, imported, names, bunBundle);
  // In the require cache before it runs, as Node and Bun do: a circular require() of it then
  // gets its exports so far instead of loading it again.
  Module._cache[path] = m;
  // No catch and rethrow: Bun reports an uncaught error from where it was last thrown. Compiled
  // here, not in a function of its own: see onLoad.
  let ran = false;
  try {
    m._compile(js, path);
    ran = true;
  } finally {
    if (!ran) delete Module._cache[path];
  }
  m.loaded = true;
  return namespaceOf(m.exports, packageOf(path, packages)?.type === "module", !imported);
}

/** The package.json governing each folder of a CommonJS module tph ran (see namespaceOf). */
const packages = new Map<string, PackageInfo | null>();

/**
 * A CommonJS module's code as runCommonJS compiles it (in the function wrapExportsAsThis writes),
 * its positions remembered (bun_stacks.ts) as mapped to what Bun's own loader would report.
 */
function compilable(
  path: string,
  code: string,
  loader: Lang,
  source: string,
  columns: string,
  imported: boolean,
  names: boolean,
  bunBundle: boolean,
): string {
  // TypeScript with its types blanked out keeps every position; what needs more is made
  // JavaScript by Bun's transpiler, whose positions then stand (lines too).
  const plain = loader === "js" ? code : loader === "ts" ? blankTypes(code, path) : null;
  // Bun's transpiler would put its own values in for __filename, __dirname (a file name of
  // "input.ts") and NODE_ENV: they get names of their own, given the real values.
  const wrapped = plain !== null
    ? wrapExportsAsThis(plain, "exports, require, module, __filename, __dirname")
    : wrapExportsAsThis(
      // deno-lint-ignore no-explicit-any
      new (globalThis as any).Bun.Transpiler({ loader, define: TS_DEFINE }).transformSync(code),
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
  rememberColumns(path, table, {
    // A bundle of Bun's own (`// @bun @bun-cjs`) is not transpiled: its positions are
    // JavaScriptCore's, as here.
    starts: () => plain !== null && !bunBundle ? mappedStarts(source, loader, path) : null,
    wrapperLine: lineCount(js),
    loaderFile,
    imported,
    // Bun runs the top-level code of a module it takes for CommonJS (by its extension, else by
    // CommonJS's names or package) in a function of its own, `<anonymous>` in stacks, unless an ES module
    // imports it (a bundle of Bun's own too: the function it is); other modules' in none
    // (checked with bun 1.4.5).
    nameless: imported || !bunBundle &&
        !(/\.c[jt]s$/.test(path) || (!/\.m[jt]s$/.test(path) && names)),
  });
  return js;
}

/**
 * What Bun gives an importer of a CommonJS module (checked with bun 1.4.5): as named exports the
 * exports' own enumerable keys (a function's own property names, `length` and `name` too); as
 * `default` the exports. A module marked `__esModule` (what tsc and Babel write) whose
 * package.json does not say `"type": "module"` gets Babel's reading instead: the marker is no
 * named export, and `default` is the module's `default` when it has one.
 *
 * Bun's require() of a module tph loaded gives the namespace's "module.exports" when it has one,
 * else the namespace (or its `default` when it has `__esModule`); plain Bun's namespaces have no
 * such key. An import gets none: a later require() finds the module in the require cache, where
 * runCommonJS put it, and gets its exports from there. A require() needs the key, which an import
 * of the module after it then sees too (docs/compatibility.md).
 *
 * @param exports The module's exports.
 * @param nodeMode Whether its package says `"type": "module"` (Node's reading, marked or not).
 * @param required Whether a require() loads it (else an import).
 */
// deno-lint-ignore no-explicit-any
function namespaceOf(exports: any, nodeMode: boolean, required: boolean): Record<string, unknown> {
  const namespace: Record<string, unknown> = {};
  const babel = !nodeMode && exports !== null && typeof exports === "object" &&
    !!exports.__esModule;
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    // tph's own array, read by index: a program may have put a setter on an index of
    // Array.prototype, or replaced its iterator (intrinsics.ts, ownArray).
    const keys = ownArray(
      typeof exports === "function" ? Object.getOwnPropertyNames(exports) : Object.keys(exports),
    );
    // Node's reading names the marker whether it is enumerable or not (tsc defines it not).
    if (
      nodeMode && !keys.includes("__esModule") &&
      Object.getOwnPropertyDescriptor(exports, "__esModule") !== undefined
    ) keys[keys.length] = "__esModule";
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === "__esModule" && babel) continue;
      const d = Object.getOwnPropertyDescriptor(exports, key);
      if (d === undefined) continue;
      if (hasOwn(d, "value")) put(namespace, key, d.value);
      else {
        // Bun reads every named export when the module loads, a getter too: one that fails
        // outside its intended use (say on a prototype object it is meant for instances of)
        // is left out rather than failing the require().
        try {
          put(namespace, key, exports[key]);
        } catch {
          // Left out.
        }
      }
    }
  }
  put(namespace, "default", babel && "default" in exports ? exports.default : exports);
  if (required) put(namespace, "module.exports", exports);
  return namespace;
}
