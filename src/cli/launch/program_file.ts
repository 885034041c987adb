// What `tph run` refuses to start before any process runs it: a file that is no program. Read by
// the head start too (early_start.ts): only what loads before it is imported (no node: module).

import { readAt } from "../../platform/files.ts";
import { RUN_MAGIC } from "../../run_file/format.ts";

/** The extensions of the programs the runtimes run (a file without one is run as a script). */
const PROGRAM_EXTENSIONS = ["ts", "mts", "cts", "tsx", "js", "mjs", "cjs", "jsx"];

/**
 * Why a file cannot be a program, in one line, or null when it may be one: a tph run (by its
 * first bytes, whatever its name), or a file whose extension no runtime runs as a program.
 *
 * @param path The file (it exists and is no folder).
 * @param shown How the user named it.
 */
export function notAProgram(path: string, shown: string): string | null {
  let head: Uint8Array;
  try {
    head = readAt(path, 0, RUN_MAGIC.length);
  } catch {
    // Unreadable: the runtime says why.
    return null;
  }
  // "TPHRUN" and 0: any format version.
  const magic = RUN_MAGIC.length - 1;
  if (head.length >= magic && head.subarray(0, magic).every((b, i) => b === RUN_MAGIC[i])) {
    return `"${shown}" is a tph run, not a program: look at it with tph tree ${word(shown)}`;
  }
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot > 0 && !PROGRAM_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase())) {
    return `Cannot run "${shown}": a .${name.slice(dot + 1)} file is not a program ` +
      `(tph runs ${PROGRAM_EXTENSIONS.map((e) => "." + e).join(", ")} files)`;
  }
  return null;
}

/** A name as a POSIX shell word: as it is when plain, else in single quotes. */
function word(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
