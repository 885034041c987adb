// Entry of the standalone binary (`deno task compile` → `bun build --compile bin.ts
// src/program/binary_preload.ts`): the CLI, bundled.
//
// The binary is also the runtime of the traced program: it starts itself as the `bun` CLI with the
// preload that the build embeds as a second entry point (src/cli/launch/binary_runtime.ts puts it on
// disk, beside oxc's native addon, which is embedded as a file here).

import process from "node:process";
// @ts-ignore: a file import of a native addon; Bun embeds it and returns its path.
import addon from "@oxc-parser/binding-linux-x64-gnu/parser.linux-x64-gnu.node" with {
  type: "file",
};
import { dirname, join } from "node:path";
import { useBinaryPreload } from "./src/program/command.ts";
import { ADDON_FILE } from "./src/program/settings.ts";
import * as smolToml from "smol-toml";
import { presetToml, useDepsLoader } from "./src/deps.ts";
import { extractRuntime } from "./src/cli/launch/binary_runtime.ts";

/** Where `bun build --compile` puts the second entry point inside the executable. */
const EMBEDDED_PRELOAD = "/$bunfs/root/src/program/binary_preload.js";

// Bundled: the config is read by most commands, before anything else could load it.
presetToml(smolToml);
// Put on disk only when a program is to run: other commands never touch the disk for it.
useBinaryPreload(() => extractRuntime({ preload: EMBEDDED_PRELOAD, addon }));
// tph's own parsing (tph setup) loads oxc from the same files, when it is first needed.
useDepsLoader(async () => {
  const preload = extractRuntime({ preload: EMBEDDED_PRELOAD, addon });
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = join(dirname(preload), ADDON_FILE);
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
