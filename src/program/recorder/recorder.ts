// The recorder that instrumented code calls (installed as `globalThis.__tph`).
//
// Parent tracking without AsyncLocalStorage on the hot path: `cur` is the call that owns the
// stack right now. Every recorded call sets it on entry and gives it back on exit. Async functions
// and generators give it back before each `await`/`yield` (`s`) and take it again on resume (`w`),
// so at every microtask boundary `cur` is -1 and a continuation's calls land under the right
// call. A call made while `cur` is -1 is a root: its trace comes from AsyncLocalStorage when a
// library `trace()` is active, else from the process-wide trace of `tph run`.
//
// Calls live in the columns of a Tape (tape.ts); instrumented code holds a call's handle, or -1
// when the call is not recorded.

import { type SetupHarness, setupHarness } from "./setup_harness.ts";
import {
  FLAG_ASYNC,
  FLAG_GENERATOR,
  type LibraryABI,
  type ModuleMeta,
  type RecorderABI,
  RUNTIME_GLOBAL,
} from "../../abi.ts";
import { externalKey, type FunctionRecord, functionRecord, registerModule } from "./functions.ts";
import process from "../../platform/node_process.ts";
import { idleFastClock, now, startFastClock, stopFastClock, takeOutSince } from "./clock.ts";
import { notExternal } from "./external.ts";
import { stackHandOff } from "./iterators.ts";
import { follow, followable } from "./promises.ts";
import {
  clipString,
  FN_CLASS,
  FN_NAMED,
  formatError,
  functionKind,
  keptCut,
  reprBrief,
  reprKept,
} from "./repr.ts";
import { briefIndex, settleArgs } from "./details.ts";
import { LOOKED_AT, REDACTED, Redaction, SECRET_ARGS, SECRET_RETURN } from "./redact.ts";
import {
  apply,
  arrayJoin,
  max,
  min,
  ownArray,
  protoOf,
  regexExec,
  SafeMap,
  strSlice,
  uncurry,
} from "../../platform/intrinsics.ts";
import {
  AWAITS,
  BRIEF,
  codeOf,
  FIRST_ROWS,
  HIDDEN,
  MARKED_ARGS,
  MAX_HANDLE,
  MAX_ROWS,
  OPEN,
  OTHERS,
  PENDING,
  PENDING_ARG,
  PENDING_ARGS,
  prevOf,
  RET_TEXT,
  setDepth,
  setValueAt,
  suspendedDepth,
  Tape,
  VALUE_BITS,
  VALUE_MASK,
} from "./tape.ts";
import { RETURNED, THREW } from "../../run_file/call_state.ts";
import { onSettle, TraceState } from "./trace_state.ts";
import type { TraceLimits } from "../../run_file/limits.ts";
import { EVERY, type Finder, type FindWhere } from "./find.ts";
import {
  Array,
  Float64Array,
  Int32Array,
  Map,
  Object,
  Symbol,
  Uint8Array,
} from "../../platform/globals.ts";
import { ftlCandidates, keepRecorderFromFtl } from "./ftl.ts";

/**
 * The repr of an object argument at a position past MARKED_ARGS (an external call given many
 * arguments); other object values are kept as an index into `Tape.texts`.
 */
export class Snapshot {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

let tape = new Tape<TraceState>(0);
/**
 * The handle of the current tape's row 0: handles below it are stale (see tape.ts), but those of
 * the tapes left behind (`older`).
 */
let base = 0;
let cur = -1;
/**
 * The depth of the call `depthOwner` (a handle; -2: none), kept as calls begin and end instead of
 * a column written per row (4 bytes a row): a call's depth is its parent's plus one, and the
 * parent is nearly always the call that owned the stack just before (depthOf walks the parents
 * otherwise).
 */
let depthOwner = -2;
let depthNow = 0;
let processTrace: TraceState | null = null;
/** The last value a rewritten function caught and threw on (see rethrownLast). */
let lastRethrown: unknown = undefined;

/**
 * Whether the last value thrown on by a rewritten function's catch is `e`: then, if nothing
 * caught it since, the runtime last saw it thrown from tph's rewritten code (node_uncaught.ts).
 *
 * @param e A thrown value.
 */
export function rethrownLast(e: unknown): boolean {
  return lastRethrown === e && e !== undefined;
}
// deno-lint-ignore no-explicit-any
let storage: any = null;
/** `storage.getStore()`, through the method as it was when the storage was registered. */
// deno-lint-ignore no-explicit-any
let getStore: (als: any) => TraceState | undefined = () => undefined;

let activeCount = 0;
let tracesStarted = 0;
/** An open call under which every call is left out (its trace is full; -2: none), its trace. */
let fullOwner = -2;
let fullTrace: TraceState | null = null;

/**
 * The quick count past a limit: while `cur === quickOwner` (-2: off) — the full trace's open call,
 * once a call under it was counted by leftOut with nothing else to consult, or a recorded call at
 * its trace's max_depth, once a call under it was left out for the depth (record) — e0–en count a
 * call of a function that runs through (not async, not a generator) in `quickCount` and return,
 * one compare and a byte read. The count is added into `quickTrace` (settle) before its counts
 * are read or it counts a call another way, and whenever what the first call left out consulted
 * changes (quickOff).
 */
let quickOwner = -2;
let quickCount = 0;
let quickTrace: TraceState | null = null;

function settle(t: TraceState): void {
  if (t === quickTrace) quickOff();
}
onSettle(settle);

/** Add the quick count into its trace and turn the quick count off (see quickOwner). */
function quickOff(): void {
  quickOwner = -2;
  if (quickCount !== 0) {
    const n = quickCount;
    quickCount = 0;
    quickTrace!.droppedAgain(n);
  }
}

/** Calls under `owner` are counted the quick way into `t` (see quickOwner). */
function quickOn(owner: number, t: TraceState): void {
  if (quickTrace !== t) quickOff();
  quickOwner = owner;
  quickTrace = t;
}

/** No open call has its later calls left out (fullOwner), the quick count added where it goes. */
function noFullOwner(): void {
  quickOff();
  fullOwner = -2;
}

/** While tph saves a run, no call is recorded (whatever the program made tph call). */
let hushed = false;

/**
 * The values looked for (`tph run --find`) by the trace that looks for them, else null: then
 * begin() checks every call's arguments, a call left out gets the handle `-2 - id` (its function
 * known when it returns or throws), and r()/t() check what leaves it.
 */
let finder: Finder | null = null;

/**
 * `tph test` on Node and Bun: the trace of the test whose function runs now (tests/node_tests.ts,
 * tests/bun_tests.ts), asked for at every call with the function's id; undefined when no test's
 * function runs.
 */
let testRoot: ((id: number) => TraceState | undefined) | null = null;
/** Whether testRoot is asked at calls under a recorded call too (Node's `t.test`). */
let testNested = false;

/** How a watched call ended: whether it threw, and its error or the value it returned. */
export type CallEnd = (threw: boolean, value: unknown) => void;
/** `tph test` on Bun: what is told when the call that begins next ends (watchNextCall). */
let watchNext: CallEnd | null = null;
/** The calls watched to their end, by handle, and the value each returned. */
const watched: Map<number, CallEnd> = new SafeMap<number, CallEnd>();
const returnedBy: Map<number, unknown> = new SafeMap<number, unknown>();

function refreshOn(): void {
  quickOff();
  R.on = !hushed &&
    (activeCount > 0 || testRoot !== null || (processTrace !== null && processTrace.active));
  if (!R.on) idleFastClock();
}

function rootTrace(id: number): TraceState | null {
  if (testRoot !== null) {
    watchNext = null; // one a call left unrecorded asked for
    // Before the async context: a test made inside another (Node's t.test) starts in its
    // parent's context, but its calls are its own.
    const t = testRoot(id);
    if (t !== undefined) return t.active ? t : null;
  }
  if (storage !== null) {
    const t = getStore(storage);
    if (t !== undefined && t !== null && t.active) return t;
  }
  return processTrace !== null && processTrace.active ? processTrace : null;
}

// The clock thread (clock.ts) saves ~200 ns a call on Deno but takes the second core, which the
// engine's compiler and garbage collector threads need: measured on marked under `tph run`
// with the default 10,000-call limit, starting it at 5,000 calls cost 130 ms. It starts only
// once a trace has recorded this many calls and has room for FAST_CLOCK_ROOM more, and stops
// when no trace can record any more.
const FAST_CLOCK_AFTER = 20_000;
const FAST_CLOCK_ROOM = 100_000;
/** Recorded calls of a trace after which the warm-up runs (warmUp), when it does. */
const WARM_AFTER = 256;
/** Past this many, a warm-up put off (counted) is left out. */
const WARM_BEFORE = 4096;
/**
 * The count of a trace's calls at which `counted` is called (record, nested): WARM_AFTER while
 * the warm-up waits (the first trace to get there runs it: all others have fewer calls), then
 * FAST_CLOCK_AFTER.
 */
let countMark = FAST_CLOCK_AFTER;

/** Trace `t` recorded `countMark` calls. */
function counted(t: TraceState): void {
  // The warm-up waits (at WARM_AFTER calls, or put off below: then another count).
  if (countMark !== FAST_CLOCK_AFTER) {
    countMark = FAST_CLOCK_AFTER;
    // Not for a program whose calls kept no text yet (numbers: fib): the warm-up's strings and
    // objects would widen what the engine assumed of its values (fib: +9% CPU a call).
    if (warmLimits !== null && t.tape.texts.count !== 0) {
      const limits = warmLimits;
      let ran = true;
      try {
        ran = warmUp(limits);
      } catch {
        // Only a warm-up: the trace records as without it.
      }
      // A call watched for its end (tests) right now: a little later (the first trace to get
      // there runs it: the others have fewer calls than this one).
      if (!ran && finder === null && testRoot === null && t.count < WARM_BEFORE) {
        countMark = t.count + 16;
      } else warmLimits = null;
    }
    return;
  }
  if (t.capacity - FAST_CLOCK_AFTER >= FAST_CLOCK_ROOM) startFastClock();
}

/** A trace just filled up: stop the clock thread when no trace on the tape has room left. */
function traceFull(): void {
  for (const t of tape.traces) if (t.active && t.count < t.capacity) return;
  stopFastClock();
}

// A repr is built by concatenation: the engines keep it as a rope of small pieces, 3–9× the
// memory of its text, for as long as the trace holds it. Copy it flat; what does that differs
// by engine (measured: 1M reprs held, 868 → 297 MB on Bun; 424 → 225 MB on Deno). Texts on
// the tape are flattened when their batch is joined.
// deno-lint-ignore no-explicit-any
const flatten: (s: string) => string = (globalThis as any).Bun !== undefined
  ? (s) => arrayJoin([s, ""], "")
  : (s) => strSlice(s + " ", 0, -1);

/** Bits of `Tape.marks` for the arguments `keep` stored as texts since begin reset it. */
let kept = 0;
/**
 * PENDING_ARGS while `keep` stores arguments of a call in columns (a0, rest), 0 while it stores a
 * list of them (keepAll): a list's bits 3–5 are its arguments' texts.
 */
let pendingArgs = PENDING_ARGS;
/**
 * Whether the call `keep` stores arguments of is past its function's detail budget: its objects
 * are kept as they are until it ends (details.ts), and `kept` gets PENDING when one is.
 */
let keepBrief = false;

/**
 * An argument as stored: objects change later, so their repr is taken now and kept on the
 * tape as text (its index is stored, and bit `i` of `kept` says so), and so are strings (made
 * once per distinct string: keepString; a string longer than its repr can show as a copy of what
 * it shows: recording a program's 20 MB strings must not keep them all alive); other primitives
 * as they are.
 */
function keep(v: unknown, t: TraceState, i: number): unknown {
  if (typeof v !== "object" || v === null) {
    if (typeof v === "function") return keepFunction(v, t, i);
    if (typeof v !== "string") return v;
    // A string is stored as its text (keepString); a long one as that of a copy of what its repr
    // shows (a program's 20 MB strings are not kept), but when a value regex matches in it
    // whole: then as its repr with the match redacted.
    if (v.length < t.keepChars || t.scrubs === null || !t.scrubs.hits(v)) {
      const s = v.length > t.keepChars ? clipped(v, t.keepChars) : v;
      if (i >= MARKED_ARGS || !stringIds) return s;
      kept |= 1 << i;
      return keepString(t, s);
    }
  } else if (v === SECRET_ARG) return keepText(REDACTED, false, t, i);
  else if (keepBrief) {
    if (i < MARKED_ARGS) {
      // Which argument waits for its summary (PENDING_ARG): not in a list (keepAll).
      kept |= i < 3 ? PENDING | ((PENDING_ARG << i) & pendingArgs) : PENDING;
      return v;
    }
    t.summarised++;
    return keepText(reprBrief(v, t.maxRepr, t.redaction), keptCut, t, i);
  }
  const text = reprKept(v, t.maxRepr, t.redaction);
  return keepText(text, keptCut, t, i);
}

/**
 * By argument position, the text keepFunction kept last for a function without a name of its own
 * there: its kind (repr.ts, functionKind; FN_NAMED: none), the parameter's name it was shown by,
 * what else its text depends on (the trace's room and redaction), the base of the tape whose texts
 * hold it (a number: a tape a server's rotation retired is not kept alive by this), and its index.
 * Such functions are most often made anew for each call (yaml's stringify(item, ctx, onComment,
 * onChompKeep): ~440,000 calls pass two), so the text is remembered, not the function.
 */
const FN_SLOTS = 4;
const fnKinds = new Int32Array(FN_SLOTS);
const fnNames: string[] = ownArray(["", "", "", ""]);
const fnRooms = new Float64Array(FN_SLOTS);
const fnRedactions: (Redaction | null)[] = ownArray([null, null, null, null]);
const fnBases = new Float64Array(FN_SLOTS);
const fnKept: unknown[] = ownArray([0, 0, 0, 0]);

/** Forget the texts keepFunction remembers (the warm-up's tape is thrown away). */
function forgetFunctionTexts(): void {
  for (let s = 0; s < FN_SLOTS; s++) {
    fnKinds[s] = FN_NAMED;
    fnRedactions[s] = null;
  }
}

/**
 * A function argument as stored (see keep): one with a name is shown when the run is written; one
 * without is named now by its parameter (`resolve=[Function: resolve]`), when that has a name.
 */
function keepFunction(v: object, t: TraceState, i: number): unknown {
  const name = paramName(i);
  if (name === undefined) return v;
  const kind = functionKind(v);
  if (kind === FN_NAMED) return v;
  const slot = kind !== FN_CLASS && i < MARKED_ARGS ? i & (FN_SLOTS - 1) : -1;
  if (
    slot >= 0 && kind === fnKinds[slot] && name === fnNames[slot] &&
    t.maxRepr === fnRooms[slot] && t.redaction === fnRedactions[slot] &&
    t.tape.base === fnBases[slot]
  ) {
    kept |= 1 << i;
    return fnKept[slot];
  }
  const k = keepText(reprKept(v, t.maxRepr, t.redaction, name), keptCut, t, i);
  if (slot >= 0) {
    fnKinds[slot] = kind;
    fnNames[slot] = name;
    fnRooms[slot] = t.maxRepr;
    fnRedactions[slot] = t.redaction;
    fnBases[slot] = t.tape.base;
    fnKept[slot] = k;
  }
  return k;
}

/**
 * By function id, the names paramName gives its parameters (each a valid identifier, else
 * undefined); for a call out of the traced code (no parameter names), one name for all of them,
 * "" for none; null: not looked at yet.
 */
const shownParams: (readonly (string | undefined)[] | string | null)[] = ownArray([]);

/**
 * The last long string clipped, how far, and the copy (see keep): the same string often goes down
 * a chain of calls (a parser's rest of its input, handed from function to function), and one copy
 * of what its repr shows serves them all (marked: ~140 bytes a call of memory not written).
 */
let clipFrom: string | null = null;
let clipKeep = 0;
let clipTo = "";

/** `clipString(v, keep)` for a string longer than `keep`, once per string in a row. */
function clipped(v: string, keep: number): string {
  if (v.length <= keep) return v;
  if (v === clipFrom && keep === clipKeep) return clipTo;
  const copy = clipString(v, keep);
  // A huge string is not kept alive for this (a program's 20 MB strings: see keep).
  if (v.length <= 1 << 20) {
    clipFrom = v;
    clipKeep = keep;
    clipTo = copy;
  }
  return copy;
}

/** The function whose arguments `keep` is storing (set by record). */
let keeping = 0;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * What to call an argument `i` of the function `keeping` that is a function without a name: its
 * parameter's name; for a call out of the traced code (no parameter names), `setTimeout callback`,
 * as the instrumenter names such a function by its place.
 */
function paramName(i: number): string | undefined {
  let names = keeping < shownParams.length ? shownParams[keeping] : null;
  if (names === null) names = paramNames(keeping);
  if (typeof names === "string") return names === "" ? undefined : names;
  return i < names.length ? names[i] : undefined;
}

/** What paramName gives the parameters of function `id`, looked at once (see shownParams). */
function paramNames(id: number): readonly (string | undefined)[] | string {
  const f = functionRecord(id);
  let names: (string | undefined)[] | string;
  if (f.kind === "external") names = f.qualname === "" ? "" : f.qualname + " callback";
  else {
    names = ownArray([]);
    for (let k = 0; k < f.params.length; k++) {
      const name = f.params[k];
      names[k] = typeof name === "string" && regexExec(IDENTIFIER, name) !== null
        ? name
        : undefined;
    }
  }
  while (shownParams.length < id) shownParams[shownParams.length] = null;
  shownParams[id] = names;
  return names;
}

/**
 * Whether kept strings are stored by their index in the tape's strings (keepString), as by
 * default, or as they are (`TPH_STRINGS=raw`, read before the program runs: benchmarks).
 */
let stringIds = process.env.TPH_STRINGS !== "raw";

/** Set what `TPH_STRINGS` says (benchmarks, tests): false stores kept strings as they are. */
export function setStringIds(on: boolean): void {
  stringIds = on;
}

/**
 * String `s` (kept whole, or clipped: see keep) as stored: `-1 - k` for string `k` of the tape's
 * strings (Tape.strings; the writer makes its text, and copies it when the index comes again). The
 * string kept last of its length (by its low bits: TraceState.lastStrings) is compared, and when
 * equal stored by the same index (the same string goes down a chain of calls, most often the same
 * object); any other is added. No look-up by its characters' hash: the program's strings are
 * mostly fresh copies, and V8 hashes each one again (100–250 ns a string; docs/performance.md,
 * "strings as their index"), nor a second slot by its characters (reading them flattens a
 * concatenation: marked's renders +7 ms each, no less for the writer).
 */
function keepString(t: TraceState, s: string): number {
  let last = t.lastStrings;
  if (last === null) last = lastStrings(t);
  const h = s.length & LAST_MASK;
  if (last[h] === s) return t.lastIds[h];
  const strings = t.tape.strings;
  const k = -1 - strings.length;
  strings[strings.length] = s;
  last[h] = s;
  return t.lastIds[h] = k;
}

/** Slots of TraceState.lastStrings, by length (a power of two, less one). */
const LAST_MASK = 255;
/** The lastIds of a trace that stopped. */
const NO_IDS = new Int32Array(0);

/** A trace's strings kept last, by length (see keepString), made empty. */
function lastStrings(t: TraceState): string[] {
  const last: string[] = [];
  // A string no string kept in its slot can be (its length is another's).
  last[0] = "-";
  for (let i = 1; i <= LAST_MASK; i++) last[i] = "";
  t.lastIds = new Int32Array(LAST_MASK + 1);
  return t.lastStrings = last;
}

/** Store argument `i`'s text, cut (without its "…") or not (see keep). */
function keepText(text: string, cut: boolean, t: TraceState, i: number): unknown {
  if (i >= MARKED_ARGS) return new Snapshot(flatten(cut ? text + "…" : text));
  kept |= 1 << i;
  return t.tape.texts.add(text, cut);
}

/** Store a call's return value as `keep` stores an argument. */
function keepReturn(tp: Tape<TraceState>, row: number, v: unknown): void {
  let t: TraceState;
  if (
    (typeof v !== "object" || v === null) &&
    (typeof v !== "string" || (t = tp.traces[tp.slot[row]]).scrubs === null ||
      v.length < t.keepChars || !t.scrubs.hits(v))
  ) {
    if (typeof v === "string") {
      t = tp.traces[tp.slot[row]];
      const s = clipped(v, t.keepChars);
      if (stringIds) {
        setValueAt(tp, tp.result, row, keepString(t, s));
        tp.marks[row] |= RET_TEXT;
        return;
      }
      v = s;
    }
    setValueAt(tp, tp.result, row, v);
    // A later `return` (in a finally block) replaces an earlier one.
    if (tp.marks[row] < 0) tp.marks[row] &= ~RET_TEXT;
  } else {
    t = tp.traces[tp.slot[row]];
    if ((tp.marks[row] & BRIEF) === 0 || typeof v !== "object") {
      const text = reprKept(v, t.maxRepr, t.redaction);
      setValueAt(tp, tp.result, row, tp.texts.add(text, keptCut));
    } else {
      setValueAt(tp, tp.result, row, briefIndex(tp, t, v as object));
      t.summarised++;
    }
    tp.marks[row] |= RET_TEXT;
  }
}

/**
 * By function id, 1 for a function whose return value a trace redacts (named like `getToken`:
 * Redaction.info's SECRET_RETURN), set when such a call is recorded; empty while there is none,
 * so a call that returns pays one length check. Per function, not per call: yaml's `tokenType`
 * (a lexer's, 100,000s of calls) kept a set of every such call's handle growing all run, and
 * every return looked it up.
 */
let secretFns = new Uint8Array(0);

/** Function `id` has its return value redacted by a trace (see secretFns). */
function secretFn(id: number): void {
  if (id >= secretFns.length) {
    const grown = new Uint8Array(max(id + 1, secretFns.length * 2, 64));
    // Copied by hand: TypedArray.prototype.set is the program's to replace.
    for (let i = 0; i < secretFns.length; i++) grown[i] = secretFns[i];
    secretFns = grown;
  }
  secretFns[id] = 1;
}

/**
 * Whether the value the call of row `row` returns is redacted: its function's, as its trace's
 * redaction says (a row whose trace is no longer on the tape: redacted).
 */
function secretReturn(tp: Tape<TraceState>, row: number): boolean {
  const id = tp.fn[row];
  if (id >= secretFns.length || secretFns[id] === 0) return false;
  const t = tp.traces[tp.slot[row]];
  if (t === undefined || t === null) return true;
  const rd = t.redaction;
  return rd !== null && (id >= rd.fns.length || (rd.fns[id] & SECRET_RETURN) !== 0);
}

/** Store a return value, or "[redacted]" for a call whose return is `secret` (secretReturn). */
function storeReturn(tp: Tape<TraceState>, row: number, v: unknown, secret: boolean): void {
  if (!secret) keepReturn(tp, row, v);
  else {
    setValueAt(tp, tp.result, row, tp.texts.add(REDACTED, false));
    tp.marks[row] |= RET_TEXT;
  }
}

/**
 * The detail budget: whether a call of function `id` comes after the first `t.details` ones,
 * whose objects are described in full (counted here).
 */
function pastBudget(t: TraceState, id: number): boolean {
  let d = t.described;
  if (id >= d.length) d = t.describedUpTo(id);
  if (d[id] >= t.details) return true;
  d[id]++;
  return false;
}

/**
 * The arguments of a call of function `id` as stored (see record: `n` says how they come): past
 * the detail budget, its objects are summarised when it ends.
 */
function keepArgs(
  t: TraceState,
  id: number,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): unknown {
  keepBrief = t.details >= 0 && pastBudget(t, id);
  const args = keepAll(t, n, a0, a1, a2, more);
  if (keepBrief) {
    kept |= BRIEF;
    keepBrief = false;
  }
  return args;
}

/**
 * The second and third arguments as stored of the call being recorded (keepAll), for newRow's
 * value columns (undefined when it has none).
 */
let keptA1: unknown = undefined;
let keptA2: unknown = undefined;
/**
 * How many parameters the call whose arguments are keptA1 and keptA2 has (2 or 3), else 0: set
 * once both are kept, right before newRow takes them (a keep that throws leaves it 0).
 */
let keptMore = 0;

/**
 * A call's arguments as stored (see keepArgs): the first one's value, its second and third in
 * keptA1 and keptA2 (a call of 2 or 3 parameters makes no array); more, as the list `more`.
 */
function keepAll(
  t: TraceState,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): unknown {
  if (n === 1) return keep(a0, t, 0);
  if (n === 2 || n === 3) {
    const k0 = keep(a0, t, 0);
    keptA1 = keep(a1, t, 1);
    if (n === 3) keptA2 = keep(a2, t, 2);
    keptMore = n;
    return k0;
  }
  if (n < 0) {
    pendingArgs = 0;
    try {
      for (let i = 0; i < more!.length; i++) more![i] = keep(more![i], t, i);
    } finally {
      pendingArgs = PENDING_ARGS;
    }
    return more;
  }
  return undefined;
}

/**
 * The arguments of a call of a function with secret parameters (see begin): the secret ones put
 * as SECRET_ARG, which keep stores as "[redacted]", then all as keepArgs stores them.
 */
function secretArgs(
  rd: Redaction,
  t: TraceState,
  id: number,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): unknown {
  if (n < 0) {
    for (let i = 0; i < more!.length; i++) if (rd.secretParam(id, i)) more![i] = SECRET_ARG;
  } else {
    if (n > 0 && rd.secretParam(id, 0)) a0 = SECRET_ARG;
    if (n > 1 && rd.secretParam(id, 1)) a1 = SECRET_ARG;
    if (n > 2 && rd.secretParam(id, 2)) a2 = SECRET_ARG;
  }
  return keepArgs(t, id, n, a0, a1, a2, more);
}

/** A secret argument, as secretArgs hands it to keep (never seen by the program). */
const SECRET_ARG: object = Object.freeze({});

/**
 * Tapes that are not the current one but still have traces recording on them (a request still
 * served when the tape was rotated: rotateTapes), oldest first; `minBase` is the first one's base
 * (`base` when there is none). Each holds the handles [base, base + maxRows): a tape left behind
 * is given a window its traces' remaining room fits in, and the next tape's handles start past it.
 */
const older: Tape<TraceState>[] = ownArray([]);
let minBase = 0;
/** A new tape starts at a trace's start once the current one holds this many rows (rotateTapes). */
let rotateAt = Infinity;

/** The tape of handle `h` while it is live; null for -1 and a retired tape's handle. */
function tapeOf(h: number): Tape<TraceState> | null {
  if (h >= base) return tape;
  return h >= minBase ? olderTape(h) : null;
}

function olderTape(h: number): Tape<TraceState> | null {
  for (let i = older.length - 1; i >= 0; i--) {
    const tp = older[i];
    if (h >= tp.base) return h < tp.base + tp.rows ? tp : null;
  }
  return null;
}

/** True when `h` is a handle of a live tape (-1 and retired tapes' handles are not). */
function live(h: number): boolean {
  return h >= base || (h >= minBase && olderTape(h) !== null);
}

/**
 * Calls lent to a nested trace: a `trace()` block opened inside a recorded call gets the calls
 * that call makes (after an `await` too, when the call takes the stack again), as its roots.
 */
const lent: Map<number, TraceState> = new SafeMap<number, TraceState>();

/**
 * Give a trace a slot on the tape; a new tape (generation) when no trace records on this one.
 *
 * @param t The trace that starts.
 */
export function attachTrace(t: TraceState): void {
  // Room for the calls the trace may record, up to 2^20 rows, made once FIRST_ROWS rows are
  // filled (on Bun four times at a step: Tape.grow). The typed columns' memory
  // is the system's only once written (each page first written costs a fault: 1–10 µs on virtual
  // machines), so room never used costs little, while doubling the columns as they filled wrote
  // each row's bytes twice more (900,000 calls wrote 97 MB of columns instead of 48). Not more:
  // Bun's collector counts the room as live memory and collected later (yaml, 50M rows of room:
  // peak RSS 866 MB against 410).
  const rows = min(max(t.capacity + 1, FIRST_ROWS), 1 << 20);
  // Rotating (a run per request): a tape is kept until it holds rotateAt rows, whether or not
  // traces record on it (a tape per request made a server's every request pay for a tape).
  if (tape.rows > 0 && (rotateAt === Infinity ? tape.active === 0 : tape.rows >= rotateAt)) {
    newTape();
  }
  // Rotating, a tape's room is planned for the rows it holds before the next one starts.
  tape.plan(rotateAt === Infinity ? rows : min(rows, rotateAt + (rotateAt >> 1)));
  noFullOwner();
  fullTrace = null;
  t.tape = tape;
  // Its strings' indexes are those of its tape (keepString).
  t.lastStrings = null;
  const free = tape.freeSlots;
  if (free.length > 0) {
    t.slot = free[free.length - 1];
    free.length--;
    tape.traces[t.slot] = t;
  } else {
    t.slot = tape.traces.length;
    tape.traces[t.slot] = t;
  }
  t.firstRow = tape.rows;
  tape.active++;
  if (t.finder !== null) {
    finder = t.finder;
    finder.stackOf = stackOf;
  }
}

/**
 * The most rows a trace may still write on a tape left behind (past them its calls are left out,
 * as past max_calls): a request with more calls than that after a rotation is cut there.
 */
const WINDOW_ROOM = 1 << 16;

/**
 * Start a new tape: the current one is retired when no trace records on it, else left behind
 * with a window of handles its traces' remaining room fits in (they go on recording there, and it
 * is retired when the last of them stops: detachTrace).
 */
function newTape(): void {
  let rows = tape.rows;
  if (tape.active > 0) {
    // Each trace still recording gets room for the calls it may still record, up to
    // WINDOW_ROOM (handles are spent on the room: they stay fast integers below 2^31).
    let room = 0;
    const traces = tape.traces;
    for (let i = 0; i < traces.length; i++) {
      const t = traces[i];
      if (t !== undefined && t.active && t.tape === tape) {
        room += min(t.capacity - t.count, WINDOW_ROOM) + 1024;
      }
    }
    rows = min(rows + room, MAX_ROWS);
  }
  if (tape.base + rows >= MAX_HANDLE) return;
  if (tape.active > 0) {
    // Past its window a trace's calls are left out, as past MAX_ROWS (record).
    tape.maxRows = rows;
    older[older.length] = tape;
    minBase = older[0].base;
  }
  const next = tape.base + rows;
  tape = new Tape<TraceState>(next, FIRST_ROWS);
  base = tape.base;
  if (older.length === 0) {
    minBase = base;
  }
}

/**
 * A trace stopped: no row is written for it from now on. Its slot goes back to the tape when it
 * wrote none (a `trace()` block per request that records nothing keeps `traces` small).
 */
export function detachTrace(t: TraceState): void {
  quickOff();
  if (finder === t.finder) finder = null;
  const tp = t.tape;
  tp.active--;
  t.endRow = tp.rows;
  // Its strings' slots are not needed now (a server's trace per request is kept a while).
  t.lastStrings = null;
  t.lastIds = NO_IDS;
  if (tp.active === 0 && tp !== tape) {
    // The last trace of a tape left behind: it is retired (its handles are stale from now on).
    let j = 0;
    for (let i = 0; i < older.length; i++) if (older[i] !== tp) older[j++] = older[i];
    older.length = j;
    minBase = j === 0 ? base : older[0].base;
    return;
  }
  const slot = tp.slot, s = t.slot;
  for (let row = t.firstRow; row < tp.rows; row++) if (slot[row] === s) return;
  tp.freeSlots[tp.freeSlots.length] = s;
}

/** Write a new row (the tape has room for it after this) and return its index. */
function newRow(
  tp: Tape<TraceState>,
  t: TraceState,
  id: number,
  p: number,
  prev: number,
  state: number,
  args: unknown,
  marks: number,
): number {
  const row = tp.rows++;
  if (row === tp.limit) tp.more(row);
  tp.fn[row] = id;
  tp.parent[row] = p < 0 ? -1 : p - tp.base;
  // Whom the call gives the stack back to: its parent, but for a lent call's callee (a root of the
  // nested trace that hands the stack back to the lent call) or a test's call made inside another
  // test's (tape.ts, Tape.prev).
  if (prev !== p) {
    tp.prev[row] = prev + 2;
    tp.prevWritten = true;
  }
  tp.end[row] = -1;
  tp.state[row] = state;
  // Typed columns a fresh tape holds zeros in are written only when not zero (`awaited` by
  // suspend): memory a program never writes costs nothing, and a page first written costs a
  // fault (1–4 µs on virtual machines: a recorded call wrote ~70 bytes of new memory).
  if (t.slot !== 0) {
    tp.slot[row] = t.slot;
    tp.slotted = true;
  }
  // The value columns' chunks hold undefined where not written (tape.ts, Tape.a0).
  if (args !== undefined) tp.a0[row >>> VALUE_BITS][row & VALUE_MASK] = codeOf(tp, args);
  if (keptMore !== 0) {
    tp.putRest(row, keptMore, keptA1, keptA2);
    keptA1 = keptA2 = undefined; // nothing of the program's is held for the next row
    keptMore = 0;
  }
  // A new row's marks are 0 already. Rows holding objects to summarise are counted (Tape.pending).
  if (marks !== 0) {
    tp.marks[row] = marks;
    if ((marks & PENDING) !== 0) tp.pending++;
  }
  return row;
}

/**
 * The depth of row `row`'s call, from its parents (see depthOwner): one per row up to its root (or
 * to a call that suspended, which kept its own: Tape.depth), less one under the hidden callback of
 * trace.run() (level 0).
 */
function depthOf(tp: Tape<TraceState>, row: number): number {
  const parent = tp.parent, known = tp.depth, n = known.length;
  let d = 0, top = row;
  for (let r = row; r >= 0; r = parent[r]) {
    // A call that suspended keeps its depth (Tape.depth).
    if (r < n && known[r] !== 0) return d + known[r] - 1;
    d++;
    top = r;
  }
  const t = tp.traces[tp.slot[top]];
  return t !== undefined && t.wrapper === top && t.tape === tp ? d - 1 : d;
}

/**
 * The call `c` (row `row`, owning the stack) gives it back (it ends or suspends): to its parent,
 * one level up, unless its row says another call (Tape.prev).
 */
function giveBack(tp: Tape<TraceState>, row: number, c: number): void {
  cur = prevOf(tp, row);
  // Else depthOwner stays what it was: a call's depth never changes.
  if (depthOwner === c && (!tp.prevWritten || tp.prev[row] === 0)) {
    depthOwner = cur;
    depthNow--;
  }
}

/** Call `h`, at depth `depth`, takes the stack (it begins). */
function enter(h: number, depth: number): void {
  cur = h;
  depthOwner = h;
  depthNow = depth;
}

/** A row that takes part in stack handling but is not part of the trace (see begin). */
function hiddenRow(t: TraceState, id: number, p: number, prev: number, depth: number): number {
  const tp = t.tape;
  if (tp.rows >= tp.maxRows) return -1;
  const row = newRow(tp, t, id, p, prev, HIDDEN, undefined, 0);
  tp.start[row] = 0;
  const h = tp.base + row;
  enter(h, depth);
  return h;
}

/**
 * A call starts (see record): its arguments compared with the values looked for first, when any
 * are (before `record` snapshots them).
 */
function begin(
  b: number,
  k: number,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): number {
  const f = finder;
  if (f === null) return record(b, k, n, a0, a1, a2, more);
  // A primitive other than the one value looked for cannot match: a compare, no call (most
  // arguments of most calls).
  const g = f.gate;
  let from = -1;
  if (
    g === EVERY || n < 0 ||
    (n > 0 && (a0 === g || (typeof a0 === "object" && a0 !== null))) ||
    (n > 1 && (a1 === g || (typeof a1 === "object" && a1 !== null))) ||
    (n > 2 && (a2 === g || (typeof a2 === "object" && a2 !== null)))
  ) {
    from = f.hits.length;
    findArgs(f, b + k, n, a0, a1, a2, more);
  }
  const h = record(b, k, n, a0, a1, a2, more);
  // A call left out keeps its function in its handle, for its return value and error.
  if (h < 0) return -2 - (b + k);
  if (from >= 0 && f.hits.length !== from) recordedHits(f, from, h);
  return h;
}

/**
 * A call under the full trace's open call `p` (`p === fullOwner`): counted as left out, unless a
 * call is lent to a nested trace or the trace stopped. Returns whether it was counted.
 */
function pastFull(p: number): boolean {
  if (lent.size !== 0 || !fullTrace!.active) return false;
  fullTrace!.dropAgain(p);
  return true;
}

/**
 * pastFull(cur) in front of begin(), unless values are looked for (their left-out calls keep their
 * function in their handle: begin) or function `id` suspends (it gets a hidden row: record).
 */
function leftOut(id: number): boolean {
  if (finder !== null || suspends(id) || !pastFull(cur)) return false;
  // The next calls under the same open call are counted the quick way (quickOwner).
  quickOn(cur, fullTrace!);
  return true;
}

/** Whether function `id` is async or a generator: its calls resume later, with an empty stack. */
function suspends(id: number): boolean {
  if (id < suspending.length) {
    const s = suspending[id];
    if (s !== 0) return s === SUSPENDS;
  }
  return learnSuspends(id);
}

/**
 * suspends() by function id, asked at every call past the limit: 0 not asked yet, else
 * SUSPENDS or RUNS_THROUGH: a byte read, where the function table (a holey array filled in the
 * order functions are first met) costs a record's load and its flags' (bench/past_limit.mjs).
 */
let suspending = new Uint8Array(1024);
const SUSPENDS = 2, RUNS_THROUGH = 1;

/** A table by function id grown to have room for `id` (`make`: a new one of n zeros). */
function roomFor<T extends Uint8Array | Int32Array>(a: T, id: number, make: (n: number) => T): T {
  let n = a.length * 2;
  while (n <= id) n *= 2;
  const grown = make(n);
  // Copied by hand: TypedArray.prototype.set is the program's to replace.
  for (let i = 0; i < a.length; i++) grown[i] = a[i];
  return grown;
}

function learnSuspends(id: number): boolean {
  const yes = (functionRecord(id).flags & (FLAG_ASYNC | FLAG_GENERATOR)) !== 0;
  if (id >= suspending.length) suspending = roomFor(suspending, id, (n) => new Uint8Array(n));
  suspending[id] = yes ? SUSPENDS : RUNS_THROUGH;
  return yes;
}

/**
 * The function whose detail budget a call of function `id` counts (pastBudget): `id` itself, but
 * for an external call site, the first site seen calling the same callee (its package and name
 * as shown): a callee's first calls are described in full wherever they are made, as a traced
 * function's are, not each site's (`Object.defineProperty(exports, …)` at the top of every
 * CommonJS module: babel's 2,157 calls from as many sites, each describing a module's exports).
 */
function budgetOf(id: number): number {
  if (id < budgets.length) {
    const b = budgets[id];
    if (b !== 0) return b - 1;
  }
  return learnBudget(id);
}

/** budgetOf by function id, + 1 (0: not asked yet). */
let budgets = new Int32Array(1024);
/** The first external call site seen of each callee, by its package and name. */
const budgetByCallee: Map<string, number> = new SafeMap<string, number>();

function learnBudget(id: number): number {
  const f = functionRecord(id);
  let b = id;
  if (f.kind === "external") {
    const key = f.module + "\0" + f.qualname;
    const first = budgetByCallee.get(key);
    if (first === undefined) budgetByCallee.set(key, id);
    else b = first;
  }
  if (id >= budgets.length) budgets = roomFor(budgets, id, (n) => new Int32Array(n));
  budgets[id] = b + 1;
  return b;
}

/** Hidden rows a trace keeps at most for async calls left out by max_calls (see record). */
const MAX_HIDDEN = 65_536;

/** The function ids from the root down to the recorded call `h` (a match's stack). */
function stackOf(h: number, id: number): number[] {
  const ids: number[] = ownArray([]);
  const tp = tapeOf(h);
  if (tp !== null) {
    for (let row = h - tp.base; row >= 0; row = tp.parent[row]) ids[ids.length] = tp.fn[row];
  }
  const out: number[] = ownArray([]);
  for (let i = ids.length - 1; i >= 0; i--) out[out.length] = ids[i];
  if (id >= 0) out[out.length] = id;
  return out;
}

/** Compare a call's arguments with the values looked for (before record() snapshots them). */
function findArgs(
  f: Finder,
  id: number,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): void {
  const parent = cur;
  if (n > 0) f.check(a0, id, "arg", 0, parent, id);
  if (n > 1) f.check(a1, id, "arg", 1, parent, id);
  if (n > 2) f.check(a2, id, "arg", 2, parent, id);
  if (n < 0) {
    for (let i = 0; i < more!.length; i++) f.check(more![i], id, "arg", i, parent, id);
  }
}

/**
 * The matches found from `from` on are in the recorded call `h` (a hidden row is not): its values
 * are described in full, whatever the detail budget.
 */
function recordedHits(f: Finder, from: number, h: number): void {
  const tp = tapeOf(h);
  if (tp === null) return;
  const row = h - tp.base;
  if (tp.state[row] === HIDDEN) return;
  for (let i = from; i < f.hits.length; i++) f.hits[i].row = row;
  tp.marks[row] &= ~BRIEF;
}

/** A value leaving a call (returned or thrown): compared with the values looked for. */
function findLeaving(c: number, v: unknown, where: FindWhere): void {
  const f = finder!;
  if (c < -1) {
    // A call left out: its function is in its handle; its stack, the recorded calls above.
    const id = -2 - c;
    f.check(v, id, where, -1, cur, id);
    return;
  }
  const tp = tapeOf(c);
  if (tp === null) return;
  const from = f.hits.length;
  f.check(v, tp.fn[c - tp.base], where, -1, c, -1);
  if (f.hits.length !== from) recordedHits(f, from, c);
}

/**
 * Record the start of a call of function `b + k`, made now, under the stack owner. `n` says how
 * its arguments come: 0 none, 1–3 in a0–a2, -1 as the array `more` (snapshotted in place).
 * Returns the call's handle, or -1 when it is not recorded.
 */
function record(
  b: number,
  k: number,
  n: number,
  a0: unknown,
  a1: unknown,
  a2: unknown,
  more: unknown[] | undefined,
): number {
  let p = cur;
  // Once a trace is full, every call under the same open call is left out the same way: count
  // it and go (a program traced past the limit runs ~2× faster on this path).
  if (p === fullOwner && !suspends(b + k) && pastFull(p)) return -1;
  // The open call's tape (maybe one left behind); none or a stale handle: a root.
  let tp = tapeOf(p) ?? tape;
  if (tp === tape && p < base) p = -1;
  const prev = p;
  let t: TraceState | null;
  let depth = 1;
  if (p < 0) {
    t = rootTrace(b + k);
    if (t === null) return -1;
    tp = t.tape; // a test's trace starts there (testRoot), on a new tape if none was active
  } else if (lent.size !== 0 && lent.has(p)) {
    // No array destructuring (it runs the Array iterator, which the program may have patched).
    tp = (t = lent.get(p)!).tape;
    p = -1;
  } else {
    const pr = p - tp.base;
    t = tp.traces[tp.slot[pr]];
    // A test run inside another test's call (Node's t.test) records its calls apart (testRoot);
    // the caller's call is open again when it returns (prev).
    const own = !testNested ? t : testRoot!(b + k) ?? t;
    if (own !== t) [t, tp, p] = [own, own.tape, -1];
    if (!t.active) return -1;
    depth = p < 0 ? 1 : (p === depthOwner ? depthNow : depthOf(tp, pr)) + 1;
  }
  if (t.tape !== tp) return -1; // a trace of a retired tape: nothing more is recorded
  const id = b + k;
  if (t.filter !== null && !t.accepts(id)) return -1;
  if (depth > t.maxDepth) return pastDepth(t, id, p, prev, depth);
  if (t.count >= t.capacity || tp.rows >= tp.maxRows) {
    if (!t.limitReasons.has("max_calls")) traceFull();
    t.drop(p, "max_calls");
    // As past max_depth: an async function or generator left out resumes later with an empty
    // stack, and what it calls then would count at the root. A hidden row keeps it counted
    // under the recorded call where it was cut (as many as MAX_HIDDEN per trace; later ones
    // count at the root).
    if (p >= 0 && t.hiddenRows < MAX_HIDDEN && suspends(id)) {
      t.hiddenRows++;
      return hiddenRow(t, id, p, prev, depth);
    }
    // The checks above depend only on the open call (its trace, depth and tape) and on the
    // function (the filter): without a filter, later calls under this one end here too. So do
    // later root calls of the process trace while no trace() block can claim them (a program
    // traced past the limit makes most of its calls at the root once its first root is cut).
    if (t.filter === null && (p >= 0 || (t === processTrace && storage === null))) {
      quickOff();
      fullOwner = p;
      fullTrace = t;
    }
    return -1;
  }
  // Arguments are described only for calls that are recorded (a repr costs ~1 µs).
  kept = 0;
  keeping = id;
  // What is secret in this function's calls: looked up once per function and trace.
  const rd = t.redaction;
  let secret = 0;
  if (rd !== null) {
    secret = id < rd.fns.length ? rd.fns[id] : 0;
    if (secret === 0) secret = rd.info(id, functionRecord(id));
  }
  // A list of arguments: an external call's (whose detail budget is its callee's) or a call of
  // more than three parameters.
  const args = (secret & SECRET_ARGS) !== 0
    ? secretArgs(rd!, t, id, n, a0, a1, a2, more)
    : keepArgs(t, n < 0 ? budgetOf(id) : id, n, a0, a1, a2, more);
  const row = newRow(tp, t, id, p, prev, OPEN, args, kept);
  // A list waiting for its summaries (tape.ts, PENDING_ARG): marked so that growth copies it.
  if (n < 0 && (kept & PENDING) !== 0) {
    tp.argsAt[row] = -1;
    tp.argsWritten = true;
  }
  const h = tp.base + row;
  if ((secret & SECRET_RETURN) !== 0) secretFn(id);
  if (t.wrapperPending) depth = wrapperRow(t, row);
  if (++t.count === countMark) counted(t);
  tp.start[row] = now();
  enter(h, depth);
  if (watchNext !== null) watchCall(h);
  return h;
}

/**
 * A call of function `id` under the open call `p` (`prev`: whom it gives the stack back to) past
 * trace `t`'s max_depth: counted as left out. Returns its handle: -1, or a hidden row's.
 */
function pastDepth(t: TraceState, id: number, p: number, prev: number, depth: number): number {
  t.drop(p, "max_depth");
  // An async function or generator resumes later with an empty stack: it gets a hidden row to
  // take the stack again, so the calls it makes then stay cut (and counted) instead of turning
  // up as roots. A sync call needs none.
  if (suspends(id)) return hiddenRow(t, id, p, prev, depth);
  // What decided this depends on the open call alone (its trace, tape and depth) and, with a
  // filter, on the function: without one, and with nothing else consulted (a loan, tests, values
  // looked for), later calls under `p` that run through are counted the quick way (a parser past
  // max_depth: babel's 700,000 such calls).
  if (p >= 0 && t.filter === null && finder === null && lent.size === 0 && !testNested) {
    quickOn(p, t);
  }
  return -1;
}

/**
 * Row `row` is the hidden callback of trace.run() (`t.wrapperPending`): level 0, the calls it makes
 * are the roots people see. Returns its depth.
 */
function wrapperRow(t: TraceState, row: number): number {
  t.wrapperPending = false;
  t.wrapper = row;
  t.capacity++;
  return 0;
}

/**
 * Whether a call may try the short way (nested): the open call is on the current tape and not the
 * full trace's, and no values are looked for.
 */
function nestable(): boolean {
  return cur >= base && cur !== fullOwner && finder === null;
}

/** What `nested` returns for a call it leaves to begin(). */
const NOT_NESTED = -3;

/**
 * record() for the most common call, in a function small enough for the engines to compile and
 * inline early (JavaScriptCore tiers a function up later the larger it is, and V8 stops inlining
 * into one past its budget: record's clock read then boxed its time, a heap number a read): the
 * caller checked `nestable()`, and the open call's trace records this one as it is —
 * active, no filter, within its limits, no secret in this function (looked at before), no test
 * or trace() block to consult, no watcher. It writes what record would, else returns NOT_NESTED
 * having changed nothing, and the call goes through begin().
 */
function nested(id: number, n: number, a0: unknown, a1: unknown, a2: unknown): number {
  const p = cur;
  if (lent.size !== 0 || testNested || watchNext !== null) return NOT_NESTED;
  const tp = tape, pr = p - tp.base;
  const t = tp.traces[tp.slotted ? tp.slot[pr] : 0];
  const depth = (p === depthOwner ? depthNow : depthOf(tp, pr)) + 1;
  if (
    !t.active || t.tape !== tp || t.filter !== null || t.wrapperPending || depth > t.maxDepth ||
    t.count >= t.capacity || tp.rows >= tp.maxRows
  ) return NOT_NESTED;
  const rd = t.redaction;
  // A function with a secret parameter (marked's `token`: 47,000 calls) as record() keeps it.
  const fn = rd === null || id >= rd.fns.length ? 0 : rd.fns[id];
  if (rd !== null && fn !== LOOKED_AT && fn !== (LOOKED_AT | SECRET_ARGS)) return NOT_NESTED;
  kept = 0;
  keeping = id;
  let args: unknown;
  if (fn === (LOOKED_AT | SECRET_ARGS)) args = secretArgs(rd!, t, id, n, a0, a1, a2, undefined);
  else if (
    n === 1 && typeof a0 !== "object" && typeof a0 !== "string" && typeof a0 !== "function"
  ) {
    // A number, boolean, undefined, bigint or symbol is kept as it is (keep): only the detail
    // budget is counted (keepArgs).
    if (t.details >= 0 && pastBudget(t, id)) kept = BRIEF;
    args = a0;
  } else args = keepArgs(t, id, n, a0, a1, a2, undefined);
  const row = newRow(tp, t, id, p, p, OPEN, args, kept);
  if (++t.count === countMark) counted(t);
  tp.start[row] = now();
  const h = tp.base + row;
  enter(h, depth);
  return h;
}

/**
 * Whether the recorder's hot paths are to run once on a scratch tape, once a trace recorded
 * WARM_AFTER calls (warmUp: a short program pays nothing for it): on JavaScriptCore only (Bun, the binary), where a path or value type first met after
 * a function was optimized exits its code (~100 times) and has it compiled again: marked every
 * call made ~3,400 such exits and ~20 optimizing compiles of tph's functions (FTL: 30–120 ms of
 * compiler-thread CPU each, counted in the program's process) during its first render.
 */
// deno-lint-ignore no-explicit-any
let warmPending = (globalThis as any).Bun !== undefined;

/** The options of the first trace started, until the warm-up runs with them. */
let warmLimits: TraceLimits | null = null;

/** A class of the warm-up's own (a summary by class name: details.ts, briefIndex). */
class WarmValue {
  n = 1;
  s = "w";
}

/** The record of the warm-up's function with a secret parameter (warmUp). */
const WARM_SECRET: FunctionRecord = {
  qualname: "warm",
  kind: "function",
  file: "",
  module: "",
  line: 0,
  column: 0,
  flags: 0,
  params: ["token", "text"],
  span: -1,
  textHash: 0,
};

/**
 * The warm-up's functions as its trace's redaction finds them: 0–3 looked at, no secret (as
 * nested() finds them); 4 with a secret parameter (marked's `token`), its second not (as
 * Redaction.info finds a function's); 5 with a secret name (its return redacted).
 */
function warmSecrets(rd: Redaction): void {
  for (let id = 0; id < 4; id++) rd.fns[id] = LOOKED_AT;
  rd.info(4, WARM_SECRET);
  rd.fns[5] = LOOKED_AT | SECRET_RETURN;
}

/** A named function (keep stores it as it is). */
function warmFunction(): void {}

/**
 * The warm-up's values (warmUp): numbers, strings short and past `keepChars`, objects, arrays,
 * a class, a function.
 */
function warmValues(keepChars: number): unknown[] {
  let long = "warm up ";
  while (long.length <= keepChars) long += long;
  const one = long.length > 0 ? 1 : 0;
  return [
    1,
    2.5,
    "a",
    long,
    { a: 1, b: "b" },
    [1, 2, 3],
    new WarmValue(),
    true,
    undefined,
    null,
    warmFunction,
    -1,
    "b",
    [],
    // An object without a prototype (marked returns 26,000), arrays of objects and strings.
    { __proto__: null, k: "v" },
    [{ a: 1 }, { a: 2 }],
    ["x", "y"],
    // Arrays made as a program makes them, not literals of constants (copied on write: a kind
    // of their own to the engine), of numbers whole and not, and of strings.
    [one, one + 1, one + 2],
    [one + 0.5, one + 1.5],
    [long, "" + one],
  ];
}

/**
 * Run the recording paths (nested and begin, the return and exit paths, summaries past the
 * detail budget, long strings, lists of arguments) on calls of a scratch trace on a tape of its
 * own, then put back every variable they moved: nothing of it is seen after (no program code
 * runs; the caches it fills are keyed by tph's own values or hold what any trace would compute).
 */
export function warmUp(limits: TraceLimits): boolean {
  // Not while values are looked for (--find), tests run (their calls go to their traces) or a
  // call is watched for (its next call would be the warm-up's).
  if (finder !== null || testRoot !== null || watchNext !== null) return false;
  // Its time is no call's: taken out of the clock when it ends (every open call's, the traces').
  const from = now();
  const t = new TraceState({
    ...limits,
    find: undefined,
    include: undefined,
    exclude: undefined,
    ignoreModules: undefined,
    details: 2,
    maxCalls: 4096,
    maxDepth: 100,
  });
  const savedTape = tape, savedBase = base, savedMin = minBase;
  const savedCur = cur, savedOwner = depthOwner, savedDepth = depthNow;
  // The error a call last threw (an uncaught error's check: node_uncaught.ts): the warm-up may run
  // in a call a finally block makes while that error goes up.
  const savedRethrown = lastRethrown;
  // The scratch trace's function 5 has its return redacted (warmSecrets): in a table of its own,
  // the program's put back after.
  const savedSecretFns = secretFns;
  secretFns = new Uint8Array(0);
  // Room for 64 rows: the calls below grow it (Tape.more, moreRest) as a long run's do. Its
  // handles are past any live one (the current tape's rows stay below MAX_ROWS), so no look-up
  // by handle (external calls, promises returned, lent or watched calls, the full trace's open
  // call) finds one of them.
  const tp = new Tape<TraceState>(tape.base + MAX_ROWS + 1, 64);
  tape = tp;
  base = minBase = tp.base;
  t.tape = tp;
  t.slot = 0;
  tp.traces[0] = t;
  tp.active = 1;
  const rd = t.redaction;
  if (rd !== null) warmSecrets(rd);
  try {
    const values = warmValues(t.keepChars);
    const n = values.length;
    // A root call's look-up (record): no tape.
    tapeOf(-1);
    const root = tp.base + newRow(tp, t, 0, -1, -1, OPEN, undefined, 0);
    tp.start[0] = now();
    enter(root, 1);
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < n; i++) {
        const a = values[i], b = values[(i + 1) % n], c = values[(i + 5) % n];
        let h = R.e1(0, 1, a);
        R.r(h, b);
        R.x(h);
        h = R.e2(0, 2, b, a);
        const h2 = R.e3(0, 3, c, a, b);
        R.r(h2, c);
        R.x(h2);
        R.r(h, a);
        R.x(h);
        h = R.en(0, 1, [a, b, c, a]);
        R.r(h, c);
        R.x(h);
        h = R.e0(0, 2);
        R.x(h);
        // A call that throws (its arguments described in full then: details.ts).
        h = R.e1(0, 3, c);
        R.t(h, values[i]);
        R.x(h);
        if (rd !== null) {
          h = R.e2(0, 4, a, c);
          R.r(h, b);
          R.x(h);
          h = R.e1(0, 5, b);
          R.r(h, a);
          R.x(h);
        }
      }
    }
    R.x(root);
  } finally {
    tape = savedTape;
    base = savedBase;
    minBase = savedMin;
    cur = savedCur;
    depthOwner = savedOwner;
    depthNow = savedDepth;
    kept = 0;
    keeping = 0;
    keptA1 = keptA2 = undefined;
    keptMore = 0;
    clipFrom = null;
    clipTo = "";
    clipKeep = 0;
    lastRethrown = savedRethrown;
    secretFns = savedSecretFns;
    forgetFunctionTexts();
    takeOutSince(from);
  }
  return true;
}

/** The object instrumented code calls. Method names are short: they appear in emitted code. */
export const R = {
  /** True while any trace records; instrumented functions skip everything else when false. */
  on: false as boolean,
  /** The library of the tph this recorder belongs to, once loaded (src/program/trace.ts). */
  lib: null as LibraryABI | null,
  /**
   * What installed the loader hook in this process (`run`: tph run's preload; `register`: the
   * register entry), or null: a second one (another copy of tph's register entry) then stays out.
   */
  loader: null as "run" | "register" | null,
  reg(meta: ModuleMeta): number {
    return registerModule(meta);
  },
  /** Static facts of a function id (the table lives with the one installed recorder). */
  fn(id: number): FunctionRecord {
    return functionRecord(id);
  },
  /** Register the AsyncLocalStorage that `trace()` blocks use; root calls then consult it. */
  // deno-lint-ignore no-explicit-any
  useStorage(als: any): void {
    storage = als;
    if (als !== null) getStore = uncurry(protoOf(als).getStore);
    noFullOwner();
  },
  // deno-lint-ignore no-explicit-any
  storage(): any {
    return storage;
  },
  /** `tph test` on Node: what gives the trace of the test whose function runs now (testRoot). */
  useTestRoots(root: ((id: number) => TraceState | undefined) | null, nested = true): void {
    testRoot = root;
    testNested = root !== null && nested;
    noFullOwner();
    refreshOn();
  },
  /**
   * `tph test` on Bun: tell `end` how the call that begins next ends (asked from testRoot, as
   * the test's function is called), with the value it returned or the error it threw.
   */
  watchNextCall(end: CallEnd): void {
    watchNext = end;
  },
  /** The trace `tph run` records into when no `trace()` block owns the async context. */
  setProcessTrace(t: TraceState | null): void {
    processTrace = t;
    noFullOwner();
    refreshOn();
  },
  /** Stop recording anything (`true`) while tph saves, or go on (`false`). */
  hush(on: boolean): void {
    hushed = on;
    refreshOn();
  },
  /** A trace started (+1) or stopped (-1): recording is on while any is active. */
  countActive(delta: number): void {
    activeCount += delta;
    refreshOn();
  },
  /**
   * Lend the call `c` to trace `t` (calls it makes go to `t`), or end the loan (`t` null).
   * Returns the trace it was lent to before, or null.
   */
  lend(c: number, t: TraceState | null): TraceState | null {
    quickOff();
    const was = lent.size === 0 ? undefined : lent.get(c);
    if (t === null) lent.delete(c);
    else lent.set(c, t);
    return was ?? null;
  },
  /** The stack owner: the recorded call running now, or -1. */
  current(): number {
    return cur;
  },
  /** The trace that records call `h` (a handle), or null when `h` is -1 or stale. */
  traceOf(h: number): TraceState | null {
    return h >= 0 && live(h) ? tape.traces[tape.slot[h - base]] ?? null : null;
  },
  /**
   * Start a trace: its state, with its place on the tape.
   *
   * @throws {TypeError} For a redaction pattern that cannot be used (before anything starts).
   */
  startTrace(limits: TraceLimits = {}): TraceState {
    const t = new TraceState(limits);
    // On Bun, tph's functions kept from FTL if the first trace's recording is bounded (ftl.ts).
    keepRecorderFromFtl(t.capacity);
    // The first trace's options, for the warm-up once a trace has recorded WARM_AFTER calls.
    if (warmPending) {
      warmPending = false;
      warmLimits = limits;
      countMark = WARM_AFTER;
    }
    attachTrace(t);
    tracesStarted++;
    return t;
  },
  /** The harness the file `tph setup` writes calls on (`base`: its `import.meta.url`). */
  setup(base: string): SetupHarness {
    // What it prints is redacted as the run's tree is (none when the run's redaction is off).
    return setupHarness(base, processTrace !== null ? processTrace.redaction : Redaction.of({}));
  },
  /** How many traces were started in this process (`tph run`'s own and the program's trace()). */
  tracesStarted(): number {
    return tracesStarted;
  },
  /**
   * Start a new tape at a trace's start once the current one holds `rows` rows, and only then,
   * even while traces record on it (they go on there, and it is retired when they stopped): a
   * server's run per request keeps memory bounded so, while the calls outside requests record
   * all along. A call of a stopped trace that ends later may then still write its own row.
   * Infinity (the default): a new tape when no trace records on the current one.
   */
  rotateTapes(rows: number): void {
    rotateAt = rows;
  },
  /** Tapes alive: the current one and those left behind with traces still recording (tests). */
  liveTapes(): number {
    return older.length + 1;
  },
  /** A trace stopped. */
  detach(t: TraceState): void {
    detachTrace(t);
  },
  // Past the limit (the open call is the full trace's), a call is counted and nothing else is
  // done, before anything else (a program past the limit makes most of its calls there); a call
  // under a recorded call takes the short way (nested) when it can. One entry per number of
  // arguments, alike but for them, written out: a shared one taking `...args` or an array would
  // allocate on every call of the program (the entries are its hottest path).
  e0(b: number, k: number): number {
    if (cur === quickOwner && suspending[b + k] === RUNS_THROUGH) {
      quickCount++;
      return -1;
    }
    if (cur === fullOwner && leftOut(b + k)) return -1;
    if (nestable()) {
      const h = nested(b + k, 0, undefined, undefined, undefined);
      if (h !== NOT_NESTED) return h;
    }
    return begin(b, k, 0, undefined, undefined, undefined, undefined);
  },
  e1(b: number, k: number, a: unknown): number {
    if (cur === quickOwner && suspending[b + k] === RUNS_THROUGH) {
      quickCount++;
      return -1;
    }
    if (cur === fullOwner && leftOut(b + k)) return -1;
    if (nestable()) {
      const h = nested(b + k, 1, a, undefined, undefined);
      if (h !== NOT_NESTED) return h;
    }
    return begin(b, k, 1, a, undefined, undefined, undefined);
  },
  e2(b: number, k: number, a: unknown, a2: unknown): number {
    if (cur === quickOwner && suspending[b + k] === RUNS_THROUGH) {
      quickCount++;
      return -1;
    }
    if (cur === fullOwner && leftOut(b + k)) return -1;
    if (nestable()) {
      const h = nested(b + k, 2, a, a2, undefined);
      if (h !== NOT_NESTED) return h;
    }
    return begin(b, k, 2, a, a2, undefined, undefined);
  },
  e3(b: number, k: number, a: unknown, a2: unknown, a3: unknown): number {
    if (cur === quickOwner && suspending[b + k] === RUNS_THROUGH) {
      quickCount++;
      return -1;
    }
    if (cur === fullOwner && leftOut(b + k)) return -1;
    if (nestable()) {
      const h = nested(b + k, 3, a, a2, a3);
      if (h !== NOT_NESTED) return h;
    }
    return begin(b, k, 3, a, a2, a3, undefined);
  },
  en(b: number, k: number, args: unknown[]): number {
    if (cur === quickOwner && suspending[b + k] === RUNS_THROUGH) {
      quickCount++;
      return -1;
    }
    if (cur === fullOwner && leftOut(b + k)) return -1;
    return begin(b, k, -1, undefined, undefined, undefined, args);
  },
  // The methods below are tiny gates (inlined by the JIT: an untraced call costs ~1 ns) in
  // front of the recording work, which stays out of line.
  /** A `return` of a recorded call: keep what it returned, hand the value on unchanged. */
  r<T>(c: number, v: T): T {
    if (c >= 0) recordReturn(c, v);
    // A call left out while values are looked for (see begin).
    else if (c < -1) findReturn(c, v);
    return v;
  },
  /** A `return` of an async function: as r, but a promise returned is followed to its end (xa). */
  ra<T>(c: number, v: T): T {
    if (c >= 0) {
      // An async recursion that ran out of stack returns its rejected promise from near the
      // limit: tph's error would replace it (and leave it unhandled). The value goes on, unkept.
      try {
        const tp = followable(v) ? tapeOf(c) : null;
        if (tp !== null && tp.state[c - tp.base] !== HIDDEN) returned.set(c, v as Promise<unknown>);
        else {
          if (returned.size !== 0) returned.delete(c); // a finally block's return replaces it
          recordReturn(c, v);
        }
      } catch {
        // The stack ran out in tph.
      }
    } else if (c < -1) findReturn(c, v);
    return v;
  },
  /** An error propagating out of a recorded call. */
  t(c: number, e: unknown): void {
    lastRethrown = e;
    if (returned.size !== 0) returned.delete(c); // a finally block's throw replaces a return
    if (finder !== null && c !== -1) findLeaving(c, e, "throw");
    if (extTop !== 0 && c >= 0) extUnwind(c, true, e);
    const tp = tapeOf(c);
    if (tp !== null && tp.state[c - tp.base] !== HIDDEN) {
      const row = c - tp.base;
      tp.state[row] = THREW;
      const t = tp.traces[tp.slot[row]];
      setValueAt(tp, tp.result, row, formatError(e, t.maxRepr, t.redaction));
    }
  },
  /** `tph test` on Bun: a test's function that threw returns this (tests/bun_tests.ts). */
  rj: null as ((e: unknown) => unknown) | null,
  /** With rj: whether what a test's function threw is handed over by rj (else thrown again). */
  re: (_e: unknown): boolean => false,
  /** The call ended (returned, threw, or its promise settled). */
  x(c: number): void {
    if (c >= 0) {
      if (extTop !== 0) extUnwind(c, false, undefined);
      recordExit(c);
    }
  },
  /** An async function's body ended: its call too, unless it waits for a promise it returned. */
  xa(c: number): void {
    if (c >= 0) {
      if (extTop !== 0) extUnwind(c, false, undefined);
      if (returned.size === 0 || !returned.has(c)) recordExit(c);
      else adopt(c);
    }
  },
  /** A jump out of a finally block of call `c` (async) cancelled the `return` it ran for. */
  rc(c: number): void {
    if (c >= 0 && returned.size !== 0) returned.delete(c);
  },
  /** Before `await`/`yield`: give the stack back to whoever resumed this call. */
  s<T>(c: number, v: T): T {
    if (c >= minBase) suspend(c);
    return v;
  },
  /** After resuming (or entering a catch/finally that a rejection may have reached): take it. */
  w<T>(c: number, v?: T): T | undefined {
    if (c >= 0) resume(c);
    return v;
  },
  /**
   * A call site calling `f` out of the traced code, from recorded call `c`, once its arguments
   * are in (ka…kl). The site's row is `d` rows after the calling function's in its table.
   */
  k(c: number, d: number, f: unknown): unknown {
    if (c >= 0) extOpen(c, d, f, false);
    return f;
  },
  /** As k, for a call without arguments: it starts now. */
  k0(c: number, d: number, f: unknown): unknown {
    if (c >= 0) extOpen(c, d, f, true);
    return f;
  },
  /** A call site calling `obj.key(…)` out of the traced code: see extMethod. */
  km(c: number, d: number, obj: unknown): unknown {
    return c < 0 ? obj : extMethod(c, d, obj, false);
  },
  /** As km, for a call without arguments. */
  km0(c: number, d: number, obj: unknown): unknown {
    return c < 0 ? obj : extMethod(c, d, obj, true);
  },
  /** An argument of call `c`'s innermost open external call, handed on unchanged. */
  ka<T>(c: number, v: T): T {
    return c < 0 || extTop === 0 ? v : extArg(c, v, false, false);
  },
  /** Its last argument: the call starts. */
  kl<T>(c: number, v: T): T {
    return c < 0 || extTop === 0 ? v : extArg(c, v, false, true);
  },
  /** A spread argument (`...v`): an array's elements, else the value itself. */
  ks<T>(c: number, v: T): T {
    return c < 0 || extTop === 0 ? v : extArg(c, v, true, false);
  },
  /** A spread last argument. */
  ksl<T>(c: number, v: T): T {
    return c < 0 || extTop === 0 ? v : extArg(c, v, true, true);
  },
  /** The result of call `c`'s innermost open external call: it returned. */
  kx<T>(c: number, v: T): T {
    if (c >= 0 && extTop !== 0) extReturn(c, v);
    return v;
  },
  /** A catch clause of call `c` caught `e`: the external calls it left open threw it. */
  kc(c: number, e: unknown): void {
    if (c >= 0 && extTop !== 0) extUnwind(c, true, e);
  },
  /** A catch clause of call `c` whose error tph cannot see (a destructuring pattern). */
  ku(c: number): void {
    if (c >= 0 && extTop !== 0) extUnwind(c, false, undefined);
  },
  /** A finally block of call `c`: it owns the stack, whatever external call a throw left open. */
  kf(c: number): void {
    if (c >= 0 && extTop !== 0 && c !== cur && extFind(c) >= 0 && live(c)) cur = c;
  },
  /** `for await (… of x)`: wraps x so the stack is given back before each implicit await. */
  fa(c: number, iterable: unknown): unknown {
    return c < 0 ? iterable : forAwaitIterable(c, iterable);
  },
  /** `yield* x` in a generator: x, its iterator stepped on behalf of the delegating call. */
  yd(c: number, iterable: unknown): unknown {
    return c < 0 ? iterable : delegated(c, iterable, Symbol.iterator);
  },
  /** `yield* x` in an async generator: as yd, over x's async iterator, else its sync one. */
  ya(c: number, iterable: unknown): unknown {
    if (c < 0 || iterable === null || iterable === undefined) return iterable;
    // deno-lint-ignore no-explicit-any
    const method = (iterable as any)[Symbol.asyncIterator];
    // Without an async iterator the engine wraps the sync one (async-from-sync) around ours.
    if (method === undefined || method === null) return delegated(c, iterable, Symbol.iterator);
    return wrapDelegate(c, iterable, Symbol.asyncIterator, method);
  },
} satisfies RecorderABI & Record<string, unknown>;

// External calls in flight, innermost last, as parallel columns: the recorded call whose code
// makes it, its function id, what it is (EXT_SKIP: not recorded; EXT_PENDING: arguments still
// coming; EXT_DROPPED: left out by a limit; else its handle), and its arguments so far. A call
// site opens one when its callee is known and closes it with its result; an error closes the
// ones it left open when the caller's catch, finally or exit runs. Async calls interleave, so an
// entry is looked up by its owner from the top.
const EXT_SKIP = -2;
const EXT_PENDING = -3;
const EXT_DROPPED = -4;
const extOwner: number[] = ownArray([]);
const extId: number[] = ownArray([]);
const extState: number[] = ownArray([]);
const extArgs: unknown[][] = ownArray([]);
let extTop = 0;
const NO_ARGS: unknown[] = [];
/** What an external call threw when tph did not see the error. */
const UNSEEN_ERROR = "(an error that tph did not see)";

function extPush(c: number, id: number, state: number, args: unknown[]): number {
  const i = extTop++;
  extOwner[i] = c;
  extId[i] = id;
  extState[i] = state;
  extArgs[i] = args;
  return i;
}

/** The innermost open external call of `c`, or -1. */
function extFind(c: number): number {
  for (let i = extTop - 1; i >= 0; i--) if (extOwner[i] === c) return i;
  return -1;
}

function extRemove(i: number): void {
  extTop--;
  for (let j = i; j < extTop; j++) {
    extOwner[j] = extOwner[j + 1];
    extId[j] = extId[j + 1];
    extState[j] = extState[j + 1];
    extArgs[j] = extArgs[j + 1];
  }
  extArgs[extTop] = NO_ARGS;
}

function extOpen(c: number, d: number, f: unknown, start: boolean): void {
  const tp = typeof f === "function" ? tapeOf(c) : null;
  if (tp === null || notExternal(f as object)) {
    extPush(c, 0, EXT_SKIP, NO_ARGS);
    return;
  }
  extCall(c, tp.fn[c - tp.base] + d, start);
}

/**
 * An external call of call `c` to function `id`, waiting for its arguments (`start`: it has none,
 * and starts now). Under the full trace's open call (`c === fullOwner`) it is counted as left out
 * as begin() would count it, before its arguments are gathered, unless values are looked for (a
 * call left out keeps its function then: extReturn); so it is under a call whose callees are
 * counted the quick way (`c === quickOwner`: at its trace's max_depth).
 */
function extCall(c: number, id: number, start: boolean): void {
  if (c === fullOwner && finder === null && pastFull(c)) extPush(c, 0, EXT_SKIP, NO_ARGS);
  else if (c === quickOwner) {
    quickCount++;
    extPush(c, 0, EXT_SKIP, NO_ARGS);
  } else {
    const i = extPush(c, id, EXT_PENDING, []);
    if (start) extStart(i);
  }
}

const bindFn = Function.prototype.bind;

/**
 * `obj.key(…)` out of the traced code: the method is read once, here, and the call site calls
 * it bound to `obj` (a bound function adds no frame to a stack trace), so `this` and a getter's
 * single run stay as without tph.
 */
function extMethod(c: number, d: number, obj: unknown, start: boolean): unknown {
  const tp = obj === null || obj === undefined ? null : tapeOf(c);
  if (tp === null) {
    extPush(c, 0, EXT_SKIP, NO_ARGS);
    return obj;
  }
  const id = tp.fn[c - tp.base] + d;
  const key = externalKey(id);
  const f = (obj as Record<string, unknown>)[key];
  // Not callable: the site reads it again and fails with the runtime's own message.
  if (typeof f !== "function") {
    extPush(c, 0, EXT_SKIP, NO_ARGS);
    return obj;
  }
  // The site's method on the same object as last time: the same callable (immutable, and never
  // seen by the program but in call position), and the same answer of notExternal.
  const s = id & (EXT_SITES - 1);
  let callable: unknown;
  if (siteIds[s] === id && siteFns[s] === f && siteObjs[s] === obj) callable = siteCallables[s];
  else {
    callable = { [key]: apply(bindFn, f, [obj]) };
    siteIds[s] = id;
    siteFns[s] = f;
    siteObjs[s] = obj;
    siteCallables[s] = callable;
    siteOwn[s] = notExternal(f) ? 1 : 0;
  }
  if (siteOwn[s] === 1) extPush(c, 0, EXT_SKIP, NO_ARGS);
  else extCall(c, id, start);
  return callable;
}

/**
 * By an external call site's id (its low bits), the object and method extMethod saw there last,
 * the callable it made of them, and whether the method is tph's own or traced (notExternal):
 * yaml makes ~100,000 such calls (`Array.isArray(…)`, `Object.keys(…)`), each a bound function and
 * an object before (~150 ns, and their garbage).
 */
const EXT_SITES = 64;
const siteIds = new Int32Array(EXT_SITES);
const siteOwn = new Uint8Array(EXT_SITES);
const siteFns: unknown[] = ownArray([]);
const siteObjs: unknown[] = ownArray([]);
const siteCallables: unknown[] = ownArray([]);
for (let s = 0; s < EXT_SITES; s++) {
  siteIds[s] = -1;
  siteFns[s] = siteObjs[s] = siteCallables[s] = null;
}

/**
 * `args` with `v` after its last: a new array made by a literal for up to three (no element is
 * written past an array's end, where a setter the program put on an index of Array.prototype
 * would run: see ownArray), then tph's own array, grown in place (making one costs ~50 ns on V8).
 */
function withArg(args: unknown[], v: unknown): unknown[] {
  const n = args.length;
  if (n === 0) return [v];
  if (n === 1) return [args[0], v];
  if (n === 2) return [args[0], args[1], v];
  const own = n === 3 ? ownArray([args[0], args[1], args[2]]) : args;
  own[n] = v;
  return own;
}

/** Hand argument `v` to call `c`'s innermost open external call; returns `v`. */
function extArg<T>(c: number, v: T, spread: boolean, last: boolean): T {
  const i = extFind(c);
  if (i < 0 || extState[i] !== EXT_PENDING) return v;
  if (spread && Array.isArray(v)) {
    // Index reads into a loop, not a spread: the program may have patched the iterator.
    for (let j = 0; j < v.length; j++) extArgs[i] = withArg(extArgs[i], v[j]);
  } else extArgs[i] = withArg(extArgs[i], v);
  if (last) extStart(i);
  return v;
}

/** The call starts: its row, under the call whose code makes it. */
function extStart(i: number): void {
  const saved = cur;
  cur = extOwner[i];
  const h = begin(extId[i], 0, -1, undefined, undefined, undefined, extArgs[i]);
  if (h < 0) {
    cur = saved;
    extState[i] = EXT_DROPPED;
  } else extState[i] = h;
  extArgs[i] = NO_ARGS;
}

function extClose(h: number, ok: boolean, value: unknown, known: boolean): void {
  const tp = tapeOf(h);
  if (tp === null) return;
  const row = h - tp.base;
  tp.end[row] = now();
  if (ok) storeReturn(tp, row, value, secretFns.length !== 0 && secretReturn(tp, row));
  else {
    tp.state[row] = THREW;
    // A catch clause with a destructuring pattern, say, never hands the error over.
    const t = tp.traces[tp.slot[row]];
    setValueAt(
      tp,
      tp.result,
      row,
      known ? formatError(value, t.maxRepr, t.redaction) : UNSEEN_ERROR,
    );
  }
  recordExit(h);
}

function extReturn(c: number, v: unknown): void {
  const i = extFind(c);
  if (i < 0) return;
  const h = extState[i];
  const id = extId[i];
  extRemove(i);
  if (h >= 0) extClose(h, true, v, true);
  // What an external call returned, when values are looked for: a recorded one (h), or one a
  // limit left out (its function is the site's; its stack, the calling call's).
  if (finder !== null && (h >= 0 || h === EXT_DROPPED)) {
    findReturn(h >= 0 ? h : -2 - id, v);
  }
}

/**
 * Close the external calls of `c` left open by an error: those that started threw it (`e`, when
 * `known`); those still taking arguments never ran.
 */
function extUnwind(c: number, known: boolean, e: unknown): void {
  for (let i = extTop - 1; i >= 0; i--) {
    if (extOwner[i] !== c) continue;
    const h = extState[i];
    extRemove(i);
    if (h >= 0) extClose(h, false, e, known);
  }
}

/** A value returned: compared with the values looked for unless it plainly cannot match. */
function findReturn(c: number, v: unknown): void {
  const g = finder!.gate;
  if (g === EVERY || v === g || (typeof v === "object" && v !== null)) {
    findLeaving(c, v, "return");
  }
}

function recordReturn(c: number, v: unknown): void {
  if (watched.size !== 0 && watched.has(c)) returnedBy.set(c, v);
  const f = finder;
  if (f !== null) {
    // As findReturn, inline: a returned primitive that is not the value looked for is skipped.
    const g = f.gate;
    if (g === EVERY || v === g || (typeof v === "object" && v !== null)) {
      findLeaving(c, v, "return");
    }
  }
  const tp = tapeOf(c);
  if (tp === null) return;
  const row = c - tp.base;
  if (tp.state[row] === HIDDEN) return;
  // The clock first: the time to describe the value is not the call's.
  tp.end[row] = now();
  const secret = secretFns.length !== 0 && secretReturn(tp, row);
  if (!secret && typeof v !== "object" && typeof v !== "string") {
    // keepReturn's way with a number, boolean, undefined, function…, inline (V8 boxed the time
    // and the value through the calls).
    // Its code where no value is let go (a call's first return: most), else as setValueAt.
    const chunk = tp.result[row >>> VALUE_BITS], j = row & VALUE_MASK;
    if (chunk[j] < OTHERS) chunk[j] = codeOf(tp, v);
    else setValueAt(tp, tp.result, row, v);
    if (tp.marks[row] < 0) tp.marks[row] &= ~RET_TEXT;
  } else storeReturn(tp, row, v, secret);
}

function recordExit(c: number): void {
  const tp = tapeOf(c);
  if (tp === null) {
    if (watched.size !== 0) watchedExit(c);
    return;
  }
  const row = c - tp.base;
  const state = tp.state[row];
  // A `return` already stopped the clock, unless a finally block threw after it.
  if (tp.end[row] < 0 || state === THREW) tp.end[row] = now();
  if (state === OPEN) tp.state[row] = RETURNED; // HIDDEN rows stay hidden
  // Objects a call past the detail budget kept: described in full when it threw or matched.
  const m = tp.marks[row];
  if ((m & PENDING) !== 0) settleArgs(tp, row, state === THREW || (m & BRIEF) === 0);
  // Ended while suspended (an await that rejected out of the call): awaiting until its end.
  if ((m & AWAITS) !== 0) {
    const a = tp.awaited[row];
    if (a < 0) tp.awaited[row] = max(0, a + tp.end[row]);
  }
  if (cur === c) giveBack(tp, row, c);
  // After its end is kept: a test's block may end with it.
  if (watched.size !== 0) watchedExit(c);
}

// The promise each async call returned (ra), by handle, until its body ends (xa): a finally block
// may still return something else or throw, and then the function's promise never adopts it.
const returned: Map<number, Promise<unknown>> = new SafeMap<number, Promise<unknown>>();
/** The call that ends with its promise rejected, and the error (for watchedExit). */
let rejectedCall = -1;
let rejection: unknown = undefined;

/**
 * The body of call `c` ended, its promise adopting the one it returned: the call awaits that
 * promise, and ends when it settles. Followed only now, when it is sure to be adopted: following
 * a promise handles its rejection, which must stay unhandled if the program drops the promise.
 */
function adopt(c: number): void {
  const p = returned.get(c)!;
  returned.delete(c);
  // A finally block may have changed it (a `constructor` of its own).
  if (!followable(p)) {
    recordReturn(c, p);
    recordExit(c);
    return;
  }
  try {
    follow(p, (v) => settled(c, true, v), (e) => settled(c, false, e));
  } catch {
    // The stack ran out in tph: the call ends now, with what it returned.
    recordReturn(c, p);
    recordExit(c);
    return;
  }
  if (live(c)) suspend(c);
}

/** The promise that call `c` returned settled: with `v`, or rejected with `v`. */
function settled(c: number, ok: boolean, v: unknown): void {
  // A reaction's own error would reject a promise nobody handles: tph's errors stay out.
  try {
    endSettled(c, ok, v);
  } catch {
    // Nothing of the program's depends on it.
  }
}

/** Call `c` ends with its promise settled: fulfilled with `v`, or rejected with error `v`. */
function endSettled(c: number, ok: boolean, v: unknown): void {
  if (ok) recordReturn(c, v);
  else {
    if (finder !== null) findLeaving(c, v, "throw");
    const tp = tapeOf(c);
    if (tp !== null && tp.state[c - tp.base] !== HIDDEN) {
      const row = c - tp.base;
      tp.state[row] = THREW;
      const t = tp.traces[tp.slot[row]];
      setValueAt(tp, tp.result, row, formatError(v, t.maxRepr, t.redaction));
    }
    rejectedCall = c;
    rejection = v;
  }
  try {
    recordExit(c);
  } finally {
    rejectedCall = -1;
    rejection = undefined;
  }
}

/** The call just begun is a test's function (testRoot): watched to its end. */
function watchCall(h: number): void {
  watched.set(h, watchNext!);
  watchNext = null;
}

/** A watched call ends (watchNextCall): tell its watcher how. */
function watchedExit(c: number): void {
  const end = watched.get(c);
  if (end === undefined) return;
  watched.delete(c);
  const tp = tapeOf(c);
  const threw = tp !== null && tp.state[c - tp.base] === THREW;
  const value = threw ? (c === rejectedCall ? rejection : lastRethrown) : returnedBy.get(c);
  returnedBy.delete(c);
  end(threw, value);
}

/** Call `c` (a handle at least `minBase`) suspends: it gives the stack back, and its time awaiting starts. */
function suspend(c: number): void {
  const tp = tapeOf(c);
  if (tp === null) return;
  const row = c - tp.base;
  // Its depth, for its resumes (Tape.depth). Making the column may find the stack run out (an
  // async recursion): the program's promise must then still be awaited, so nothing is thrown.
  if (depthOwner === c) {
    try {
      setDepth(tp, row, depthNow + 1);
    } catch {
      // Its resumes walk the parents instead.
    }
  }
  if (cur === c) giveBack(tp, row, c);
  // See Tape.awaited: negative while suspended (a second suspension without a resume keeps the
  // first's start).
  tp.marks[row] |= AWAITS;
  const a = tp.awaited[row];
  if (a >= 0) {
    tp.awaited[row] = a - now();
    tp.awaitedWritten = true;
  }
}

/** Call `c` resumes (or enters a catch/finally): it takes the stack, and stops awaiting. */
function resume(c: number): void {
  const tp = tapeOf(c);
  if (tp === null) return;
  const row = c - tp.base;
  if (c !== cur) {
    tp.prev[row] = cur + 2;
    tp.prevWritten = true;
    cur = c;
  }
  const d = suspendedDepth(tp, row);
  if (d !== 0) {
    depthOwner = c;
    depthNow = d - 1;
  }
  const a = tp.awaited[row];
  if (a < 0) tp.awaited[row] = a + now();
}

// The hand-off of the stack across iterator protocols (iterators.ts).
const { delegated, wrapDelegate, forAwaitIterable } = stackHandOff({
  take(c: number): void {
    resume(c);
  },
  giveBack(c: number): void {
    if (live(c)) suspend(c);
  },
});

/** The recorder's type: the object behind `globalThis.__tph`. */
export type Runtime = typeof R;

/**
 * The one recorder of this process, installed as `globalThis.__tph` on first use. When another
 * copy of tph (say the CLI's) installed one first, that one is returned, so a program's own
 * `trace()` and the instrumented code always share a recorder.
 */
export function runtime(): Runtime {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g[RUNTIME_GLOBAL] === undefined) {
    Object.defineProperty(g, RUNTIME_GLOBAL, { value: R, writable: false, configurable: false });
  }
  return g[RUNTIME_GLOBAL];
}

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([
  settle,
  counted,
  keep,
  keepFunction,
  paramName,
  paramNames,
  clipped,
  keepString,
  keepText,
  keepReturn,
  storeReturn,
  secretReturn,
  secretFn,
  pastBudget,
  keepArgs,
  keepAll,
  secretArgs,
  tapeOf,
  live,
  newRow,
  depthOf,
  giveBack,
  enter,
  hiddenRow,
  begin,
  pastFull,
  leftOut,
  suspends,
  learnSuspends,
  record,
  wrapperRow,
  nestable,
  nested,
  findReturn,
  recordReturn,
  recordExit,
  adopt,
  settled,
  endSettled,
  suspend,
  resume,
  extPush,
  extFind,
  extRemove,
  extOpen,
  extCall,
  extMethod,
  extArg,
  extStart,
  extClose,
  extReturn,
  extUnwind,
  R.e0,
  R.e1,
  R.e2,
  R.e3,
  R.en,
  R.r,
  R.ra,
  R.t,
  R.x,
  R.xa,
  R.rc,
  R.s,
  R.w,
  R.k,
  R.k0,
  R.km,
  R.km0,
  R.ka,
  R.kl,
  R.ks,
  R.ksl,
  R.kx,
  R.kc,
  R.ku,
  R.kf,
]);
