// The detail budget. Recording that a call happened, where in the tree and when is cheap;
// describing its objects is what costs (two thirds of a traced library's run). So the first
// calls of each function (`details`, 20 by default) have their objects described in full when
// they start, as always; a later call keeps its objects themselves until it ends, and then:
// - it returned: each becomes a summary that reads no property (`Token {…}`, `Array(3)`);
// - it threw, or a value looked for (`--find`) was found in it: each is described in full then.
// A call still running when its trace is written is summarised (settleOpen).

import {
  HINT_CLASS,
  HINT_NONE,
  HINT_NULL,
  hintedProto,
  keptCut,
  nullProtoKey,
  regexFlags,
  REGEXP_PROTO,
  regexSource,
  reprBrief,
  reprKept,
  SOURCE_KEPT,
  summaryHint,
  summaryKey,
} from "./repr.ts";
import {
  argList,
  MARKED_ARGS,
  PENDING,
  PENDING_ARG,
  PENDING_ARGS,
  setValueAt,
  type Tape,
  valueAt,
} from "./tape.ts";
import type { RegexBrief, TraceState } from "./trace_state.ts";
import { min, SafeMap } from "../../platform/intrinsics.ts";
import { ftlCandidates } from "./ftl.ts";

/** Plain arrays shorter than this have their summary (`Array(n)`) made once a trace. */
const ARRAY_SUMMARIES = 4096;

/** The row's marks while its arguments are settled. */
let marks = 0;

/**
 * Describe the objects that a call past the detail budget kept in its arguments: as summaries,
 * or in full when `full` (the call threw; a value looked for was found in it).
 *
 * @param tp The tape.
 * @param row A row whose marks hold PENDING.
 * @param full Whether to describe the objects in full.
 */
export function settleArgs(tp: Tape<TraceState>, row: number, full: boolean): void {
  const t = tp.traces[tp.slot[row]];
  const m = tp.marks[row];
  const at = tp.argsAt[row];
  if (at < 0) {
    // A list of arguments (argList): every place below MARKED_ARGS may hold an object.
    tp.argsAt[row] = 0;
    marks = m & ~PENDING;
    const values = argList(tp, row);
    const n = min(values.length, MARKED_ARGS);
    for (let i = 0; i < n; i++) values[i] = settled(tp, t, values[i], i, full);
  } else {
    // Arguments in columns (tape.ts, argAt): only those PENDING_ARG marks hold an object.
    marks = m & ~(PENDING | PENDING_ARGS);
    if ((m & PENDING_ARG) !== 0) {
      const v = valueAt(tp, tp.a0, row), now = settled(tp, t, v, 0, full);
      if (now !== v) setValueAt(tp, tp.a0, row, now);
    }
    if ((m & (PENDING_ARG << 1)) !== 0) settleRest(tp, t, at - 1, 1, full);
    if ((m & (PENDING_ARG << 2)) !== 0) settleRest(tp, t, at, 2, full);
  }
  tp.marks[row] = marks;
  tp.pending--;
}

/** The value at `at` in `rest`, argument `i` of its call, settled. */
function settleRest(
  tp: Tape<TraceState>,
  t: TraceState,
  at: number,
  i: number,
  full: boolean,
): void {
  const v = valueAt(tp, tp.rest, at), now = settled(tp, t, v, i, full);
  if (now !== v) setValueAt(tp, tp.rest, at, now);
}

/** Argument `i` as stored: an object kept until now becomes the index of its text. */
function settled(
  tp: Tape<TraceState>,
  t: TraceState,
  v: unknown,
  i: number,
  full: boolean,
): unknown {
  // Texts stored already are indexes (numbers); objects at these places are the values.
  if (typeof v !== "object" || v === null || ((marks >>> i) & 1) === 1) return v;
  marks |= 1 << i;
  if (full) {
    const text = reprKept(v, t.maxRepr, t.redaction);
    return tp.texts.add(text, keptCut);
  }
  t.summarised++;
  return briefIndex(tp, t, v);
}

/**
 * The index in the tape's texts of the summary of `v` past the detail budget (reprBrief). A
 * summary that is the object's class alone (or a plain array's length) is made once a trace: its
 * text's index stands for every object of that class after.
 */
export function briefIndex(tp: Tape<TraceState>, t: TraceState, v: object): number {
  // The commonest cases first (marked: 358,000 summaries, 188,000 of them plain arrays): an
  // object of a class summarised before, often the one summarised last, or a plain array of a
  // length summarised before. A prototype is in classSummaries only as summaryKey's key for it.
  const hint = summaryHint(v, v === t.briefObject);
  // An object summarised from a hint is not a proxy: the next summary of it need not ask
  // (marked: a third of its summaries are of the object summarised just before).
  if (hint !== HINT_NONE) t.briefObject = v;
  if (hint === HINT_CLASS || hint === HINT_NULL) {
    // An object without a prototype: its key says whether it is a module namespace.
    const proto = hint === HINT_CLASS ? hintedProto() : nullProtoKey(v);
    if (proto === t.briefProto) return t.briefText;
    if (proto === REGEXP_PROTO) {
      const k = regexBrief(tp, t, v);
      if (k >= 0) return k;
    }
    const known = t.classSummaries.get(proto);
    if (known !== undefined) {
      t.briefProto = proto;
      t.briefText = known;
      return known;
    }
  } else if (hint >= 0 && hint < t.arrayBriefs.length && t.arrayBriefs[hint] !== 0) {
    return t.arrayBriefs[hint] - 1;
  }
  const key = summaryKey(v);
  if (key === null || (typeof key === "number" && key >= ARRAY_SUMMARIES)) {
    return tp.texts.add(reprBrief(v, t.maxRepr, t.redaction), keptCut);
  }
  if (typeof key === "number") {
    if (key < t.arrayBriefs.length && t.arrayBriefs[key] !== 0) return t.arrayBriefs[key] - 1;
  } else {
    const known = t.classSummaries.get(key);
    if (known !== undefined) return known;
  }
  const k = tp.texts.add(reprBrief(v, t.maxRepr, t.redaction), keptCut);
  if (typeof key === "number") t.arrayBrief(key, k);
  else t.classSummaries.set(key, k);
  return k;
}

/** Sources whose summaries a trace keeps by index (then all forgotten), as repr.ts's regexText. */
const REGEX_BRIEFS = 256;

/**
 * The index of the summary of `v`, whose prototype is RegExp.prototype, or -1 when `v` is no
 * RegExp. Its text (repr.ts, regexText) depends on its source and flags alone within a trace
 * (whose room and redaction are fixed), so the index of the text made for a source is kept with
 * its flags: marked summarises 40,000 RegExps past the detail budget, each through reprBrief's
 * render and the texts' hash before (~180 ns on Node, 360 on Bun), the nine getters' reads alone
 * now. The source and flags are read through the intrinsic getters every time (`compile()` changes
 * both), never through the object's properties.
 */
function regexBrief(tp: Tape<TraceState>, t: TraceState, v: object): number {
  const flags = regexFlags(v);
  if (flags < 0) return -1;
  const source = regexSource(v);
  let briefs = t.regexBriefs;
  if (briefs === null) briefs = t.regexBriefs = new SafeMap<string, RegexBrief>();
  const known = briefs.get(source);
  if (known !== undefined && known.flags === flags) return known.index;
  const index = tp.texts.add(reprBrief(v, t.maxRepr, t.redaction), keptCut);
  if (known !== undefined) {
    known.flags = flags;
    known.index = index;
  } else if (source.length <= SOURCE_KEPT) {
    if (briefs.size >= REGEX_BRIEFS) briefs.clear();
    briefs.set(source, { flags, index });
  }
  return index;
}

/**
 * Summarise the objects still kept by calls of `t` that had not ended (the trace is being
 * written): its rows from `firstRow` to `last`.
 */
export function settleOpen(t: TraceState, last: number): void {
  const tp = t.tape;
  // None left (every call that kept one has ended: most runs' end): no loop over the rows.
  if (tp.pending === 0) return;
  const slot = tp.slot, rowMarks = tp.marks, s = t.slot;
  for (let row = t.firstRow; row < last; row++) {
    if ((rowMarks[row] & PENDING) !== 0 && slot[row] === s) settleArgs(tp, row, false);
  }
}

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([settleArgs, settleRest, settled, briefIndex, regexBrief, settleOpen]);
