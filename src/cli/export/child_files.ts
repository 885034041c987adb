// The stored runs of the processes and workers a run started (tph run followed them, and stored
// each beside the run: cli/launch/child_runs.ts), opened for the exports and the web page.

import { dirname, join } from "node:path";
import { openRun, type RunFile } from "../../run_file/decode.ts";
import { RUN_EXTENSION } from "../../run_file/format.ts";
import { exists } from "../../platform/files.ts";

/** At most this many runs in one export of a run and its children. */
const MAX_RUNS = 1000;

/** A child's run's path, from the folder of the run that lists it; null when it is not there. */
function childRunPath(runPath: string, id: string): string | null {
  if (!/^[\w.-]+$/.test(id)) return null;
  for (const ext of [RUN_EXTENSION, ".json"]) {
    const path = join(dirname(runPath), `run_${id}${ext}`);
    if (exists(path)) return path;
  }
  return null;
}

/**
 * The run of a process or worker a run started, by its id, from the folder of the run (where
 * `tph run` stored it), or null when it is not there (or not a run any more).
 */
export function openChildRun(runPath: string, id: string, cwd: string): RunFile | null {
  const path = childRunPath(runPath, id);
  if (path === null) return null;
  try {
    return openRun(path, { cwd });
  } catch {
    return null;
  }
}

/**
 * Open the runs the runs in `files` list as their children (`children` in their meta), and
 * theirs, each once; one that is gone is left out.
 */
export function addChildRuns(files: RunFile[], cwd: string): void {
  const seen = new Set(files.map((f) => f.path));
  for (let i = 0; i < files.length && files.length < MAX_RUNS; i++) {
    const children = files[i].meta.children;
    if (!Array.isArray(children)) continue;
    for (const c of children) {
      if (typeof c?.run !== "string") continue;
      const path = childRunPath(files[i].path, c.run);
      if (path === null || seen.has(path)) continue;
      seen.add(path);
      const file = openChildRun(files[i].path, c.run, cwd);
      if (file !== null) files.push(file);
    }
  }
}
