// The state of one trace: its limits, filters and the calls recorded so far.

import { now } from "./clock.ts";
import { compileGlob } from "../../project/glob.ts";
import { Redaction } from "./redact.ts";
import { functionRecord } from "./functions.ts";
import { reprLimit } from "./repr.ts";
import { HIDDEN, type Tape } from "./tape.ts";
import {
  bytesSet,
  floor,
  max,
  min,
  SafeMap,
  SafeSet,
  SafeWeakMap,
  strStartsWith,
} from "../../platform/intrinsics.ts";
import { Finder } from "./find.ts";

import { limitKeys, type LimitsByKey, type TraceLimits } from "../../run_file/limits.ts";
import {
  Date,
  Int32Array,
  Map,
  Set,
  TypeError,
  Uint8Array,
  WeakMap,
} from "../../platform/globals.ts";

/**
 * The recorder's hook that adds the calls it counted past the limit without the trace (its quick
 * count: recorder.ts, leftOut) into trace `t`, before `t`'s counts are read or it counts another
 * way (drop); set by the recorder (onSettle).
 */
let settleCounts: (t: TraceState) => void = () => {};

/** Set the hook that settles the recorder's quick count into a trace (see settleCounts). */
export function onSettle(settle: (t: TraceState) => void): void {
  settleCounts = settle;
}

/** A RegExp's summary by its source (details.ts, regexBrief): its flags, its text's index. */
export interface RegexBrief {
  flags: number;
  index: number;
}

/**
 * The mutable state of one trace, shared by the recorder and the public `TraceHandle` (trace.ts).
 * Made by the recorder's `startTrace`, which gives it its place on the tape.
 */
export class TraceState {
  active = true;
  /** The tape the calls are recorded on, this trace's slot there, its first row and where its rows end once it stopped (-1 while active). */
  tape!: Tape<TraceState>;
  slot = 0;
  firstRow = 0;
  endRow = -1;
  /** Calls recorded, the hidden callback of trace.run() included. */
  count = 0;
  /** The limits as the run's `config` states them (LIMITS, run_file/limits.ts). */
  readonly limits: LimitsByKey;
  readonly maxDepth: number;
  readonly maxCalls: number;
  readonly maxRepr: number;
  /**
   * The detail budget: calls of each function whose objects are described in full (the rest are
   * summarised: recorder.ts, record); -1 for every call (`details = "all"`).
   */
  readonly details: number;
  /** Calls described in full so far, by function id (grown as ids come: describedUpTo). */
  described: Int32Array = new Int32Array(0);
  /** Values summarised past the detail budget. */
  summarised = 0;
  /**
   * The tape's text of the summary of the objects of a class (by prototype) and of the plain
   * arrays of a length, past the detail budget (details.ts): made once, by this trace's redaction.
   */
  readonly classSummaries: WeakMap<object, number> = new SafeWeakMap<object, number>();
  /** The texts of plain arrays' summaries by length, plus one (0: none yet): see arrayBrief. */
  arrayBriefs: Int32Array = new Int32Array(0);
  /** The class summary briefIndex gave last: its prototype (null: none yet) and text. */
  briefProto: object | null = null;
  briefText = 0;
  /** The object briefIndex looked at last that is not a proxy (null: none). */
  briefObject: object | null = null;
  /** The tape's texts of RegExps' summaries by source (details.ts, regexBrief); null: none yet. */
  regexBriefs: Map<string, RegexBrief> | null = null;
  /**
   * The string of each length (by its low bits) kept last, and its index on the tape (see
   * keepString): the same string often goes down a chain of calls (a parser's rest of its input),
   * the same object, and one compared equal costs less than its hash.
   */
  lastStrings: string[] | null = null;
  lastIds: Int32Array = new Int32Array(0);
  /** Longest string kept as it is: longer ones are clipped to this length (see clipString). */
  readonly keepChars: number;
  readonly ignoreModules: string[];
  readonly include: string[];
  readonly exclude: string[];
  /** What is stored as "[redacted]"; null when redaction is off. */
  readonly redaction: Redaction | null;
  /** The values looked for in every call, and the matches found (null: none looked for). */
  readonly finder: Finder | null;
  /** The redaction when it scans strings by value (they are then checked when stored), else null. */
  readonly scrubs: Redaction | null;
  /** Null when every function is accepted (the common, fast case). */
  readonly filter: ((id: number) => boolean) | null;
  readonly startedAt = new Date();
  readonly startTime = now();
  endTime = -1;
  /** trace.run(): the next root call is the callback itself, hidden from the tree. */
  wrapperPending = false;
  /** Row of the hidden callback, or -1. */
  wrapper = -1;
  /** Calls that fit: maxCalls, plus the hidden callback call when there is one. */
  capacity: number;
  #droppedAtRoot = 0;
  #droppedTotal = 0;
  /** Calls left out at the root level (a limit hit with no open call to count them under). */
  get droppedAtRoot(): number {
    settleCounts(this);
    return this.#droppedAtRoot;
  }
  /** Calls left out by limits, in all. */
  get droppedTotal(): number {
    settleCounts(this);
    return this.#droppedTotal;
  }
  /** Hidden rows made for async calls left out by max_calls (see recorder.ts, record). */
  hiddenRows = 0;
  readonly limitReasons: Set<string> = new SafeSet<string>();
  #accepted: Map<number, boolean> = new SafeMap<number, boolean>();

  constructor(limits: TraceLimits = {}) {
    // First: an invalid pattern throws before the trace takes a slot on the tape.
    this.redaction = Redaction.of(limits);
    this.scrubs = this.redaction?.scans ? this.redaction : null;
    const given = limitKeys(limits);
    this.maxDepth = given.max_depth;
    this.maxCalls = given.max_calls;
    this.capacity = this.maxCalls;
    this.maxRepr = given.max_repr;
    this.keepChars = reprLimit(this.maxRepr) + 1;
    const details = given.details;
    if (
      details !== "all" &&
      !(typeof details === "number" && details >= 0 && floor(details) === details)
    ) {
      throw new TypeError(
        `details must be a whole number or "all", got ${
          typeof details === "string" ? `"${details}"` : details
        }`,
      );
    }
    this.details = details === "all" ? -1 : min(details, 0x7fffffff);
    this.limits = { ...given, details: this.detailsSetting };
    // An invalid regex target throws here too, before anything starts.
    this.finder = limits.find !== undefined && limits.find.length > 0
      ? new Finder(limits.find, this.maxRepr, this.redaction)
      : null;
    this.ignoreModules = [...(limits.ignoreModules ?? [])];
    this.include = [...(limits.include ?? [])];
    this.exclude = [...(limits.exclude ?? [])];
    // Matched without a RegExp (glob.ts), by code that calls no built-in method.
    const inc = this.include.map((g) => compileGlob(g).test);
    const exc = this.exclude.map((g) => compileGlob(g).test);
    const ignore = this.ignoreModules;
    // Run while the program runs: through captured built-ins only (see intrinsics.ts).
    this.filter = inc.length + exc.length + ignore.length === 0 ? null : (id) => {
      const f = functionRecord(id);
      for (let i = 0; i < ignore.length; i++) {
        if (strStartsWith(f.module, ignore[i]) || strStartsWith(f.file, ignore[i])) return false;
      }
      const hit = (globs: ((path: string) => boolean)[]) => {
        for (let i = 0; i < globs.length; i++) {
          if (globs[i](f.module) || globs[i](f.qualname)) return true;
        }
        return false;
      };
      if (inc.length > 0 && !hit(inc)) return false;
      return !hit(exc);
    };
  }

  /** Keep text `k` as the summary of a plain array of `length` items (shorter than 4096). */
  arrayBrief(length: number, k: number): void {
    let a = this.arrayBriefs;
    if (length >= a.length) {
      const grown = new Int32Array(max(64, length + 1, a.length * 2));
      for (let i = 0; i < a.length; i++) grown[i] = a[i];
      this.arrayBriefs = a = grown;
    }
    a[length] = k + 1;
  }

  /** `described`, with room for function `id`. */
  describedUpTo(id: number): Int32Array {
    const grown = new Int32Array(max(1024, id * 2));
    // The captured method: the program may have replaced TypedArray.prototype.set.
    bytesSet(grown as unknown as Uint8Array, this.described as unknown as Uint8Array, 0);
    return this.described = grown;
  }

  /** The detail budget as a run's config states it. */
  get detailsSetting(): number | "all" {
    return this.details < 0 ? "all" : this.details;
  }

  /** Calls recorded, not counting the hidden callback of trace.run(). */
  get callCount(): number {
    return this.count - (this.wrapper < 0 ? 0 : 1);
  }

  /** Whether calls of this function are recorded (cached per function). */
  accepts(id: number): boolean {
    let ok = this.#accepted.get(id);
    if (ok === undefined) {
      ok = this.filter === null || this.filter(id);
      this.#accepted.set(id, ok);
    }
    return ok;
  }

  readonly #dropped: Map<number, number> = new SafeMap<number, number>();
  // Calls left out come in long runs under one open call (everything a full trace sees): they
  // are counted here and added to the map when the row changes or the counts are read.
  #pendingRow = -1;
  #pending = 0;
  /** The reason of the last call left out, which `limitReasons` holds. */
  #lastReason = "";
  /** The open call the last call left out was cut under, and whether it counted at the root. */
  #lastUnder = -2;
  #lastAtRoot = false;

  /** Calls left out by limits, by the row of the open call where they were cut. */
  get dropped(): Map<number, number> {
    settleCounts(this);
    this.#flush();
    return this.#dropped;
  }

  #flush(): void {
    if (this.#pending === 0) return;
    const row = this.#pendingRow;
    this.#dropped.set(row, (this.#dropped.get(row) ?? 0) + this.#pending);
    this.#pending = 0;
  }

  /**
   * drop(under, "max_calls"), in two additions when the last call left out was cut under the
   * same open call for the same reason (the calls of a program past the limit, by the million).
   */
  dropAgain(under: number): void {
    if (under !== this.#lastUnder || this.#lastReason !== "max_calls") {
      return this.drop(under, "max_calls");
    }
    if (this.#lastAtRoot) this.#droppedAtRoot++;
    else this.#pending++;
    this.#droppedTotal++;
  }

  /**
   * `n` calls of dropAgain(under) with the `under` of the last call left out (the recorder's
   * quick count past the limit, added when it ends or the counts are read: settleCounts).
   */
  droppedAgain(n: number): void {
    if (this.#lastAtRoot) this.#droppedAtRoot += n;
    else this.#pending += n;
    this.#droppedTotal += n;
  }

  /** Count a call a limit left out, under the open call (a live handle, or -1) where it was cut. */
  drop(under: number, reason: string): void {
    settleCounts(this);
    const tp = this.tape;
    let row = under < 0 ? -1 : under - tp.base;
    // Cut below a hidden row (an async call a limit left out): count it where the cut is.
    while (row >= 0 && tp.state[row] === HIDDEN) row = tp.parent[row];
    // The hidden callback of trace.run() is not shown: what it lost is lost at the root level.
    this.#lastUnder = under;
    this.#lastAtRoot = row < 0 || row === this.wrapper;
    if (this.#lastAtRoot) this.#droppedAtRoot++;
    else if (row === this.#pendingRow) this.#pending++;
    else {
      this.#flush();
      this.#pendingRow = row;
      this.#pending = 1;
    }
    this.#droppedTotal++;
    // Calls past a limit come by the hundred thousand, nearly all for the same reason: a string
    // comparison (of the same constant) skips the set's lookup.
    if (reason !== this.#lastReason) {
      this.limitReasons.add(reason);
      this.#lastReason = reason;
    }
  }
}
