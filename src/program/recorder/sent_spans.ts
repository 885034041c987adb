// What each trace's outgoing requests carried on as their W3C trace context (propagate/context.ts
// records it as the requests are made): the trace id they were in, and the span id each sending
// call gave them, by the call's handle. The run writer numbers the calls and puts it in the run's
// meta (`sent_trace`, run_writer.ts).

import { Map } from "../../platform/globals.ts";
import { SafeMap, SafeWeakMap } from "../../platform/intrinsics.ts";
import type { TraceState } from "./trace_state.ts";

/** What a trace sent on: its trace id and the span id each sending call gave, by handle. */
export interface SentByTrace {
  traceId: string;
  /** Span ids (16 hex digits) by the sending call's handle. */
  spans: Map<number, string>;
}

const sent = new SafeWeakMap<TraceState, SentByTrace>();

/** What trace `t` sent on so far, or undefined. */
export function sentBy(t: TraceState): SentByTrace | undefined {
  return sent.get(t);
}

/** Trace `t`'s record of what it sent, made with `traceId` (when given) at its first request. */
export function sentRecord(t: TraceState, traceId: () => string): SentByTrace {
  let s = sent.get(t);
  if (s === undefined) {
    s = { traceId: traceId(), spans: new SafeMap<number, string>() };
    sent.set(t, s);
  }
  return s;
}
