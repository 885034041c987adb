// What the builds tph makes of its own sources in a checkout share (bun_bytecode.ts: Bun's
// bytecode bundles; deno_bundle.ts: Deno's bundle of the preload): a manifest of the sources each
// was built from, checked before a build is used, and a lock so that one command builds at a time.

import { fileStamp, readText, remove, writeText } from "../../platform/files.ts";

/** A build's lock older than this was left by a tph that died: taken over. */
const STALE_LOCK_MS = 120_000;
/** A build taking longer than this is given up (the sources go on being loaded). */
export const BUILD_MS = 60_000;

/** A source a build was made from: its path from the checkout's root, size, modification time. */
export type BuildInput = [string, number, number];

/** The manifest at `file` as JSON, or null when it is missing or unreadable. */
export function readManifest<M>(file: string): M | null {
  try {
    return JSON.parse(readText(file)) as M;
  } catch {
    return null;
  }
}

/** Whether every source in `inputs` (a manifest's) is as it was when the build was made. */
export function inputsUnchanged(root: string, inputs: unknown): boolean {
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const [input, size, mtime] of inputs as BuildInput[]) {
    const st = fileStamp(root + input);
    if (st === null || st.size !== size || st.mtimeMs !== mtime) return false;
  }
  return true;
}

/** Take the build's lock file (false: another command builds; a stale lock is taken over). */
export function takeBuildLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeText(lock, "", { exclusive: true, mode: 0o644 });
      return true;
    } catch {
      const st = fileStamp(lock);
      if (st === null || Date.now() - st.mtimeMs < STALE_LOCK_MS) return false;
      remove(lock);
    }
  }
  return false;
}
