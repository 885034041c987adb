// Install the module loader hook that instruments in-scope files: Deno through node:module's
// registerHooks (it hands us transpiled JS with an inline source map), Bun through Bun.plugin
// (it hands us the raw TypeScript and transpiles what we return).

import * as nodeModule from "node:module";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { instrument, type Lang } from "../instrument/instrument.ts";
import { readText } from "../runtime/_files.ts";
import { runtime } from "../runtime/recorder.ts";
import { globToRegExp } from "../runtime/glob.ts";
import { nearestPackage } from "./nearest_package.ts";
import { makeScope, type ScopeOptions } from "./scope.ts";
import { Manifest } from "./manifest.ts";
import { instrumentInWorker } from "./parser_worker.ts";
import {
  cacheKey,
  defaultTransformCacheDir,
  transform,
  type TransformOptions,
} from "./transform.ts";

/** Options of {@linkcode registerLoader}. */
export interface LoaderOptions extends ScopeOptions {
  /** Folder module names are relative to (the project root). */
  root: string;
  /** Transform cache folder; null disables it; default: see transform.ts. */
  transformCacheDir?: string | null;
  /** Record calls into packages and well-known globals as external calls. Default true. */
  externalCalls?: boolean;
}

const ESM_SYNTAX = /^\s*(?:import\s*[\w{*"'(]|export\s)/m;
const CJS_SYNTAX = /\b(?:module\.exports|exports\.[\w$]+\s*=|require\s*\()/;

/** Whether Bun would load this file as CommonJS. */
function isCommonJS(path: string, ext: string, source: string): boolean {
  if (ext === "cjs" || ext === "cts") return true;
  if (ext !== "js" && ext !== "ts") return false;
  if (ESM_SYNTAX.test(source) || !CJS_SYNTAX.test(source)) return false;
  return nearestPackage(dirname(path))?.type !== "module";
}

/** Evaluate instrumented CommonJS code as Node would, and give its exports as module exports. */
function runCommonJS(path: string, code: string, loader: string): Record<string, unknown> {
  // deno-lint-ignore no-explicit-any
  const Module = nodeModule.Module as any;
  const m = new Module(path, null);
  m.filename = path;
  m.paths = Module._nodeModulePaths(dirname(path));
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  const js = loader === "ts" ? new Bun.Transpiler({ loader: "ts" }).transformSync(code) : code;
  m._compile(js, path);
  m.loaded = true;
  const exports = m.exports;
  const namespace: Record<string, unknown> = {};
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    for (const key of Object.keys(exports)) namespace[key] = exports[key];
  }
  namespace.default = exports !== null && typeof exports === "object" && exports.__esModule &&
      "default" in exports
    ? exports.default
    : exports;
  return namespace;
}

const TPH_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const OWN_SOURCES = [`${TPH_ROOT}/src/**`, `${TPH_ROOT}/{mod,cli,bin}.ts`];

const BUN_LOADER: Record<string, "ts" | "tsx" | "js" | "jsx"> = {
  ts: "ts",
  mts: "ts",
  cts: "ts",
  tsx: "tsx",
  jsx: "jsx",
  js: "js",
  mjs: "js",
  cjs: "js",
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

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
  const inScope = makeScope({
    ...options,
    // tph never traces itself (say when a program in tph's own checkout imports mod.ts).
    exclude: [...(options.exclude ?? []), ...OWN_SOURCES],
  });
  let count = 0;
  const moduleName = (path: string) => relative(options.root, path) || path;
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const Bun = g.Bun;
  // oxc loads parts of itself lazily with require(), which fails inside Deno's hook: load them
  // before the hook is there, unless this run will not parse at all (manifest.ts).
  const cacheDir = options.transformCacheDir === undefined
    ? defaultTransformCacheDir()
    : options.transformCacheDir;
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
    const roots = options.scope.map((d) => escapeRegExp(d.replace(/\/$/, "")));
    // Bun matches the filter natively, so files out of scope never reach the callback: scope
    // folders without their node_modules (the lookahead), or an include glob.
    const parts = [`^(?:${roots.join("|")})/(?!.*/node_modules/).*\\.(?:[cm]?[jt]s|[jt]sx)$`];
    for (const glob of options.include ?? []) parts.push(globToRegExp(glob).source);
    const filter = new RegExp(parts.join("|"));
    Bun.plugin({
      name: "tph",
      setup(
        build: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => unknown) => void },
      ) {
        build.onLoad({ filter }, ({ path }) => {
          const ext = path.slice(path.lastIndexOf(".") + 1);
          const loader = BUN_LOADER[ext] ?? "js";
          const source = readText(path);
          if (!inScope(path)) return { contents: source, loader };
          count++;
          const commonjs = isCommonJS(path, ext, source);
          const code = transform(source, {
            filename: path,
            lang: loader as Lang,
            module: moduleName(path),
            cacheDir: options.transformCacheDir,
            externalCalls: options.externalCalls,
          });
          // Bun evaluates what onLoad returns as an ES module (oven-sh/bun#19279), which loses a
          // CommonJS module's exports: run it as CommonJS here and hand Bun its exports.
          return commonjs ? { exports: runCommonJS(path, code, loader), loader: "object" } : {
            contents: code,
            loader,
          };
        });
      },
    });
  } else {
    // Looked up at run time: Bun's node:module has no registerHooks export.
    // deno-lint-ignore no-explicit-any
    const registerHooks = (nodeModule as any).registerHooks as (hooks: {
      // deno-lint-ignore no-explicit-any
      load: (url: string, context: any, nextLoad: any) => any;
    }) => void;
    registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (!url.startsWith("file:")) return result;
        const path = fileURLToPath(url);
        if (!inScope(path) || result.source == null) return result;
        const format = result.format;
        if (format !== "module" && format !== "commonjs" && format !== undefined) return result;
        const source = typeof result.source === "string"
          ? result.source
          : new TextDecoder().decode(result.source as Uint8Array);
        count++;
        let code: string;
        try {
          const opts: TransformOptions = {
            filename: path,
            lang: "js",
            module: moduleName(path),
            cacheDir: options.transformCacheDir,
            externalCalls: options.externalCalls,
            instrumenter: parserLoaded ? undefined : instrumentInWorker,
          };
          if (manifest !== null) {
            opts.key = manifest.keyFor(path) ?? cacheKey(source, opts);
            manifest.saw(path, opts.key);
          }
          code = transform(source, opts);
        } catch (e) {
          // The program runs either way: this file's calls are not recorded.
          process.stderr.write(
            `tph: warning: ${moduleName(path)} is not traced: ${(e as Error).message}\n`,
          );
          return result;
        }
        return { ...result, source: code, shortCircuit: true };
      },
    });
  }
  return { instrumented: () => count, finish };
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
