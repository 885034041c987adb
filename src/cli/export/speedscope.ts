// `tph export --format speedscope`: speedscope's file format, one evented profile per track
// (calls.ts), so that what ran at once is never drawn as nested. A frame is a function, named
// with its file and line.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut, placeOf } from "./out.ts";
import { type ExportStats, runSummary, shownFile, trackName } from "./summary.ts";
import { TrackSpill } from "./spill.ts";

/** The schema speedscope publishes for its files. */
export const SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json";

/**
 * Write a run in speedscope's format.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 * @param spillPath A temporary file for the tracks' events while the run is read.
 */
export function writeSpeedscope(
  file: RunFile,
  target: ByteSink,
  options: WalkOptions,
  spillPath: string,
): ExportStats {
  const summary = runSummary(file.meta);
  const spill = new TrackSpill(spillPath);
  try {
    // The profiles start with the first call (not with the process).
    let first = Infinity;
    const result = walkCalls(file, options, {
      open(call) {
        if (call.start < first) first = call.start;
        spill.ascii(call.track, `{"type":"O","frame":${call.frame},"at":${call.start}},`);
      },
      close(track, _id, frame, end) {
        spill.ascii(track, `{"type":"C","frame":${frame},"at":${end}},`);
      },
    });
    const out = new JsonOut(target);
    out.raw('{"$schema":').str(SPEEDSCOPE_SCHEMA).raw(',"exporter":')
      .str(`${summary.fields.exporter}`).raw(',"name":').str(summary.title)
      .raw(',"activeProfileIndex":0,"profiles":[');
    for (let t = 0; t < result.tracks; t++) {
      if (t > 0) out.raw(",");
      out.raw('\n{"type":"evented","name":').str(trackName(t, summary))
        .raw(',"unit":"microseconds","startValue":').num(first === Infinity ? 0 : first)
        .raw(',"endValue":').num(result.end)
        .raw(',"events":[');
      // Each event ends with a comma: the last one's is written over by the closing bracket.
      let last: Uint8Array | null = null;
      spill.drain(t, (b) => {
        if (last !== null) out.bytes(last);
        last = b;
      });
      if (last !== null) {
        out.bytes((last as Uint8Array).subarray(0, (last as Uint8Array).length - 1));
      }
      out.raw("]}");
    }
    out.raw('\n],"shared":{"frames":[');
    result.frames.forEach((f, k) => {
      if (k > 0) out.raw(",");
      const place = placeOf(shownFile(f.file, summary), f.line);
      out.raw('\n{"name":').str(place === "" ? f.name : `${f.name} (${place})`);
      if (f.file !== "") out.raw(',"file":').str(f.file);
      if (f.line > 0) out.raw(',"line":').num(f.line);
      out.raw("}");
    });
    out.raw("\n]}}\n");
    out.flush();
    return { calls: result.calls, tracks: result.tracks };
  } finally {
    spill.close();
  }
}
