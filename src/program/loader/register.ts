// Install the module loader hook that instruments in-scope files. What every runtime shares is
// decided here (the scope, tph's own files, the manifest of the last run, the transform options,
// the count of files instrumented); each runtime's loader is a file of its own, chosen here:
// deno.ts (node:module's registerHooks: it hands over transpiled JS with an inline source map),
// bun.ts (Bun.plugin: it hands over the raw TypeScript and transpiles what it gets back), node.ts
// (node:module's registerHooks: raw TypeScript too, whose types Node strips from what it gets back).

import process from "../../platform/node_process.ts";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { instrument } from "../instrument/instrument.ts";
import { depsFolders } from "../../deps.ts";
import { runtime } from "../recorder/recorder.ts";
import { compiledFilesInScope } from "../../project/compiled_files.ts";
import { makeScope } from "../../project/scope.ts";
import type { LoaderOptions } from "../settings.ts";
import { ownSources, tphCopy } from "./own_sources.ts";
import { Manifest } from "./manifest.ts";
import { OWN_ROOT_URL } from "./own_files.ts";
import { VERSION } from "../../version.ts";
import { installToString } from "./original_text.ts";
import { transformCacheFolder } from "./transform.ts";
import type { LoaderSetup } from "./setup.ts";
import { installDenoLoader } from "./deno.ts";
import { installBunLoader } from "./bun.ts";
import { installNodeLoader } from "./node.ts";
import { JSON, Set } from "../../platform/globals.ts";

// This tph's own folder, when it runs from one (not the binary, whose code is inside it).
const TPH_ROOT = OWN_ROOT_URL.protocol === "file:"
  ? fileURLToPath(OWN_ROOT_URL).replace(/\/$/, "")
  : null;

/**
 * Install the recorder global and the loader hook. Call before importing the program.
 *
 * @param options Scope, globs, project root and transform cache folder.
 * @param hooks Whether to install the runtime's loader hook (else the setup is for another's).
 * @returns The number of files instrumented so far, as a live getter, and `finish()` to call
 *   when the program ends (it keeps what the next run needs to know).
 */
export function registerLoader(
  options: LoaderOptions,
  hooks = true,
): { instrumented: () => number; finish: () => void; setup: LoaderSetup } {
  runtime();
  installToString();
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  let count = 0;
  const setup = loaderSetup(
    options,
    g.Bun === undefined ? g.Deno : undefined,
    () => void count++,
    hooks && g.Bun === undefined && g.Deno === undefined,
  );
  // The runtime's own loader (docs/design.md); none where another loads the program's modules
  // (vitest's own process, through vite: tests/vitest_plugin.ts).
  if (hooks) {
    if (g.Bun !== undefined) installBunLoader(setup);
    else if (g.Deno !== undefined) installDenoLoader(setup);
    else installNodeLoader(setup);
  }
  return { instrumented: () => count, finish: () => setup.manifest?.save(), setup };
}

/**
 * What every runtime's loader shares: the scope with tph's own files left out, module names, the
 * transform options, and (on Deno) the manifest of the last run, with oxc loaded unless the run
 * will not parse at all.
 *
 * @param options The loader's options.
 * @param deno Deno's global, on Deno (its main module and version key the manifest).
 * @param counted Called once for each file instrumented.
 * @param node Whether Node's load hook is installed (it keeps a manifest of its own: each file's
 *   key while the file is unchanged, taken only for a source that is the file's own bytes).
 * @returns The setup.
 */
function loaderSetup(
  options: LoaderOptions,
  // deno-lint-ignore no-explicit-any
  deno: any,
  counted: () => void,
  node = false,
): LoaderSetup {
  // tph never traces any copy of itself (own_sources.ts). The running one's files are left out
  // of the scope too: on Bun they then never reach the plugin.
  const own = TPH_ROOT !== null && tphCopy(TPH_ROOT) !== null
    ? [`${TPH_ROOT}/src/**`, `${TPH_ROOT}/{mod,cli,bin}.ts`, `${TPH_ROOT}/{mod,cli,bin}.js`]
    : [];
  // Nor the packages it loads from its own install (the parser, the source map library: deps.ts),
  // which it may first load while the program runs (on a warm run, when a function's toString
  // needs the parser). Only an include glob or a folder in a node_modules can take them in.
  const mayTakeDeps = (options.include ?? []).length > 0 ||
    [...options.scope, ...(options.files ?? [])].some((d) => d.includes("/node_modules"));
  const scope = {
    ...options,
    exclude: [...(options.exclude ?? []), ...own],
    excludeFolders: mayTakeDeps ? depsFolders() : [],
  };
  // The compiled files whose maps point into a narrower scope (`--scope src`) are traced for
  // those sources; the instrumenter holds each function to the scope as given (sourceScope).
  const compiled = compiledFilesInScope(options.root, scope);
  const traced = compiled.length === 0
    ? scope
    : { ...scope, files: [...(scope.files ?? []), ...compiled] };
  const isOwn = ownFiles();
  const scoped = makeScope(traced);
  const aliases = options.aliases ?? [];
  const moduleName = (path: string) => {
    for (const [from, to] of aliases) {
      if (path.startsWith(from + "/")) return relative(options.root, to + path.slice(from.length));
    }
    return relative(options.root, path) || path;
  };
  // oxc loads parts of itself lazily with require(), which fails inside Deno's hook: load them
  // before the hook is there, unless this run will not parse at all (manifest.ts).
  const cacheDir = transformCacheFolder(options.transformCacheDir);
  const main = deno?.mainModule;
  const manifest = cacheDir === null ? null : typeof main === "string"
    ? new Manifest(
      cacheDir,
      JSON.stringify([main, options, deno.version?.deno]),
      configFiles([dirname(fileURLToPath(main)), process.cwd()]),
    )
    : node
    ? new Manifest(
      cacheDir,
      JSON.stringify(["node", process.argv[1] ?? "", options, process.version]),
      [],
      true,
    )
    : null;
  const parserLoaded = manifest === null || !manifest.unchanged();
  // Deno cannot load the parser's parts from inside its hook: loaded now (unless the manifest
  // says no file will be parsed). On Node and Bun they load when a file is first parsed, never in
  // a run whose files all come from the transform cache (their files are out of scope: above).
  const lazy = deno === undefined;
  if (parserLoaded && !lazy) instrument("function warm() {}", { filename: "warm.js" });
  return {
    options,
    scope: traced,
    inScope: (path) => scoped(path) && !isOwn(path),
    isOwn,
    moduleName,
    transformOptions: (path, lang) => ({
      filename: path,
      lang,
      module: moduleName(path),
      root: options.root,
      sourceScope: scope,
      cacheDir: options.transformCacheDir,
      externalCalls: options.externalCalls,
    }),
    manifest,
    parserLoaded,
    counted,
  };
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
