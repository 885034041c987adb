// tph never instruments its own code, whichever copy of it a program loads: the running tph's
// checkout, one the program imports by another path (a symlink, a file: URL), or one vendored into
// the project (vendor/, node_modules/, another version). Instrumented, a copy's trace() records
// tph's recorder and renderer into the program's trees. A copy is known by what it holds, not by
// where it is: its folder has `src/abi.ts` declaring the recorder's global (every version of tph
// has that line), and its own files are `src/**` and the entry points beside it (`.ts` in a
// checkout, `.js` in the npm package).

import { readText } from "../../platform/files.ts";
import { Map } from "../../platform/globals.ts";

/** The line of src/abi.ts that marks a folder as a copy of tph. */
const SIGNATURE = /^export const RUNTIME_GLOBAL = "__tph";$/m;
/** A copy whose library hands trace() to the running tph's (LibraryABI in src/abi.ts). */
const LIBRARY = /^export const LIBRARY_VERSION = \d+;$/m;
/** tph's entry points at the top of a copy. */
const ENTRY = /^(?:mod|cli|bin)\.[jt]s$/;

/** A copy of tph. */
export interface TphCopy {
  /** Its top folder. */
  root: string;
  /** Whether its library hands trace() to the running tph's (false: an older copy). */
  library: boolean;
}

/** The copy of tph whose top folder is `dir`, or null: see the header. */
export function tphCopy(dir: string): TphCopy | null {
  // A checkout's TypeScript, or an installed package's JavaScript (npm/build.ts).
  let abi: string | null = null;
  for (const ext of ["ts", "js"]) {
    try {
      abi = readText(`${dir === "/" ? "" : dir}/src/abi.${ext}`);
      break;
    } catch {
      // Not this one.
    }
  }
  if (abi === null) return null;
  return SIGNATURE.test(abi) ? { root: dir, library: LIBRARY.test(abi) } : null;
}

/**
 * A function of absolute file paths: the copy of tph a file belongs to, or null. A copy's files
 * are those under `<root>/src/` and its entry points `<root>/{mod,cli,bin}.ts`, where `<root>`
 * holds tph's src/abi.ts (`tphCopy`). Only folders that could be such a root are looked at — the
 * parent of a `src` folder on the path, the folder of a file named like an entry point — each
 * once.
 */
export function ownSources(): (path: string) => TphCopy | null {
  const roots = new Map<string, TphCopy | null>();
  const copyAt = (dir: string): TphCopy | null => {
    let copy = roots.get(dir);
    if (copy === undefined) roots.set(dir, copy = tphCopy(dir));
    return copy;
  };
  return (path) => {
    let end = path.lastIndexOf("/");
    if (end < 0) return null;
    if (ENTRY.test(path.slice(end + 1))) {
      const copy = copyAt(path.slice(0, end) || "/");
      if (copy !== null) return copy;
    }
    // Each folder named src on the path, innermost first.
    for (; end > 0; end = path.lastIndexOf("/", end - 1)) {
      const start = path.lastIndexOf("/", end - 1);
      if (start < 0) break;
      if (path.slice(start + 1, end) !== "src") continue;
      const copy = copyAt(path.slice(0, start) || "/");
      if (copy !== null) return copy;
    }
    return null;
  };
}
