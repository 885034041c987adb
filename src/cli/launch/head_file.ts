// Which file cli.ts loads its head start from (head.ts: what runs before `tph run` starts the
// program's process). On Bun from a checkout, the ~25 modules of the head start from their
// TypeScript sources cost the CLI ~45 ms of wall before the spawn at load (Bun transpiles each at
// every run; docs/performance.md, dstart2), and the run waits on the program's process, so the
// program's first line one for one; `.bun_head.js` (bun_bytecode.ts builds it with its bytecode,
// beside the CLI's and the preload's bundles) holds them as one file. Whether the bundles are fresh
// is checked here, before any of tph's other modules load, against the same manifest as
// bun_bytecode.ts's: all of them or none are used (the CLI's bundle takes the head's modules from
// `.bun_head.js`, the sources' CLI from their sources: one copy of the state they hold either way).
// Before the spawn only the manifest and the outputs are checked; the sources' stamps right after
// it (cli.ts): a changed source then has the early process told to quit and the sources' head
// start run instead, as on Deno (deno_bundle.ts's denoPreloadEarly).
// No imports: this is what cli.ts loads first.

const LOADER = new URL("../../program/loader/", import.meta.url);
const ROOT = new URL("../../../", import.meta.url);

// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;

let known: boolean | null = null;
let built: boolean | null = null;

/**
 * Whether Bun's bundles of a checkout are there, built by this Bun from the sources as they are
 * (`.bun_bytecode.json`: bun_bytecode.ts); null off Bun or off a checkout (lib/).
 */
export function bunBundlesFresh(): boolean | null {
  if (!fromCheckout()) return null;
  return known ??= bunBundlesBuilt() === true && bunSourcesUnchanged(
    decodeURIComponent(ROOT.pathname),
    manifest(),
  );
}

/**
 * Whether the manifest names this Bun, each of the six outputs is there at its size and the head's
 * entries are unchanged: the check made before the head start loads (nine stats). The other ~215
 * sources' stamps ({@linkcode bunBundlesFresh}) are checked after the program's process is started
 * (cli.ts): they cost 3–10 ms of the CLI's time before the spawn on this machine. Null off Bun or
 * off a checkout.
 */
export function bunBundlesBuilt(): boolean | null {
  if (!fromCheckout()) return null;
  return built ??= bunOutputsBuilt(manifest()) &&
    bunSourcesUnchanged(decodeURIComponent(ROOT.pathname), manifest(), HEAD_ENTRIES);
}

/**
 * The sources whose stamps are checked before the head's bundle is used: the functions cli.ts
 * calls in it (a head start's bundle older than another source is given up after the spawn, but
 * must have them).
 */
const HEAD_ENTRIES = ["cli.ts", "src/cli/launch/head_file.ts", "src/cli/launch/head.ts"];

function fromCheckout(): boolean {
  return bun !== undefined && import.meta.url.endsWith(".ts");
}

// deno-lint-ignore no-explicit-any
let parsed: any = undefined;

/** The checkout's manifest, read once; null when it is missing or unreadable. */
// deno-lint-ignore no-explicit-any
function manifest(): any {
  if (parsed === undefined) {
    parsed = readManifest(`${decodeURIComponent(LOADER.pathname)}.bun_bytecode.json`);
  }
  return parsed;
}

// deno-lint-ignore no-explicit-any
function readManifest(file: string): any {
  try {
    return JSON.parse(nodeFs().readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

// deno-lint-ignore no-explicit-any
function nodeFs(): any {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).process.getBuiltinModule("node:fs");
}

/**
 * Whether the Bun bundles the manifest at `manifest` lists (bun_bytecode.ts writes it) were built
 * by this Bun from the sources under `root` as they are now (each source's size and modification
 * time), and each of the six outputs is there at its size. The one check of it: bun_bytecode.ts
 * calls it too when cli.ts did not hand it the answer.
 */
export function bunManifestFresh(root: string, manifest: string): boolean {
  const m = readManifest(manifest);
  return bunOutputsBuilt(m) && bunSourcesUnchanged(root, m);
}

// deno-lint-ignore no-explicit-any
function bunOutputsBuilt(m: any): boolean {
  try {
    if (m === null || typeof m !== "object" || m.bun !== `${bun.version}+${bun.revision}`) {
      return false;
    }
    if (!Array.isArray(m.outputs) || m.outputs.length !== 6) return false;
    const fs = nodeFs();
    for (const [file, size] of m.outputs) {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile() || st.size !== size) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether the sources (`only`: these of them, each listed) are as the manifest has them. */
// deno-lint-ignore no-explicit-any
function bunSourcesUnchanged(root: string, m: any, only?: string[]): boolean {
  return sourcesUnchanged(root, m, only, bunSameFile);
}

/** Whether `file` is a file of `size` bytes modified at `mtime`, on Bun. */
function bunSameFile(file: string, size: number, mtime: number): boolean {
  const st = nodeFs().statSync(file, { throwIfNoEntry: false });
  return st !== undefined && st.isFile() && st.size === size && st.mtimeMs === mtime;
}

/**
 * Whether the sources a manifest lists (`[path, size, mtime]` under `root`; `only`: these of them,
 * each listed) are as it has them, by `same` (the runtime's stat).
 */
function sourcesUnchanged(
  root: string,
  // deno-lint-ignore no-explicit-any
  m: any,
  only: string[] | undefined,
  same: (file: string, size: number, mtime: number) => boolean,
): boolean {
  try {
    if (!Array.isArray(m.inputs) || m.inputs.length === 0) return false;
    let seen = 0;
    for (const [input, size, mtime] of m.inputs) {
      if (only !== undefined && !only.includes(input)) continue;
      seen++;
      if (!same(root + input, size, mtime)) return false;
    }
    return only === undefined || seen === only.length;
  } catch {
    return false;
  }
}

/**
 * The head start's bundle to load, `.bun_head.js` (its path), when Bun's bundles are built for this
 * Bun (the manifest and the outputs alone: cli.ts checks the sources' stamps after the spawn and
 * goes back to the sources when one changed); else null (cli.ts loads src/cli/launch/head.ts).
 */
export function headBundle(): string | null {
  return bunBundlesBuilt() === true ? `${decodeURIComponent(LOADER.pathname)}.bun_head.js` : null;
}

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno;

/**
 * On Deno from a checkout, the head start's bundle to import, `.deno_head.js` (its URL; built by
 * deno_bundle.ts with the preload's and the CLI's bundles), when `.deno_bundle.json` names this
 * Deno, the bundle is there at its size and the head's entries are unchanged (a few stats, before
 * the spawn: the other sources' stamps are checked after it, head.ts's `denoBundlesFresh`, and the
 * sources' head start is run on a change); else null.
 */
export function denoHeadBundle(): string | null {
  if (deno === undefined || !import.meta.url.endsWith(".ts")) return null;
  try {
    const root = decodeURIComponent(ROOT.pathname);
    const loader = decodeURIComponent(LOADER.pathname);
    const m = JSON.parse(deno.readTextFileSync(`${loader}.deno_bundle.json`));
    if (m === null || typeof m !== "object" || m.deno !== deno.version.deno) return null;
    if (typeof m.headSize !== "number") return null;
    const file = `${loader}.deno_head.js`;
    if (!denoSameFile(file, m.headSize)) return null;
    return sourcesUnchanged(root, m, HEAD_ENTRIES, denoSameFile)
      ? new URL("./.deno_head.js", LOADER).href
      : null;
  } catch {
    return null;
  }
}

/** Whether `file` is a file of `size` bytes (and modified at `mtime`, when given), on Deno. */
function denoSameFile(file: string, size: number, mtime?: number): boolean {
  const st = deno.statSync(file);
  return st.isFile && st.size === size &&
    (mtime === undefined || (st.mtime === null ? 0 : st.mtime.getTime()) === mtime);
}
