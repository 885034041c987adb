// `tph export --format speedscope`: speedscope's file format, one evented profile per track
// (calls.ts), so that what ran at once is never drawn as nested, of each run (a program's and the
// processes and workers it started). A frame is a function, named with its file and line.

import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { type Frame, inTurn, walkCalls, type WalkOptions } from "./calls.ts";
import { JsonOut, placeOf } from "./out.ts";
import { type ExportStats, type RunSummary, runSummary, shownFile } from "./summary.ts";
import { placeRuns } from "./family.ts";
import { TrackSpill } from "./spill.ts";

/** The schema speedscope publishes for its files. */
export const SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json";

/**
 * Write runs in speedscope's format: a profile per track of each run, on one clock (µs from the
 * earliest run's start); a followed process's or worker's profiles named as the other exports
 * name its tracks (`worker 2 (started by runJob)`, family.ts).
 *
 * @param files The runs (the first names the file).
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 * @param spillPath A temporary file for the tracks' events while the runs are read.
 */
export function writeSpeedscope(
  files: readonly RunFile[],
  target: ByteSink,
  options: WalkOptions,
  spillPath: string,
): ExportStats {
  const summary = runSummary(files[0].meta);
  const places = placeRuns(files);
  const starts = files.map((f) => {
    const ms = Date.parse(f.meta.timestamp);
    return Number.isFinite(ms) ? ms : 0;
  });
  const clock = Math.min(...starts);
  const walks = inTurn(files.map((f) => f.meta.call_count), options);
  const spill = new TrackSpill(spillPath);
  try {
    // The profiles start with the first call (not with the process).
    let first = Infinity, end = 0, calls = 0;
    const profiles: string[] = [];
    const frames: { frame: Frame; summary: RunSummary }[] = [];
    files.forEach((file, k) => {
      const base = profiles.length, frameBase = frames.length;
      const shift = (starts[k] - clock) * 1000;
      const result = walkCalls(file, walks[k], {
        open(call) {
          const at = call.start + shift;
          if (at < first) first = at;
          spill.ascii(
            base + call.track,
            `{"type":"O","frame":${frameBase + call.frame},"at":${at}},`,
          );
        },
        close(track, _id, frame, at) {
          spill.ascii(
            base + track,
            `{"type":"C","frame":${frameBase + frame},"at":${at + shift}},`,
          );
        },
      });
      calls += result.calls;
      if (result.end + shift > end) end = result.end + shift;
      const own = runSummary(file.meta);
      for (let t = 0; t < result.tracks; t++) {
        const name = places[k].trackName(t);
        // Another run's async tracks say whose they are.
        profiles.push(
          k > 0 && t > 0 && !name.startsWith("worker ") ? `${own.name}: ${name}` : name,
        );
      }
      for (const frame of result.frames) frames.push({ frame, summary: own });
    });
    const out = new JsonOut(target);
    out.raw('{"$schema":').str(SPEEDSCOPE_SCHEMA).raw(',"exporter":')
      .str(`${summary.fields.exporter}`).raw(',"name":').str(summary.title)
      .raw(',"activeProfileIndex":0,"profiles":[');
    profiles.forEach((name, t) => {
      if (t > 0) out.raw(",");
      out.raw('\n{"type":"evented","name":').str(name)
        .raw(',"unit":"microseconds","startValue":').num(first === Infinity ? 0 : first)
        .raw(',"endValue":').num(end)
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
    });
    out.raw('\n],"shared":{"frames":[');
    frames.forEach(({ frame: f, summary: own }, k) => {
      if (k > 0) out.raw(",");
      const place = placeOf(shownFile(f.file, own), f.line);
      out.raw('\n{"name":').str(place === "" ? f.name : `${f.name} (${place})`);
      if (f.file !== "") out.raw(',"file":').str(f.file);
      if (f.line > 0) out.raw(',"line":').num(f.line);
      out.raw("}");
    });
    out.raw("\n]}}\n");
    out.flush();
    return { calls, tracks: profiles.length };
  } finally {
    spill.close();
  }
}
