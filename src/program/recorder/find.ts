// Value tracing (`tph run --find`): every call's arguments, return value and thrown error are
// compared with the targets on the real values, as the program runs — calls that limits leave
// out of the tree included — and each match is kept with where it was: the function, the
// argument, the path inside the value, the value's repr and type, when, and the stack.
//
// Like repr.ts, this runs on arbitrary values of the program's: nothing here runs its code (no
// getters, proxy traps, iterators or `toString`), and the walk inside a value is bounded.
//
// A match is shown and stored as the tree would show the value (redact.ts): "[redacted]" for the
// argument of a parameter with a secret name, the return value of a function with one, and a
// value under an object field or a Map entry with one; else its repr, with known secrets and the
// `redactValues` matches replaced. The walk only notes the keys it goes through: what is secret
// is decided when a value matches (rarely), not for every value looked at.

import types from "node:util/types";
import { classNames, repr } from "./repr.ts";
import { REDACTED, type Redaction, SECRET_ARGS, SECRET_RETURN } from "./redact.ts";
import { functionRecord } from "./functions.ts";
import type { FindSpec } from "../../run_file/limits.ts";
import {
  dateToISO,
  hasOwn,
  performanceNow,
  regexTest,
  strIncludes,
  uncurry,
} from "../../platform/intrinsics.ts";
import {
  Array,
  BigInt,
  Date,
  JSON,
  Map,
  Number,
  Object,
  RegExp,
  Set,
  String,
} from "../../platform/globals.ts";

// The program may replace Date.now.
const dateNow = Date.now;

/** Where a value was seen. */
export type FindWhere = "arg" | "return" | "throw";

/** One match, as kept while the program runs. */
export interface FindHit {
  target: number;
  /** The function's id, and the call's row when it is recorded (else -1). */
  fn: number;
  row: number;
  where: FindWhere;
  /** The argument's position (arg only, else -1). */
  arg: number;
  /** Inside the value: `""` for the value itself, `.order.items[2].sku`. */
  path: string;
  repr: string;
  type: string;
  /** Wall clock, ms since the epoch (fractional). */
  time: number;
  /** Function ids from the root call down to this one. */
  stack: number[];
}

/** Finder.gate when every value must be checked. */
export const EVERY: unique symbol = Symbol("every value");

/** Matches kept in a run at most; beyond, they are only counted. */
export const MAX_HITS = 10_000;

const { isProxy, isMap, isSet, isDate, isNativeError } = types;
const { getOwnPropertyDescriptor: ownDesc, getPrototypeOf: protoOf, keys: ownKeys } = Object;
const isArray = Array.isArray;
const OBJECT_PROTO = Object.prototype;
const mapEntries = uncurry(Map.prototype.entries) as (m: unknown) => object;
const mapNext = uncurry(protoOf(new Map().entries()).next) as (
  it: object,
) => { done: boolean; value: [unknown, unknown] };
const setValues = uncurry(Set.prototype.values) as (s: unknown) => object;
const setNext = uncurry(protoOf(new Set().values()).next) as (
  it: object,
) => { done: boolean; value: unknown };
const numberToString = uncurry(Number.prototype.toString) as (n: number) => string;
const bigintToString = uncurry(BigInt.prototype.toString) as (n: bigint) => string;

/** Levels looked inside a value, items per container, and values looked at per value. */
const MAX_DEPTH = 3, MAX_ITEMS = 100, BUDGET = 1000;

/** How the walk went into a value at one level (Finder's steps): `[i]`, `.key`, `[key]`, `{i}`. */
const ITEM = 0, FIELD = 1, ENTRY = 2, MEMBER = 3;

/** An error's message, read as a data property (never a getter). */
function messageOf(e: object): string | null {
  const d = ownDesc(e, "message");
  return d !== undefined && hasOwn(d, "value") && typeof d.value === "string" ? d.value : null;
}

/** The text a target compares with: a string itself, a number's digits, an error's message. */
function textOf(v: unknown): string | null {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return numberToString(v);
    case "bigint":
      return bigintToString(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null || isProxy(v)) return null;
      if (isNativeError(v)) return messageOf(v);
      if (isDate(v)) {
        try {
          return dateToISO(v as Date);
        } catch {
          return null;
        }
      }
      return null;
    default:
      return null;
  }
}

/** A value's type as a match reports it: its JS type, or an object's class. */
export function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object" && typeof v !== "function") return typeof v;
  if (isProxy(v)) return "Proxy";
  if (isArray(v)) return "Array";
  return classNames(v as object)[0] ?? "Object";
}

/** One target, ready to compare. */
class Target {
  readonly re: RegExp | null;
  readonly text: string;
  /** An untyped `equals` of a primitive: a value matches when it is the same (or both NaN). */
  readonly plain: boolean;
  readonly value: unknown;
  readonly spec: FindSpec;
  constructor(spec: FindSpec) {
    this.spec = spec;
    // A RegExp of the program's, copied without the flags that make test() stateful.
    this.re = spec.match !== "regex"
      ? null
      : spec.value instanceof RegExp
      ? new RegExp(spec.value.source, spec.value.flags.replace(/[gy]/g, ""))
      : new RegExp(String(spec.value));
    this.text = typeof spec.value === "string" ? spec.value : String(spec.value);
    this.value = spec.value;
    this.plain = spec.match === "equals" && spec.type === null &&
      (typeof spec.value !== "object" || spec.value === null);
  }

  /** Whether the value itself matches (not looking inside it). */
  test(v: unknown): boolean {
    const { type, match, value } = this.spec;
    if (match === "same") return v === value;
    if (type !== null && !hasType(v, type)) return false;
    if (match === "equals") {
      if (typeof v !== "object" || v === null) {
        if (type === "bigint") return typeof v === "bigint" && bigintToString(v) === this.text;
        if (type === "null" || type === "undefined") return true;
        // NaN is found as NaN.
        return v === value || (v !== v && value !== value);
      }
      // An object of the class asked for: compared by its text (an error's message, a date).
      if (type === null) return false;
      return textOf(v) === this.text;
    }
    const text = textOf(v);
    if (text === null) return false;
    return match === "contains" ? strIncludes(text, this.text) : regexTest(this.re!, text);
  }
}

function hasType(v: unknown, type: string): boolean {
  if (v === null) return type === "null";
  const t = typeof v;
  if (t !== "object" && t !== "function") return t === type;
  if (isProxy(v)) return false;
  if (type === "Array") return isArray(v);
  const names = classNames(v as object);
  for (let i = 0; i < names.length; i++) if (names[i] === type) return true;
  return false;
}

/** The targets of one trace, and the matches found so far. */
export class Finder {
  readonly targets: Target[];
  readonly hits: FindHit[] = [];
  /** Matches in all, kept or not. */
  count = 0;
  #budget = 0;
  // A match's time: the wall clock when the finder started plus the monotonic clock since.
  readonly #epoch = dateNow();
  readonly #start = performanceNow();

  /**
   * When the only target is an untyped `equals` of a primitive (not NaN): its value. A primitive
   * that is not it cannot match: the recorder skips check() for it (the common case, kept to a
   * compare). Else EVERY: every value is checked.
   */
  readonly gate: unknown;

  readonly maxRepr: number;
  /** The trace's redaction (null: off): what a match shows goes through it. */
  readonly redaction: Redaction | null;
  /**
   * The way from the value checked down to the one the walk is at: per level, how it went in
   * (ITEM, FIELD, ENTRY, MEMBER) and the index or key (made into a path only for a match).
   */
  readonly #how: number[] = [];
  readonly #key: unknown[] = [];

  /**
   * @param specs The values looked for.
   * @param maxRepr Longest repr of a match.
   * @param redaction The trace's redaction, null when it is off.
   */
  constructor(specs: FindSpec[], maxRepr: number, redaction: Redaction | null = null) {
    this.maxRepr = maxRepr;
    this.redaction = redaction;
    this.targets = specs.map((s) => new Target(s));
    const only = this.targets.length === 1 ? this.targets[0] : null;
    this.gate = only !== null && only.plain && only.value === only.value ? only.value : EVERY;
  }

  /**
   * How a match's stack is made: function ids from the root down to the recorded call `h`, then
   * `id` when it is not -1 (the recorder's; called only on a match).
   */
  stackOf: (h: number, id: number) => number[] = () => [];

  /**
   * Compare one value (and what it holds) with every target; keep each match.
   *
   * @param h The recorded call the stack goes down to, and `id` the function after it (-1:
   *   none).
   */
  check(v: unknown, fn: number, where: FindWhere, arg: number, h: number, id: number): void {
    const ts = this.targets;
    if (typeof v !== "object" || v === null) {
      // Nothing inside a primitive: one test per target (most values, most calls).
      for (let k = 0; k < ts.length; k++) {
        const t = ts[k];
        if (t.plain ? v === t.value || (v !== v && t.value !== t.value) : t.test(v)) {
          this.#hit(v, k, 0, fn, where, arg, h, id);
        }
      }
      return;
    }
    for (let k = 0; k < ts.length; k++) {
      this.#budget = BUDGET;
      this.#walk(v, ts[k], k, 0, fn, where, arg, h, id);
    }
  }

  /** Keep a match of target `target`: `v`, `depth` levels inside the value checked. */
  #hit(
    v: unknown,
    target: number,
    depth: number,
    fn: number,
    where: FindWhere,
    arg: number,
    h: number,
    id: number,
  ): void {
    this.count++;
    if (this.hits.length >= MAX_HITS) return;
    const rd = this.redaction;
    let path = "";
    for (let d = 0; d < depth; d++) path += this.#step(d);
    if (rd !== null && rd.scans) path = rd.scrub(path);
    this.hits[this.hits.length] = {
      target,
      fn,
      row: -1,
      where,
      arg,
      path,
      repr: rd !== null && this.#secret(depth, fn, where, arg)
        ? REDACTED
        : repr(v, this.maxRepr, rd),
      type: typeOf(v),
      time: this.#epoch + (performanceNow() - this.#start),
      stack: this.stackOf(h, id),
    };
  }

  /**
   * Whether a match `depth` levels inside a value the call of `fn` had (`where`, argument `arg`)
   * is shown as "[redacted]", as the tree shows it: under a field or Map entry with a secret
   * name, or the value itself as a secret argument or return value (redaction is on).
   */
  #secret(depth: number, fn: number, where: FindWhere, arg: number): boolean {
    const rd = this.redaction!;
    for (let d = 0; d < depth; d++) {
      const how = this.#how[d], key = this.#key[d];
      if ((how === FIELD || how === ENTRY) && typeof key === "string" && rd.secretKey(key)) {
        return true;
      }
    }
    if (where === "throw") return false; // an error is shown as the tree shows it: scrubbed
    // A call left out of the tree may be the first of its function's: looked at now.
    let bits = fn < rd.fns.length ? rd.fns[fn] : 0;
    if (bits === 0) bits = rd.info(fn, functionRecord(fn));
    if (where === "return") return (bits & SECRET_RETURN) !== 0;
    return (bits & SECRET_ARGS) !== 0 && rd.secretParam(fn, arg);
  }

  /** Level `d` of the way to a match, as its path shows it: `[2]`, `.sku`, `["k"]`, `{0}`. */
  #step(d: number): string {
    const key = this.#key[d];
    switch (this.#how[d]) {
      case ITEM:
        return `[${key}]`;
      case FIELD:
        return `.${key}`;
      case ENTRY:
        return `[${typeof key === "string" ? JSON.stringify(key) : repr(key, 40, this.redaction)}]`;
      default:
        return `{${key}}`;
    }
  }

  #walk(
    v: unknown,
    t: Target,
    k: number,
    depth: number,
    fn: number,
    where: FindWhere,
    arg: number,
    h: number,
    id: number,
  ): void {
    if (this.#budget-- <= 0) return;
    if (t.test(v)) this.#hit(v, k, depth, fn, where, arg, h, id);
    if (typeof v !== "object" || v === null || depth >= MAX_DEPTH || isProxy(v)) return;
    const how = this.#how, keyAt = this.#key;
    // An object target of a class matched the object itself: its fields are not searched.
    if (isArray(v)) {
      const n = v.length < MAX_ITEMS ? v.length : MAX_ITEMS;
      for (let i = 0; i < n; i++) {
        const d = ownDesc(v, i);
        if (d !== undefined && hasOwn(d, "value")) {
          how[depth] = ITEM;
          keyAt[depth] = i;
          this.#walk(d.value, t, k, depth + 1, fn, where, arg, h, id);
        }
      }
      return;
    }
    // A Map's entries and a Set's members, walked alike: the entry's value under its key, the
    // member under its place (each through its own captured iterator).
    if (isMap(v)) {
      const it = mapEntries(v);
      for (let i = 0; i < MAX_ITEMS; i++) {
        const step = mapNext(it);
        if (step.done) break;
        how[depth] = ENTRY;
        keyAt[depth] = step.value[0];
        this.#walk(step.value[1], t, k, depth + 1, fn, where, arg, h, id);
      }
      keyAt[depth] = undefined; // a key of the program's is not kept alive
      return;
    }
    if (isSet(v)) {
      const it = setValues(v);
      for (let i = 0; i < MAX_ITEMS; i++) {
        const step = setNext(it);
        if (step.done) break;
        how[depth] = MEMBER;
        keyAt[depth] = i;
        this.#walk(step.value, t, k, depth + 1, fn, where, arg, h, id);
      }
      return;
    }
    const proto = protoOf(v);
    if (proto !== OBJECT_PROTO && proto !== null) return;
    const keys = ownKeys(v);
    const n = keys.length < MAX_ITEMS ? keys.length : MAX_ITEMS;
    for (let i = 0; i < n; i++) {
      const d = ownDesc(v, keys[i]);
      if (d !== undefined && hasOwn(d, "value")) {
        how[depth] = FIELD;
        keyAt[depth] = keys[i];
        this.#walk(d.value, t, k, depth + 1, fn, where, arg, h, id);
      }
    }
  }
}
