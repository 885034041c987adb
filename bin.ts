// Entry of the standalone binary (`deno task compile` → `bun build --compile bin.ts`).
//
// Bundled, tph cannot require its npm packages from disk (src/deps.ts does that otherwise), so
// they are imported here and handed over. oxc's native addon is not embedded by default: import it
// as a file and point napi-rs at it before oxc loads (FIELD_NOTES). The binary is also the
// runtime of the traced program: with TPH_CHILD_MAIN set it runs that script under tracing.

import process from "node:process";
import { resolve } from "node:path";
// @ts-ignore: a file import of a native addon; Bun embeds it and returns its path.
import addon from "@oxc-parser/binding-linux-x64-gnu/parser.linux-x64-gnu.node" with {
  type: "file",
};

const script = process.env.TPH_CHILD_MAIN;
if (script !== undefined) {
  // Only the traced program instruments: the CLI side never loads the parser.
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = addon;
  const oxc = await import("oxc-parser");
  delete process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  const traceMapping = await import("@jridgewell/trace-mapping");
  const sourcemapCodec = await import("@jridgewell/sourcemap-codec");
  // deno-lint-ignore no-explicit-any
  (globalThis as any).__tph_deps = { oxc, traceMapping, sourcemapCodec };
  // Names from src/loader/child_config.ts; the program must not see them.
  delete process.env.TPH_CHILD_MAIN;
  const { setupChild } = await import("./src/loader/child.ts");
  setupChild();
  // The program sees the argv of `bun script args…`, not the binary's own: a compiled binary's
  // argv is ["bun", "/$bunfs/root/<name>", args…], so the embedded entry is replaced.
  const path = resolve(script);
  process.argv.splice(1, 1, path);
  await import(path);
} else {
  const argv = process.argv.slice(2);
  // `tph run` starts the program's process before loading the rest of the CLI.
  const { abortEarly, startEarly } = await import("./src/loader/early_start.ts");
  startEarly(argv);
  const { main } = await import("./src/cli/main.ts");
  const code = await main(argv);
  await abortEarly();
  process.exit(code);
}
