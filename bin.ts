// Entry of the standalone binary (`deno task compile` → npm/compile.ts → `bun build --compile`):
// the CLI, bundled. npm/compile.ts builds a copy of it in a folder of its own, whose files its
// `./dist/runtime/…` imports then name.
//
// The binary is also the runtime of the traced program: it starts itself as the `bun` CLI with the
// preload that the build makes first (src/program/binary_preload.ts bundled, with its bytecode:
// npm/compile.ts) and embeds as files here, beside oxc's native addon
// (src/cli/launch/binary_runtime.ts puts them on disk).

import process from "node:process";
// @ts-ignore: oxc's native addon for the platform built for (npm/compile.ts puts it beside the
// other files); Bun embeds it and returns its path.
import addon from "./dist/runtime/parser.node" with { type: "file" };
// @ts-ignore: built by npm/compile.ts before this is compiled; Bun embeds it and returns its path.
import preload from "./dist/runtime/preload.js" with { type: "file" };
// @ts-ignore: the same, the preload's bytecode and source map.
import bytecode from "./dist/runtime/preload.js.jsc" with { type: "file" };
// @ts-ignore: the same.
import map from "./dist/runtime/preload.js.map" with { type: "file" };
// @ts-ignore: the name of the folder these go to (npm/compile.ts), inlined by Bun.
import key from "./dist/runtime/key.txt" with { type: "text" };
import { dirname, join } from "node:path";
import { useBinaryPreload } from "./src/program/command.ts";
import { ADDON_FILE } from "./src/program/settings.ts";
import * as smolToml from "smol-toml";
import { presetToml, useDepsLoader } from "./src/deps.ts";
import { extractRuntime } from "./src/cli/launch/binary_runtime.ts";

// Bundled: the config is read by most commands, before anything else could load it.
presetToml(smolToml);
// Put on disk only when a program is to run: other commands never touch the disk for it.
useBinaryPreload(() => extractRuntime(key, { preload, bytecode, map, addon }));
// tph's own parsing (tph setup) loads oxc from the same files, when it is first needed.
useDepsLoader(async () => {
  const onDisk = extractRuntime(key, { preload, bytecode, map, addon });
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = join(dirname(onDisk), ADDON_FILE);
  try {
    return {
      oxc: await import("oxc-parser"),
      traceMapping: await import("@jridgewell/trace-mapping"),
      sourcemapCodec: await import("@jridgewell/sourcemap-codec"),
    };
  } finally {
    delete process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  }
});

const argv = process.argv.slice(2);
// `tph run` starts the program's process before loading the rest of the CLI.
const { abortEarly, startEarly } = await import("./src/cli/launch/early_start.ts");
startEarly(argv);
const { main } = await import("./src/cli/commands/main.ts");
const code = await main(argv);
await abortEarly();
process.exit(code);
