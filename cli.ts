#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { bunBundlesFresh, headModule } from "./src/cli/launch/head_file.ts";

/** head.ts's exports (a type naming the module would make Deno read it before the start). */
interface Head {
  start(bunFresh: boolean | null): string[];
  mainModule(source: string): string;
  finish(code: number): Promise<void>;
}

// The head start: on Bun from a checkout, as one bundle (head_file.ts). A URL rather than a
// string: Deno reads every module a literal `import("…")` names before the first line runs (~20 ms
// here; a type naming the module as much again), which would delay starting the program's process.
const head = await import(
  headModule(new URL("./src/cli/launch/head.ts", import.meta.url).href)
) as Head;
// `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
const argv = head.start(bunBundlesFresh());
// On Bun, the rest of the CLI as bytecode (bun_bytecode.ts); on Deno, as one module
// (deno_bundle.ts).
const { main } = await import(
  head.mainModule(new URL("./src/cli/commands/main.ts", import.meta.url).href)
) as { main: (argv: string[]) => Promise<number> };
await head.finish(await main(argv));
