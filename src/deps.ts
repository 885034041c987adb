// The npm packages tph's instrumenter needs, loaded relative to tph's own folder.
//
// Why not plain bare imports: in a traced Deno program the main module is the user's, so Deno
// resolves bare specifiers against the USER's config (a deno.json without package.json has no
// node_modules resolution) and `import "oxc-parser"` inside tph would fail. A require anchored at
// this file finds tph's own node_modules on Deno and Bun alike. The standalone binary bundles
// the packages into the traced program's preload instead and hands them over with presetDeps()
// (src/program/binary_preload.ts): a global would show in the program's `Object.keys(globalThis)`.

import type NodeProcess from "node:process";
import type * as OxcParser from "oxc-parser";
import type * as TraceMapping from "@jridgewell/trace-mapping";
import type * as SourcemapCodec from "@jridgewell/sourcemap-codec";
import type * as SmolToml from "smol-toml";

// Not imported: see src/platform/node_process.ts (below it, this file cannot import it).
// deno-lint-ignore no-explicit-any
const process: typeof NodeProcess = (globalThis as any).process;
// The built-ins used below, as at load (platform/globals.ts is above this file: see it for why).
const { JSON, Object, Set } = globalThis;

/** The packages, as the binary's preload presets them. */
export interface Deps {
  oxc: typeof OxcParser;
  traceMapping: typeof TraceMapping;
  sourcemapCodec: typeof SourcemapCodec;
}

// Loaded on first use: a traced run whose files are all in the transform cache never parses, and
// oxc costs ~15 ms to load on Deno (its native addon, its JS, and node:fs that it pulls in).
let loaded: Deps | null = null;
/** Gives the packages bundled with tph, loaded when first used (presetDepsLazily). */
let bundled: (() => Deps) | null = null;

/**
 * Use these packages instead of loading them from tph's node_modules (the binary's preload,
 * which has them bundled).
 *
 * @param deps The packages.
 */
export function presetDeps(deps: Deps): void {
  loaded = deps;
}

/**
 * Use the packages `load` gives, loaded when first needed instead of from tph's node_modules (the
 * binary's preload, which has them bundled: oxc's native addon then loads only when a file is
 * parsed, never in a run whose files all come from the transform cache).
 *
 * @param load Loads and returns the packages.
 */
export function presetDepsLazily(load: () => Deps): void {
  bundled = load;
}

let loader: (() => Promise<Deps>) | null = null;

/**
 * How tph's own process gets the packages where it cannot require them (the standalone binary,
 * whose CLI bundles them apart from the program's preload): `loadDeps()` then awaits it.
 *
 * @param load Loads and returns the packages.
 */
export function useDepsLoader(load: () => Promise<Deps>): void {
  loader = load;
}

/** Make the packages ready (the binary's CLI loads them on first use; elsewhere nothing). */
export async function loadDeps(): Promise<void> {
  if (loaded === null && loader !== null) loaded = await loader();
}

/**
 * A require() anchored at this file. node:module is fetched only now: loading it costs Deno 5–8 ms,
 * which a command that reads no TOML and parses nothing never pays.
 */
function requireHere(): NodeJS.Require {
  const nodeModule = process.getBuiltinModule("node:module");
  return nodeModule.createRequire(import.meta.url);
}

/**
 * tph's parser cannot be loaded here: oxc-parser's native part is missing, or is another
 * platform's (a package installed elsewhere, a binary built with another platform's addon).
 */
export class NativePartError extends Error {}

let exitOnNativeFailure = false;
let leaveReason: ((message: string) => void) | null = null;

/**
 * In the standalone binary's program process, whose embedded addon is its only parser, one that
 * cannot be loaded is one line and exit code 1 (Bun would print the error with pages of the
 * bundle's code); elsewhere it is thrown as a NativePartError, for the CLI to say in one line
 * and for the loaders' own ways round it (a worker's parser on Deno) to take over.
 */
export function exitWhenNoParser(): void {
  exitOnNativeFailure = true;
}

/**
 * Where the line goes when the process exits for want of a parser: left for the CLI, which says
 * it alone (the program's own process, `tph run`'s child.ts); else, or when it cannot be left, on
 * stderr.
 */
export function leaveNoParserReason(leave: (message: string) => void): void {
  leaveReason = leave;
}

function deps(): Deps {
  if (loaded !== null) return loaded;
  try {
    if (bundled !== null) loaded = bundled();
    else {
      const load = requireHere();
      loaded = {
        oxc: load("oxc-parser"),
        traceMapping: load("@jridgewell/trace-mapping"),
        sourcemapCodec: load("@jridgewell/sourcemap-codec"),
      };
    }
  } catch (e) {
    // Its first sentence (napi-rs's goes on about an npm bug that is not the cause here).
    const cause = `${(e as Error)?.message ?? e}`.split("\n")[0].split(". ")[0].slice(0, 200);
    const message = "tph's parser (oxc-parser) cannot be loaded on " +
      `${process.platform}-${process.arch}: ${cause} ` +
      "(install the tph package or binary made for this platform)";
    if (exitOnNativeFailure) {
      let left = false;
      try {
        if (leaveReason !== null) leaveReason(message);
        left = leaveReason !== null;
      } catch {
        // Said on stderr instead.
      }
      if (!left) process.getBuiltinModule("node:fs").writeSync(2, `tph: ${message}\n`);
      process.exit(1);
    }
    throw new NativePartError(message);
  }
  return loaded!;
}

/** The packages deps() and toml() load (by name, from tph's own folder). */
const LOADED = [
  "oxc-parser",
  "@jridgewell/trace-mapping",
  "@jridgewell/sourcemap-codec",
  "smol-toml",
];

/**
 * The folders of the packages tph's program side loads from its own install — those deps() and
 * toml() load, and those they depend on, as resolved from this file — each as found and as its
 * real path. None when they are preset (bundled into the binary). A run never traces these files,
 * whatever its scope: they are tph's own code, loaded (on a warm run, lazily: a function's
 * toString may first need the parser) while the program runs, through tph's own hook.
 * Identified by where they are installed, not by their names: a package of the same name
 * elsewhere is the program's.
 */
export function depsFolders(): string[] {
  if (loaded !== null || bundled !== null || !import.meta.url.startsWith("file:")) return [];
  const fs = process.getBuiltinModule("node:fs");
  const { dirname } = process.getBuiltinModule("node:path");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const out = new Set<string>();
  const seen = new Set<string>();
  // Node's lookup: `<dir>/node_modules/<name>` from the requiring folder up to the root.
  const find = (name: string, from: string): string | null => {
    for (let dir = from;; dir = dirname(dir)) {
      const at = `${dir === "/" ? "" : dir}/node_modules/${name}`;
      if (fs.existsSync(`${at}/package.json`)) return at;
      if (dirname(dir) === dir) return null;
    }
  };
  const visit = (name: string, from: string) => {
    const at = find(name, from);
    if (at === null) return;
    let real: string;
    try {
      real = fs.realpathSync(at);
    } catch {
      return;
    }
    out.add(at);
    if (seen.has(real)) return;
    seen.add(real);
    out.add(real);
    let pkg: Record<string, Record<string, string> | undefined>;
    try {
      pkg = JSON.parse(fs.readFileSync(`${real}/package.json`, "utf8"));
    } catch {
      return;
    }
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
      const deps = pkg[field];
      if (typeof deps !== "object" || deps === null) continue;
      for (const dep of Object.keys(deps)) visit(dep, real);
    }
  };
  const here = dirname(fileURLToPath(import.meta.url));
  for (const name of LOADED) visit(name, here);
  return [...out];
}

/** oxc-parser. */
export function oxc(): typeof OxcParser {
  return deps().oxc;
}

/** @jridgewell/trace-mapping. */
export function traceMapping(): typeof TraceMapping {
  return deps().traceMapping;
}

/** @jridgewell/sourcemap-codec. */
export function sourcemapCodec(): typeof SourcemapCodec {
  return deps().sourcemapCodec;
}

let tomlLoaded: typeof SmolToml | null = null;

/**
 * Use this smol-toml instead of loading it from tph's node_modules (the standalone binary, which
 * bundles it).
 *
 * @param toml The package.
 */
export function presetToml(toml: typeof SmolToml): void {
  tomlLoaded = toml;
}

/**
 * smol-toml, loaded when a TOML config file is first read: the library (and a copy of it vendored
 * without node_modules) loads no package until it needs one.
 */
export function toml(): typeof SmolToml {
  tomlLoaded ??= requireHere()("smol-toml");
  return tomlLoaded!;
}
