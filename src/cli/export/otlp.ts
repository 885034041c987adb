// `tph export --format otlp`: the run as one OTLP/JSON traces document (ExportTraceServiceRequest
// as the OpenTelemetry protocol's JSON encoding writes it): one span per call, parents from the
// call tree, ids in hex, enums as integers, times as nanoseconds since the epoch in strings.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile, RunMeta } from "../../store/run_reader.ts";
import { type ExportCall, walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut } from "./out.ts";
import { type ExportStats, runSummary } from "./summary.ts";
import { shortHash } from "../../platform/hash.ts";
import { VERSION } from "../../version.ts";

/** SPAN_KIND_INTERNAL and STATUS_CODE_ERROR, as the protocol numbers them. */
export const SPAN_KIND_INTERNAL = 1;
export const STATUS_CODE_ERROR = 2;

/** An attribute's value as OTLP holds it: a string, a whole number (int64), or true (bool). */
export type AttributeValue = string | number | boolean;
/** Takes attributes one by one (both encodings write them as they come). */
export type EmitAttribute = (key: string, value: AttributeValue) => void;

/** A span id: 16 hex digits of the call's id (never zero: ids start at 1). */
export function spanId(id: number): string {
  return id.toString(16).padStart(16, "0");
}

/** The run's trace id: 32 hex digits from its start time and identity, never all zero. */
export function traceId(file: RunFile): string {
  const key = `${file.meta.timestamp}\0${file.path}\0${file.meta.call_count}`;
  const id = shortHash(key) + shortHash(`${key}\0trace`);
  return /^0+$/.test(id) ? "1".padStart(32, "0") : id;
}

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

/** The run's resource: the service (label or command), tph, the runtime, the counts. */
export function resourceAttributes(meta: RunMeta, emit: EmitAttribute): void {
  emit("service.name", runSummary(meta).name);
  emit("telemetry.sdk.name", "tph");
  emit("telemetry.sdk.version", VERSION);
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

/** A call's span attributes: where it is, its arguments by name, its return value, its kind. */
export function spanAttributes(call: ExportCall, emit: EmitAttribute): void {
  const f = call.fn;
  emit("code.function.name", f.name);
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

/**
 * Write a run as an OTLP/JSON traces document.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 */
export function writeOtlpJson(file: RunFile, target: ByteSink, options: WalkOptions): ExportStats {
  const meta = file.meta;
  const out = new JsonOut(target);
  const trace = traceId(file);
  const ns = unixNanos(meta);
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
  out.raw('{"resourceSpans":[{"resource":{"attributes":[');
  resourceAttributes(meta, attr);
  out.raw(']},"scopeSpans":[{"scope":{"name":"tph","version":').str(VERSION).raw('},"spans":[');
  let firstSpan = true;
  const result = walkCalls(file, options, {
    open(call) {
      out.raw(firstSpan ? "\n" : ",\n");
      firstSpan = false;
      out.raw('{"traceId":"').raw(trace).raw('","spanId":"').ascii(spanId(call.id)).raw('"');
      if (call.parent !== 0) out.raw(',"parentSpanId":"').ascii(spanId(call.parent)).raw('"');
      out.raw(',"name":').str(call.fn.name).raw(',"kind":').num(SPAN_KIND_INTERNAL);
      out.raw(',"startTimeUnixNano":"').ascii(ns(call.start)).raw('","endTimeUnixNano":"')
        .ascii(ns(call.end)).raw('","attributes":[');
      first = true;
      spanAttributes(call, attr);
      out.raw("]");
      if (call.threw !== null) {
        out.raw(',"status":{"code":').num(STATUS_CODE_ERROR).raw(',"message":').str(call.threw)
          .raw("}");
      }
      out.raw("}");
    },
  });
  out.raw("\n]}]}]}\n");
  out.flush();
  return { calls: result.calls, tracks: result.tracks };
}
