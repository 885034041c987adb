// How a call ended and what kind of function it called: one numbering each, for every part of tph
// that records, stores, reads, exports or shows calls — the recorder's tape, the run file, the
// readers and exporters, the HTML page and its viewer. The run file stores these very numbers (a
// record's low flag bits, the functions table's flags): they cannot change, or runs already saved
// would read wrong.

import type { CallNodeJSON } from "../types.ts";

/** The call returned. */
export const RETURNED = 0;
/** The call threw. */
export const THREW = 1;
/** The call had not ended when the trace stopped (on the recorder's tape: it is still open). */
export const UNFINISHED = 2;
/** How a call ended. */
export type CallState = typeof RETURNED | typeof THREW | typeof UNFINISHED;

/** Function flag: an async function. */
export const FN_ASYNC = 1;
/** Function flag: a function tph does not trace, called from one it does (an external call). */
export const FN_EXTERNAL = 2;

/**
 * The state of a call of a JSON run, where it is told by which fields are there: no end
 * (`unfinished`, or no elapsed time) is unfinished, an `exception` is a throw.
 */
export function stateOfNode(
  node: Pick<CallNodeJSON, "unfinished" | "elapsed_ms" | "exception">,
): CallState {
  return node.unfinished || node.elapsed_ms === null
    ? UNFINISHED
    : node.exception !== undefined
    ? THREW
    : RETURNED;
}

/** The function flags of a function that is async and/or external. */
export function functionFlags(isAsync: boolean, external: boolean): number {
  return (isAsync ? FN_ASYNC : 0) | (external ? FN_EXTERNAL : 0);
}
