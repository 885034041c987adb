// The request being served in the current async context, for the code that carries its W3C trace
// context onward (outgoing requests made while serving it).

import { activeRequest } from "./request_runs.ts";

/** A request being served: its incoming trace context and its run's name. */
export interface CurrentRequest {
  /** The request's `traceparent` header, when it carried a well-formed one; else null. */
  traceparent: string | null;
  /** Its `tracestate` header (kept only with a traceparent); else null. */
  tracestate: string | null;
  /** The run's name, as its label starts: `GET /items/2`. */
  runName: string;
}

/**
 * The request active in the current async context: the one whose handler (or code it started)
 * runs now, under `tph run` with a run per request; undefined outside requests.
 */
export function currentRequest(): CurrentRequest | undefined {
  const r = activeRequest();
  if (r === undefined || r.ended) return undefined;
  return { traceparent: r.traceparent, tracestate: r.tracestate, runName: r.runName };
}
