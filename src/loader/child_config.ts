// What `tph run` (the parent) tells the traced process (the child). Kept apart from child.ts so
// the parent does not load the instrumenter it never uses.

import type { TraceLimits } from "../runtime/trace_state.ts";
import type { LoaderOptions } from "./register.ts";

/**
 * Environment variable naming the file that holds the run's settings as JSON: a
 * {@linkcode ChildConfig}, or {@linkcode ABORT} when the program must not run. `tph run` may start
 * the process before it has written them (src/loader/early_start.ts): while the file is empty
 * the process waits. Removed before the program runs.
 */
export const CHILD_ENV = "TPH_CHILD_CONFIG";

/** The settings file's content when the CLI found the command line wrong after all. */
export const ABORT = { abort: true } as const;

/** Environment variable naming the script when the standalone binary runs as the child. */
export const CHILD_MAIN_ENV = "TPH_CHILD_MAIN";

/** What the parent tells the traced process. */
export interface ChildConfig {
  loader: LoaderOptions;
  limits: TraceLimits;
  label: string | null;
  /** Where to write the trace JSON when the program ends. */
  out: string;
}

/** How the child saw the program end, written beside the trace. */
export interface ChildEnding {
  ended: "completed" | "exit" | "exception" | "rejection" | "signal";
  error?: string;
  signal?: string;
}
