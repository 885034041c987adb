// `tph test` on vitest, in vitest's own process: vitest loads the test files and what they import
// through vite, not through the runtime's loader, so tph's hold on them is a vite plugin. vitest
// makes a vite server for the run and one for each of its projects (a project's config inherits no
// plugin of the root's unless it says so): a module hook gives vitest, for vite's entry, a module of
// tph's that is vite's own but for `createServer`, which adds the plugin to every server's config.
// The plugin instruments the project's files after vite's own transforms (TypeScript, JSX and the
// project's plugins done: the text it gets is what the engine would run without tph) and hands
// vite the map of its rewriting, which vite chains with the maps before it, so that vitest maps
// stacks and code frames back to the files as written. It also has vitest start each worker with
// tph's preload and run tph's setup file first in each test file (vitest_tests.ts, where each test
// becomes a run). Modules for a browser (vitest's browser mode) are left as they are.

import * as nodeModule from "node:module";
import { writeText } from "../../platform/files.ts";
import { join } from "node:path";
import process from "../../platform/node_process.ts";
import { instrument, moduleHash } from "../instrument/instrument.ts";
import { type LoaderSetup, warnNotTraced } from "../loader/setup.ts";
import type { RewrittenModule } from "../loader/original_text.ts";
import { JSON, Object, Symbol } from "../../platform/globals.ts";

/** The files tph gives vitest for a run (the CLI writes them: test_command.ts). */
export interface VitestFiles {
  /** vitest's major version. */
  major: number;
  /** The setup file vitest runs first in each test file. */
  setup: string;
  /** Where each module instrumented is kept for its functions' toString() in the workers. */
  sources: string;
}

/** What of vitest's test options the plugin touches. */
interface TestOptions {
  execArgv?: string[];
  poolOptions?: Record<string, { execArgv?: string[] }>;
  setupFiles?: string | string[];
  fsModuleCache?: boolean;
  experimental?: { diagnostics?: object | boolean };
  projects?: unknown;
  workspace?: unknown;
}

/** What of vite's config the plugin touches. */
interface ViteConfig {
  test?: TestOptions;
}

// vitest's pools before 4, each with its own options.
const POOLS = ["forks", "threads", "vmForks", "vmThreads"];

const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;

/**
 * The sources folder's file for a module (by the name its rewritten code gives its table).
 *
 * @param sources The folder.
 * @param hash The module's hash (instrument.ts's moduleHash).
 */
export function sourceRecord(sources: string, hash: string): string {
  return join(sources, `${hash}.json`);
}

/**
 * Add tph's plugin to each vite server vitest makes in this process.
 *
 * @param setup The loader's shared part: the scope and module names.
 * @param preload tph's Node preload, which each worker is started with.
 * @param files The setup file and the sources folder.
 */
export function installVitestPlugin(
  setup: LoaderSetup,
  preload: string,
  files: VitestFiles,
): void {
  const withPlugin = (config: unknown): unknown => {
    const given = config !== null && typeof config === "object" ? config as ViteInline : {};
    // A config vite resolved already (vitest 5 resolves it, then makes the server from it).
    if (typeof given.getSortedPlugins === "function") return config;
    return { ...given, plugins: [...(given.plugins ?? []), vitePlugin(setup, preload, files)] };
  };
  Object.defineProperty(globalThis, WITH_PLUGIN, {
    value: withPlugin,
    enumerable: false,
    configurable: true,
  });
  // Looked up at run time: the type of node:module in use may not have it.
  // deno-lint-ignore no-explicit-any
  const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
  registerHooks({
    resolve(
      specifier: string,
      context: { parentURL?: string },
      next: (s: string, c: unknown) => { url: string },
    ) {
      const r = next(specifier, context);
      if (context.parentURL?.endsWith(SHIM) || !VITE_ENTRY.test(r.url)) return r;
      return { ...r, url: r.url + SHIM, shortCircuit: true };
    },
    load(url: string, context: unknown, next: (u: string, c: unknown) => unknown) {
      if (!url.endsWith(SHIM)) return next(url, context);
      return { format: "module", source: shim(url.slice(0, -SHIM.length)), shortCircuit: true };
    },
  });
}

/** Where tph's module for vite's entry finds what adds the plugin to a server's config. */
const WITH_PLUGIN = Symbol.for("tph.vitest.plugin");
/** What marks the URL of that module (vite's entry's, with this query). */
const SHIM = "?tph-vitest";
/** vite's entry for Node (vite 5 to 8). */
const VITE_ENTRY = /\/vite\/dist\/node\/index\.js$/;

/**
 * The module vitest gets for vite's entry: vite's own, its `createServer` and `resolveConfig`
 * adding tph's plugin to the config they are given (vitest 5 resolves a server's config first).
 */
function shim(entry: string): string {
  const url = JSON.stringify(entry);
  return `import * as vite from ${url};
export * from ${url};
const withPlugin = globalThis[Symbol.for("tph.vitest.plugin")];
export function createServer(config, ...rest) {
  return vite.createServer(typeof withPlugin === "function" ? withPlugin(config) : config, ...rest);
}
export function resolveConfig(config, ...rest) {
  return vite.resolveConfig(typeof withPlugin === "function" ? withPlugin(config) : config, ...rest);
}
`;
}

/** What of a config given to vite's createServer the plugin touches. */
interface ViteInline {
  plugins?: unknown[];
  getSortedPlugins?: unknown;
}

let coverageWarned = false;

/** vitest's coverage counts what V8 ran: tph's rewritten code, not the files as written. */
function warnCoverage(): void {
  if (coverageWarned) return;
  coverageWarned = true;
  process.stderr.write(
    "tph: warning: vitest's coverage measures the code tph rewrote, not the files as written " +
      "(branches and lines differ): measure coverage with vitest alone\n",
  );
}

/** tph's plugin, for one vite server. */
function vitePlugin(setup: LoaderSetup, preload: string, files: VitestFiles) {
  // A server for vitest's browser mode: its modules run in a browser, where no recorder is.
  let browser = false;
  return {
    name: "tph",
    enforce: "post",
    configResolved(
      config: { test?: { browser?: { enabled?: unknown }; coverage?: { enabled?: unknown } } },
    ) {
      browser = config.test?.browser?.enabled === true;
      // Turned on in the config, or on vitest's command line (this process's).
      if (
        config.test?.coverage?.enabled === true ||
        process.argv.some((a) => /^--coverage(?:\.enabled)?(?:=true)?$/.test(a))
      ) warnCoverage();
    },
    config(config: ViteConfig) {
      const test = config.test ??= {};
      holdTests(test, preload, files);
      // Projects written in this config (not files of their own, whose servers get the plugin):
      // vitest gives them none of this config's options unless they extend it, and may run them
      // on this config's server, where the plugin instruments their modules.
      for (const project of [test.projects, test.workspace].flat()) {
        if (project !== null && typeof project === "object") {
          holdTests((project as ViteConfig).test ??= {}, preload, files);
        }
      }
      // vitest keeps transformed modules on disk for its next run: not those tph rewrote, which
      // it would load again without the plugin's records (and count) of what it rewrote.
      test.fsModuleCache = false;
      // vitest 5's hint to run without isolation, from the time its workers took to start: tph's
      // preload would make it say so where vitest alone starts them fast enough.
      if (files.major >= 5) {
        const diagnostics = (test.experimental ??= {}).diagnostics;
        if (
          diagnostics === undefined || (typeof diagnostics === "object" && diagnostics !== null)
        ) {
          test.experimental.diagnostics = { ...diagnostics, isolate: false };
        }
      }
    },
    resolveId(id: string) {
      return id === STAND_IN ? id : null;
    },
    load(id: string) {
      return id === STAND_IN ? STAND_IN_CODE : null;
    },
    transform(
      this: { getCombinedSourcemap?: () => unknown; environment?: { name?: unknown } },
      code: string,
      id: string,
    ): { code: string; map: string } | null {
      if (browser || this.environment?.name === "client") return null;
      return instrumented(this, code, id, setup, files);
    },
  };
}

/**
 * Have vitest start each worker of these test options with tph's preload, and run tph's setup
 * file first in each test file.
 */
function holdTests(test: TestOptions, preload: string, files: VitestFiles): void {
  // vitest 4 takes its options for all of its workers, before 4 each pool its own.
  if (files.major >= 4) test.execArgv = [...(test.execArgv ?? []), "--require", preload];
  else {
    const pools = test.poolOptions ??= {};
    for (const name of POOLS) {
      const pool = pools[name] ??= {};
      pool.execArgv = [...(pool.execArgv ?? []), "--require", preload];
    }
  }
  const given = test.setupFiles;
  test.setupFiles = [files.setup, ...(given === undefined ? [] : [given].flat())];
}

/** A module instrumented, for vite: its code and the map of the rewriting; null: left as is. */
function instrumented(
  ctx: { getCombinedSourcemap?: () => unknown },
  code: string,
  id: string,
  setup: LoaderSetup,
  files: VitestFiles,
): { code: string; map: string } | null {
  const path = id.split("?")[0];
  if (!path.startsWith("/") || !SCRIPT.test(path) || !setup.inScope(path)) return null;
  const module = setup.moduleName(path);
  let map: unknown = null;
  try {
    map = ctx.getCombinedSourcemap?.() ?? null;
  } catch {
    // A map vite cannot chain: positions are those of the code as given.
  }
  let r;
  try {
    r = instrument(code, {
      filename: path,
      lang: "js",
      sourceType: "module",
      module,
      externalCalls: setup.options.externalCalls,
      inputSourceMap: map === null ? false : map as Record<string, unknown>,
      rewriteMap: true,
    });
  } catch (e) {
    warnNotTraced(module, e);
    return null;
  }
  if (r.code === code || r.rewriteMap == null) return null;
  setup.counted();
  const record: RewrittenModule = {
    source: code,
    filename: path,
    lang: "js",
    module,
    externalCalls: setup.options.externalCalls,
    sourceType: "module",
    hostChanged: true,
  };
  try {
    writeText(sourceRecord(files.sources, moduleHash(path, code)), JSON.stringify(record));
  } catch {
    // Its functions print as rewritten.
  }
  // On a line of its own after the code (imports are evaluated first wherever they stand).
  return { code: `${r.code}\nimport ${JSON.stringify(STAND_IN)};\n`, map: r.rewriteMap };
}

/**
 * A module every instrumented module imports: where its code runs in a worker that vitest started
 * without tph's preload (a pool or project whose options tph could not reach), a recorder that
 * records nothing takes the recorder's place, and the program runs as without tph, untraced.
 */
const STAND_IN = "\0tph:recorder-stand-in";
export const STAND_IN_CODE = `if (globalThis.__tph === undefined) {
  const same = (c, v) => v, none = () => {}, unrecorded = () => -1;
  Object.defineProperty(globalThis, "__tph", { value: {
    on: false, reg: () => 0, e0: unrecorded, e1: unrecorded, e2: unrecorded, e3: unrecorded,
    en: unrecorded, r: same, t: none, x: none, s: same, w: same, k: none, k0: none, km: none,
    km0: none, ka: same, kl: same, ks: same, ksl: same, kx: same, kc: none, ku: none, kf: none,
    fa: same, yd: same, ya: same, ra: same, xa: none, rc: none,
  }, configurable: true, writable: true });
}
`;
