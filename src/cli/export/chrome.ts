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
import { categoriesOf, type ExportStats, runSummary, shownFile } from "./summary.ts";
import type { RunPlace } from "./family.ts";

/**
 * Write runs as Trace Event Format JSON: each run a process of its own (pid 1, 2, … in the order
 * given), a followed worker's threads of its parent's process (family.ts), on one clock (µs from
 * the earliest run's start).
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
  const arrows = new Set<number>();
  runs.forEach((run, k) => {
    const at = { place: run.place, shift: (starts[k] - first) * 1000, flowBase, arrows };
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

/**
 * One run's events, where `place` draws it, its times moved by `shift` µs, its flows' ids by
 * `flowBase`; `arrows` holds the arrows to children that left their calls.
 */
function writeRun(
  out: JsonOut,
  run: RunTrace,
  { place, shift, flowBase, arrows }: {
    place: RunPlace;
    shift: number;
    flowBase: number;
    arrows: Set<number>;
  },
  options: WalkOptions,
  firstEvent: boolean,
): ExportStats & { fields: Record<string, unknown> } {
  const summary = runSummary(run.file.meta);
  const p = `,"pid":${place.pid},"tid":`;
  const tid = (track: number) => place.tidBase + track + 1;
  out.raw(firstEvent ? "" : ",\n");
  if (!place.thread) {
    out.raw(`{"ph":"M"${p}1,"name":"process_name","args":{"name":`).str(place.processName)
      .raw("}},\n");
  }
  const thread = (track: number, first = false) => {
    out.raw(first ? "" : ",\n").raw(`{"ph":"M"${p}`).num(tid(track))
      .raw(',"name":"thread_name","args":{"name":').str(place.trackName(track)).raw("}}");
    out.raw(`,\n{"ph":"M"${p}`).num(tid(track))
      .raw(',"name":"thread_sort_index","args":{"sort_index":').num(tid(track) - 1).raw("}}");
  };
  thread(0, true);
  // The arrow from the call that started this run, if it was drawn.
  let arrowIn = place.startedBy !== null && arrows.has(place.startedBy.arrow)
    ? place.startedBy.arrow
    : 0;
  const result = walkCalls(run.file, options, {
    track: thread,
    open(call: ExportCall) {
      out.raw(",\n");
      const f = call.fn;
      out.raw('{"name":').str(f.name).raw(',"cat":').str(categoriesOf(call).join(","));
      out.raw(',"ph":"X","ts":').num(call.start + shift).raw(',"dur":').num(call.end - call.start);
      out.raw(p).num(tid(call.track)).raw(',"args":{"call":').num(call.id);
      const where = placeOf(shownFile(f.file, summary), f.line);
      if (where !== "") out.raw(',"at":').str(where);
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
          .raw(',"ts":').num(call.start + shift).raw(p).num(tid(call.callerTrack))
          .raw("}");
        out.raw(',\n{"name":"async call","cat":"async","ph":"f","bp":"e","id":').num(
          flowBase + call.id,
        )
          .raw(',"ts":').num(call.start + shift).raw(p).num(tid(call.track)).raw("}");
      }
      // Arrows to the processes and workers this call started, from when each started.
      for (const child of place.starts.get(call.id) ?? []) {
        arrows.add(child.arrow);
        const at = Math.min(Math.max(child.at, call.start), call.end);
        out.raw(',\n{"name":"started","cat":"child","ph":"s","id":').num(child.arrow)
          .raw(',"ts":').num(at + shift).raw(p).num(tid(call.track)).raw("}");
      }
      // The arrow from the call that started this run, to its first call.
      if (arrowIn !== 0 && call.depth === 0) {
        out.raw(',\n{"name":"started","cat":"child","ph":"f","bp":"e","id":').num(arrowIn)
          .raw(',"ts":').num(call.start + shift).raw(p).num(tid(call.track)).raw("}");
        arrowIn = 0;
      }
    },
  });
  return {
    calls: result.calls,
    tracks: result.tracks,
    fields: { ...summary.fields, ...traceFields(run) },
  };
}
