// `tph test` on vitest, in vitest's own process: vitest loads the test files and what they import
// through vite, not through the runtime's loader, so tph's hold on them is a vite plugin, added by
// the config file tph gives vitest (which loads the project's own: the CLI writes it). The plugin
// instruments the project's files after vite's own transforms (TypeScript, JSX and the project's
// plugins done: the text it gets is what the engine would run without tph) and hands vite the map
// of its rewriting, which vite chains with the maps before it, so that vitest maps stacks and code
// frames back to the files as written. It also has vitest start each worker with tph's preload and
// run tph's setup file first in each test file (vitest_tests.ts, where each test becomes a run).

import { writeText } from "../../platform/files.ts";
import { join } from "node:path";
import process from "node:process";
import { instrument, moduleHash } from "../instrument/instrument.ts";
import type { LoaderSetup } from "../loader/setup.ts";
import type { RewrittenModule } from "../loader/original_text.ts";

/** Where the plugin is found in vitest's process: the config file tph writes reads it there. */
export const VITEST_PLUGIN = Symbol.for("tph.vitest.plugin");

/** The files tph gives vitest for a run (the CLI writes them: test_command.ts). */
export interface VitestFiles {
  /** vitest's major version. */
  major: number;
  /** The setup file vitest runs first in each test file. */
  setup: string;
  /** Where each module instrumented is kept for its functions' toString() in the workers. */
  sources: string;
}

/** What of vite's config the plugin touches. */
interface ViteConfig {
  test?: {
    execArgv?: string[];
    poolOptions?: Record<string, { execArgv?: string[] }>;
    setupFiles?: string | string[];
    fsModuleCache?: boolean;
  };
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
 * Make the plugin available to the config file tph gives vitest.
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
  const plugin = {
    name: "tph",
    enforce: "post",
    config(config: ViteConfig) {
      const test = config.test ??= {};
      // Each worker starts with tph's preload: vitest 4 takes its options for all of them, before
      // 4 each pool its own.
      if (files.major >= 4) test.execArgv = [...(test.execArgv ?? []), "--require", preload];
      else {
        const pools = test.poolOptions ??= {};
        for (const name of POOLS) {
          const pool = pools[name] ??= {};
          pool.execArgv = [...(pool.execArgv ?? []), "--require", preload];
        }
      }
      // vitest keeps transformed modules on disk for its next run: not those tph rewrote, which
      // it would load again without the plugin's records (and count) of what it rewrote.
      test.fsModuleCache = false;
      const given = test.setupFiles;
      test.setupFiles = [files.setup, ...(given === undefined ? [] : [given].flat())];
    },
    transform(
      this: { getCombinedSourcemap?: () => unknown },
      code: string,
      id: string,
    ): { code: string; map: string } | null {
      const path = id.split("?")[0];
      if (!path.startsWith("/") || !SCRIPT.test(path) || !setup.inScope(path)) return null;
      const module = setup.moduleName(path);
      let map: unknown = null;
      try {
        map = this.getCombinedSourcemap?.() ?? null;
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
        process.stderr.write(`tph: warning: ${module} is not traced: ${(e as Error).message}\n`);
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
      return { code: r.code, map: r.rewriteMap };
    },
  };
  Object.defineProperty(globalThis, VITEST_PLUGIN, {
    value: () => plugin,
    enumerable: false,
    configurable: true,
  });
}
