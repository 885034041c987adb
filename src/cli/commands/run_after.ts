// What `tph run` needs only once the program has ended: drawing the tree, storing the runs of the
// processes it started, keeping the cache in its bounds, exporting, reporting tests. Loaded (run_command.ts) once the program has
// its settings, while it runs, not before them: the program's process waits for its settings.

export { renderTree } from "../../render/tree.ts";
export { summarisedNote } from "../../render/summary.ts";
export { removeChildren, storeChildren } from "../launch/child_runs.ts";
export { addChildRuns } from "../export/child_files.ts";
export { eachRun, exportRunFile, openRun } from "../../run_file/decode.ts";
export { listRuns } from "../../store/list_runs.ts";
export { pickOldRuns, removeRuns } from "../../store/prune_runs.ts";
export { exportedTo } from "./export_command.ts";
export { reportTests } from "./test_report.ts";
