#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { args, setExitCode } from "./src/platform/process.ts";
import { abortEarly, startEarly } from "./src/cli/launch/early_start.ts";
import { enableCompileCache } from "./src/platform/compile_cache.ts";
import { useBunPreload, useDenoPreload } from "./src/program/command.ts";
import { bunBytecodeBuilt, bunPreload, cliModule } from "./src/cli/launch/bun_bytecode.ts";
import { denoBundleBuilt, denoCliModule, denoPreload } from "./src/cli/launch/deno_bundle.ts";

// On Node, its compile cache (compile_cache.ts): the rest of the CLI loads compiled after the first
// run (~25 ms of each command). The package's `tph` command (bin/tph.js) turns it on before this
// module's own imports load.
enableCompileCache();
const argv = args();
// On Bun, the program's preload as bytecode (bun_bytecode.ts).
useBunPreload(bunPreload);
// On Deno, the program's preload as one module (deno_bundle.ts).
useDenoPreload(denoPreload);
// `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
startEarly(argv);
// A URL rather than a string: Deno reads every module a literal `import("…")` names before the
// first line runs (~20 ms here; a type naming the module as much again), which would delay
// starting the program's process.
// On Bun, the rest of the CLI as bytecode (bun_bytecode.ts); on Deno, as one module
// (deno_bundle.ts).
const { main } = await import(
  denoCliModule(cliModule(new URL("./src/cli/commands/main.ts", import.meta.url).href))
) as { main: (argv: string[]) => Promise<number> };
const code = await main(argv);
await abortEarly();
await bunBytecodeBuilt();
await denoBundleBuilt();
setExitCode(code);
