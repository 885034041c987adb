// What register.ts decides for every runtime and hands the runtime's loader (deno.ts, bun.ts):
// which files are traced, how they are named and transformed, and the count of files instrumented.

import type { LoaderOptions } from "../settings.ts";
import type { ScopeOptions } from "../../project/scope.ts";
import type { Manifest } from "./manifest.ts";
import type { TransformOptions } from "./transform.ts";
import type { Lang } from "../../project/languages.ts";
import process from "../../platform/node_process.ts";

/**
 * A module the instrumenter failed on: the program runs either way, the module's calls are not
 * recorded, and a line on stderr says so (every runtime's loader, and jest's and vitest's).
 *
 * @param module Its name in the run.
 * @param e What the instrumenter threw.
 */
export function warnNotTraced(module: string, e: unknown): void {
  process.stderr.write(`tph: warning: ${module} is not traced: ${(e as Error)?.message ?? e}\n`);
}

/** The shared part of a loader, made once by registerLoader (register.ts). */
export interface LoaderSetup {
  /** The options the CLI gave. */
  options: LoaderOptions;
  /** The scope, with the running tph's own files left out. */
  scope: ScopeOptions;
  /** Whether a file is traced: in scope and no copy of tph (own_sources.ts). */
  inScope: (path: string) => boolean;
  /** Whether a file belongs to a copy of tph, which is never traced. */
  isOwn: (path: string) => boolean;
  /** A file's module name in the run: its path from the project root. */
  moduleName: (path: string) => string;
  /** The transform options every runtime gives a file; each adds its own after these. */
  transformOptions: (path: string, lang: Lang) => TransformOptions;
  /** What the last run of the same program saw (Deno; Node per file; else null: manifest.ts). */
  manifest: Manifest | null;
  /** Whether oxc was loaded before the loader was installed (else parse in a worker). */
  parserLoaded: boolean;
  /** Call once for each file instrumented. */
  counted: () => void;
}
