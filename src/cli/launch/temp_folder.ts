// The temporary folders tph makes for a run (its settings file, a run not stored, vitest's files):
// a folder the user cannot write there is one line naming it, not an internal error.

import { fileProblem, makeTempDir } from "../../platform/files.ts";
import { env } from "../../platform/process.ts";
import { RunError } from "./run_error.ts";

/**
 * A new folder in the system's temporary folder that only this user can enter (mkdtemp, 0700).
 *
 * @param prefix The start of its name.
 * @throws {RunError} When it cannot be made (a read-only or full temporary folder).
 */
export function tempFolder(prefix: string): string {
  try {
    return makeTempDir(prefix);
  } catch (e) {
    throw new RunError(
      `Cannot make a temporary folder in "${env().TMPDIR || "/tmp"}": ${fileProblem(e)}; ` +
        "set TMPDIR to a folder tph can write",
    );
  }
}
