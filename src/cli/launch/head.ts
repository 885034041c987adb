// The head start of the command line (cli.ts): what loads and runs before `tph run` starts the
// program's process (early_start.ts), and what the CLI does after its command. Loaded from its
// sources, or on Bun from a checkout as one bundle (head_file.ts).
import { args, setExitCode } from "../../platform/process.ts";
import { abortEarly, startEarly } from "./early_start.ts";
import { enableCompileCache } from "../../platform/compile_cache.ts";
import { useBunPreload, useDenoPreload } from "../../program/command.ts";
import { bunBytecodeBuilt, bunPreload, cliModule, knowBunBundlesFresh } from "./bun_bytecode.ts";
import {
  denoBundleBuilt,
  denoBundlesFresh,
  denoCliModule,
  denoEarlyConfirmed,
  denoPreload,
  denoPreloadEarly,
} from "./deno_bundle.ts";

/**
 * Start: the program's process of a `tph run` started before the rest of the CLI loads.
 *
 * @param bunFresh Whether Bun's bundles are fresh, as cli.ts found (head_file.ts); null off Bun.
 * @returns The command line's arguments.
 */
export function start(bunFresh: boolean | null): string[] {
  // On Node, its compile cache (compile_cache.ts): the rest of the CLI loads compiled after the
  // first run (~25 ms of each command). The package's `tph` command (bin/tph.js) turns it on
  // before cli.ts's own imports load.
  enableCompileCache();
  knowBunBundlesFresh(bunFresh);
  const argv = args();
  // On Bun, the program's preload as bytecode (bun_bytecode.ts).
  useBunPreload(bunPreload);
  // On Deno, the program's preload as one module (deno_bundle.ts); for the process started early,
  // its sources checked after the spawn (denoEarlyConfirmed, before the CLI takes the process).
  useDenoPreload(denoPreloadEarly);
  // `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
  startEarly(argv, denoEarlyConfirmed);
  useDenoPreload(denoPreload);
  return argv;
}

/**
 * Whether Deno's bundles are built from the sources as they are (cli.ts asks after the spawn when
 * it loaded this from `.deno_head.js`: head_file.ts chose it by the head's entries alone).
 */
export { denoBundlesFresh };

/**
 * The head start given up (cli.ts: a source changed since Bun's bundles were built, and this is the
 * head's bundle): the program's process it started is told to quit, and waited for.
 */
export async function abandon(): Promise<void> {
  await abortEarly();
}

/**
 * The CLI's module to load after the head start: on Bun, the rest of the CLI as bytecode
 * (bun_bytecode.ts); on Deno, as one module (deno_bundle.ts); else its source.
 *
 * @param source The URL of src/cli/commands/main.ts.
 */
export function mainModule(source: string): string {
  return denoCliModule(cliModule(source));
}

/**
 * After the command: the early process stopped if the command did not take it, the bundles'
 * builds this command started waited for, the exit code set.
 *
 * @param code The command's exit code.
 */
export async function finish(code: number): Promise<void> {
  await abortEarly();
  await bunBytecodeBuilt();
  await denoBundleBuilt();
  setExitCode(code);
}
