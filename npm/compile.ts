// Builds the standalone binary: `deno task compile` runs `bun npm/compile.ts dist/tph` (the last word
// is where it goes).
//
// Two steps, both by the pinned Bun. The traced program's preload (src/program/binary_preload.ts) is
// bundled as CommonJS with Bun's bytecode beside it (`bun build --bytecode` makes bytecode for an
// ES module only inside an executable, and the program's process runs the preload from disk as the
// `bun` CLI: binary_runtime.ts): Bun then loads it compiled, ~10 ms less of every run's start than
// parsing the 680 KB bundle. Then the CLI (bin.ts) is compiled, with those files, a key naming
// their content, and oxc's native addon embedded as files.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BYTECODE_BUNDLE_ARGS, oneLineMap } from "../src/cli/launch/bun_bytecode.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUN = join(ROOT, "node_modules/.bin/bun");
/** Where bin.ts takes the preload's files from (its file imports name these paths). */
const RUNTIME = join(ROOT, "dist/runtime");
/** oxc's native addon, as bin.ts imports it. */
const ADDON = createRequire(join(ROOT, "bin.ts")).resolve(
  "@oxc-parser/binding-linux-x64-gnu/parser.linux-x64-gnu.node",
);

function run(args: string[]): void {
  const r = spawnSync(BUN, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`npm/compile.ts: bun ${args.join(" ")} failed (exit ${r.status})`);
    process.exit(1);
  }
}

const out = resolve(process.argv[2] ?? join(ROOT, "dist/tph"));
mkdirSync(RUNTIME, { recursive: true });
// Built apart, then renamed into place: another build at the same moment (tests build binaries
// of their own) never embeds half a file.
const tmp = mkdtempSync(join(RUNTIME, ".build-"));
try {
  // As a checkout's bundles on Bun (bun_bytecode.ts, which says why these options).
  run([...BYTECODE_BUNDLE_ARGS, "src/program/binary_preload.ts", "--outdir", tmp]);
  writeFileSync(join(tmp, "binary_preload.js.map"), oneLineMap("preload.js"));
  // The runtime folder's name: the files' content, worked out here rather than at each run (reading
  // the 4 MB embedded in the executable took the CLI ~3 ms before it could start the program).
  const hash = createHash("sha256");
  for (const name of ["binary_preload.js", "binary_preload.js.jsc", "binary_preload.js.map"]) {
    hash.update(readFileSync(join(tmp, name)));
  }
  hash.update(readFileSync(ADDON));
  writeFileSync(join(tmp, "key.txt"), hash.digest("hex").slice(0, 24));
  for (
    const [from, to] of [
      ["binary_preload.js.jsc", "preload.js.jsc"],
      ["binary_preload.js.map", "preload.js.map"],
      ["key.txt", "key.txt"],
      ["binary_preload.js", "preload.js"],
    ]
  ) renameSync(join(tmp, from), join(RUNTIME, to));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
run(["build", "--compile", "--bytecode", "--format=esm", "bin.ts", "--outfile", out]);
