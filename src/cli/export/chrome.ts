// `tph export --format chrome`: the Trace Event Format (JSON), as Perfetto and chrome://tracing
// open it. Each call is a complete event ("X") on its track (calls.ts): the main track, or an async
// track named as such, so that slices on one track always nest. Nestable async events ("b"/"e")
// were not used: Perfetto draws each async id's slices on tracks of their own per name, far from
// the caller, and chrome://tracing and speedscope draw them differently again; a thread track per
// async context reads the same everywhere.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { type ExportCall, inTurn, walkCalls, type WalkOptions } from "./calls.ts";
import { type RunTrace, traceRuns } from "./trace_ids.ts";
import { JsonOut, placeOf } from "./out.ts";
import { categoriesOf, type ExportStats, runSummary, shownFile, trackName } from "./summary.ts";

/**
 * Write runs as Trace Event Format JSON: each run a process of its own (pid 1, 2, … in the order
 * given), on one clock (µs from the earliest run's start).
 *
 * @param files The runs.
 * @param target Where the bytes go.
 * @param options Depth and name filters; `warn`, told of trace contexts left out.
 */
export function writeChrome(
  files: readonly RunFile[],
  target: ByteSink,
  options: WalkOptions & { warn?: (line: string) => void },
): ExportStats {
  const out = new JsonOut(target);
  const runs = traceRuns(files, options.warn ?? (() => {}));
  const starts = files.map((f) => startOf(f.meta.timestamp));
  const first = Math.min(...starts);
  const walks = inTurn(files.map((f) => f.meta.call_count), options);
  const stats: ExportStats = { calls: 0, tracks: 0 };
  const others: Record<string, unknown>[] = [];
  out.raw('{"traceEvents":[\n');
  // Flow ids are the calls' ids, past those of the runs before (one id space for the file).
  let flowBase = 0;
  runs.forEach((run, k) => {
    const at = { pid: k + 1, shift: (starts[k] - first) * 1000, flowBase };
    const result = writeRun(out, run, at, walks[k], k === 0);
    flowBase += run.file.meta.call_count;
    stats.calls += result.calls;
    stats.tracks += result.tracks;
    others.push({ ...result.fields, calls_exported: result.calls });
  });
  out.raw('\n],\n"displayTimeUnit":"ns",\n"otherData":');
  // One run: its fields; several: the export's and theirs in a list.
  const summary = runSummary(files[0].meta);
  out.raw(JSON.stringify(
    others.length === 1 ? others[0] : { exporter: summary.fields.exporter, runs: others },
  ));
  out.raw("}\n");
  out.flush();
  return stats;
}

/** A run's start (ms since the epoch), 0 when its timestamp is not a time. */
function startOf(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : 0;
}

/** The ids that place a run in a distributed trace, for an export's metadata. */
export function traceFields(run: RunTrace): Record<string, string> {
  const fields: Record<string, string> = { trace_id: run.traceId };
  if (run.context !== null) {
    fields.traceparent = run.context.traceparent;
    if (run.traceState !== null) fields.tracestate = run.traceState;
  }
  return fields;
}

/** One run's events, as process `pid`, its times moved by `shift` µs, its flows' ids by `flowBase`. */
function writeRun(
  out: JsonOut,
  run: RunTrace,
  { pid, shift, flowBase }: { pid: number; shift: number; flowBase: number },
  options: WalkOptions,
  firstEvent: boolean,
): ExportStats & { fields: Record<string, unknown> } {
  const summary = runSummary(run.file.meta);
  const p = `,"pid":${pid},"tid":`;
  out.raw(firstEvent ? "" : ",\n");
  out.raw(`{"ph":"M"${p}1,"name":"process_name","args":{"name":`).str(summary.title).raw("}}");
  const thread = (track: number) => {
    out.raw(`,\n{"ph":"M"${p}`).num(track + 1)
      .raw(',"name":"thread_name","args":{"name":').str(trackName(track, summary)).raw("}}");
    out.raw(`,\n{"ph":"M"${p}`).num(track + 1)
      .raw(',"name":"thread_sort_index","args":{"sort_index":').num(track).raw("}}");
  };
  thread(0);
  const result = walkCalls(run.file, options, {
    track: thread,
    open(call: ExportCall) {
      out.raw(",\n");
      const f = call.fn;
      out.raw('{"name":').str(f.name).raw(',"cat":').str(categoriesOf(call).join(","));
      out.raw(',"ph":"X","ts":').num(call.start + shift).raw(',"dur":').num(call.end - call.start);
      out.raw(p).num(call.track + 1).raw(',"args":{"call":').num(call.id);
      const place = placeOf(shownFile(f.file, summary), f.line);
      if (place !== "") out.raw(',"at":').str(place);
      if (call.argValues.length > 0) {
        out.raw(',"args":{');
        for (let k = 0; k < call.argValues.length; k++) {
          if (k > 0) out.raw(",");
          out.str(call.argNames[k]).raw(":").str(call.argValues[k]);
        }
        out.raw("}");
      }
      if (call.returned !== null) out.raw(',"return":').str(call.returned);
      if (call.threw !== null) out.raw(',"error":').str(call.threw);
      if (call.unfinished) out.raw(',"unfinished":true');
      if (call.dropped > 0) out.raw(',"calls_left_out":').num(call.dropped);
      if (call.hiddenBelow > 0) out.raw(',"calls_below":').num(call.hiddenBelow);
      if (call.startsContext && call.parent !== 0) out.raw(',"caller":').num(call.parent);
      out.raw("}}");
      // An arrow from the caller to where the call went (flow events bind to the slices that
      // enclose them: the caller's, and the call's own).
      if (call.startsContext && call.parent !== 0) {
        out.raw(',\n{"name":"async call","cat":"async","ph":"s","id":').num(flowBase + call.id)
          .raw(',"ts":').num(call.start + shift).raw(p).num(call.callerTrack + 1)
          .raw("}");
        out.raw(',\n{"name":"async call","cat":"async","ph":"f","bp":"e","id":').num(
          flowBase + call.id,
        )
          .raw(',"ts":').num(call.start + shift).raw(p).num(call.track + 1).raw("}");
      }
    },
  });
  return {
    calls: result.calls,
    tracks: result.tracks,
    fields: { ...summary.fields, ...traceFields(run) },
  };
}
