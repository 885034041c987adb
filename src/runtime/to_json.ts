import { closeSync, openSync, writeSync } from "node:fs";
import { FLAG_ASYNC } from "../abi.ts";
import { SCHEMA_VERSION } from "../types.ts";
import type { CallNodeJSON, RunJSON } from "../types.ts";
import { VERSION } from "../version.ts";
import type { FunctionRecord } from "./functions.ts";
import { runtime, type Snapshot } from "./recorder.ts";
import { repr } from "./repr.ts";
import { HIDDEN, RETURNED, ROW_MASK, type Tape, THREW } from "./tape.ts";
import type { Trace } from "./trace_state.ts";

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function show(v: unknown, max: number): string {
  // Objects are stored only as snapshots (possibly made by another copy of this module);
  // anything else is a primitive or a function, shown now.
  return typeof v === "object" && v !== null ? (v as Snapshot).text : repr(v, max);
}

function argsOf(f: FunctionRecord, stored: unknown, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.kind === "external") {
    // Untraced callees have no parameter names here: arguments go by position.
    const values = stored as unknown[];
    for (let i = 0; i < values.length; i++) out[String(i)] = show(values[i], max);
    return out;
  }
  const names = f.params;
  if (names.length === 1) out[names[0]] = show(stored, max);
  else {
    for (let i = 0; i < names.length; i++) out[names[i]] = show((stored as unknown[])[i], max);
  }
  return out;
}

const keyCache = new WeakMap<FunctionRecord, string[]>();

/** The `args` object as JSON text, without building the object (saving a million calls). */
function argsText(f: FunctionRecord, stored: unknown, max: number): string {
  if (f.kind === "external") return JSON.stringify(argsOf(f, stored, max));
  let keys = keyCache.get(f);
  if (keys === undefined) {
    keys = f.params.map((p) => JSON.stringify(p) + ":");
    keyCache.set(f, keys);
  }
  if (keys.length === 0) return "{}";
  if (keys.length === 1) return "{" + keys[0] + JSON.stringify(show(stored, max)) + "}";
  const values = stored as unknown[];
  let text = "{";
  for (let i = 0; i < keys.length; i++) {
    text += (i === 0 ? "" : ",") + keys[i] + JSON.stringify(show(values[i], max));
  }
  return text + "}";
}

/**
 * Walk the calls of a trace in call order, with each call's parent as an index into the calls
 * visited (or -1 for a root). Calls still open when the trace stopped stay unfinished, even if
 * they end later; the hidden callback of trace.run() is left out and its calls become roots.
 */
function visit(
  t: Trace,
  each: (row: number, parent: number, finished: boolean) => void,
): void {
  const tp: Tape = t.tape;
  const stopped = t.endTime >= 0 ? t.endTime : Infinity;
  const index = new Int32Array(Math.max(0, tp.rows - t.firstRow)).fill(-1);
  let n = 0;
  for (let row = t.firstRow; row < tp.rows; row++) {
    if (tp.slot[row] !== t.slot || row === t.wrapper || tp.state[row] === HIDDEN) continue;
    index[row - t.firstRow] = n++;
    const ph = tp.parent[row];
    const prow = ph & ROW_MASK;
    const parent = ph < 0 || prow === t.wrapper ? -1 : index[prow - t.firstRow];
    const end = tp.end[row];
    each(row, parent, end >= 0 && end <= stopped);
  }
}

/**
 * The call tree of a trace as JSON nodes, in call order.
 *
 * @param t The trace.
 * @returns Its root nodes.
 */
export function callTree(t: Trace): CallNodeJSON[] {
  const tp = t.tape;
  const rt = runtime();
  const nodes: CallNodeJSON[] = [];
  const roots: CallNodeJSON[] = [];
  visit(t, (row, parent, finished) => {
    const f = rt.fn(tp.fn[row]);
    const state = tp.state[row];
    const node = {
      name: f.qualname,
      module: f.module,
      file: f.file,
      line: f.line,
      kind: f.kind,
      args: argsOf(f, tp.args[row], t.maxRepr),
      return_value: finished && state === RETURNED ? show(tp.ret[row], t.maxRepr) : null,
    } as CallNodeJSON;
    if (finished && state === THREW) node.exception = String(tp.ret[row]);
    node.start_ms = round3(tp.start[row] - t.startTime);
    node.elapsed_ms = finished ? Math.max(0, round3(tp.end[row] - tp.start[row])) : null;
    if (!finished) node.unfinished = true;
    if (f.flags & FLAG_ASYNC) node.async = true;
    if (f.kind === "external") node.external = true;
    const dropped = t.dropped.get(row);
    if (dropped !== undefined) node.dropped = dropped;
    node.children = [];
    nodes.push(node);
    if (parent < 0) roots.push(node);
    else nodes[parent].children.push(node);
  });
  return roots;
}

/** The top-level fields of a trace's document, without `trace`. */
function header(t: Trace, label: string | null): Omit<RunJSON, "trace"> {
  const reasons = [...t.limitReasons];
  return {
    schema: SCHEMA_VERSION,
    tracepatch_version: VERSION,
    timestamp: t.startedAt.toISOString(),
    label,
    call_count: t.callCount,
    was_limited: reasons.length > 0,
    limit_reason: reasons.length > 0 ? reasons.join(", ") : null,
    dropped_calls: t.droppedTotal,
    dropped_at_root: t.droppedAtRoot,
    config: {
      max_depth: t.maxDepth,
      max_calls: t.maxCalls,
      max_repr: t.maxRepr,
      ignore_modules: t.ignoreModules,
      include: t.include,
      exclude: t.exclude,
    },
  };
}

/**
 * The versioned JSON document of a trace (see README, "JSON format").
 *
 * @param t The trace.
 * @param label Its label, or null.
 * @returns The document; `run` is added by `tph run`.
 */
export function traceToJSON(t: Trace, label: string | null): RunJSON {
  return { ...header(t, label), trace: callTree(t) };
}

const CHUNK = 1 << 20;

/**
 * Write the JSON document of a trace to a file, streaming: no tree of objects is built and no
 * string holds the whole document, so a million calls take a fraction of a second and little
 * memory. The text equals `JSON.stringify(traceToJSON(t, label))` plus `extra` fields.
 *
 * @param t The trace.
 * @param label Its label.
 * @param path The file to write.
 * @param extra More top-level fields, written before `trace`.
 */
export function writeTraceJSON(
  t: Trace,
  label: string | null,
  path: string,
  extra: Record<string, unknown> = {},
): void {
  const tp = t.tape;
  const rt = runtime();
  const fd = openSync(path, "w");
  let buf = "";
  // Encoded into one reused buffer: handing strings to writeSync makes Deno measure and encode
  // each one anew (a tenth of the time for a million calls).
  const bytes = new Uint8Array(CHUNK * 3 + 16);
  const encoder = new TextEncoder();
  const flush = () => {
    const { read, written } = encoder.encodeInto(buf, bytes);
    writeSync(fd, bytes, 0, written);
    // A piece longer than the buffer (a huge max_repr): the rest as it is.
    if (read < buf.length) writeSync(fd, buf.slice(read));
    buf = "";
  };
  const out = (text: string) => {
    buf += text;
    if (buf.length > CHUNK) flush();
  };
  try {
    const head = JSON.stringify({ ...header(t, label), ...extra });
    out(head.slice(0, -1) + ',"trace":[');
    // Calls in call order with their parents; async work interleaves, so children are linked
    // into lists first and the tree is written depth first.
    const total = Math.max(0, tp.rows - t.firstRow);
    const rowOf = new Int32Array(total);
    const done = new Uint8Array(total);
    const firstChild = new Int32Array(total).fill(-1);
    const lastChild = new Int32Array(total).fill(-1);
    const next = new Int32Array(total).fill(-1);
    let n = 0, firstRoot = -1, lastRoot = -1;
    visit(t, (row, parent, finished) => {
      const i = n++;
      rowOf[i] = row;
      done[i] = finished ? 1 : 0;
      if (parent < 0) {
        if (lastRoot < 0) firstRoot = i;
        else next[lastRoot] = i;
        lastRoot = i;
      } else {
        if (lastChild[parent] < 0) firstChild[parent] = i;
        else next[lastChild[parent]] = i;
        lastChild[parent] = i;
      }
    });
    const prefixes = new Map<number, string>();
    const node = (i: number): string => {
      const row = rowOf[i];
      const finished = done[i] === 1;
      const id = tp.fn[row];
      const f = rt.fn(id);
      let prefix = prefixes.get(id);
      if (prefix === undefined) {
        prefix = `{"name":${JSON.stringify(f.qualname)},"module":${
          JSON.stringify(f.module)
        },"file":${JSON.stringify(f.file)},"line":${f.line},"kind":${JSON.stringify(f.kind)},`;
        prefixes.set(id, prefix);
      }
      const state = tp.state[row];
      let text = prefix + `"args":${argsText(f, tp.args[row], t.maxRepr)},`;
      text += `"return_value":${
        finished && state === RETURNED ? JSON.stringify(show(tp.ret[row], t.maxRepr)) : "null"
      },`;
      if (finished && state === THREW) {
        text += `"exception":${JSON.stringify(String(tp.ret[row]))},`;
      }
      text += `"start_ms":${round3(tp.start[row] - t.startTime)},"elapsed_ms":${
        finished ? Math.max(0, round3(tp.end[row] - tp.start[row])) : "null"
      },`;
      if (!finished) text += `"unfinished":true,`;
      if (f.flags & FLAG_ASYNC) text += `"async":true,`;
      if (f.kind === "external") text += `"external":true,`;
      const dropped = t.dropped.get(row);
      if (dropped !== undefined) text += `"dropped":${dropped},`;
      return text + `"children":[`;
    };
    // Iterative depth-first walk: deep recursion in the program must not overflow tph.
    const stack: number[] = [];
    let i = firstRoot;
    let first = true;
    while (i >= 0 || stack.length > 0) {
      if (i < 0) {
        out("]}");
        i = next[stack.pop()!];
        first = false;
        continue;
      }
      if (!first) out(",");
      out(node(i));
      stack.push(i);
      i = firstChild[i];
      first = true;
    }
    out("]}\n");
    flush();
  } finally {
    closeSync(fd);
  }
}
