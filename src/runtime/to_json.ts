import { SCHEMA_VERSION } from "../types.ts";
import type { CallNodeJSON, RunJSON } from "../types.ts";
import { VERSION } from "../version.ts";
import { FLAG_ASYNC } from "../abi.ts";
import { type Call, runtime, type Snapshot } from "./recorder.ts";
import { repr } from "./repr.ts";
import type { Trace } from "./trace_state.ts";

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function show(v: unknown, max: number): string {
  // Objects are stored only as snapshots (possibly made by another copy of this module);
  // anything else is a primitive or a function, shown now.
  return typeof v === "object" && v !== null ? (v as Snapshot).text : repr(v, max);
}

function argsOf(c: Call, max: number): Record<string, string> {
  const f = runtime().fn(c.fn);
  const out: Record<string, string> = {};
  if (f.kind === "external") {
    // Untraced callees have no parameter names here: arguments go by position.
    const values = c.args as unknown[];
    for (let i = 0; i < values.length; i++) out[String(i)] = show(values[i], max);
    return out;
  }
  const names = f.params;
  if (names.length === 0) return out;
  if (names.length === 1) {
    out[names[0]] = show(c.args, max);
    return out;
  }
  const values = c.args as unknown[];
  for (let i = 0; i < names.length; i++) out[names[i]] = show(values[i], max);
  return out;
}

/**
 * The call tree of a trace as JSON nodes, in call order.
 *
 * @param t The trace.
 * @returns Its root nodes; calls still open are marked `unfinished`.
 */
export function callTree(t: Trace): CallNodeJSON[] {
  const nodes = new Map<Call, CallNodeJSON>();
  const roots: CallNodeJSON[] = [];
  const rt = runtime();
  // Calls still open when the trace stopped stay unfinished, even if they end later.
  const stopped = t.endTime >= 0 ? t.endTime : Infinity;
  for (let i = 0; i < t.calls.length; i++) {
    const c = t.calls[i];
    if (c === t.wrapper) continue;
    const f = rt.fn(c.fn);
    const finished = c.end >= 0 && c.end <= stopped;
    const node = {
      name: f.qualname,
      module: f.module,
      file: f.file,
      line: f.line,
      kind: f.kind,
      args: argsOf(c, t.maxRepr),
      return_value: finished && c.state === 1 ? show(c.ret, t.maxRepr) : null,
    } as CallNodeJSON;
    if (c.state === 2 && finished) node.exception = String(c.ret);
    node.start_ms = round3(c.start - t.startTime);
    node.elapsed_ms = finished ? Math.max(0, round3(c.end - c.start)) : null;
    if (!finished) node.unfinished = true;
    if (f.flags & FLAG_ASYNC) node.async = true;
    if (f.kind === "external") node.external = true;
    const dropped = t.dropped.get(c);
    if (dropped !== undefined) node.dropped = dropped;
    node.children = [];
    nodes.set(c, node);
    const parent = c.parent === null || c.parent === t.wrapper ? undefined : nodes.get(c.parent);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  return roots;
}

/**
 * The versioned JSON document of a trace (see README, "JSON format").
 *
 * @param t The trace.
 * @param label Its label, or null.
 * @returns The document; `run` is added by `tph run`.
 */
export function traceToJSON(t: Trace, label: string | null): RunJSON {
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
    trace: callTree(t),
  };
}
