// tph on Deno from a checkout: the program's preload as one JavaScript module. Deno loads each of
// the preload's ~125 TypeScript modules as its emitted JavaScript with its source map inline (the
// TypeScript source in it): ~3.5 MB of text held by the program's process, where a bundle of them
// (`deno bundle`, ~0.6 MB) holds a fifth of it. `tph run hello.ts`'s process: 57 → 51 MB of RSS;
// marked recording every call peaks ~6 MB lower (docs/performance.md). As Bun's bytecode
// (bun_bytecode.ts), it is built by the Deno running tph, the first time a command finds it
// missing or older than a source it was built from (that command's program loads the sources, and
// tph waits for the build before it exits), into the folder of own_files.ts, whose URLs then hold
// as in the sources:
//
// - `.deno_preload.js`: src/program/preload.ts bundled, tph's npm packages left to be imported;
// - `.deno_bundle.json`: the Deno and the sources (size, modification time) it was built from,
//   and the bundle's size.
//
// Nothing is built where the checkout cannot be written.

import { fileStamp, makeDir, remove, rename, writeText } from "../../platform/files.ts";
import { pid } from "../../platform/process.ts";
import { DENO_BUNDLE_FILES } from "../../program/command.ts";
import {
  BUILD_MS,
  type BuildInput,
  inputsUnchanged,
  readManifest,
  takeBuildLock,
} from "./checkout_build.ts";

const { root: ROOT, preload: PRELOAD_SOURCE, bundle: BUNDLE } = DENO_BUNDLE_FILES;
const LOADER = BUNDLE.slice(0, BUNDLE.lastIndexOf("/") + 1);
const MANIFEST = `${LOADER}.deno_bundle.json`;
const LOCK = `${LOADER}.deno_bundle.lock`;

interface Manifest {
  deno: string;
  /** Each source (checkout_build.ts). */
  inputs: BuildInput[];
  /** The bundle's size (a cut or replaced file is stale). */
  size: number;
}

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno;

let isFresh: boolean | null = null;

/** Whether the bundle is there, built by this Deno from the sources as they are. */
function fresh(): boolean {
  if (isFresh !== null) return isFresh;
  isFresh = false;
  const m = readManifest<Manifest>(MANIFEST);
  if (m === null || m.deno !== deno.version.deno || !inputsUnchanged(ROOT, m.inputs)) return false;
  if (fileStamp(BUNDLE)?.size !== m.size) return false;
  return isFresh = true;
}

let building: Promise<void> | null = null;

/**
 * The program's preload as one module, for a program run by this Deno; null when it is missing
 * or stale (then it is built, once: {@linkcode denoBundleBuilt}).
 *
 * @param preload The preload's source file.
 */
export function denoPreload(preload: string): string | null {
  if (deno === undefined || preload !== PRELOAD_SOURCE || !preload.endsWith(".ts")) return null;
  if (fresh()) return BUNDLE;
  building ??= build().catch(() => {});
  return null;
}

/** Wait for a build of the bundle that this command started, if any. */
export function denoBundleBuilt(): Promise<void> {
  return building ?? Promise.resolve();
}

/** Run this Deno with `args`; its stdout, or an error when it fails or outlives BUILD_MS. */
async function denoOutput(args: string[]): Promise<string> {
  const child = new deno.Command(deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_MS);
  try {
    const out = await child.output();
    if (!out.success) throw new Error(`deno ${args[0]} failed`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    clearTimeout(timer);
  }
}

async function build(): Promise<void> {
  if (!takeBuildLock(LOCK)) return;
  const tmp = `${LOADER}.deno_bundle.build-${pid()}`;
  try {
    remove(tmp);
    makeDir(tmp, 0o700);
    const started = Date.now();
    const out = `${tmp}/preload.js`;
    // The sources it is made of: the preload's static imports (its dynamic ones too: every local
    // module the graph names).
    const [info] = await Promise.all([
      denoOutput(["info", "--json", PRELOAD_SOURCE]),
      denoOutput([
        "bundle",
        "--quiet",
        "--platform=deno",
        "--packages=external",
        "--output",
        out,
        PRELOAD_SOURCE,
      ]),
    ]);
    const modules = (JSON.parse(info) as { modules?: { local?: string }[] }).modules ?? [];
    const listed: BuildInput[] = [];
    for (const m of modules) {
      // tph's own sources: not its packages (left out of the bundle, types of them listed).
      const local = m.local;
      if (typeof local !== "string" || !local.startsWith(ROOT)) continue;
      if (local.slice(ROOT.length).startsWith("node_modules/")) continue;
      const st = fileStamp(local);
      // A source changed while it was built: the next command builds again.
      if (st === null || st.mtimeMs >= started) return;
      listed.push([local.slice(ROOT.length), st.size, st.mtimeMs]);
    }
    const size = fileStamp(out)?.size;
    if (listed.length === 0 || size === undefined) return;
    rename(out, BUNDLE);
    writeText(
      `${tmp}/manifest`,
      JSON.stringify({ deno: deno.version.deno, inputs: listed, size }),
      { mode: 0o644 },
    );
    rename(`${tmp}/manifest`, MANIFEST);
  } finally {
    remove(tmp);
    remove(LOCK);
  }
}
