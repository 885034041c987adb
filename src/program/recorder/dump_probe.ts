/**
 * Issue 49, session 27 (bench only, TPH_DUMP_PROBE=<file> in the program's environment): after the
 * run is written, times in the same process what a dump's value part would cost, on the tape's
 * real values: (intern) strings interned through a Map as the p49-dump prototype did, against
 * (join) no per-string work but a push — each value chunk's strings written as ONE joined string,
 * their lengths in an Int32Array beside it, encoded once (UTF-8 here; chunks holding a surrogate
 * counted, which would need UTF-16 or an exact path: notes §6).
 * Numbers go to a Float64Array, every other value a type byte, in both. Nothing here is read
 * back: it decides the design (docs/notes/perf49_dump.md, §6).
 */
import { Float64Array, Int32Array, Map, TextEncoder, Uint8Array } from "../../platform/globals.ts";
import { arrayJoin as joinArray, performanceNow, regexTest } from "../../platform/intrinsics.ts";
import type { TraceState } from "./trace_state.ts";
import process from "../../platform/node_process.ts";
import { appendText } from "../../platform/files.ts";
import { plainJSON } from "../../platform/intrinsics.ts";
import { VALUE_BITS } from "./tape.ts";

const UTF8 = new TextEncoder();
const SURROGATE = /[\ud800-\udfff]/;
const T_UNDEF = 0, T_STR = 1, T_NUM = 2, T_OTHER = 3;

interface Part {
  tags: Uint8Array;
  nums: Float64Array;
  ids: Int32Array;
  strs: string[];
  lens: Int32Array;
  n: number;
  ns: number;
}

function part(n: number): Part {
  return {
    tags: new Uint8Array(n),
    nums: new Float64Array(n),
    ids: new Int32Array(n),
    strs: [],
    lens: new Int32Array(n),
    n: 0,
    ns: 0,
  };
}

/** One pass over a column's chunks (`used` values), strings kept by `put`. */
function pass(
  chunks: unknown[][],
  used: number,
  intern: Map<string, number> | null,
  enc: "scan" | "join" | "intern",
  times: Float64Array,
): { bytes: number; chars: number; strings: number } {
  let bytes = 0, chars = 0, strings = 0, surrogates = 0;
  let t0 = performanceNow();
  const rows = 1 << VALUE_BITS;
  for (let c = 0; c < chunks.length && c * rows < used; c++) {
    const col = chunks[c], n = used - c * rows < rows ? used - c * rows : rows;
    const p = part(n);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (typeof v === "string") {
        p.tags[i] = T_STR;
        if (enc === "scan") {
          // the values touched, strings left alone: the pass's floor
        } else if (intern !== null) {
          let id = intern.get(v);
          if (id === undefined) intern.set(v, id = intern.size);
          p.ids[i] = id;
        } else {
          p.lens[p.ns] = v.length;
          p.strs[p.ns++] = v;
        }
        strings++;
      } else if (typeof v === "number") {
        p.tags[i] = T_NUM;
        p.nums[i] = v;
      } else p.tags[i] = v === undefined ? T_UNDEF : T_OTHER;
    }
    bytes += n * 13;
    if (intern === null && p.ns > 0 && enc !== "scan") {
      const t1 = performanceNow();
      times[0] += t1 - t0;
      const joined = joinArray(p.strs, "");
      chars += joined.length;
      const t2 = performanceNow();
      times[1] += t2 - t1;
      // UTF-8 unless the chunk holds a surrogate (a lone one would not survive UTF-8): such a
      // chunk would be UTF-16 (node:buffer's "utf16le", measured in the notes: not imported here,
      // it would load in every program); counted.
      if (regexTest(SURROGATE, joined)) surrogates++;
      bytes += UTF8.encode(joined).length + p.ns * 4;
      t0 = performanceNow();
      times[2] += t0 - t2;
    }
  }
  times[3] += surrogates;
  return { bytes, chars, strings };
}

/** Times both ways on the tape's columns; returns a JSON-able record. */
export function probeDump(t: TraceState): Record<string, number> {
  const tp = t.tape, rows = tp.rows;
  const out: Record<string, number> = { rows };
  const modes: ("scan" | "join" | "intern")[] = [
    "scan",
    "join",
    "intern",
    "scan",
    "join",
    "intern",
  ];
  for (let k = 0; k < modes.length; k++) {
    const mode = modes[k] + (k < 3 ? "" : "2");
    const t0 = performanceNow(), times = new Float64Array(4);
    const m = mode.startsWith("intern") ? new Map<string, number>() : null;
    const a = pass(tp.a0, rows, m, modes[k], times),
      b = pass(tp.rest, tp.restLen, m, modes[k], times);
    const r = pass(tp.result, rows, m, modes[k], times);
    out[mode + "_ms"] = performanceNow() - t0;
    if (m === null) {
      out[mode + "_join_ms"] = times[1];
      out[mode + "_enc_ms"] = times[2];
      out[mode + "_surrogate_chunks"] = times[3];
    }
    out[mode + "_strings"] = a.strings + b.strings + r.strings;
    out[mode + "_bytes"] = a.bytes + b.bytes + r.bytes;
    if (m === null) out[mode + "_chars"] = a.chars + b.chars + r.chars;
    else out[mode + "_distinct"] = m.size;
  }
  return out;
}

/**
 * Runs `write` (the run's writer); with TPH_DUMP_PROBE=<file> in the environment, appends a line
 * of JSON to the file: the write's ms and probeDump's, taken after the write, or before it with
 * TPH_DUMP_PROBE_FIRST=1 (the strings not yet hashed by the writer's Map).
 */
export function withDumpProbe(t: TraceState, write: () => void): void {
  const probe = process.env.TPH_DUMP_PROBE;
  if (!probe) return write();
  const early = process.env.TPH_DUMP_PROBE_FIRST === "1" ? probeDump(t) : null;
  const w0 = performanceNow();
  write();
  const record = { write_ms: performanceNow() - w0, ...(early ?? probeDump(t)) };
  appendText(probe, plainJSON(record) + "\n");
}
