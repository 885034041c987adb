// A run's W3C trace context (`trace_context` in its meta: the `traceparent` and `tracestate` of
// the request it served), checked when it is read: exports place the run's calls under that span,
// in that trace. Anything else than a well-formed traceparent is a problem to tell, never a run
// that cannot be read.

import type { TraceContextJSON } from "../types.ts";

/** A checked trace context. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The parent span's id: 16 lowercase hex digits, not all zero. */
  parentSpanId: string;
  /** The trace flags (bit 0: sampled). */
  flags: number;
  /** The vendors' state, as the request carried it; null when it had none. */
  traceState: string | null;
  /** The traceparent as recorded. */
  traceparent: string;
}

/** The most a tracestate may hold: 32 members of at most 256 characters, and commas. */
const MAX_TRACESTATE = 32 * 257;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A run's trace context, checked: W3C Trace Context version 00
 * (`00-<32 hex>-<16 hex>-<2 hex>`, lowercase, neither id all zero), with an optional tracestate
 * of printable ASCII.
 *
 * @param value The meta's `trace_context` (anything a file may hold).
 * @returns The context; null when there is none; a string saying what is wrong with it.
 */
export function readTraceContext(value: unknown): TraceContext | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    return "trace_context is not an object";
  }
  const { traceparent, tracestate } = value as Partial<Record<keyof TraceContextJSON, unknown>>;
  if (typeof traceparent !== "string") return "trace_context has no traceparent text";
  const m = TRACEPARENT.exec(traceparent);
  if (m === null) {
    return `its traceparent is not 00-<32 hex>-<16 hex>-<2 hex> (${shown(traceparent)})`;
  }
  if (/^0+$/.test(m[1])) return "its traceparent's trace id is all zeros";
  if (/^0+$/.test(m[2])) return "its traceparent's parent id is all zeros";
  if (tracestate !== undefined && tracestate !== null) {
    if (typeof tracestate !== "string") return "its tracestate is not a text";
    if (tracestate.length > MAX_TRACESTATE || !/^[\x20-\x7e]*$/.test(tracestate)) {
      return "its tracestate is not a list of key=value (printable ASCII, 8 kB at most)";
    }
  }
  return {
    traceId: m[1],
    parentSpanId: m[2],
    flags: parseInt(m[3], 16),
    traceState: typeof tracestate === "string" && tracestate !== "" ? tracestate : null,
    traceparent,
  };
}

/** A bad value as a message quotes it: 60 characters at most, controls escaped. */
function shown(text: string): string {
  const cut = text.length > 60 ? text.slice(0, 60) + "…" : text;
  return JSON.stringify(cut);
}
