// A run's calls as columns for `tph diff`: per call (in pre-order) its identity, the calls below
// it, its time, and two hashes — of what a diff compares in the call itself, and of its whole
// subtree — so that identical subtrees are recognised without walking them. Values are hashed
// from their stored bytes; a call's full fields are decoded only for the calls a diff shows.

import { STATE_MASK } from "../../run_file/format.ts";
import { FN_EXTERNAL, THREW, UNFINISHED } from "../../run_file/call_state.ts";
import type { CallNodeJSON } from "../../types.ts";
import {
  type CallRecord,
  isWhole,
  type RunFile,
  textLength,
  wholeOf,
} from "../../run_file/decode.ts";

/** What a diff leaves out of the comparison. */
export interface CompareOptions {
  ignoreArgs: boolean;
  ignoreReturn: boolean;
  /** Texts matching it are replaced by one mark in every value before comparing. */
  ignoreValues: RegExp | null;
  /** Compare values exactly as recorded (else timer handles are compared by their class alone). */
  exact: boolean;
  /** Functions (names containing one of these) compared by identity alone, subtrees skipped. */
  ignore: string[];
  /** Calls deeper than this are not compared (roots: 1). */
  maxDepth: number;
}

/** A call as a diff shows it: the JSON schema's call without its children. */
export type DiffCall = Omit<CallNodeJSON, "children">;

/** Identities (qualified name + module) numbered alike for the runs of one diff. */
export class Identities {
  readonly #ids = new Map<string, number>();
  readonly #of: [string, string][] = [];
  id(name: string, module: string): number {
    const key = name + "\0" + module;
    let id = this.#ids.get(key);
    if (id === undefined) {
      this.#ids.set(key, id = this.#ids.size);
      this.#of.push([name, module]);
    }
    return id;
  }
  /** The name and module of an identity. */
  of(id: number): readonly [string, string] {
    return this.#of[id];
  }
}

/** Flags of a call in a table. */
export const IGNORED = 1, DEPTH_CUT = 2;

/** The calls of one run, in pre-order. */
export class CallTable {
  n = 0;
  key: Int32Array;
  desc: Int32Array;
  /** µs, -1 for a call open when the run ended. */
  elapsed: Float64Array;
  /** Of elapsed, the µs the call spent suspended (awaiting, between yields). */
  awaited: Float64Array;
  flags: Uint8Array;
  /** Hash of the call's own compared fields, and of its subtree, two 32-bit lanes each. */
  own1: Int32Array;
  own2: Int32Array;
  sub1: Int32Array;
  sub2: Int32Array;
  /** Per call: its name (the run's functions, or the JSON's nodes). */
  readonly #name: (i: number) => string;
  readonly #call: (i: number) => DiffCall;

  constructor(
    n: number,
    name: (i: number) => string,
    call: (i: number) => DiffCall,
  ) {
    this.key = new Int32Array(n);
    this.desc = new Int32Array(n);
    this.elapsed = new Float64Array(n);
    this.awaited = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.own1 = new Int32Array(n);
    this.own2 = new Int32Array(n);
    this.sub1 = new Int32Array(n);
    this.sub2 = new Int32Array(n);
    this.#name = name;
    this.#call = call;
  }

  name(i: number): string {
    return this.#name(i);
  }

  /** The call's fields (decoded from the file for a run in tph's format). */
  call(i: number): DiffCall {
    return this.#call(i);
  }

  /** The roots' indexes. */
  roots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i += this.desc[i] + 1) out.push(i);
    return out;
  }

  /** The children's indexes of call i. */
  children(i: number): number[] {
    const out: number[] = [];
    const end = i + this.desc[i];
    for (let j = i + 1; j <= end; j += this.desc[j] + 1) out.push(j);
    return out;
  }

  /** Whether the subtrees of i (here) and j (in `other`) are the same, as hashed. */
  sameSubtree(i: number, other: CallTable, j: number): boolean {
    return this.sub1[i] === other.sub1[j] && this.sub2[i] === other.sub2[j];
  }

  /** Whether calls i and j compare the same, themselves only. */
  sameCall(i: number, other: CallTable, j: number): boolean {
    return this.own1[i] === other.own1[j] && this.own2[i] === other.own2[j];
  }

  /** The subtree hashes, from the own hashes: a backward pass (children come after parents). */
  finish(): void {
    const { n, desc, own1, own2, sub1, sub2, flags } = this;
    for (let i = n - 1; i >= 0; i--) {
      let h1 = own1[i], h2 = own2[i];
      if ((flags[i] & (IGNORED | DEPTH_CUT)) === 0) {
        const end = i + desc[i];
        for (let j = i + 1; j <= end; j += desc[j] + 1) {
          h1 = mix(h1, sub1[j]);
          h2 = mix2(h2, sub2[j]);
        }
        h1 = mix(h1, desc[i]);
        h2 = mix2(h2, desc[i]);
      }
      sub1[i] = h1;
      sub2[i] = h2;
    }
  }
}

// Two independent 32-bit hashes (FNV-1a style with different primes and seeds): a subtree is
// taken as unchanged when both lanes agree (a false match: about one in 2^64).
const SEED1 = 0x811c9dc5 | 0, SEED2 = 0x2545f491 | 0;
function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193);
}
function mix2(h: number, x: number): number {
  return Math.imul((h ^ x) + 0x9e3779b9 | 0, 0x85ebca6b);
}
/** A separator no byte equals: what follows a value. */
const END = 0x1ff;

/** Hashes of texts, two lanes. */
class Hasher {
  h1 = SEED1;
  h2 = SEED2;
  #scratch = new Uint8Array(256);
  readonly #encoder = new TextEncoder();

  reset(): void {
    this.h1 = SEED1;
    this.h2 = SEED2;
  }

  word(x: number): void {
    this.h1 = mix(this.h1, x);
    this.h2 = mix2(this.h2, x);
  }

  bytes(b: Uint8Array, from: number, to: number): void {
    let h1 = this.h1, h2 = this.h2;
    for (let i = from; i < to; i++) {
      h1 = mix(h1, b[i]);
      h2 = mix2(h2, b[i]);
    }
    this.h1 = mix(h1, END);
    this.h2 = mix2(h2, END);
  }

  /**
   * A value: a whole number (as a run in tph's format stores it, or its canonical text) as one
   * word, any other text as its UTF-8 bytes.
   */
  value(s: string): void {
    const n = s.length;
    if (n > 0 && n < 16) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = Number(s);
        if (Number.isSafeInteger(v) && String(v) === s && !Object.is(v, -0)) return this.whole(v);
      }
    }
    this.text(s);
  }

  /** A whole number. */
  whole(v: number): void {
    this.word(0x3ff);
    this.word(v | 0);
    if ((v | 0) !== v) this.word((v / 4294967296) | 0);
  }

  /** A text as its UTF-8 bytes (what a run in tph's format stores). */
  text(s: string): void {
    if (this.#scratch.length < s.length * 3) this.#scratch = new Uint8Array(s.length * 3);
    const n = this.#encoder.encodeInto(s, this.#scratch).written;
    this.bytes(this.#scratch, 0, n);
  }
}

/** The stable hash of a text (a function's kind, parameter names). */
function textHash(h: Hasher, s: string): number {
  h.reset();
  h.text(s);
  return h.h1 ^ h.h2;
}

/**
 * The runtimes' timer handles (`setTimeout`'s value, `setImmediate`'s) differ between runtimes
 * (`Timeout(5 ms)` on Node and Deno, `Timeout` on Bun) and, in runs stored before tph showed them
 * so, between runs (`Timeout { _idleStart: … }` held the clock): compared by their class alone
 * unless `--exact`.
 */
const TIMER =
  /\b(Timeout|Immediate)(?: \{(?:[^{}"]|"(?:[^"\\]|\\.)*"|\{[^{}]*\})*\}|\(\d+ ms\)|(?=$|[,)\]}]))/g;

/** How a diff sees a value: with the volatile parts masked. */
export function maskValue(text: string, o: Pick<CompareOptions, "ignoreValues" | "exact">): string {
  let out = o.ignoreValues === null ? text : text.replace(o.ignoreValues, "\u2026");
  if (!o.exact && (out.includes("Timeout") || out.includes("Immediate"))) {
    out = out.replace(TIMER, "$1 {\u2026}");
  }
  return out;
}

/**
 * Whether stored bytes may hold a timer handle: a `T` or an `I` followed by `imeout` or
 * `mmediate` somewhere (a cheap look at the bytes; the text is made only then).
 */
function hasTimer(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i];
    if ((c === 0x54 && b[i + 1] === 0x69) || (c === 0x49 && b[i + 1] === 0x6d)) return true;
  }
  return false;
}

/** Make the columns of a run. */
export function loadCallTable(
  file: RunFile,
  ids: Identities,
  options: CompareOptions,
): CallTable {
  const ignored = (name: string) => options.ignore.some((x) => name.includes(x));
  return fromRecords(file, ids, options, ignored);
}

function fromRecords(
  file: RunFile,
  ids: Identities,
  options: CompareOptions,
  ignored: (name: string) => boolean,
): CallTable {
  const fns = file.functions;
  const h = new Hasher();
  const fnKey = fns.map((f) => ids.id(f[0], f[1]));
  // What a call's own hash starts from: its identity, kind and parameter names.
  const fnSeed = fns.map((f, k) => textHash(h, `${fnKey[k]}\0${f[4]}\0${f[5].join("\0")}`));
  const fnIgnored = fns.map((f) => ignored(f[0]));
  const fnExternal = fns.map((f) => (f[6] & FN_EXTERNAL) !== 0);
  const n = file.records;
  const at = new Float64Array(n), start = new Float64Array(n);
  const t = new CallTable(
    n,
    (i) => fns[fnOf[i]][0],
    (i) => {
      const node: Partial<CallNodeJSON> = file.nodeAt(at[i], start[i]);
      delete node.children;
      return node as DiffCall;
    },
  );
  const fnOf = new Int32Array(n);
  const raw = options.ignoreValues === null;
  const value = (r: CallRecord, k: number) => {
    const tag = r.tags[k];
    if (raw && isWhole(tag)) h.whole(wholeOf(tag));
    else if (raw && tag % 4 === 0) {
      const buf = r.bufOf(k), from = r.offset(k), to = from + textLength(tag);
      const b = buf[from];
      // Text that may be a whole number's (as a JSON run has it), or hold a timer handle.
      if ((b >= 48 && b <= 57) || b === 45) h.value(r.text(k));
      else if (options.exact || !hasTimer(buf, from, to)) h.bytes(buf, from, to);
      else h.text(maskValue(r.text(k), options));
    } else h.value(maskValue(r.text(k), options));
  };
  let i = 0;
  file.scan((r, depth) => {
    const fn = r.fn;
    fnOf[i] = fn;
    at[i] = r.position;
    start[i] = r.start;
    t.key[i] = fnKey[fn];
    t.desc[i] = r.descendants;
    t.elapsed[i] = r.elapsed;
    t.awaited[i] = r.awaited;
    const state = r.flags & STATE_MASK;
    let flags = 0;
    if (fnIgnored[fn]) flags |= IGNORED;
    if (depth + 1 >= options.maxDepth) flags |= DEPTH_CUT;
    t.flags[i] = flags;
    // A JSON call may name its arguments otherwise than its function's first call.
    const seed = fnExternal[fn] || r.argNames === fns[fn][5]
      ? fnSeed[fn]
      : textHash(h, `${fnKey[fn]}\0${fns[fn][4]}\0${r.argNames.join("\0")}`);
    h.h1 = seed;
    h.h2 = seed ^ SEED2;
    if ((flags & IGNORED) === 0) {
      h.word(state);
      h.word(r.dropped > 0 ? 1 : 0);
      h.word(fnExternal[fn] ? r.args : -1);
      if (!options.ignoreArgs) { for (let k = 0; k < r.args; k++) value(r, k); }
      if (state === THREW || (state !== UNFINISHED && !options.ignoreReturn)) value(r, r.args);
    }
    t.own1[i] = h.h1;
    t.own2[i] = h.h2;
    i++;
    return true;
  });
  t.n = i;
  t.finish();
  return t;
}
