// `tph view --html`: a run as one self-contained web page. The viewer's code and styles
// (viewer/, built into viewer_bundle.ts by `deno task build-viewer`) are inlined; the run's calls
// are a JSON block the viewer reads, streamed from the run file in a compact form (a call is an
// array; functions are a table). Every `<` in that block is written as `\u003c`, so no recorded
// text can end the block or start a tag: the page holds the program's texts as data only.

import type { ByteSink } from "../../run_file/json_sink.ts";
import { functionFlags, RETURNED, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import {
  type CallRow,
  FRAME_RUN,
  type FrameRow,
  type PageChild,
  type PageFamily,
  type PageMeta,
} from "../../run_file/page_data.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { walkCalls, type WalkOptions, type WalkResult } from "../export/calls.ts";
import { startedIn, workerName } from "../export/family.ts";
import type { ChildRunJSON } from "../../types.ts";
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

/** Options of {@linkcode writeHtml}. */
export interface HtmlOptions extends WalkOptions {
  /** The most calls the page holds. */
  maxCalls?: number;
  filterNote?: string;
  /**
   * Opens the run of a process or worker the run started, by its id (null: gone). Given, each
   * child's calls are in the page under the call that started it.
   */
  openChild?: (id: string) => RunFile | null;
}

/** At most this many followed runs are in a page. */
const MAX_CHILDREN = 1000;

/** The page's rows, frames and family, written as runs are walked. */
class PageRows {
  shown = 0;
  /** Of the rows, the nodes that hold a child's calls (not calls). */
  nodes = 0;
  leftOut = 0;
  readonly frames: FrameRow[] = [];
  nextFrame = 0;
  readonly family: PageFamily = { parent: null, children: [] };
  readonly #seen = new Set<string>();
  readonly #data: JsonOut;
  readonly #maxCalls: number;
  readonly #options: HtmlOptions;
  readonly #rootStart: number;
  constructor(data: JsonOut, options: HtmlOptions, maxCalls: number, rootStart: number) {
    this.#data = data;
    this.#options = options;
    this.#maxCalls = maxCalls;
    this.#rootStart = rootStart;
  }

  /** A row, if the page has room: its index, else -1. */
  row(row: CallRow): number {
    if (this.shown >= this.#maxCalls) {
      this.leftOut++;
      return -1;
    }
    if (this.shown > 0) this.#data.raw(",\n");
    writeRow(this.#data, row);
    return this.shown++;
  }

  /**
   * A run's calls, `depth` levels down and `shift` µs later than in their run, their frames
   * from `frameBase`; the runs of the processes and workers it started (when they can be opened)
   * under the calls that started them.
   */
  run(file: RunFile, options: WalkOptions, depth: number, shift: number): WalkResult {
    const frameBase = this.nextFrame;
    this.nextFrame += file.functions.length;
    const params: string[][] = [];
    const listed = Array.isArray(file.meta.children) ? file.meta.children : [];
    const byCall = new Map<number, ChildRunJSON[]>();
    const loose: ChildRunJSON[] = [];
    for (const c of listed) {
      if (c === null || typeof c !== "object") continue;
      if (!Number.isSafeInteger(c.call) || c.call! < 0) loose.push(c);
      else byCall.set(c.call! + 1, [...(byCall.get(c.call! + 1) ?? []), c]);
    }
    // The functions they were started in, found before the walk (one scan of the run at a time).
    const startedBy = new Map<number, string | null>();
    for (const call of byCall.keys()) startedBy.set(call, startedIn(file, call - 1));
    // Calls that started children, open: theirs go after the calls below them.
    const waiting: { depth: number; row: number; children: ChildRunJSON[] }[] = [];
    const flush = (to: number) => {
      while (waiting.length > 0 && waiting[waiting.length - 1].depth >= to) {
        const w = waiting.pop()!;
        for (const c of w.children) {
          this.child(c, startedBy.get(c.call! + 1) ?? null, w.depth + depth + 1, w.row, shift);
        }
      }
    };
    const result = walkCalls(file, options, {
      open: (call) => {
        params[call.frame] ??= [...call.argNames.slice(0, call.argValues.length)];
        flush(call.depth);
        const state = call.unfinished ? UNFINISHED : call.threw !== null ? THREW : RETURNED;
        const row = this.row([
          frameBase + call.frame,
          depth + call.depth,
          call.start + shift,
          call.end - call.start,
          state,
          call.dropped + call.hiddenBelow,
          call.argValues,
          call.threw ?? call.returned,
          call.track,
          call.awaited,
        ]);
        const children = byCall.get(call.id);
        if (children !== undefined) {
          byCall.delete(call.id);
          waiting.push({ depth: call.depth, row, children });
        }
      },
    });
    flush(0);
    // Those whose call is not in the page: at the top.
    for (const c of [...byCall.values()].flat().concat(loose)) {
      this.child(c, startedBy.get(c.call! + 1) ?? null, depth, -1, shift);
    }
    result.frames.forEach((f, k) => {
      this.frames[frameBase + k] = [
        f.name,
        f.file,
        Math.max(0, f.line),
        functionFlags(f.async, f.external),
        params[k] ?? [],
      ];
    });
    return result;
  }

  /** A followed run, `by` the function it was started in, under the call (row `call`) that started it. */
  child(c: ChildRunJSON, by: string | null, depth: number, call: number, shift: number): void {
    const kind = c.kind === "worker" ? "worker" : "process";
    const item: PageChild = {
      kind,
      pid: Number.isSafeInteger(c.pid) ? c.pid : null,
      thread: Number.isSafeInteger(c.thread) ? c.thread! : null,
      run: typeof c.run === "string" ? c.run : null,
      call,
      started_by: by,
      row: -1,
      name: kind === "worker"
        ? workerName(Number.isSafeInteger(c.thread) ? c.thread! : null, undefined)
        : `process ${Number.isSafeInteger(c.pid) ? c.pid : "?"}`,
    };
    const family = this.family.children;
    family.push(item);
    const open = this.#options.openChild;
    if (item.run === null || open === undefined || this.#seen.has(item.run)) return;
    if (family.length > MAX_CHILDREN) return;
    this.#seen.add(item.run);
    const file = open(item.run);
    if (file === null) return;
    try {
      if (kind === "worker") {
        item.name = workerName(item.thread, file.meta.run?.command);
      }
      const startMs = Number.isFinite(c.start_ms) ? Math.max(0, c.start_ms) : 0;
      const at = shift + startMs * 1000;
      const own = Date.parse(file.meta.timestamp);
      // Its calls at their own time (its run started after it was started).
      const childShift = Number.isFinite(own) && Number.isFinite(this.#rootStart)
        ? Math.round((own - this.#rootStart) * 1000)
        : at;
      const start = Math.min(at, childShift);
      const duration = file.meta.run?.duration_ms;
      const end = Math.max(start, childShift + (Number.isFinite(duration) ? duration! : 0) * 1000);
      const who = kind === "worker"
        ? item.name
        : `process ${item.pid ?? "?"}: ${file.meta.run?.command.join(" ") ?? ""}`.trimEnd();
      const frame = this.nextFrame++;
      this.frames[frame] = [who, "", 0, FRAME_RUN, []];
      item.row = this.row([
        frame,
        depth,
        start,
        end - start,
        RETURNED,
        0,
        [],
        `run ${item.run}`,
        0,
        0,
      ]);
      if (item.row >= 0) this.nodes++;
      const { step: _, ...options } = this.#options;
      this.run(file, options, depth + 1, childShift);
    } finally {
      file.close();
    }
  }
}

/**
 * Write a run as one HTML page.
 *
 * @param file The run.
 * @param target Where the bytes go.
 * @param options Depth and name filters; `maxCalls` the most calls the page holds; `openChild`
 *   to hold the calls of the processes and workers it started.
 */
export function writeHtml(
  file: RunFile,
  target: ByteSink,
  options: HtmlOptions,
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
  const rows = new PageRows(data, options, maxCalls, Date.parse(meta.timestamp));
  const p = meta.parent;
  if (p !== undefined && p !== null && typeof p.run === "string") {
    rows.family.parent = {
      run: p.run,
      kind: p.kind === "worker" ? "worker" : "process",
      call: typeof p.call === "number" ? p.call : null,
    };
  }
  rows.run(file, options, 0, 0);
  const { shown, leftOut } = rows;
  data.raw('],"frames":[');
  for (let k = 0; k < rows.nextFrame; k++) {
    if (k > 0) data.raw(",\n");
    writeRow(data, rows.frames[k] ?? ["", "", 0, 0, []]);
  }
  data.raw('],"shown":').num(shown).raw(',"left_out":').num(leftOut).raw(',"max_calls":')
    .num(maxCalls);
  const family = rows.family;
  if (family.parent !== null || family.children.length > 0) {
    data.raw(',"family":').raw(JSON.stringify(family));
  }
  data.raw("}");
  data.flush();
  page.raw('</script>\n<div id="app"></div>\n<script>').raw(VIEWER_JS).raw("</script>\n")
    .raw("</body></html>\n");
  page.flush();
  return { calls: shown - rows.nodes, leftOut };
}
