// Outgoing W3C trace context: a traced program's outgoing requests (fetch, http.request and
// https.request) made inside a recorded call carry a `traceparent` (and the `tracestate` the
// context source gives), so that the next traced service's run joins the same trace. The parent
// span id sent is a random 64-bit id given to the call that sent it (the fetch or http.request
// external call, else the recorded call running): it is kept with the call's trace and written
// into the run's meta (`sent_trace`, run_writer.ts), and the exports give that call that span id
// (src/cli/export/trace_ids.ts). Random, so unique across runs and processes without the run's
// identity being known while it records.
//
// The trace id is the context source's (setContextSource: a request's, once a run per request
// records the incoming context), else the recording trace's own, chosen at its first request.
// Where the program propagates context itself (a traceparent already on the request,
// OpenTelemetry's API registered, Deno's built-in OpenTelemetry), nothing is added: the context
// it sent is read and recorded instead. Program-side code: captured built-ins only, and no
// program value is read through a getter or a proxy.

import process from "../../platform/node_process.ts";
import { Object, Symbol } from "../../platform/globals.ts";
import {
  apply,
  defineAll,
  defineProperty,
  getOwn,
  getOwnAll,
  hasOwn,
  isArray,
  protoOf,
  regexExec,
  regexTest,
  strSlice,
} from "../../platform/intrinsics.ts";
import { randomBytes } from "../../platform/files.ts";
import { firstTraceparent, parseTraceparent } from "../../store/trace_context.ts";
import { runtime } from "../recorder/recorder.ts";
import { sentBy, sentRecord } from "../recorder/sent_spans.ts";
import type { TraceState } from "../recorder/trace_state.ts";
import { standIn } from "../loader/original_text.ts";
import types from "node:util/types";

/** The context an outgoing request carries on: its trace, flags and vendors' state. */
export interface OutgoingContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The trace flags (bit 0: sampled); default 1. */
  flags?: number;
  /** The tracestate to send on, or null. */
  traceState?: string | null;
}

/**
 * Where the context of an outgoing request comes from: the active request's (a run per request),
 * or null for the recording trace's own (a trace id chosen at its first request, flags 01).
 */
export type ContextSource = () => OutgoingContext | null;

const isProxy = types.isProxy;
const OBJECT_PROTO = Object.prototype;
const OTEL_API = Symbol.for("opentelemetry.js.api.1");
const TRACEPARENT_KEY = /^traceparent$/i;
const TRACEPARENT_LINE = /(?:^|\r\n)traceparent:[ \t]*([^\r\n]*)/i;

const g = globalThis as Record<PropertyKey, unknown>;

let enabled = false;
let source: ContextSource | null = null;

/**
 * Plug in where an outgoing request's context comes from (the requests' runs: the active
 * request's trace), or null for the default (the recording trace's own trace id).
 *
 * @param fn Called at each outgoing request made inside a recorded call; null: the default.
 */
export function setContextSource(fn: ContextSource | null): void {
  source = fn;
}

const HEX = "0123456789abcdef";

/** `n` random bytes as hex, not all zeros. */
function randomHex(n: number): string {
  let text = "";
  for (;;) {
    // Node's Web Crypto loads when first read (files.ts): not at each start.
    const b = randomBytes(n);
    let any = 0;
    text = "";
    for (let i = 0; i < n; i++) {
      any |= b[i];
      text += HEX[b[i] >> 4] + HEX[b[i] & 15];
    }
    if (any !== 0) return text;
  }
}

/** Two hex digits of a byte. */
function hex2(n: number): string {
  return HEX[(n >> 4) & 15] + HEX[n & 15];
}

/** Where a request is made: the recorded call that makes it, and its trace. */
interface Sender {
  handle: number;
  trace: TraceState;
}

/** The recorded call making a request now, when tph may add a context to it. */
function sender(): Sender | null {
  if (!enabled) return null;
  const rt = runtime();
  if (!rt.on || typeof rt.traceOf !== "function") return null;
  const handle = rt.current();
  const trace = rt.traceOf(handle);
  if (trace === null || !trace.active) return null;
  return { handle, trace };
}

/** Whether the program has OpenTelemetry's API with a propagator registered (descriptors only). */
function programPropagates(): boolean {
  const d = getOwn(g, OTEL_API);
  if (d === undefined || !hasOwn(d, "value")) return d !== undefined;
  const api = d.value;
  if (api === null || typeof api !== "object" || isProxy(api)) return api !== undefined;
  const p = getOwn(api, "propagation");
  return p !== undefined && (!hasOwn(p, "value") || p.value !== undefined);
}

/** The headers to add for a request sent by `from`: [traceparent, tracestate or null]. */
function contextFor(from: Sender): [string, string | null] {
  let given: OutgoingContext | null = null;
  if (source !== null) {
    try {
      given = source();
    } catch {
      given = null;
    }
  }
  const s = sentRecord(from.trace, () => given !== null ? given.traceId : randomHex(16));
  const traceId = given !== null ? given.traceId : s.traceId;
  let span = s.spans.get(from.handle);
  if (span === undefined) {
    span = randomHex(8);
    s.spans.set(from.handle, span);
  }
  const flags = given !== null && typeof given.flags === "number" ? given.flags : 1;
  const state = given !== null && typeof given.traceState === "string" && given.traceState !== ""
    ? given.traceState
    : null;
  return [`00-${traceId}-${span}-${hex2(flags)}`, state];
}

/** The program sent a traceparent of its own from `from`: its trace is the run's. */
function noteProgramContext(from: Sender, header: unknown): void {
  if (typeof header !== "string") return;
  const parsed = parseTraceparent(firstTraceparent(header));
  if (parsed !== null) sentRecord(from.trace, () => parsed.traceId);
}

/** Forget a span given to a request that could not carry it after all. */
function unsend(from: Sender, span: string): void {
  const s = sentBy(from.trace);
  if (s !== undefined && s.spans.get(from.handle) === span) s.spans.delete(from.handle);
}

/** The span id in a traceparent tph made. */
function spanOf(traceparent: string): string {
  return strSlice(traceparent, 36, 52);
}

// --- node:http's (and https') client requests: `http.client.request.created` ---------------------

type HeaderGet = (this: unknown, name: string) => unknown;
type HeaderSet = (this: unknown, name: string, value: string) => unknown;

/** A method of a prototype chain, read through descriptors. */
function methodOf(proto: unknown, name: string): ((...a: never[]) => unknown) | null {
  for (let p = proto; p !== null && (typeof p === "object" || typeof p === "function");) {
    const d = getOwn(p, name);
    if (d !== undefined) {
      return hasOwn(d, "value") && typeof d.value === "function" ? d.value : null;
    }
    p = protoOf(p);
  }
  return null;
}

/**
 * The client requests' getHeader and setHeader, read through descriptors from the first request's
 * prototype chain: loading node:http to take them before the program runs would cost every run
 * 8–23 ms, and the first request comes before a program patches them, if it ever does.
 */
let headerMethods: [HeaderGet, HeaderSet] | null = null;

/** The `request` a channel's message carries (an own data property, not a proxy), or null. */
function requestOf(message: unknown): object | null {
  if (message === null || typeof message !== "object") return null;
  const d = getOwn(message, "request");
  const request = d !== undefined && hasOwn(d, "value") ? d.value : null;
  return request === null || typeof request !== "object" || isProxy(request) ? null : request;
}

function onClientRequest(message: unknown): void {
  try {
    const from = sender();
    if (from === null) return;
    const request = requestOf(message);
    if (request === null) return;
    if (headerMethods === null) {
      const get = methodOf(protoOf(request), "getHeader") as HeaderGet | null;
      const set = methodOf(protoOf(request), "setHeader") as HeaderSet | null;
      if (get === null || set === null) return;
      headerMethods = [get, set];
    }
    const [getHeader, setHeader] = headerMethods;
    const own = apply(getHeader, request, ["traceparent"]);
    if (own !== undefined) {
      noteProgramContext(from, isArray(own) ? own[0] : own);
      return;
    }
    if (programPropagates()) return;
    const [traceparent, state] = contextFor(from);
    try {
      apply(setHeader, request, ["traceparent", traceparent]);
      if (state !== null && apply(getHeader, request, ["tracestate"]) === undefined) {
        apply(setHeader, request, ["tracestate", state]);
      }
    } catch {
      // Its headers were already sent (given as an array): it goes as it is.
      unsend(from, spanOf(traceparent));
    }
  } catch {
    // Never the program's problem.
  }
}

// --- Node's fetch (undici): `undici:request:create` ----------------------------------------------

/** Whether undici's request headers (a flat [name, value, …] list, or "name: value\r\n" text) hold `name`. */
function undiciHeader(headers: unknown): string | null | undefined {
  if (typeof headers === "string") {
    const m = regexExec(TRACEPARENT_LINE, headers);
    return m === null ? null : m[1];
  }
  if (!isArray(headers) || isProxy(headers)) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const key = headers[i];
    if (typeof key === "string" && regexTest(TRACEPARENT_KEY, key)) {
      const v = headers[i + 1];
      return typeof v === "string" ? v : isArray(v) && typeof v[0] === "string" ? v[0] : "";
    }
  }
  return null;
}

function onUndiciRequest(message: unknown): void {
  try {
    const from = sender();
    if (from === null) return;
    const request = requestOf(message);
    if (request === null) return;
    const hd = getOwn(request, "headers");
    if (hd === undefined || !hasOwn(hd, "value")) return;
    const own = undiciHeader(hd.value);
    if (own === undefined) return;
    if (own !== null) {
      noteProgramContext(from, own);
      return;
    }
    if (programPropagates()) return;
    const add = methodOf(request, "addHeader") as HeaderSet | null;
    if (add === null) return;
    const [traceparent, state] = contextFor(from);
    try {
      apply(add, request, ["traceparent", traceparent]);
      if (state !== null) apply(add, request, ["tracestate", state]);
    } catch {
      unsend(from, spanOf(traceparent));
    }
  } catch {
    // Never the program's problem.
  }
}

// --- Deno's and Bun's fetch: a wrapper that prints as the runtime's ------------------------------

interface FetchParts {
  Headers: typeof globalThis.Headers;
  has: (this: Headers, name: string) => boolean;
  get: (this: Headers, name: string) => string | null;
  set: (this: Headers, name: string, value: string) => void;
  requestHeaders: ((this: Request) => Headers) | null;
}

/**
 * The init to call fetch with, its headers a copy with the context added; null: call it as
 * given. The program's headers are read once, by the Headers constructor, as fetch reads them.
 */
function initWithContext(parts: FetchParts, input: unknown, init: unknown): object | null {
  const from = sender();
  if (from === null) return null;
  let headers: unknown = undefined;
  if (init !== undefined && init !== null) {
    // A proxy, or an init whose fields may be inherited or computed, goes as it is.
    if (typeof init !== "object" || isProxy(init)) return null;
    const proto = protoOf(init);
    if (proto !== OBJECT_PROTO && proto !== null) return null;
    const d = getOwn(init, "headers");
    if (d !== undefined) {
      if (!hasOwn(d, "value")) return null;
      headers = d.value;
    }
  }
  if (
    headers === undefined && parts.requestHeaders !== null && input !== null &&
    typeof input === "object" && !isProxy(input)
  ) {
    try {
      headers = apply(parts.requestHeaders, input, []);
    } catch {
      headers = undefined; // not a Request
    }
  }
  if (
    headers !== undefined && headers !== null && typeof headers === "object" && isProxy(headers)
  ) {
    return null;
  }
  const program = programPropagates();
  let copy: Headers;
  try {
    copy = new parts.Headers(headers as HeadersInit | undefined);
  } catch {
    return null; // fetch gives its own error
  }
  if (apply(parts.has, copy, ["traceparent"])) {
    noteProgramContext(from, apply(parts.get, copy, ["traceparent"]));
  } else if (!program) {
    const [traceparent, state] = contextFor(from);
    apply(parts.set, copy, ["traceparent", traceparent]);
    if (state !== null && !apply(parts.has, copy, ["tracestate"])) {
      apply(parts.set, copy, ["tracestate", state]);
    }
  }
  const out = init !== undefined && init !== null ? defineAll({}, getOwnAll(init)) : {};
  defineProperty(out, "headers", {
    value: copy,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return out;
}

/** Put a wrapper around globalThis.fetch (Deno, Bun) that adds the context. */
function wrapFetch(): void {
  const d = getOwn(g, "fetch");
  if (d === undefined || !hasOwn(d, "value") || typeof d.value !== "function") return;
  const real = d.value as (...args: unknown[]) => unknown;
  const H = g.Headers as typeof globalThis.Headers | undefined;
  const R = g.Request as typeof globalThis.Request | undefined;
  if (typeof H !== "function") return;
  const has = methodOf(H.prototype, "has"), get = methodOf(H.prototype, "get");
  const set = methodOf(H.prototype, "set");
  if (has === null || get === null || set === null) return;
  let requestHeaders: ((this: Request) => Headers) | null = null;
  if (typeof R === "function") {
    const hd = getOwn(R.prototype, "headers");
    if (hd !== undefined && typeof hd.get === "function") requestHeaders = hd.get;
  }
  const parts: FetchParts = {
    Headers: H,
    has: has as FetchParts["has"],
    get: get as FetchParts["get"],
    set: set as FetchParts["set"],
    requestHeaders,
  };
  const wrapped = standIn(real, {
    apply(_real, self, args) {
      let init: object | null = null;
      try {
        init = initWithContext(parts, args[0], args[1]);
      } catch {
        init = null;
      }
      if (init === null) return apply(real, self, args);
      const call: unknown[] = [args[0], init];
      for (let i = 2; i < args.length; i++) call[i] = args[i];
      return apply(real, self, call);
    },
  });
  defineProperty(g, "fetch", { ...d, value: wrapped });
}

// --- installing ----------------------------------------------------------------------------------

let installed = false;

/**
 * Carry the trace context on in the program's outgoing requests (tph run, unless `propagate =
 * false` or --no-propagate). Does nothing where the program's runtime propagates it itself
 * (Deno with OTEL_DENO=true).
 *
 * @param dc node:diagnostics_channel (loaded by the caller).
 */
export function installPropagation(
  // deno-lint-ignore no-explicit-any
  dc: any,
): void {
  if (installed) return;
  installed = true;
  const isDeno = g.Deno !== undefined;
  const isBun = g.Bun !== undefined;
  if (isDeno && process.env.OTEL_DENO === "true") return;
  enabled = true;
  if (dc !== null && typeof dc === "object" && typeof dc.subscribe === "function") {
    dc.subscribe("http.client.request.created", onClientRequest);
    if (!isDeno && !isBun) dc.subscribe("undici:request:create", onUndiciRequest);
  }
  if (isDeno || isBun) wrapFetch();
}
