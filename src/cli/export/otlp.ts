// `tph export --format otlp`: runs as one OTLP/JSON traces document (ExportTraceServiceRequest
// as the OpenTelemetry protocol's JSON encoding writes it): a resource per run, one span per call,
// parents from the call tree, ids in hex (trace_ids.ts: a run's roots under the span of its trace
// context), enums as integers, times as nanoseconds since the epoch in strings.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile, RunMeta } from "../../run_file/decode.ts";
import { type ExportCall, inTurn, walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut } from "./out.ts";
import { type ExportStats, runSummary } from "./summary.ts";
import { type RunTrace, traceRuns } from "./trace_ids.ts";
import { VERSION } from "../../version.ts";
import type { RunPlace } from "./family.ts";

/** SPAN_KIND_INTERNAL and STATUS_CODE_ERROR, as the protocol numbers them. */
export const SPAN_KIND_INTERNAL = 1;
export const STATUS_CODE_ERROR = 2;

/** An attribute's value as OTLP holds it: a string, a whole number (int64), or true (bool). */
export type AttributeValue = string | number | boolean;
/** Takes attributes one by one (both encodings write them as they come). */
export type EmitAttribute = (key: string, value: AttributeValue) => void;

/**
 * Nanoseconds since the epoch, as a decimal string, of a time in µs from the run's start. Whole
 * µs since the epoch stay exact in a double (below 2^53 until the year 2255): nanoseconds are
 * those digits and three zeros (exact beyond 2^53 where a fixed64 takes the string).
 */
export function unixNanos(meta: RunMeta): (us: number) => string {
  const startMs = Date.parse(meta.timestamp);
  const baseUs = (Number.isFinite(startMs) ? startMs : 0) * 1000;
  return (us) => String(baseUs + us) + "000";
}

/**
 * The run's resource: the service (label or command), tph, the process (its pid and its parent's
 * when known: a followed worker's is its process's), the runtime, the counts.
 */
export function resourceAttributes(meta: RunMeta, emit: EmitAttribute, place?: RunPlace): void {
  emit("service.name", runSummary(meta).name);
  emit("telemetry.sdk.name", "tph");
  emit("telemetry.sdk.version", VERSION);
  if (place?.osPid != null) emit("process.pid", place.osPid);
  if (place?.osParentPid != null) emit("process.parent_pid", place.osParentPid);
  if (meta.run !== undefined) {
    emit("process.command_line", meta.run.command.join(" "));
    emit("process.runtime.name", meta.run.runtime);
    emit("process.runtime.version", meta.run.runtime_version);
    // How it ended (completed, exit, exception, signal) and its code: a normal end with code 3
    // is told from an uncaught error.
    emit("tph.ended", meta.run.ended);
    if (meta.run.exit_code !== null) emit("process.exit.code", meta.run.exit_code);
  }
  emit("tph.call_count", meta.call_count);
  emit("tph.dropped_calls", meta.dropped_calls);
  if (meta.limit_reason !== null) emit("tph.limit_reason", meta.limit_reason);
  if ((meta.summarised ?? 0) > 0) emit("tph.summarised", meta.summarised!);
}

/**
 * A call's span attributes: where it is, its arguments by name, its return value, its kind; the
 * thread it ran on, for a followed worker's run (OpenTelemetry's `thread.id`, `thread.name`).
 */
export function spanAttributes(call: ExportCall, emit: EmitAttribute, place?: RunPlace): void {
  const f = call.fn;
  emit("code.function.name", f.name);
  if (place !== undefined && place.osThread !== null) {
    emit("thread.id", place.osThread);
    emit("thread.name", place.trackName(0));
  }
  if (f.file !== "") emit("code.file.path", f.file);
  if (f.line > 0) emit("code.line.number", f.line);
  for (let k = 0; k < call.argValues.length; k++) {
    emit(`tph.arg.${call.argNames[k]}`, call.argValues[k]);
  }
  if (call.returned !== null) emit("tph.return_value", call.returned);
  if (f.async) emit("tph.async", true);
  if (f.external) emit("tph.external", true);
  if (call.unfinished) emit("tph.unfinished", true);
  if (call.dropped > 0) emit("tph.calls_left_out", call.dropped);
  if (call.hiddenBelow > 0) emit("tph.calls_below", call.hiddenBelow);
}

/** Options of the OTLP exports. */
export interface OtlpOptions extends WalkOptions {
  /** Told one line for each run whose trace context is malformed (and left out). */
  warn?: (line: string) => void;
}

/**
 * Write runs as one OTLP/JSON traces document: a resourceSpans per run, in the order given.
 *
 * @param files The runs.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 */
export function writeOtlpJson(
  files: readonly RunFile[],
  target: ByteSink,
  options: OtlpOptions,
): ExportStats {
  const out = new JsonOut(target);
  let first = true;
  const attr: EmitAttribute = (key, value) => {
    if (!first) out.raw(",");
    first = false;
    out.raw('{"key":').str(key);
    if (typeof value === "string") out.raw(',"value":{"stringValue":').str(value).raw("}}");
    else if (typeof value === "number") {
      out.raw(',"value":{"intValue":"').num(value).raw('"}}');
    } else out.raw(',"value":{"boolValue":').raw(String(value)).raw("}}");
  };
  const stats: ExportStats = { calls: 0, tracks: 0 };
  out.raw('{"resourceSpans":[');
  const walks = inTurn(files.map((f) => f.meta.call_count), options);
  traceRuns(files, options.warn ?? (() => {})).forEach((run, k) => {
    if (k > 0) out.raw(",\n");
    first = true;
    const result = writeResourceSpans(run, out, attr, walks[k], () => first = true);
    stats.calls += result.calls;
    stats.tracks += result.tracks;
  });
  out.raw("]}\n");
  out.flush();
  return stats;
}

/** One run's resourceSpans. */
function writeResourceSpans(
  run: RunTrace,
  out: JsonOut,
  attr: EmitAttribute,
  options: WalkOptions,
  firstAttribute: () => void,
): ExportStats {
  const meta = run.file.meta;
  const ns = unixNanos(meta);
  const ids = run.spans;
  // What every span starts with, and a root's parent (the trace context's span, if any).
  const head = `{"traceId":"${run.traceId}"` +
    (run.traceState === null ? "" : `,"traceState":${JSON.stringify(run.traceState)}`) +
    ',"spanId":"';
  const rootParent = run.parentSpanId === null ? '"' : `","parentSpanId":"${run.parentSpanId}"`;
  out.raw('{"resource":{"attributes":[');
  resourceAttributes(meta, attr, run.place);
  out.raw(']},"scopeSpans":[{"scope":{"name":"tph","version":').str(VERSION).raw('},"spans":[');
  let firstSpan = true;
  const result = walkCalls(run.file, options, {
    open(call) {
      out.raw(firstSpan ? "\n" : ",\n");
      firstSpan = false;
      ids.at(call.id);
      out.raw(head).hex32(ids.hi).hex32(ids.lo);
      if (call.parent !== 0) {
        ids.at(call.parent);
        out.raw('","parentSpanId":"').hex32(ids.hi).hex32(ids.lo).raw('"');
      } else out.raw(rootParent);
      out.raw(',"name":').str(call.fn.name).raw(',"kind":').num(SPAN_KIND_INTERNAL);
      out.raw(',"startTimeUnixNano":"').ascii(ns(call.start)).raw('","endTimeUnixNano":"')
        .ascii(ns(call.end)).raw('","attributes":[');
      firstAttribute();
      spanAttributes(call, attr, run.place);
      out.raw("]");
      if (call.threw !== null) {
        out.raw(',"status":{"code":').num(STATUS_CODE_ERROR).raw(',"message":').str(call.threw)
          .raw("}");
      }
      out.raw("}");
    },
  });
  out.raw("\n]}]}");
  return { calls: result.calls, tracks: result.tracks };
}
