#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { bunBundlesFresh, headBundle } from "./src/cli/launch/head_file.ts";

type Head = typeof import("./src/cli/launch/head.ts");

// The head start (head.ts): on Bun from a checkout, as one bundle (head_file.ts), required (~5 ms
// sooner than by `import()`); else from its sources, by a literal `import("…")`, which Deno reads
// before the first line runs, as it would a static import (a module named at run time only it
// would load later, on the way to the spawn).
const bundle = headBundle();
let head = bundle !== null
  ? (import.meta as unknown as { require(path: string): Head }).require(bundle)
  : await import("./src/cli/launch/head.ts");
// `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
let argv = head.start(bundle !== null || bunBundlesFresh());
// The head's bundle was chosen by the manifest and the outputs alone; the sources' stamps are
// checked now, the program's process started. One changed: that process is told to quit, and the
// head start runs again from the sources (the bundles are built again).
if (bundle !== null && bunBundlesFresh() !== true) {
  await head.abandon();
  head = await import("./src/cli/launch/head.ts");
  argv = head.start(false);
}
// A URL rather than a string: Deno reads every module a literal `import("…")` names before the
// first line runs (~20 ms here; a type naming the module as much again), which would delay
// starting the program's process.
// On Bun, the rest of the CLI as bytecode (bun_bytecode.ts); on Deno, as one module
// (deno_bundle.ts).
const { main } = await import(
  head.mainModule(new URL("./src/cli/commands/main.ts", import.meta.url).href)
) as { main: (argv: string[]) => Promise<number> };
await head.finish(await main(argv));
