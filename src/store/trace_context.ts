// A run's W3C trace context (`trace_context` in its meta: the `traceparent` and `tracestate` of
// the request it served), checked when it is read: exports place the run's calls under that span,
// in that trace. Anything else than a well-formed traceparent is a problem to tell, never a run
// that cannot be read.

import type { SentTraceJSON, TraceContextJSON } from "../types.ts";
import { charCodeAt, regexExec, strIndexOf, strSlice } from "../platform/intrinsics.ts";
import {
  Array,
  JSON,
  Map,
  Number,
  Object,
  parseInt,
  parseInt as toInt,
} from "../platform/globals.ts";

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
const ALL_ZEROS = /^0+$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const CALL_NUMBER = /^[1-9][0-9]{0,14}$/;

/** A traceparent's parts. */
export interface Traceparent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  parentSpanId: string;
  /** The trace flags (bit 0: sampled). */
  flags: number;
}

/**
 * The traceparent a request carries, as its header's value: the first of a list (`a, b`, when
 * two propagators each added one, or the header came twice), spaces around it left out. For the
 * program's side as well as tph's (captured built-ins only).
 *
 * @param header The header's value.
 * @returns The first member, trimmed (checked by parseTraceparent).
 */
export function firstTraceparent(header: string): string {
  const comma = strIndexOf(header, ",");
  let text = comma < 0 ? header : strSlice(header, 0, comma);
  let from = 0, to = text.length;
  while (from < to && (charCodeAt(text, from) === 32 || charCodeAt(text, from) === 9)) from++;
  while (to > from && (charCodeAt(text, to - 1) === 32 || charCodeAt(text, to - 1) === 9)) to--;
  if (from > 0 || to < text.length) text = strSlice(text, from, to);
  return text;
}

/**
 * A traceparent, checked: W3C Trace Context version 00 (`00-<32 hex>-<16 hex>-<2 hex>`,
 * lowercase, neither id all zero). For the program's side as well (captured built-ins only).
 *
 * @param text One traceparent (firstTraceparent of a header).
 * @returns Its parts, or null when it is not one.
 */
export function parseTraceparent(text: string): Traceparent | null {
  const m = regexExec(TRACEPARENT, text);
  if (m === null) return null;
  if (regexExec(ALL_ZEROS, m[1]) !== null || regexExec(ALL_ZEROS, m[2]) !== null) return null;
  return { traceId: m[1], parentSpanId: m[2], flags: toInt(m[3], 16) };
}

/** What a run sent on in its outgoing requests (`sent_trace` in its meta), checked. */
export interface SentTrace {
  /** The trace its requests were in: 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The span id each call that sent a request gave it as parent, by call number (1, 2, …). */
  spans: Map<number, string>;
}

/**
 * A run's `sent_trace`, checked: `trace_id` as a traceparent's, `spans` an object of call numbers
 * to 16 lowercase hex digits, not all zero.
 *
 * @param value The meta's `sent_trace` (anything a file may hold).
 * @returns What it sent; null when there is none; a string saying what is wrong with it.
 */
export function readSentTrace(value: unknown): SentTrace | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return "sent_trace is not an object";
  const { trace_id, spans } = value as Partial<Record<keyof SentTraceJSON, unknown>>;
  if (typeof trace_id !== "string" || !/^[0-9a-f]{32}$/.test(trace_id) || /^0+$/.test(trace_id)) {
    return "its sent_trace's trace_id is not 32 lowercase hex digits (not all zeros)";
  }
  const out = new Map<number, string>();
  if (spans !== undefined) {
    if (spans === null || typeof spans !== "object" || Array.isArray(spans)) {
      return "its sent_trace's spans is not an object";
    }
    for (const [call, id] of Object.entries(spans)) {
      if (!CALL_NUMBER.test(call)) return `its sent_trace names a call ${shown(call)}`;
      if (typeof id !== "string" || !SPAN_ID.test(id) || /^0+$/.test(id)) {
        return `its sent_trace's span id of call ${call} is not 16 lowercase hex digits`;
      }
      out.set(Number(call), id);
    }
  }
  return { traceId: trace_id, spans: out };
}

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
  const m = regexExec(TRACEPARENT, traceparent);
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
