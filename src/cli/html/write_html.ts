// `tph view --html`: a run as one self-contained web page. The viewer's code and styles
// (viewer/, built into viewer_bundle.ts by `deno task build-viewer`) are inlined; the run's calls
// are a JSON block the viewer reads, streamed from the run file in a compact form (a call is an
// array; functions are a table). Every `<` in that block is written as `\u003c`, so no recorded
// text can end the block or start a tag: the page holds the program's texts as data only.

import type { ByteSink } from "../../run_file/json_sink.ts";
import { functionFlags, RETURNED, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import type { CallRow, FrameRow, PageMeta } from "../../run_file/page_data.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { walkCalls, type WalkOptions } from "../export/calls.ts";
import { JsonOut } from "../export/out.ts";
import { runSummary } from "../export/summary.ts";
import { summarisedNote } from "../../render/summary.ts";
import { VIEWER_CSS, VIEWER_JS } from "./viewer_bundle.ts";

/** Calls a page holds at most: past it, the first ones and a note saying what was left out. */
export const HTML_MAX_CALLS = 200_000;

/** What a page holds. */
export interface HtmlStats {
  calls: number;
  /** Calls of the run (with the options) not in the page: past HTML_MAX_CALLS. */
  leftOut: number;
}

const LT = 0x3c;
const ESCAPED_LT = new TextEncoder().encode("\\u003c");

/** A ByteSink that writes every `<` as `\u003c` (valid inside JSON strings, where all are). */
function scriptSafe(target: ByteSink): ByteSink {
  const out = new Uint8Array(1 << 16);
  return {
    write(bytes, length) {
      let n = 0;
      for (let i = 0; i < length; i++) {
        if (n + 6 > out.length) {
          target.write(out, n);
          n = 0;
        }
        const b = bytes[i];
        if (b === LT) {
          out.set(ESCAPED_LT, n);
          n += 6;
        } else out[n++] = b;
      }
      if (n > 0) target.write(out, n);
    },
  };
}

/** Write a row of the page's data (a CallRow or a FrameRow, page_data.ts) as a JSON array. */
function writeRow(out: JsonOut, row: CallRow | FrameRow): void {
  out.raw("[");
  for (let k = 0; k < row.length; k++) {
    if (k > 0) out.raw(",");
    const v = row[k];
    if (v === null) out.raw("null");
    else if (typeof v === "number") out.num(v);
    else if (typeof v === "string") out.str(v);
    else {
      out.raw("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out.raw(",");
        out.str(v[i]);
      }
      out.raw("]");
    }
  }
  out.raw("]");
}

/**
 * Write a run as one HTML page.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters; `maxCalls` the most calls the page holds.
 */
export function writeHtml(
  file: RunFile,
  target: ByteSink,
  options: WalkOptions & { maxCalls?: number; filterNote?: string },
): HtmlStats {
  const maxCalls = options.maxCalls ?? HTML_MAX_CALLS;
  const meta = file.meta;
  const summary = runSummary(meta);
  const page = new JsonOut(target);
  const title = summary.title.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  page.raw('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n')
    .raw('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    // Nothing but what the page holds: no request leaves it.
    .raw(
      '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; ' +
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n",
    )
    .raw("<title>").raw(title).raw("</title>\n<style>").raw(VIEWER_CSS).raw("</style>\n")
    .raw('</head><body>\n<script type="application/json" id="tph-data">');
  page.flush();
  const data = new JsonOut(scriptSafe(target));
  const pageMeta: PageMeta = {
    title: summary.title,
    label: meta.label,
    command: summary.command,
    cwd: summary.cwd,
    runtime: meta.run ? `${meta.run.runtime} ${meta.run.runtime_version}` : null,
    timestamp: meta.timestamp,
    duration_ms: meta.run?.duration_ms ?? null,
    ended: meta.run?.ended ?? null,
    exit_code: meta.run?.exit_code ?? null,
    error: meta.run?.error ?? null,
    call_count: meta.call_count,
    dropped_calls: meta.dropped_calls,
    limit_reason: meta.limit_reason,
    summarised: summarisedNote(meta),
    filter: options.filter ?? null,
    max_depth: options.maxDepth ?? null,
  };
  data.raw('{"v":1,"meta":').raw(JSON.stringify(pageMeta));
  data.raw(',"calls":[');
  let shown = 0, leftOut = 0;
  // Each function's parameter names, from its first call (positions for external calls).
  const params: string[][] = [];
  const result = walkCalls(file, options, {
    open(call) {
      params[call.frame] ??= [...call.argNames.slice(0, call.argValues.length)];
      if (shown >= maxCalls) {
        leftOut++;
        return;
      }
      if (shown > 0) data.raw(",\n");
      shown++;
      const state = call.unfinished ? UNFINISHED : call.threw !== null ? THREW : RETURNED;
      writeRow(data, [
        call.frame,
        call.depth,
        call.start,
        call.end - call.start,
        state,
        call.dropped + call.hiddenBelow,
        call.argValues,
        call.threw ?? call.returned,
        call.track,
        call.awaited,
      ]);
    },
  });
  data.raw('],"frames":[');
  result.frames.forEach((f, k) => {
    if (k > 0) data.raw(",\n");
    writeRow(data, [
      f.name,
      f.file,
      Math.max(0, f.line),
      functionFlags(f.async, f.external),
      params[k] ?? [],
    ]);
  });
  data.raw('],"shown":').num(shown).raw(',"left_out":').num(leftOut).raw(',"max_calls":')
    .num(maxCalls).raw("}");
  data.flush();
  page.raw('</script>\n<div id="app"></div>\n<script>').raw(VIEWER_JS).raw("</script>\n")
    .raw("</body></html>\n");
  page.flush();
  return { calls: shown, leftOut };
}
