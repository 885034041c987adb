// The ids an export gives runs and calls, so that what several runs export joins one distributed
// trace. A call's span id is a 64-bit permutation (a 4-round Feistel network over 32-bit halves)
// of the run's seed plus the call's number: within a run every call has its own id, and two runs
// share an id only if their seeds lie within their call counts of each other (a chance of about
// calls / 2^63 for seeds hashed from the runs' ids). Deterministic: the same run exports the same
// ids. A call that sent trace context on in an outgoing request has the span id it sent (the
// run's sent_trace, random at the call). The run's trace is the one its trace context names
// (trace_context in its meta), else the one it sent on; runs with neither get one trace id for
// the whole export, hashed from their ids. A followed process's or worker's run without a context of
// its own is in its parent's trace, under the span of the call that started it.

import { basename } from "node:path";
import type { RunFile } from "../../run_file/decode.ts";
import { runIdOf } from "../../store/list_runs.ts";
import {
  readSentTrace,
  readTraceContext,
  type SentTrace,
  type TraceContext,
} from "../../store/trace_context.ts";
import { fnv1a } from "../../platform/hash.ts";
import { placeRuns, type RunPlace } from "./family.ts";

/** The Feistel network's round keys (any constants). */
const K0 = 0x9e3779b9, K1 = 0x7f4a7c15, K2 = 0x85ebca6b, K3 = 0x165667b1;

/** One round's function: murmur3's finalizer of x ^ key. */
function round(x: number, key: number): number {
  let h = x ^ key;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 8 hex digits of an unsigned 32-bit number. */
function hex8(n: number): string {
  const s = n.toString(16);
  return s.length === 8 ? s : "00000000".slice(s.length) + s;
}

/** The span ids of one run's calls. */
export class SpanIds {
  /** The id last computed (by `at`), as two unsigned 32-bit halves. */
  hi = 0;
  lo = 0;
  readonly #seedHi: number;
  readonly #seedLo: number;
  /** The ids the run's calls sent on as their requests' parent span, as (hi, lo), by call. */
  readonly #sent: Map<number, [number, number]> | null;

  /**
   * @param identity What tells the run from every other (runIdentity).
   * @param sent The span ids some calls already have (16 hex digits, by call number): those
   *   that sent them on in their requests' traceparent (the run's `sent_trace`).
   */
  constructor(identity: string, sent: ReadonlyMap<number, string> | null = null) {
    this.#permute(fnv1a(identity), fnv1a(identity, 0x5bd1e995));
    this.#seedHi = this.hi;
    this.#seedLo = this.lo;
    if (sent === null || sent.size === 0) this.#sent = null;
    else {
      this.#sent = new Map();
      for (const [call, hex] of sent) {
        this.#sent.set(call, [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)]);
      }
    }
  }

  /** (hi, lo) through the network, into hi and lo. */
  #permute(hi: number, lo: number): void {
    let l = hi >>> 0, r = lo >>> 0, t: number;
    t = (l ^ round(r, K0)) >>> 0, l = r, r = t;
    t = (l ^ round(r, K1)) >>> 0, l = r, r = t;
    t = (l ^ round(r, K2)) >>> 0, l = r, r = t;
    t = (l ^ round(r, K3)) >>> 0, l = r, r = t;
    // W3C forbids an all-zero id: the one seed + call that maps there takes 1 instead.
    if ((l | r) === 0) r = 1;
    this.hi = l;
    this.lo = r;
  }

  /** The id of call `call` (1, 2, …) into hi and lo. */
  at(call: number): void {
    if (this.#sent !== null) {
      const given = this.#sent.get(call);
      if (given !== undefined) {
        this.hi = given[0];
        this.lo = given[1];
        return;
      }
    }
    const callLo = call >>> 0;
    const lo = (this.#seedLo + callLo) >>> 0;
    const carry = lo < callLo ? 1 : 0;
    this.#permute(this.#seedHi + Math.floor(call / 0x100000000) + carry, lo);
  }

  /** The call's span id: 16 hex digits. */
  hex(call: number): string {
    this.at(call);
    return hex8(this.hi) + hex8(this.lo);
  }

  /** The call's span id: 8 bytes, big-endian (as OTLP's protobuf carries it). */
  bytes(call: number): Uint8Array {
    this.at(call);
    const b = new Uint8Array(8);
    const hi = this.hi, lo = this.lo;
    b[0] = hi >>> 24, b[1] = hi >>> 16, b[2] = hi >>> 8, b[3] = hi;
    b[4] = lo >>> 24, b[5] = lo >>> 16, b[6] = lo >>> 8, b[7] = lo;
    return b;
  }
}

/**
 * What tells a run from every other: its run id (the file's name: start time to the ms and 24
 * random bits in the cache) and its start time (for a run written under a name of one's own, `-o
 * run.json`). The same run has the same identity wherever its file is.
 */
export function runIdentity(file: RunFile): string {
  return `${runIdOf(basename(file.path))}\0${file.meta.timestamp}`;
}

/** 32 hex digits hashed from a text, never all zero. */
export function traceIdOf(text: string): string {
  const ids = new SpanIds(`trace\0${text}`);
  return ids.hex(1) + ids.hex(2);
}

/** A run as an export places it in a trace. */
export interface RunTrace {
  file: RunFile;
  /** 32 hex digits. */
  traceId: string;
  /** The span its root calls are under (16 hex digits), or null. */
  parentSpanId: string | null;
  /** The tracestate its spans carry, or null. */
  traceState: string | null;
  /** Its trace context, when it has a valid one. */
  context: TraceContext | null;
  /** What its outgoing requests carried on, when it has a valid record of it. */
  sent: SentTrace | null;
  /** Its calls' span ids. */
  spans: SpanIds;
  /** Where it is drawn: its process and thread (family.ts). */
  place: RunPlace;
}

/**
 * Runs placed in one trace: those with a trace context in its trace, under its span; the others
 * in one trace of their own, whose id is hashed from all their ids (so one run alone has a trace
 * of its own, and the same runs the same trace id in whatever order they are given).
 *
 * @param files The runs.
 * @param warn Told one line for each run whose trace context is malformed (and ignored).
 */
export function traceRuns(files: readonly RunFile[], warn: (line: string) => void): RunTrace[] {
  const contexts = files.map((file) => {
    const context = readTraceContext(file.meta.trace_context);
    if (typeof context !== "string") return context;
    warn(`${runIdOf(basename(file.path))}: its trace_context is ignored: ${context}`);
    return null;
  });
  const sent = files.map((file) => {
    const s = readSentTrace(file.meta.sent_trace);
    if (typeof s !== "string") return s;
    warn(`${runIdOf(basename(file.path))}: its sent_trace is ignored: ${s}`);
    return null;
  });
  // A run that sent context on without having received one is in the trace it sent.
  const loose = files.filter((_, k) => contexts[k] === null && sent[k] === null).map(runIdentity)
    .sort();
  const looseTrace = loose.length === 0 ? "" : traceIdOf(loose.join("\n"));
  const places = placeRuns(files);
  const runs = files.map((file, k): RunTrace => {
    const context = contexts[k];
    return {
      file,
      traceId: context?.traceId ?? sent[k]?.traceId ?? looseTrace,
      parentSpanId: context?.parentSpanId ?? null,
      traceState: context?.traceState ?? null,
      context,
      sent: sent[k],
      spans: new SpanIds(runIdentity(file), sent[k]?.spans ?? null),
      place: places[k],
    };
  });
  // A followed process's or worker's run, with no context of its own, is in its parent's trace,
  // its roots under the call that started it (parents first: a child's child follows them).
  const placed = new Set<number>();
  const join = (k: number, depth: number): void => {
    const link = places[k].startedBy;
    if (placed.has(k) || depth > files.length) return;
    placed.add(k);
    if (link === null || link.call === null || contexts[k] !== null || sent[k] !== null) return;
    join(link.run, depth + 1);
    const parent = runs[link.run];
    runs[k].traceId = parent.traceId;
    runs[k].traceState = parent.traceState;
    runs[k].parentSpanId = parent.spans.hex(link.call);
  };
  for (let k = 0; k < runs.length; k++) join(k, 0);
  return runs;
}
