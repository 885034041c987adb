// What `tph run` (the parent) tells the traced process (the child). Kept apart from child.ts so
// the parent does not load the instrumenter it never uses.

import type { TraceLimits } from "../runtime/trace_state.ts";
import type { LoaderOptions } from "./register.ts";

/** Environment variable carrying {@linkcode ChildConfig} as JSON; removed before the program runs. */
export const CHILD_ENV = "TPH_CHILD_CONFIG";

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
