// `tph export --format chrome`: the Trace Event Format (JSON), as Perfetto and chrome://tracing
// open it. Each call is a complete event ("X") on its track (calls.ts): the main track, or an async
// track named as such, so that slices on one track always nest. Nestable async events ("b"/"e")
// were not used: Perfetto draws each async id's slices on tracks of their own per name, far from
// the caller, and chrome://tracing and speedscope draw them differently again; a thread track per
// async context reads the same everywhere.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile } from "../../store/run_reader.ts";
import { type ExportCall, walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut, placeOf } from "./out.ts";
import { categoriesOf, type ExportStats, runSummary, shownFile, trackName } from "./summary.ts";

/**
 * Write a run as Trace Event Format JSON.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 */
export function writeChrome(file: RunFile, target: ByteSink, options: WalkOptions): ExportStats {
  const out = new JsonOut(target);
  const meta = file.meta;
  const summary = runSummary(meta);
  out.raw('{"traceEvents":[\n');
  out.raw('{"ph":"M","pid":1,"tid":1,"name":"process_name","args":{"name":').str(summary.title)
    .raw("}}");
  const thread = (track: number) => {
    out.raw(',\n{"ph":"M","pid":1,"tid":').num(track + 1)
      .raw(',"name":"thread_name","args":{"name":').str(trackName(track, summary)).raw("}}");
    out.raw(',\n{"ph":"M","pid":1,"tid":').num(track + 1)
      .raw(',"name":"thread_sort_index","args":{"sort_index":').num(track).raw("}}");
  };
  thread(0);
  const result = walkCalls(file, options, {
    track: thread,
    open(call: ExportCall) {
      out.raw(",\n");
      const f = call.fn;
      out.raw('{"name":').str(f.name).raw(',"cat":').str(categoriesOf(call).join(","));
      out.raw(',"ph":"X","ts":').num(call.start).raw(',"dur":').num(call.end - call.start);
      out.raw(',"pid":1,"tid":').num(call.track + 1).raw(',"args":{"call":').num(call.id);
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
        out.raw(',\n{"name":"async call","cat":"async","ph":"s","id":').num(call.id)
          .raw(',"ts":').num(call.start).raw(',"pid":1,"tid":').num(call.callerTrack + 1)
          .raw("}");
        out.raw(',\n{"name":"async call","cat":"async","ph":"f","bp":"e","id":').num(call.id)
          .raw(',"ts":').num(call.start).raw(',"pid":1,"tid":').num(call.track + 1).raw("}");
      }
    },
  });
  out.raw('\n],\n"displayTimeUnit":"ns",\n"otherData":');
  out.raw(JSON.stringify({ ...summary.fields, calls_exported: result.calls }));
  out.raw("}\n");
  out.flush();
  return { calls: result.calls, tracks: result.tracks };
}
