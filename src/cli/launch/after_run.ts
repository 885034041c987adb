// What `tph run` needs only once the program has ended: reading its run and the runs of the
// processes and workers it started. Loaded (run_program.ts) once the program has its settings,
// while it runs, not before them: the program's process waits for its settings, and these modules
// took the CLI Deno ~10 ms, Node ~20.

export { addRunInfo, openRun } from "../../run_file/decode.ts";
export { takeChildren } from "./child_runs.ts";
