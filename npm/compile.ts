// Builds the standalone binary: `deno task compile` runs `bun npm/compile.ts dist/tph` (the last word
// is where it goes); `npm/release.ts` runs `compile()` once per platform.
//
// Two steps, both by the pinned Bun. The traced program's preload (src/program/binary_preload.ts) is
// bundled as CommonJS with Bun's bytecode beside it (`bun build --bytecode` makes bytecode for an
// ES module only inside an executable, and the program's process runs the preload from disk as the
// `bun` CLI: binary_runtime.ts): Bun then loads it compiled, ~10 ms less of every run's start than
// parsing the 680 KB bundle. Then the CLI (bin.ts) is compiled, with those files, a key naming
// their content, and oxc's native addon for the platform embedded as files.
//
// Each build happens in a folder of its own (dist/.build-*): bin.ts is copied there with its file
// imports naming that folder's files, so that builds at the same moment (tests build binaries of
// their own; the release builds one per platform) never embed another's files.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BYTECODE_BUNDLE_ARGS, oneLineMap } from "../src/cli/launch/bun_bytecode.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUN = join(ROOT, "node_modules/.bin/bun");

/** What one binary is built for. */
export interface BuildTarget {
  /** The platform's name in tph's release files and `tph --version` (linux-x64, darwin-arm64…). */
  name: string;
  /** Bun's `--target` (bun-linux-arm64…); absent: this machine's. */
  bunTarget?: string;
  /** The Bun executable the binary is made of (a platform's @oven/bun-* package); absent: Bun's own. */
  executable?: string;
  /** oxc's native addon for the platform. */
  addon: string;
  /** Bun's `--bytecode` for the CLI (default true: see the top of this file). */
  bytecode?: boolean;
  /** Bun's `--minify` for the CLI (default false; bench/binary_variants.ts measures it). */
  minify?: boolean;
}

/** This machine's target: linux-x64 with the addon npm installed here. */
export function hostTarget(): BuildTarget {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const binding = process.platform === "linux"
    ? `linux-${arch}-gnu`
    : process.platform === "win32"
    ? `win32-${arch}-msvc`
    : `${process.platform}-${arch}`;
  const addon = createRequire(join(ROOT, "package.json")).resolve(
    `@oxc-parser/binding-${binding}/parser.${binding}.node`,
  );
  return { name: `${platform}-${arch}`, addon };
}

function run(args: string[], cwd = ROOT): void {
  const r = spawnSync(BUN, args, { cwd, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`bun ${args.join(" ")} failed (exit ${r.status})`);
}

/** bin.ts with its file imports naming the build folder's files, and its modules by full path. */
function entryFor(): string {
  const text = readFileSync(join(ROOT, "bin.ts"), "utf8")
    .replaceAll('"./dist/runtime/', '"./')
    .replaceAll('"./src/', `"${ROOT.replaceAll("\\", "/")}/src/`);
  if (!text.includes('"./parser.node"') || text.includes('"./dist/')) {
    throw new Error("bin.ts's file imports are not the ones npm/compile.ts rewrites");
  }
  return text;
}

/**
 * Build the binary for `target` at `out`.
 *
 * @param out Where the binary goes (a `.exe` is added for Windows by Bun).
 * @param target The platform (hostTarget(): this machine's).
 */
export function compile(out: string, target: BuildTarget = hostTarget()): void {
  const dist = join(ROOT, "dist");
  mkdirSync(dist, { recursive: true });
  const dir = mkdtempSync(join(dist, ".build-"));
  try {
    // As a checkout's bundles on Bun (bun_bytecode.ts, which says why these options).
    run([...BYTECODE_BUNDLE_ARGS, "src/program/binary_preload.ts", "--outdir", dir]);
    writeFileSync(join(dir, "preload.js.map"), oneLineMap("preload.js"));
    copyFileSync(join(dir, "binary_preload.js"), join(dir, "preload.js"));
    copyFileSync(join(dir, "binary_preload.js.jsc"), join(dir, "preload.js.jsc"));
    copyFileSync(target.addon, join(dir, "parser.node"));
    // The runtime folder's name: the files' content, worked out here rather than at each run
    // (reading the 4 MB embedded in the executable took the CLI ~3 ms before it could start).
    const hash = createHash("sha256");
    for (const name of ["preload.js", "preload.js.jsc", "preload.js.map", "parser.node"]) {
      hash.update(readFileSync(join(dir, name)));
    }
    writeFileSync(join(dir, "key.txt"), hash.digest("hex").slice(0, 24));
    writeFileSync(join(dir, "entry.ts"), entryFor());
    run([
      "build",
      "--compile",
      ...(target.bytecode === false ? [] : ["--bytecode"]),
      ...(target.minify === true ? ["--minify"] : []),
      "--format=esm",
      ...(target.bunTarget ? [`--target=${target.bunTarget}`] : []),
      ...(target.executable ? ["--compile-executable-path", target.executable] : []),
      "--define",
      `TPH_BUILD_TARGET=${JSON.stringify(target.name)}`,
      join(dir, "entry.ts"),
      "--outfile",
      resolve(out),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    compile(resolve(process.argv[2] ?? join(ROOT, "dist/tph")));
  } catch (e) {
    console.error(`npm/compile.ts: ${(e as Error).message}`);
    process.exit(1);
  }
}
