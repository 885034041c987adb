// Install the module loader hook that instruments in-scope files: Deno through node:module's
// registerHooks (it hands us transpiled JS with an inline source map), Bun through Bun.plugin
// (it hands us the raw TypeScript and transpiles what we return).

import * as nodeModule from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { instrument, type Lang } from "../instrument/instrument.ts";
import { runtime } from "../runtime/recorder.ts";
import { makeScope, type ScopeOptions } from "./scope.ts";
import { transform } from "./transform.ts";

/** Options of {@linkcode registerLoader}. */
export interface LoaderOptions extends ScopeOptions {
  /** Folder module names are relative to (the project root). */
  root: string;
  /** Transform cache folder; null disables it; default: see transform.ts. */
  transformCacheDir?: string | null;
  /** Record calls into packages and well-known globals as external calls. Default true. */
  externalCalls?: boolean;
}

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
 * @returns The number of files instrumented so far, as a live getter.
 */
export function registerLoader(options: LoaderOptions): { instrumented: () => number } {
  runtime();
  // oxc loads parts of itself lazily with require(); do that before our hook can see it.
  instrument("function warm() {}", { filename: "warm.js" });
  const inScope = makeScope(options);
  let count = 0;
  const moduleName = (path: string) => relative(options.root, path) || path;
  // deno-lint-ignore no-explicit-any
  const Bun = (globalThis as any).Bun;
  if (Bun !== undefined) {
    const roots = options.scope.map((d) => escapeRegExp(d.replace(/\/$/, "")));
    const globs = (options.include ?? []).map(() => null);
    // Bun matches the filter natively; node_modules below a scope folder are left out by the
    // lookahead, include globs are checked in the callback.
    const filter = globs.length > 0
      ? /\.(?:[cm]?[jt]s|[jt]sx)$/
      : new RegExp(`^(?:${roots.join("|")})/(?!.*/node_modules/).*\\.(?:[cm]?[jt]s|[jt]sx)$`);
    Bun.plugin({
      name: "tph",
      setup(
        build: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => unknown) => void },
      ) {
        build.onLoad({ filter }, ({ path }) => {
          const ext = path.slice(path.lastIndexOf(".") + 1);
          const loader = BUN_LOADER[ext] ?? "js";
          const source = readFileSync(path, "utf8");
          if (!inScope(path)) return { contents: source, loader };
          count++;
          const code = transform(source, {
            filename: path,
            lang: loader as Lang,
            module: moduleName(path),
            cacheDir: options.transformCacheDir,
            externalCalls: options.externalCalls,
          });
          return { contents: code, loader };
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
        const code = transform(source, {
          filename: path,
          lang: "js",
          module: moduleName(path),
          cacheDir: options.transformCacheDir,
          externalCalls: options.externalCalls,
        });
        return { ...result, source: code, shortCircuit: true };
      },
    });
  }
  return { instrumented: () => count };
}
