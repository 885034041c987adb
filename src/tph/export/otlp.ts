// `tph export --format otlp`: the run as one OTLP/JSON traces document (ExportTraceServiceRequest
// as the OpenTelemetry protocol's JSON encoding writes it): one span per call, parents from the
// call tree, ids in hex, enums as integers, times as nanoseconds since the epoch in strings.

import type { ByteSink } from "../../program/recorder/json_sink.ts";
import type { RunFile } from "../store/run_reader.ts";
import { walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut } from "./out.ts";
import { type ExportStats, runSummary } from "./summary.ts";
import { shortHash } from "../../host/hash.ts";
import { VERSION } from "../../version.ts";

/** SPAN_KIND_INTERNAL and STATUS_CODE_ERROR, as the protocol numbers them. */
const SPAN_KIND_INTERNAL = 1;
const STATUS_CODE_ERROR = 2;

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
 * Write a run as an OTLP/JSON traces document.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 */
export function writeOtlpJson(file: RunFile, target: ByteSink, options: WalkOptions): ExportStats {
  const meta = file.meta;
  const summary = runSummary(meta);
  const out = new JsonOut(target);
  const trace = traceId(file);
  const startMs = Date.parse(meta.timestamp);
  // Whole µs since the epoch stay exact in a double (below 2^53 until the year 2255): nanoseconds
  // are those digits and three zeros.
  const baseUs = (Number.isFinite(startMs) ? startMs : 0) * 1000;
  const ns = (us: number) => String(baseUs + us) + "000";
  const attr = (key: string, value: string) => {
    out.raw('{"key":').str(key).raw(',"value":{"stringValue":').str(value).raw("}}");
  };
  const intAttr = (key: string, value: number) => {
    out.raw('{"key":').str(key).raw(',"value":{"intValue":"').num(value).raw('"}}');
  };
  out.raw('{"resourceSpans":[{"resource":{"attributes":[');
  attr("service.name", summary.name);
  out.raw(",");
  attr("telemetry.sdk.name", "tph");
  out.raw(",");
  attr("telemetry.sdk.version", VERSION);
  if (meta.run !== undefined) {
    out.raw(",");
    attr("process.command_line", meta.run.command.join(" "));
    out.raw(",");
    attr("process.runtime.name", meta.run.runtime);
    out.raw(",");
    attr("process.runtime.version", meta.run.runtime_version);
  }
  out.raw(",");
  intAttr("tph.call_count", meta.call_count);
  out.raw(",");
  intAttr("tph.dropped_calls", meta.dropped_calls);
  if (meta.limit_reason !== null) {
    out.raw(",");
    attr("tph.limit_reason", meta.limit_reason);
  }
  out.raw(']},"scopeSpans":[{"scope":{"name":"tph","version":').str(VERSION).raw('},"spans":[');
  let first = true;
  const result = walkCalls(file, options, {
    open(call) {
      const f = call.fn;
      out.raw(first ? "\n" : ",\n");
      first = false;
      out.raw('{"traceId":"').raw(trace).raw('","spanId":"').ascii(spanId(call.id)).raw('"');
      if (call.parent !== 0) out.raw(',"parentSpanId":"').ascii(spanId(call.parent)).raw('"');
      out.raw(',"name":').str(f.name).raw(',"kind":').num(SPAN_KIND_INTERNAL);
      out.raw(',"startTimeUnixNano":"').ascii(ns(call.start)).raw('","endTimeUnixNano":"')
        .ascii(ns(call.end)).raw('","attributes":[');
      attr("code.function.name", f.name);
      if (f.file !== "") {
        out.raw(",");
        attr("code.file.path", f.file);
      }
      if (f.line > 0) {
        out.raw(",");
        intAttr("code.line.number", f.line);
      }
      for (let k = 0; k < call.argValues.length; k++) {
        out.raw(",");
        attr(`tph.arg.${call.argNames[k]}`, call.argValues[k]);
      }
      if (call.returned !== null) {
        out.raw(",");
        attr("tph.return_value", call.returned);
      }
      if (f.async) out.raw(',{"key":"tph.async","value":{"boolValue":true}}');
      if (f.external) out.raw(',{"key":"tph.external","value":{"boolValue":true}}');
      if (call.unfinished) out.raw(',{"key":"tph.unfinished","value":{"boolValue":true}}');
      if (call.dropped > 0) {
        out.raw(",");
        intAttr("tph.calls_left_out", call.dropped);
      }
      if (call.hiddenBelow > 0) {
        out.raw(",");
        intAttr("tph.calls_below", call.hiddenBelow);
      }
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
