// Which file cli.ts loads its head start from (head.ts: what runs before `tph run` starts the
// program's process). On Bun from a checkout, the ~25 modules of the head start from their
// TypeScript sources cost the CLI ~45 ms of wall before the spawn at load (Bun transpiles each at
// every run; docs/performance.md, dstart2), and the run waits on the program's process, so the
// program's first line one for one; `.bun_head.js` (bun_bytecode.ts builds it with its bytecode,
// beside the CLI's and the preload's bundles) holds them as one file. Whether the bundles are fresh
// is checked here, before any of tph's other modules load, against the same manifest as
// bun_bytecode.ts's: all of them or none are used (the CLI's bundle takes the head's modules from
// `.bun_head.js`, the sources' CLI from their sources: one copy of the state they hold either way).
// No imports: this is what cli.ts loads first.

const LOADER = new URL("../../program/loader/", import.meta.url);
const ROOT = new URL("../../../", import.meta.url);

// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;

let known: boolean | null = null;

/**
 * Whether Bun's bundles of a checkout are there, built by this Bun from the sources as they are
 * (`.bun_bytecode.json`: bun_bytecode.ts); null off Bun or off a checkout (lib/).
 */
export function bunBundlesFresh(): boolean | null {
  if (bun === undefined || !import.meta.url.endsWith(".ts")) return null;
  return known ??= check();
}

function check(): boolean {
  return bunManifestFresh(
    decodeURIComponent(ROOT.pathname),
    `${decodeURIComponent(LOADER.pathname)}.bun_bytecode.json`,
  );
}

/**
 * Whether the Bun bundles the manifest at `manifest` lists (bun_bytecode.ts writes it) were built
 * by this Bun from the sources under `root` as they are now (each source's size and modification
 * time), and each of the six outputs is there at its size. The one check of it: bun_bytecode.ts
 * calls it too when cli.ts did not hand it the answer.
 */
export function bunManifestFresh(root: string, manifest: string): boolean {
  try {
    // deno-lint-ignore no-explicit-any
    const fs = (globalThis as any).process.getBuiltinModule("node:fs");
    const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
    if (m === null || m.bun !== `${bun.version}+${bun.revision}`) return false;
    if (!Array.isArray(m.inputs) || m.inputs.length === 0) return false;
    for (const [input, size, mtime] of m.inputs) {
      const st = fs.statSync(root + input, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile() || st.size !== size || st.mtimeMs !== mtime) {
        return false;
      }
    }
    if (!Array.isArray(m.outputs) || m.outputs.length !== 6) return false;
    for (const [file, size] of m.outputs) {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile() || st.size !== size) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The head start's bundle to load, `.bun_head.js` (its path), when Bun's bundles are fresh; else
 * null (cli.ts loads src/cli/launch/head.ts).
 */
export function headBundle(): string | null {
  return bunBundlesFresh() === true ? `${decodeURIComponent(LOADER.pathname)}.bun_head.js` : null;
}
