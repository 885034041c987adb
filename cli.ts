#!/usr/bin/env -S deno run -A
// The tph command line: `deno run -A cli.ts <command>` or `bun cli.ts <command>`.
import { bunBundlesFresh, denoHeadBundle, headBundle } from "./src/cli/launch/head_file.ts";

// head.ts's functions (no type import of it: Deno would read its sources before the first line).
interface Head {
  start(bunFresh: boolean | null): string[];
  denoBundlesFresh(): boolean;
  abandon(): Promise<void>;
  mainModule(source: string): string;
  finish(code: number): Promise<void>;
}

// The head start (head.ts): from a checkout, as one bundle when it is built (head_file.ts): on Bun
// required (~5 ms sooner than by `import()`), on Deno imported by its URL; else from its sources,
// by their URL. A literal `import("…")` would have Deno read the head's ~28 sources before the first
// line runs, as it would a static import, bundle or not (a module named at run time only loads
// when asked).
const HEAD_SOURCE = new URL("./src/cli/launch/head.ts", import.meta.url).href;
const bundle = headBundle();
const denoBundle = denoHeadBundle();
let head = bundle !== null
  ? (import.meta as unknown as { require(path: string): Head }).require(bundle)
  : await import(denoBundle ?? HEAD_SOURCE) as Head;
/** The head start first loaded, when it was given up for the sources' (its builds waited for). */
let abandoned: Head | null = null;
// `tph run` starts the program's process before loading the rest of the CLI (early_start.ts).
let argv = head.start(bundle !== null || bunBundlesFresh());
// The head's bundle was chosen by the manifest and the outputs alone; the sources' stamps are
// checked now, the program's process started. One changed: that process is told to quit, and the
// head start runs again from the sources (the bundles are built again).
if (
  (bundle !== null && bunBundlesFresh() !== true) ||
  (denoBundle !== null && head.denoBundlesFresh() !== true)
) {
  await head.abandon();
  abandoned = head;
  head = await import(HEAD_SOURCE) as Head;
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
const code = await main(argv);
await head.finish(code);
// The bundled head start given up may have started the bundles' build: waited for too.
if (abandoned !== null) await abandoned.finish(code);
