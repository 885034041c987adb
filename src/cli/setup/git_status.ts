// What git says about the work tree before `tph setup` writes or `tph disable` removes files:
// staged changes (a commit would take the generated file along, or a restore would mix with
// them), other changes (noted only). No git, or not a repository: nothing to say.

import { runCaptured } from "../../platform/process.ts";

/** The changes git reports, by path (relative to the repository's top). */
export interface GitChanges {
  staged: string[];
  unstaged: string[];
  untracked: string[];
}

/**
 * The changes in the repository holding a folder.
 *
 * @param dir A folder in the work tree.
 * @returns The changes, or null when git is not installed, the folder is not in a repository,
 *   or git does not answer within 10 s.
 *
 * @example
 * ```ts
 * import { gitChanges } from "./src/cli/setup/git_status.ts";
 * console.log(gitChanges(".")?.staged ?? "no git");
 * ```
 */
export function gitChanges(dir: string): GitChanges | null {
  // -z: names as they are (no quoting of unusual characters); v1: stable for scripts.
  const r = runCaptured(
    ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"],
    { cwd: dir, timeoutMs: 10_000 },
  );
  if (r === null || r.code !== 0) return null;
  const text = new TextDecoder().decode(r.stdout);
  const changes: GitChanges = { staged: [], unstaged: [], untracked: [] };
  for (const entry of text.split("\0")) {
    if (entry.length < 4) continue;
    const x = entry[0];
    const y = entry[1];
    const path = entry.slice(3);
    if (x === "?" && y === "?") changes.untracked.push(path);
    else {
      if (x !== " " && x !== "?" && x !== "!") changes.staged.push(path);
      if (y !== " " && y !== "?" && y !== "!") changes.unstaged.push(path);
    }
  }
  return changes;
}

/**
 * A list of paths for one line: the first few, then how many more.
 *
 * @param paths The paths.
 * @param most How many to name.
 */
export function someOf(paths: string[], most = 3): string {
  const named = paths.slice(0, most).join(", ");
  return paths.length > most ? `${named} and ${paths.length - most} more` : named;
}
