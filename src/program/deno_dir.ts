// Deno's folder of its own (DENO_DIR) for the traced program's process, with a V8 code cache apart.
//
// Deno keeps the compiled code of every module it loads, its Node layer's too, in one SQLite file
// of its folder (`v8_code_cache_v2`), each entry checked against a hash of the V8 flags it was made
// with: every flag off its default counts. The program's process runs with `--stack-size` (its
// stack room: stack_room.ts), tph's CLI and the user's own `deno` runs without: each process found
// the other's entries for the modules both load (Deno's Node layer: ~100 of them) made under other
// flags, compiled them again and wrote them back, so every `tph run` on Deno compiled them twice,
// once in each process (~50 ms of wall, ~50 of CPU, of `tph run hello.ts`'s ~145: measured in
// docs/performance.md, s37).
//
// So the program's process gets a folder of tph's own as DENO_DIR: its SQLite caches its own (the
// code cache, kept for its flags), each folder of the user's DENO_DIR (the remote modules, npm
// packages, emitted files, registries, and `location_data`: localStorage, the Cache API, Deno KV's
// default database) a link to the user's, so the program reads and writes what it does when run
// plainly. The known data folders are made in the user's DENO_DIR first when missing (Deno makes
// them there when first needed), so none is ever made apart. The preload puts DENO_DIR back as it
// was before the program's first line (child.ts, asRunDirectly): the program and the processes it
// starts see the user's. Anything unusual (no home folder, a folder that cannot be written, an
// entry of tph's folder that is not the link it made) and the program's process uses the user's
// DENO_DIR as before.

import {
  entryKind,
  isDirectory,
  makeDir,
  makeSymlink,
  readDir,
  readLink,
  unlinkFile,
  userCacheDir,
} from "../platform/files.ts";
import { shortHash } from "../platform/hash.ts";

/**
 * The folders of a DENO_DIR that hold what a program reads or writes (`deno info` names them):
 * made in the user's DENO_DIR when missing, so that they are always links in tph's.
 */
const DATA_FOLDERS = ["remote", "npm", "gen", "registries", "location_data"];

/**
 * The DENO_DIR Deno itself uses for a process started with `env` in `cwd` on `os` (Deno's rule:
 * $DENO_DIR, else the OS cache folder's `deno`); null where it cannot be told (Windows, no home).
 */
export function userDenoDir(
  env: Record<string, string | undefined>,
  cwd: string,
  os: string,
): string | null {
  const set = env.DENO_DIR;
  if (set !== undefined && set !== "") return set.startsWith("/") ? set : `${cwd}/${set}`;
  const home = env.HOME;
  if (os === "darwin") return home?.startsWith("/") ? `${home}/Library/Caches/deno` : null;
  if (os !== "linux") return null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg}/deno`;
  return home?.startsWith("/") ? `${home.replace(/\/$/, "")}/.cache/deno` : null;
}

/**
 * tph's DENO_DIR for a process run with the V8 flags `flags` (their text: one folder each), beside
 * the user's `real` one, made or brought up to date: a link to each folder of `real`. Null when it
 * cannot be had (see above).
 *
 * @param real The user's DENO_DIR (userDenoDir).
 * @param flags The V8 flags the program's process runs with.
 * @param base Where tph keeps its DENO_DIRs (default: the user's cache folder for tph).
 */
export function denoDirApart(real: string, flags: string, base?: string): string | null {
  try {
    const root = base ?? `${userCacheDir()}/deno`;
    const dir = `${root}/${shortHash(`${real}\0${flags}`)}`;
    for (const name of DATA_FOLDERS) makeDir(`${real}/${name}`);
    makeDir(dir, 0o700);
    for (const name of readDir(real)) {
      const target = `${real}/${name}`;
      // A folder, or a link to one (the user's npm cache on another disk, say).
      if (!isDirectory(target)) continue;
      const at = `${dir}/${name}`;
      const kind = entryKind(at);
      if (kind === "link" && readLink(at) === target) continue;
      // A link pointing elsewhere is made again; anything else there may hold what a program
      // wrote: left as it is, and the user's DENO_DIR used instead.
      if (kind === "link") unlinkFile(at);
      else if (kind !== null) return null;
      try {
        makeSymlink(target, at);
      } catch (e) {
        // Another tph made it meanwhile: it must be the same link.
        if (entryKind(at) !== "link" || readLink(at) !== target) throw e;
      }
    }
    return dir;
  } catch {
    return null;
  }
}
