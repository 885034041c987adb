// A run per request: a program traced by `tph run` that serves HTTP gets one run for each request
// it serves, stored as its response ends while the server goes on (request_store.ts), labelled
// `GET /items/2 → 200` and holding that request's calls only. Each request's trace is the store of
// the async context the trace() blocks use (trace.ts): the recorder asks that context for a root
// call's trace before the process trace, which so holds the calls outside requests (start-up,
// timers, shutdown). The servers' hooks (node_http.ts, deno_serve.ts, bun_serve.ts) start a
// request's run as the request comes and end it as its response ends.

import { AsyncLocalStorage } from "node:async_hooks";
import { runtime } from "../recorder/recorder.ts";
import { now } from "../recorder/clock.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import type { TraceLimits } from "../../run_file/limits.ts";
import type { TraceContextJSON } from "../../types.ts";
import type { ChildStarted } from "../../run_file/process_files.ts";
import {
  protoOf,
  regexExec,
  SafeSet,
  SafeWeakMap,
  strIndexOf,
  strSlice,
  uncurry,
} from "../../platform/intrinsics.ts";
import type { Set, WeakMap } from "../../platform/globals.ts";
import { saveRequest } from "./request_store.ts";
import { firstTraceparent, parseTraceparent } from "../../store/trace_context.ts";

/**
 * Rows a tape holds before a request's start begins a new one (the recorder's rotateTapes): the
 * tape of requests that ended is then freed once the requests still running on it end, so memory
 * stays bounded however long the server runs.
 */
export const ROTATE_ROWS = 1 << 15;
/** The longest path a run's label and request keep. */
const MAX_PATH = 200;
const TRACESTATE = /^[\x20-\x7e]{0,8224}$/;

/** A process or worker started while a request was served (follow.ts), and its call. */
export interface RequestChild extends ChildStarted {
  /** The handle of the call that started it (the external call), or -1. */
  row: number;
}

/** A request being served, and its trace. */
export interface RequestRun {
  readonly state: TraceState;
  readonly method: string;
  readonly path: string;
  /** The incoming W3C trace context, when the request carried a well-formed one. */
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  /** The run's name while it runs, as its label will start (`GET /items/2`). */
  readonly runName: string;
  ended: boolean;
  /** The processes and workers its handler started (follow.ts), in the order they started. */
  readonly children: RequestChild[];
}

/** The limits of each request's trace; null while runs per request are off. */
let limits: TraceLimits | null = null;
/** Requests being served, to end (as aborted) when the process ends first. */
const open: Set<RequestRun> = new SafeSet<RequestRun>();
/** Each request being served, by its trace (the store of its async context). */
const byTrace: WeakMap<TraceState, RequestRun> = new SafeWeakMap<TraceState, RequestRun>();
/** Requests whose run started. */
let served = 0;

/** How many requests got a run of their own. */
export function requestsServed(): number {
  return served;
}

/**
 * Give each request a run of its own from now on (`tph run`, unless run_per_request is false).
 *
 * @param l The run's limits and filters (each request's trace has them).
 */
export function useRequestRuns(l: TraceLimits): void {
  const { find: _find, ...own } = l;
  limits = own;
}

/** Whether requests get runs of their own. */
export function requestRunsOn(): boolean {
  return limits !== null;
}

// deno-lint-ignore no-explicit-any
let als: any = null;
/** The storage's methods as they were when it was first used (the program may patch them). */
// deno-lint-ignore no-explicit-any
type Fn = (...args: any[]) => any;
export let alsRun: (als: unknown, store: unknown, fn: Fn, ...args: unknown[]) => unknown = () =>
  undefined;
export let alsEnter: (als: unknown, store: unknown) => void = () => {};
let alsGet: (als: unknown) => unknown = () => undefined;

/** The async context the requests' traces (and trace() blocks) are the store of. */
// deno-lint-ignore no-explicit-any
export function requestStorage(): any {
  if (als !== null) return als;
  const rt = runtime();
  als = rt.storage();
  if (als === null) {
    als = new AsyncLocalStorage();
    rt.useStorage(als);
  }
  const proto = protoOf(als);
  alsRun = uncurry(proto.run);
  alsEnter = uncurry(proto.enterWith);
  alsGet = uncurry(proto.getStore);
  return als;
}

/** The request being served in the current async context, if any. */
export function activeRequest(): RequestRun | undefined {
  if (als === null) return undefined;
  const t = alsGet(als);
  if (t === undefined || t === null || typeof t !== "object") return undefined;
  return byTrace.get(t as TraceState);
}

/**
 * A request came: its run starts (null when runs per request are off).
 *
 * @param method The request's method.
 * @param url Its URL or path (the query is left out).
 * @param header Reads one of its headers (lowercase name), null when it has none.
 */
export function startRequest(
  method: string,
  url: string,
  header: (name: string) => string | null,
): RequestRun | null {
  if (limits === null) return null;
  const rt = runtime();
  // The async context is made, and tapes rotated, from the first request on: a program that
  // serves nothing records as without runs per request (root calls do not ask the context).
  if (als === null) {
    requestStorage();
    rt.rotateTapes(ROTATE_ROWS);
  }
  const state = rt.startTrace(limits);
  rt.countActive(1);
  served++;
  // Two propagators may each have added one (`a, b`): the first is the request's.
  const parent = header("traceparent");
  const first = parent === null ? null : firstTraceparent(parent);
  const traceparent = first !== null && parseTraceparent(first) !== null ? first : null;
  const rawState = traceparent === null ? null : header("tracestate");
  const tracestate = rawState !== null && regexExec(TRACESTATE, rawState) !== null
    ? rawState
    : null;
  const path = pathOf(url, state);
  const r: RequestRun = {
    state,
    method,
    path,
    traceparent,
    tracestate,
    runName: `${method} ${path}`,
    ended: false,
    children: [],
  };
  open.add(r);
  byTrace.set(state, r);
  return r;
}

/** The path of a request's URL (absolute or not), without its query, redacted, cut short. */
function pathOf(url: string, t: TraceState): string {
  let path = url;
  if (strIndexOf(path, "://") > 0) {
    const slash = strIndexOf(path, "/", strIndexOf(path, "://") + 3);
    path = slash < 0 ? "/" : strSlice(path, slash);
  }
  const q = strIndexOf(path, "?");
  if (q >= 0) path = strSlice(path, 0, q);
  const hash = strIndexOf(path, "#");
  if (hash >= 0) path = strSlice(path, 0, hash);
  if (t.redaction !== null) path = t.redaction.scrubWhole(path);
  return path.length > MAX_PATH ? strSlice(path, 0, MAX_PATH) + "…" : path;
}

/**
 * A request's response ended (or never will): its run stops and is stored.
 *
 * @param r The request.
 * @param status The response's status, null when none was sent.
 * @param aborted Whether the response did not finish.
 */
export function endRequest(r: RequestRun, status: number | null, aborted: boolean): void {
  if (r.ended) return;
  r.ended = true;
  open.delete(r);
  const t = r.state;
  const rt = runtime();
  t.active = false;
  t.endTime = now();
  rt.countActive(-1);
  rt.detach(t);
  const outcome = aborted ? "aborted" : status === null ? "no response" : `${status}`;
  const traceContext: TraceContextJSON | null = r.traceparent === null
    ? null
    : r.tracestate === null
    ? { traceparent: r.traceparent }
    : { traceparent: r.traceparent, tracestate: r.tracestate };
  saveRequest(t, {
    label: `${r.runName} → ${outcome}`,
    request: { method: r.method, path: r.path, status, aborted },
    traceContext,
    children: r.children,
  });
}

/** The process ends: the requests still being served are stored, as aborted. */
export function endOpenRequests(): void {
  // A copy first: ending one removes it from the set.
  const all: RequestRun[] = [];
  // forEach, not an iterator: the program may have patched the iterators' `next`.
  open.forEach((r) => all[all.length] = r);
  for (let i = 0; i < all.length; i++) endRequest(all[i], null, true);
}
