// The standalone binary's side of running a program: the program runs as the `bun` CLI inside the
// same executable would run it (a compiled Bun executable started with BUN_BE_BUN=1 behaves as
// `bun`; only then do a script's bare imports resolve from its node_modules), with tph's preload.
// The `bun` CLI cannot read files embedded in the executable, so the preload and oxc's native
// addon are written once to a folder of the user's own, named after their content.

import { privateDir, userCacheDir } from "../../platform/files.ts";
import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ADDON_FILE, PRELOAD_FILE } from "../../program/settings.ts";

/** Why the program's runtime files cannot be put on disk. */
export class BinaryRuntimeError extends Error {}

function writeNew(path: string, bytes: Uint8Array): void {
  // "wx": never through a link or over a file someone else put there.
  const fd = openSync(path, "wx", 0o600);
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A file to put on disk: its name there, and the embedded file it is a copy of. */
type RuntimeFile = [name: string, from: string];

function hasFiles(dir: string, files: RuntimeFile[]): boolean {
  try {
    if (!existsSync(dir)) return false;
    privateDir(dir);
    return files.every(([name, from]) => {
      const st = lstatSync(join(dir, name));
      return st.isFile() && st.size === statSync(from).size;
    });
  } catch {
    return false;
  }
}

/**
 * Put the preload, its bytecode and map, and the addon embedded in the binary on disk, in a folder
 * named after their content under the user's cache folder (made once; later runs only check the
 * files' sizes), or, when that cannot be written, in a private temporary folder removed when tph
 * exits.
 *
 * The preload is a CommonJS bundle whose first line (`// @bun @bytecode @bun-cjs`) tells Bun to
 * load the bytecode beside it (`preload.js.jsc`, made by the same Bun: npm/compile.ts) rather than
 * parse the file (~10 ms of each run's start); the map beside it keeps Bun from ending an error's
 * report with a note that the file has none.
 *
 * @param key Names the files' content (made by the build).
 * @param embedded The embedded files' paths (`/$bunfs/…`).
 * @returns The preload's path on disk.
 * @throws {BinaryRuntimeError} When neither folder can be written.
 */
export function extractRuntime(
  key: string,
  embedded: { preload: string; bytecode: string; map: string; addon: string },
): string {
  const files: RuntimeFile[] = [
    [PRELOAD_FILE, embedded.preload],
    [`${PRELOAD_FILE}.jsc`, embedded.bytecode],
    [`${PRELOAD_FILE}.map`, embedded.map],
    [ADDON_FILE, embedded.addon],
  ];
  let problem: string;
  try {
    return join(installIn(userCacheDir(), `runtime-${key.trim()}`, files), PRELOAD_FILE);
  } catch (e) {
    problem = (e as Error).message;
  }
  // No cache folder of the user's (a read-only or missing home): a private folder for this run.
  try {
    const dir = mkdtempSync(join(tmpdir(), "tph-runtime-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    for (const [name, from] of files) writeNew(join(dir, name), readFileSync(from));
    return join(dir, PRELOAD_FILE);
  } catch (e) {
    throw new BinaryRuntimeError(
      `Cannot write tph's runtime files: ${problem}; ${(e as Error).message}`,
    );
  }
}

/** The folder `name` in `parent` holding `files`, made unless it is there already. */
function installIn(parent: string, name: string, files: RuntimeFile[]): string {
  const dir = join(parent, name);
  if (hasFiles(dir, files)) return dir;
  // Written in a folder of its own, then renamed into place whole: a run that starts meanwhile
  // never sees half a file.
  const tmp = mkdtempSync(join(parent, ".runtime-"));
  try {
    for (const [fileName, from] of files) writeNew(join(tmp, fileName), readFileSync(from));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another tph made it at the same moment.
    if (!hasFiles(dir, files)) throw e;
  }
  pruneOld(parent, name);
  return dir;
}

/** Runtime folders of other builds of tph are removed once a day old (a build makes one). */
const STALE_MS = 24 * 60 * 60 * 1000;

function pruneOld(parent: string, keep: string): void {
  for (const name of readdirSync(parent)) {
    if (name === keep || !/^\.?runtime-[\w-]+$/.test(name)) continue;
    const path = join(parent, name);
    try {
      const st = lstatSync(path);
      if (st.isDirectory() && Date.now() - st.mtimeMs > STALE_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // Removed by another tph meanwhile.
    }
  }
}
