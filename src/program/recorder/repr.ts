/**
 * Safe, fast, bounded one-line representations of values for the tracer's hot path.
 *
 * Everything here must hold for arbitrary user values: no user code runs (no getters, proxy
 * traps, `toString`/`toJSON`/`Symbol.toPrimitive`/`inspect.custom`, no user iterators), nothing
 * throws, and the work is bounded by the output budget rather than by the size of the value
 * (but for listing an object's own keys, which the engines do only whole: Object.keys and a
 * `for…in` that stops early cost the same on V8, ~0.45 s for 10^6 keys).
 * Properties are read only through `Object.getOwnPropertyDescriptor`, proxies are detected
 * before anything touches them, and every built-in method used on a user value was captured at
 * module load, because user code may patch built-in prototypes later.
 *
 * @module
 */

import types from "node:util/types";
import { DEFAULT_LIMITS } from "../../run_file/limits.ts";

/** The default longest repr. */
const MAX_REPR: number = DEFAULT_LIMITS.maxRepr;
import {
  apply,
  arrayJoin as joinArray,
  charCodeAt,
  ownArray,
  regexExec,
  SafeMap,
  stringify,
  strSlice,
  uncurryBuiltin as uncurry,
  uncurryGetter,
} from "../../platform/intrinsics.ts";
import {
  Array,
  ArrayBuffer,
  BigInt,
  DataView,
  Date,
  Error,
  Map,
  Number,
  Object,
  Promise,
  RangeError,
  RegExp,
  Set,
  String,
  Symbol,
  SyntaxError,
  TypeError,
  Uint8Array,
  WeakMap,
} from "../../platform/globals.ts";
import { ftlCandidates } from "./ftl.ts";

const {
  getOwnPropertyDescriptor: ownDesc,
  getOwnPropertySymbols: ownSymbols,
  getPrototypeOf: protoOf,
  hasOwn,
  keys: ownKeys,
} = Object;
const isArray = Array.isArray;
const {
  isProxy,
  isModuleNamespaceObject,
  isMap,
  isSet,
  isDate,
  isRegExp,
  isNativeError,
  isArrayBuffer,
  isSharedArrayBuffer,
  isDataView,
  isWeakMap,
  isWeakSet,
  isNumberObject,
  isStringObject,
  isBooleanObject,
  isBigIntObject,
  isSymbolObject,
} = types;

type Uncurried = (self: unknown, ...args: unknown[]) => unknown;

function getter(proto: object, key: PropertyKey): Uncurried {
  const get = ownDesc(proto, key)?.get;
  return get === undefined ? () => undefined : uncurryGetter(get);
}

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const FUNCTION_PROTO = Function.prototype;
const STRING_PROTO = String.prototype;
const ASYNC_FN_PROTO = protoOf(async function () {});
const GEN_FN_PROTO = protoOf(function* () {});
const ASYNC_GEN_FN_PROTO = protoOf(async function* () {});
const TYPED_ARRAY_PROTO = protoOf(Uint8Array.prototype) as object;
const CHAR_CODE_AT = STRING_PROTO.charCodeAt;
// Calls through a bound `Function.prototype.call` are slow where the engine does not optimize
// them: always on Bun (~30 ns each), and in V8 until the code is hot (a save's reprs run once).
// Strings are scanned with direct `s.charCodeAt(i)` calls instead, after checking (once per
// render, when a first string is scanned) that String.prototype still holds the intrinsic.

// What a quoted string escapes (JSON.stringify's escapes: `"`, `\`, control characters, lone
// surrogates; every surrogate is sent its way).
// deno-lint-ignore no-control-regex
const ESCAPED = /["\\\x00-\x1f\ud800-\udfff]/;
const mapSize = getter(Map.prototype, "size") as (m: unknown) => number;
const mapEntries = uncurry(Map.prototype.entries) as (m: unknown) => object;
const mapIterNext = uncurry(protoOf(new Map().entries()).next) as (
  it: object,
) => IteratorResult<[unknown, unknown]>;
const setSize = getter(Set.prototype, "size") as (s: unknown) => number;
const setValues = uncurry(Set.prototype.values) as (s: unknown) => object;
const setIterNext = uncurry(protoOf(new Set().values()).next) as (
  it: object,
) => IteratorResult<unknown>;
const dateGetTime = uncurry(Date.prototype.getTime) as (d: unknown) => number;
const dateToISO = uncurry(Date.prototype.toISOString) as (d: unknown) => string;
const reSource = getter(RegExp.prototype, "source") as (r: unknown) => string;
// The `flags` getter reads `this.global` etc. through [[Get]], which an own getter could
// intercept; the per-flag getters read the internal slot directly.
const RE_FLAGS: [string, Uncurried][] = [
  ["d", getter(RegExp.prototype, "hasIndices")],
  ["g", getter(RegExp.prototype, "global")],
  ["i", getter(RegExp.prototype, "ignoreCase")],
  ["m", getter(RegExp.prototype, "multiline")],
  ["s", getter(RegExp.prototype, "dotAll")],
  ["u", getter(RegExp.prototype, "unicode")],
  ["v", getter(RegExp.prototype, "unicodeSets")],
  ["y", getter(RegExp.prototype, "sticky")],
];
const PROMISE_PROTO = Promise.prototype;
// fetch's classes, where the runtime has them: their getters as they were before the program ran.
// On Node, reading `globalThis.Response` loads its fetch (undici: 80–100 ms at every start on a
// 2-core machine), so there they are looked up when a value first needs them: an object whose
// class is named Response or Request, which the program made once fetch was loaded (see
// docs/compatibility.md). Only a data property is read: a getter the program put there never runs.
// On Deno and Bun the globals' own descriptors are taken before the program runs, and read when
// first needed: Deno's are getters that load its fetch's modules (~1.5 ms of each start).
// deno-lint-ignore no-explicit-any
const G = globalThis as any;
let RESPONSE_PROTO: object | null = null;
let REQUEST_PROTO: object | null = null;
let responseStatus: ((r: unknown) => number) | null = null;
let requestMethod: ((r: unknown) => string) | null = null;
let requestUrl: ((r: unknown) => string) | null = null;
let fetchLookedUp = false;
/** Deno and Bun: the globals Response and Request as the runtime made them (see above). */
const EARLY_FETCH: { Response?: PropertyDescriptor; Request?: PropertyDescriptor } | null =
  G.Deno !== undefined || G.Bun !== undefined
    ? { Response: ownDesc(G, "Response"), Request: ownDesc(G, "Request") }
    : null;

/** The prototypes of fetch's Response and Request, and the getters read of them. */
function lookUpFetch(): void {
  fetchLookedUp = true;
  const classOf = (name: "Response" | "Request"): object | null => {
    let c: unknown;
    const d = EARLY_FETCH !== null ? EARLY_FETCH[name] : ownDesc(G, name);
    if (d === undefined) return null;
    if (hasOwn(d, "value")) c = d.value;
    else if (EARLY_FETCH !== null && typeof d.get === "function") {
      // The runtime's own getter, taken before the program ran.
      try {
        c = apply(d.get, G, []);
      } catch {
        return null;
      }
    } else return null;
    if (typeof c !== "function" || isProxy(c)) return null;
    const p = ownDesc(c, "prototype");
    if (p === undefined || !hasOwn(p, "value")) return null;
    const proto: unknown = p.value;
    return typeof proto === "object" && proto !== null && !isProxy(proto) ? proto : null;
  };
  RESPONSE_PROTO = classOf("Response");
  REQUEST_PROTO = classOf("Request");
  if (RESPONSE_PROTO !== null) {
    responseStatus = getter(RESPONSE_PROTO, "status") as typeof responseStatus;
  }
  if (REQUEST_PROTO !== null) {
    requestMethod = getter(REQUEST_PROTO, "method") as typeof requestMethod;
    requestUrl = getter(REQUEST_PROTO, "url") as typeof requestUrl;
  }
}
const typedTag = getter(TYPED_ARRAY_PROTO, Symbol.toStringTag) as (
  t: unknown,
) => string | undefined;
const typedLength = getter(TYPED_ARRAY_PROTO, "length") as (t: unknown) => number;
const bufferLength = getter(ArrayBuffer.prototype, "byteLength") as (b: unknown) => number;
const sharedLength = typeof SharedArrayBuffer === "function"
  ? getter(SharedArrayBuffer.prototype, "byteLength") as (b: unknown) => number
  : () => 0;
const viewLength = getter(DataView.prototype, "byteLength") as (v: unknown) => number;
const symbolDescription = getter(Symbol.prototype, "description") as (s: unknown) => string;
const bigintToString = uncurry(BigInt.prototype.toString) as (b: bigint, radix: number) => string;
const numberValueOf = uncurry(Number.prototype.valueOf) as (n: unknown) => number;
const stringValueOf = uncurry(String.prototype.valueOf) as (s: unknown) => string;
const booleanValueOf = uncurry(Boolean.prototype.valueOf) as (b: unknown) => boolean;
const bigintValueOf = uncurry(BigInt.prototype.valueOf) as (b: unknown) => bigint;
const symbolValueOf = uncurry(Symbol.prototype.valueOf) as (s: unknown) => symbol;

const K_NONE = 0, K_OBJECT = 1, K_MAP = 2, K_SET = 3, K_DATE = 4, K_REGEXP = 5, K_ERROR = 6;
const K_TYPED = 7, K_BUFFER = 8, K_VIEW = 9, K_WEAK = 10, K_BOXED = 11;

const ERROR_CTORS = [
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  AggregateError,
];
const ERROR_PROTOS: object[] = ERROR_CTORS.map((c) => c.prototype);
// Prototypes whose kind and name are known up front: the chain walk stops at the first one.
const KNOWN: [object, number, string][] = [
  [OBJECT_PROTO, K_OBJECT, "Object"],
  [Map.prototype, K_MAP, "Map"],
  [Set.prototype, K_SET, "Set"],
  [Date.prototype, K_DATE, "Date"],
  [RegExp.prototype, K_REGEXP, "RegExp"],
  ...ERROR_CTORS.map((c): [object, number, string] => [c.prototype, K_ERROR, c.name]),
  [TYPED_ARRAY_PROTO, K_TYPED, "TypedArray"],
  [ArrayBuffer.prototype, K_BUFFER, "ArrayBuffer"],
  [DataView.prototype, K_VIEW, "DataView"],
  [WeakMap.prototype, K_WEAK, "WeakMap"],
  [WeakSet.prototype, K_WEAK, "WeakSet"],
  [Number.prototype, K_BOXED, "Number"],
  [String.prototype, K_BOXED, "String"],
  [Boolean.prototype, K_BOXED, "Boolean"],
  [BigInt.prototype, K_BOXED, "BigInt"],
  [Symbol.prototype, K_BOXED, "Symbol"],
];
if (typeof SharedArrayBuffer === "function") {
  KNOWN.push([SharedArrayBuffer.prototype, K_BUFFER, "SharedArrayBuffer"]);
}

interface ProtoInfo {
  kind: number;
  name: string | undefined;
  /** HOST_FORMATS's format for `name` (null: none), looked up at the first instance shown. */
  host: HostFormat | null | undefined;
}
// Class names cost two descriptor reads and two proxy checks per prototype, so they are cached:
// a stale entry can only show an outdated name, since internal slots never change. The methods
// are own properties of this private map, so a patched WeakMap.prototype cannot reach them.
const PROTO_INFO = new WeakMap<object, ProtoInfo>();
Object.defineProperties(PROTO_INFO, {
  get: { value: WeakMap.prototype.get },
  set: { value: WeakMap.prototype.set },
});
for (const [proto, kind, name] of KNOWN) PROTO_INFO.set(proto, { kind, name, host: undefined });
const NULL_INFO: ProtoInfo = { kind: K_OBJECT, name: undefined, host: null };
// Fallback names by kind, for objects from other realms whose chain names no constructor.
const KIND_NAMES = [
  "Object",
  "Object",
  "Map",
  "Set",
  "Date",
  "RegExp",
  "Error",
  "TypedArray",
  "ArrayBuffer",
  "DataView",
  "WeakMap",
  "Object",
];

/** What a redacted value is shown as (src/program/recorder/redact.ts). */
const REDACTED = "[redacted]";

const MAX_DEPTH = 3;
const MAX_ITEMS = 100;
const MAX_CHAIN = 64;
const HOLE_BUDGET = 1024;
const LONG_STRING = 20;
const MAX_LIMIT = 1 << 24;
const BIG = 10n ** 600n;
const HEX = "0123456789abcdef";
// Control characters in unquoted text, as a quoted one (JSON.stringify) writes them.
const ESCAPES: Record<string, string> = Object.create(null);
for (let c = 0; c < 32; c++) {
  ESCAPES[String.fromCharCode(c)] = "\\u00" + HEX[c >> 4] + HEX[c & 15];
}
Object.assign(ESCAPES, { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" });

// Render state lives in module variables: nothing here can call back into user code, so a
// render never re-enters. Text is built in local strings returned up the call tree (V8 appends
// to a local string almost twice as fast as to a module variable). Slots are preallocated own
// properties, so writes never consult (possibly patched) Array.prototype setters.
let truncated = false;
let refCount = 0;
let holeBudget = 0;
let errorProps = true;
/** The render's redaction, and whether it has value regexes. */
let red: Redactor | null = null;
let scrubs = false;
// 1: call `s.charCodeAt` directly, 0: use the captured intrinsic, -1: not decided this render.
let directChars = -1;
const ancestors: (object | null)[] = [null, null, null, null];
const refIds = new Int32Array(MAX_DEPTH + 1);
// Per depth, where each shown item starts in its container's text and which source index it
// came from, so an overflow can drop trailing items. Row MAX_DEPTH serves typed arrays.
const SLOTS = MAX_ITEMS + 1;
const itemMark = new Float64Array((MAX_DEPTH + 1) * SLOTS);
const itemIndex = new Float64Array((MAX_DEPTH + 1) * SLOTS);

/**
 * A one-line, human-readable representation of any value, at most `maxLen` characters.
 *
 * Never runs user code (getters, proxy traps, `toString`, custom inspectors, iterators), never
 * throws, and does work proportional to `maxLen`, not to the size of the value (but for an
 * object's own keys, which are listed whole). Output that
 * does not fit is cut and ends with `…`; long arrays, objects, maps and sets say how many items
 * were left out instead when that fits.
 *
 * @param value Any value, including proxies, revoked proxies and objects with throwing getters.
 * @param maxLen Maximum length of the result in UTF-16 code units (default 120).
 * @returns The representation, e.g. `Point { x: 1, y: 2 }` or `Map(1) { "a" => 1 }`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repr } from "./repr.ts";
 *
 * assert.equal(repr({ a: 1, b: "x", c: [1, 2] }), '{ a: 1, b: "x", c: [1, 2] }');
 * assert.equal(repr(new Map([["k", new Set([1])]])), 'Map(1) { "k" => Set(1) { 1 } }');
 * assert.equal(repr("x".repeat(1e7), 10), '"xxxxxxxx…');
 * const million = Array.from({ length: 1e6 }, (_, i) => i);
 * assert.equal(repr(million, 30), "[0, 1, ... 999998 more items]");
 * ```
 */
export function repr(value: unknown, maxLen = MAX_REPR, redact: Redactor | null = null): string {
  return render(value, maxLen, true, redact);
}

/**
 * What a repr leaves out (see src/program/recorder/redact.ts): the values of object fields and Map entries
 * whose keys look secret, and matches of value regexes in strings (replaced before any cut).
 */
export interface Redactor {
  /** Whether the value of a field with this key is shown as `[redacted]`. */
  secretKey(key: string): boolean;
  /** Whether strings are scanned for secrets by value (scrub may change them). */
  readonly scans: boolean;
  /** A string with the matches of the value regexes replaced by `[redacted]`. */
  scrub(s: string): string;
}

/**
 * A one-line summary of a thrown value: `RangeError: bad amount -1` for errors (name and
 * message read from data properties only), and {@linkcode repr} for anything else.
 *
 * @param err The thrown value.
 * @param maxLen Maximum length of the result (default 120).
 * @returns The summary, e.g. `TypeError: x is not a function` or `"boom"` for a thrown string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatError } from "./repr.ts";
 *
 * assert.equal(formatError(new RangeError("bad amount -1")), "RangeError: bad amount -1");
 * assert.equal(formatError("boom"), '"boom"');
 * ```
 */
export function formatError(err: unknown, maxLen = MAX_REPR, redact: Redactor | null = null) {
  return render(err, maxLen, false, redact);
}

/**
 * The length {@linkcode repr} makes of `maxLen` (at most 2^24; 120 when not a number).
 *
 * @param maxLen A `max_repr` as given.
 * @returns The longest text repr writes for it.
 */
export function reprLimit(maxLen: unknown): number {
  if (typeof maxLen !== "number") return DEFAULT_LIMITS.maxRepr;
  return maxLen >= MAX_LIMIT ? MAX_LIMIT : maxLen >= 1 ? maxLen - (maxLen % 1) : 0;
}

/**
 * What of string `s` a recorder keeps so that `repr(kept, maxLen)` is `repr(s, maxLen)`: `s`
 * when it has at most `keep = reprLimit(maxLen) + 1` units, else a flat copy of its first
 * `keep` (a cut text shows fewer than `keep - 2` of them; the next one tells a surrogate pair
 * from a lone surrogate, and the copy is still too long to show whole). A slice would keep the
 * whole string in memory on both engines.
 *
 * @param s A string.
 * @param keep `reprLimit(maxLen) + 1`.
 * @returns `s`, or its first `keep` units as a string of their own.
 */
export function clipString(s: string, keep: number): string {
  return s.length <= keep ? s : flatCopy(strSlice(s, 0, keep));
}

// A copy that shares no memory with its source: V8 flattens a concatenation when it is sliced,
// JavaScriptCore joins an array into a new buffer (V8 returns a lone element as it is, and
// JavaScriptCore's slice of a concatenation still points into the source).
// deno-lint-ignore no-explicit-any
const flatCopy: (s: string) => string = (globalThis as any).Bun !== undefined
  ? (s) => joinArray([s, ""], "")
  : (s) => strSlice(s + " ", 0, s.length);

/** Whether the last {@linkcode reprKept} cut its text (which then lacks the "…"). */
export let keptCut = false;

/**
 * {@linkcode repr} as the recorder keeps it: a cut text without its closing "…", and
 * {@linkcode keptCut} saying whether it was cut (the tape's texts stay ASCII where the values'
 * texts are: see tape.ts).
 */
export function reprKept(
  value: unknown,
  maxLen: number,
  redact: Redactor | null,
  name?: string,
): string {
  if (name !== undefined) {
    unnamed = value;
    unnamedAs = name;
  }
  try {
    return render(value, maxLen, true, redact, false);
  } finally {
    unnamed = undefined;
  }
}

/**
 * {@linkcode reprKept} of a value past its function's detail budget: an object as a summary that
 * reads no property (`Token {…}`, `{…}`, `Array(3)`, `Map(2) {…}`); dates, errors, regexes,
 * typed arrays and host objects (`Timeout(5 ms)`) as {@linkcode repr} shows them, since they
 * cost little; anything else in full.
 */
export function reprBrief(value: unknown, maxLen: number, redact: Redactor | null): string {
  brief = true;
  try {
    return render(value, maxLen, true, redact, false);
  } finally {
    brief = false;
  }
}

/** Whether the render at hand summarises its top-level object (reprBrief). */
let brief = false;

/**
 * A function without a name of its own and what to call it (the parameter it was passed as: a
 * Promise executor's `resolve`), for the render of reprKept that was given the name.
 */
let unnamed: unknown = undefined;
let unnamedAs = "";

function render(
  value: unknown,
  maxLen: number,
  withErrorProps: boolean,
  redactor: Redactor | null,
  ellipsis = true,
): string {
  keptCut = false;
  const max = reprLimit(maxLen);
  if (max === 0) return "";
  truncated = false;
  refCount = 0;
  holeBudget = HOLE_BUDGET;
  errorProps = withErrorProps;
  red = redactor;
  scrubs = redactor !== null && redactor.scans;
  directChars = -1;
  let s: string;
  try {
    s = fmt(value, 0, max);
  } catch {
    s = "[unrepresentable]";
    truncated = false;
  }
  for (let i = 0; i <= MAX_DEPTH; i++) ancestors[i] = null;
  if (!truncated && s.length <= max) return s;
  let n = s.length < max ? s.length : max - 1;
  if (n > 0 && isHighSurrogate(charCodeAt(s, n - 1))) n--;
  if (!ellipsis) {
    keptCut = true;
    return strSlice(s, 0, n);
  }
  return strSlice(s, 0, n) + "…";
}

/** The text of `v`; `room` is how long it may be, `depth` its nesting level. */
function fmt(v: unknown, depth: number, room: number): string {
  switch (typeof v) {
    case "string":
      return fmtText(v, true, room);
    case "number":
      return v === 0 && 1 / v < 0 ? "-0" : "" + v;
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "undefined";
    case "bigint":
      if (v < BIG && v > -BIG) return v + "n";
      return fmtText(
        (v < 0n ? "-0x" : "0x") + bigintToString(v < 0n ? -v : v, 16) + "n",
        false,
        room,
      );
    case "symbol":
      return fmtSymbol(v, room);
    case "function":
      return fmtFunction(v, room);
  }
  return v === null ? "null" : fmtObject(v as object, depth, room);
}

function code(s: string, i: number): number {
  if (directChars === 1) return s.charCodeAt(i);
  if (directChars === 0) return charCodeAt(s, i);
  // Checked by descriptor so that a getter planted on String.prototype does not run.
  const d = ownDesc(STRING_PROTO, "charCodeAt");
  directChars = d !== undefined && isData(d) && d.value === CHAR_CODE_AT ? 1 : 0;
  return code(s, i);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** What the unquoted path of fmtText escapes (surrogates: the loop tells lone ones from pairs). */
// deno-lint-ignore no-control-regex
const UNQUOTED_ESCAPE = /[\x00-\x1f\ud800-\udfff]/;

/** `s` quoted and JSON-escaped, or raw with control characters escaped. Short strings are
 * always whole (an enclosing container may drop them as one item); longer ones read at most
 * `room + 1` characters and set `truncated` when cut. */
function fmtText(s: string, quoted: boolean, room: number): string {
  // The whole string, before any cut: a cut must not show the start of a secret.
  if (scrubs) s = red!.scrub(s);
  const len = s.length;
  let n = len <= LONG_STRING || len <= room ? len : room + 1;
  if (n < 0) n = 0;
  if (quoted) return quote(s, len, n);
  // Most texts (a RegExp's source, a function's name) need no escape: one native test instead of
  // a loop per character (marked summarises RegExps it makes per call: 42 ns a call).
  const part = n >= len ? s : strSlice(s, 0, n);
  if (regexExec(UNQUOTED_ESCAPE, part) === null) {
    if (n < len) truncated = true;
    return part;
  }
  let start = 0;
  let done = "";
  let i = 0;
  for (; i < n; i++) {
    const c = code(s, i);
    let esc: string;
    if (c < 32) {
      esc = ESCAPES[s[i]];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (isHighSurrogate(c) && i + 1 < len && (code(s, i + 1) & 0xfc00) === 0xdc00) {
        i++;
        continue;
      }
      esc = "\\u" + HEX[c >> 12] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
    } else {
      continue;
    }
    done += (start === i ? "" : strSlice(s, start, i)) + esc;
    start = i + 1;
  }
  if (start === 0 && i >= len) return s;
  const end = i > len ? len : i;
  done += start < end ? strSlice(s, start, end) : "";
  if (end < len) truncated = true;
  return done;
}

/**
 * The first `n` units of `s` quoted as a JSON string (and a pair cut in two taken whole), with
 * no closing quote when that is not all of `s`. A native regex finds whether anything needs an
 * escape, and JSON.stringify writes the escapes (`"`, `\\`, control characters, lone surrogates)
 * running no user code for a string: both are fast from the first call, where a loop here would
 * run cold (a save's reprs run once).
 */
function quote(s: string, len: number, n: number): string {
  // Two intrinsic calls: code() would check String.prototype first, on every render.
  if (
    n < len && n > 0 && isHighSurrogate(charCodeAt(s, n - 1)) &&
    (charCodeAt(s, n) & 0xfc00) === 0xdc00
  ) n++;
  const part = n >= len ? s : strSlice(s, 0, n);
  // Most strings have nothing to escape: quoting them by concatenation lets the engine keep a
  // reference to the string instead of a copy (on Bun a copy per text left ~25% more memory
  // pinned among the garbage of a million recorded calls).
  const plain = regexExec(ESCAPED, part) === null;
  if (n >= len) return plain ? '"' + s + '"' : stringify(s);
  truncated = true;
  if (plain) return '"' + part;
  const q = stringify(part);
  return strSlice(q, 0, q.length - 1);
}

function fmtSymbol(sym: symbol, room: number): string {
  const description = symbolDescription(sym);
  if (description === undefined) return "Symbol()";
  const text = fmtText(description, false, room - 7);
  return truncated ? "Symbol(" + text : "Symbol(" + text + ")";
}

/** Keys seen lately and whether each is an identifier (most objects repeat a few keys). */
const IDENTIFIERS: Map<string, boolean> = new SafeMap<string, boolean>();
const MAX_IDENTIFIERS = 4096;

function isIdentifier(key: string): boolean {
  const known = IDENTIFIERS.get(key);
  if (known !== undefined) return known;
  const answer = identifierChars(key);
  if (IDENTIFIERS.size >= MAX_IDENTIFIERS) IDENTIFIERS.clear();
  IDENTIFIERS.set(key, answer);
  return answer;
}

function identifierChars(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = code(key, i);
    const lower = c | 32;
    if ((lower >= 97 && lower <= 122) || c === 95 || c === 36 || (i > 0 && c >= 48 && c <= 57)) {
      continue;
    }
    return false;
  }
  return true;
}

/**
 * How fmtProps writes an identifier key before its value, first (` key: `) or after another
 * (`, key: `), and whether its value is redacted for `red` (the last redactor asked): made once
 * per key, as isIdentifier's answers are kept (objects repeat a few keys).
 */
interface KeyText {
  first: string;
  next: string;
  red: Redactor | null;
  secret: boolean;
}
/** KeyText by key; null for a key that is not an identifier (shown quoted). */
const KEY_TEXTS: Map<string, KeyText | null> = new SafeMap<string, KeyText | null>();

function keyText(key: string): KeyText | null {
  // Not an identifier (identifierChars), and not kept: a long key stays the program's to free.
  if (key.length > 64) return null;
  let kt = KEY_TEXTS.get(key);
  if (kt === undefined) {
    kt = isIdentifier(key)
      ? { first: " " + key + ": ", next: ", " + key + ": ", red: null, secret: false }
      : null;
    if (KEY_TEXTS.size >= MAX_IDENTIFIERS) KEY_TEXTS.clear();
    KEY_TEXTS.set(key, kt);
  }
  return kt;
}

function fmtKey(key: string | symbol, room: number): string {
  if (typeof key === "symbol") return "[" + fmtSymbol(key, room - 2) + "]";
  return isIdentifier(key) ? key : fmtText(key, true, room);
}

/** Whether a descriptor is a data property's (an own `value`: never a getter inherited). */
function isData(d: PropertyDescriptor): boolean {
  return hasOwn(d, "value");
}

/** A property's value from its descriptor: getters and setters are named, never called. */
function fmtDesc(d: PropertyDescriptor, depth: number, room: number): string {
  if (isData(d)) return fmt(d.value, depth, room);
  return d.get !== undefined ? (d.set !== undefined ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
}

function fnName(f: object): string | undefined {
  const d = ownDesc(f, "name");
  if (d === undefined || !isData(d)) return undefined;
  const name: unknown = d.value;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** Kinds of function (functionKind): how fmtFunction labels one. */
export const FN_NAMED = 0, FN_CLASS = 5;
const FN_PLAIN = 1, FN_ASYNC = 2, FN_GEN = 3, FN_ASYNC_GEN = 4;
const FN_LABELS = ["", "Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction"];

/** How fmtFunction labels `f`, whose prototype is `proto`: FN_CLASS for a class constructor. */
function kindOf(f: object, proto: unknown): number {
  if (proto === ASYNC_FN_PROTO) return FN_ASYNC;
  if (proto === GEN_FN_PROTO) return FN_GEN;
  if (proto === ASYNC_GEN_FN_PROTO) return FN_ASYNC_GEN;
  // Class constructors get a non-writable `prototype`; plain functions a writable one.
  const pd = ownDesc(f, "prototype");
  return pd !== undefined && isData(pd) && pd.writable === false ? FN_CLASS : FN_PLAIN;
}

/**
 * FN_NAMED for a function with a name of its own (or a proxy); else its kind: a function that is
 * not a class is shown by its kind and the name it is given alone (`[Function: onError]`).
 */
export function functionKind(f: object): number {
  if (isProxy(f) || fnName(f) !== undefined) return FN_NAMED;
  return kindOf(f, protoOf(f));
}

function fmtFunction(f: object, room: number): string {
  if (isProxy(f)) return "[Proxy]";
  const name = fmtText(fnName(f) ?? (f === unnamed ? unnamedAs : "(anonymous)"), false, room);
  const proto = protoOf(f);
  const kind = kindOf(f, proto);
  if (kind === FN_CLASS) {
    let base: string | undefined;
    if (proto !== FUNCTION_PROTO && typeof proto === "function" && !isProxy(proto)) {
      base = fnName(proto);
    }
    if (truncated || base === undefined) return "[class " + name + (truncated ? "" : "]");
    return "[class " + name + " extends " + fmtText(base, false, room - name.length - 16) +
      (truncated ? "" : "]");
  }
  return "[" + FN_LABELS[kind] + " " + name + (truncated ? "" : "]");
}

/** Kind and class name of the objects that have `proto` as prototype, from a walk up the chain
 * (never through a proxy) to the first known prototype; cached per prototype. */
function describe(proto: object): ProtoInfo {
  const cached = PROTO_INFO.get(proto);
  if (cached !== undefined) return cached;
  let name: string | undefined;
  let kind = K_NONE;
  let p: object | null = proto;
  for (let i = 0; p !== null && i < MAX_CHAIN; i++) {
    const known = PROTO_INFO.get(p);
    if (known !== undefined) {
      kind = known.kind;
      name ??= known.name;
      break;
    }
    if (isProxy(p)) {
      // Its traps must not run, so the class stays unknown: show an ordinary object.
      name ??= "Object";
      break;
    }
    if (name === undefined) {
      const d = ownDesc(p, "constructor");
      if (d !== undefined && isData(d)) {
        const ctor: unknown = d.value;
        if (typeof ctor === "function" && !isProxy(ctor)) name = fnName(ctor);
      }
    }
    p = protoOf(p);
  }
  const info: ProtoInfo = { kind, name, host: undefined };
  PROTO_INFO.set(proto, info);
  return info;
}

/** Kind by internal slots, for objects whose chain has no known prototype (other realms). */
function brandKind(o: object): number {
  if (isMap(o)) return K_MAP;
  if (isSet(o)) return K_SET;
  if (isDate(o)) return K_DATE;
  if (isRegExp(o)) return K_REGEXP;
  if (isNativeError(o)) return K_ERROR;
  if (typedTag(o) !== undefined) return K_TYPED;
  if (isArrayBuffer(o) || isSharedArrayBuffer(o)) return K_BUFFER;
  if (isDataView(o)) return K_VIEW;
  if (isWeakMap(o) || isWeakSet(o)) return K_WEAK;
  if (
    isNumberObject(o) || isStringObject(o) || isBooleanObject(o) || isBigIntObject(o) ||
    isSymbolObject(o)
  ) return K_BOXED;
  return K_OBJECT;
}

function fmtObject(o: object, depth: number, room: number): string {
  // First, before anything can reach a trap: even Array.isArray throws on a revoked proxy.
  if (isProxy(o)) return "[Proxy]";
  for (let k = 0; k < depth; k++) {
    if (ancestors[k] === o) {
      if (refIds[k] === 0) refIds[k] = ++refCount;
      return "[Circular *" + refIds[k] + "]";
    }
  }
  const proto = protoOf(o);
  const summary = brief && depth === 0;
  if (isArray(o)) {
    if (summary && o.length > 0) {
      return proto === ARRAY_PROTO
        ? "Array(" + o.length + ")"
        : strSlice(arrayLead(o, proto), 0, -1);
    }
    return fmtArray(o, proto === ARRAY_PROTO ? "" : arrayLead(o, proto), depth, room);
  }
  if (proto === OBJECT_PROTO) return summary ? "{…}" : fmtProps(o, "", "Object", depth, room);
  const info = proto === null ? NULL_INFO : describe(proto);
  const kind = info.kind === K_NONE ? (proto === null ? K_OBJECT : brandKind(o)) : info.kind;
  const name = info.name;
  if (summary && (kind === K_MAP || kind === K_SET)) {
    try {
      const size = kind === K_MAP ? mapSize(o) : setSize(o);
      return (name ?? KIND_NAMES[kind]) + "(" + size + ") {…}";
    } catch {
      // A prototype borrowed without the internal slots: an ordinary object (fmtBuiltin).
    }
  }
  if (kind !== K_OBJECT) {
    try {
      const text = fmtBuiltin(o, kind, name ?? KIND_NAMES[kind], depth, room);
      if (text !== undefined) return text;
    } catch {
      // A prototype borrowed without the internal slots (`Object.create(Map.prototype)`): the
      // captured intrinsic refuses it, and it is shown as an ordinary object instead.
    }
  }
  if (name !== undefined) {
    let format = info.host;
    if (format === undefined) format = info.host = HOST_FORMATS.get(name) ?? null;
    if (format !== null) {
      const host = format(o, name, proto, depth, room);
      if (host !== null) return host;
    }
  }
  let lead = name === "Object" ? "" : name + " ";
  if (name === undefined) {
    lead = proto === null && isModuleNamespaceObject(o)
      ? "[Module: null prototype] "
      : "[Object: null prototype] ";
  }
  if (summary) return lead + "{…}";
  return fmtProps(o, lead, name ?? "Object", depth, room);
}

/** Objects with internal slots; undefined to fall back to plain properties. */
function fmtBuiltin(
  o: object,
  kind: number,
  name: string,
  depth: number,
  room: number,
): string | undefined {
  switch (kind) {
    case K_MAP:
      return fmtEntries(o, name, mapSize(o), true, depth, room);
    case K_SET:
      return fmtEntries(o, name, setSize(o), false, depth, room);
    case K_DATE: {
      const time = dateGetTime(o);
      return time === time ? dateToISO(o) : "Invalid Date";
    }
    case K_REGEXP:
      return regexText(o, room);
    case K_ERROR:
      return fmtError(o, name, depth, room);
    case K_TYPED: {
      const tag = typedTag(o);
      if (tag === undefined) return undefined;
      // Node's Buffer reads as bytes: `Buffer(12) <68 65 6c …>`.
      if (name === "Buffer" && tag === "Uint8Array") return fmtBytes(o as Uint8Array, room);
      const lead = (name === "TypedArray" ? tag : name) + "(" + typedLength(o) + ") ";
      return fmtTyped(o as ArrayLike<unknown>, lead, typedLength(o), room);
    }
    case K_BUFFER: {
      const size = isSharedArrayBuffer(o) ? sharedLength(o) : bufferLength(o);
      return name + " { byteLength: " + size + " }";
    }
    case K_VIEW:
      return name + " { byteLength: " + viewLength(o) + " }";
    case K_WEAK:
      return name + " { <items unknown> }";
    case K_BOXED:
      return fmtBoxed(o, room);
  }
  return undefined;
}

/**
 * A RegExp as shown in `room` (`/source/flags`), made once per source text, flags, room and
 * redactor: programs make RegExps per call from a few sources (marked: 40,000 RegExps returned
 * past the detail budget, from 3,800 made), and each made anew scanned its source for secrets and
 * escapes (a source with a tab goes character by character), and the tape's texts hashed a new
 * concatenation. The text depends on nothing else (a RegExp recompiled reads as another source or
 * other flags). Sources up to SOURCE_KEPT units, at most MAX_SOURCES of them (then all forgotten).
 */
function regexText(o: object, room: number): string {
  const source = reSource(o);
  const flags = reFlags(o);
  // Cut already (an earlier item): shown without its flags, as regexMade does.
  if (truncated || source.length > SOURCE_KEPT) return regexMade(source, flags, room);
  const r = scrubs ? red : null;
  const known = SOURCES.get(source);
  if (known !== undefined && known.room === room && known.red === r && known.flags === flags) {
    if (known.cut) truncated = true;
    return known.text;
  }
  const text = regexMade(source, flags, room);
  const cut = truncated;
  if (known !== undefined) {
    known.room = room;
    known.red = r;
    known.flags = flags;
    known.text = text;
    known.cut = cut;
  } else {
    if (SOURCES.size >= MAX_SOURCES) SOURCES.clear();
    SOURCES.set(source, { room, red: r, flags, text, cut });
  }
  return text;
}

/** A RegExp's flags, read through the intrinsic getters: bit i for RE_FLAGS[i]. */
function reFlags(o: object): number {
  let flags = 0;
  for (let i = 0; i < RE_FLAGS.length; i++) if (RE_FLAGS[i][1](o)) flags |= 1 << i;
  return flags;
}

/**
 * What the summary of `o` past the detail budget reads when `o` is a RegExp of this realm (its
 * prototype RegExp.prototype, as summaryHint found it): its flags (as reFlags; -1 when `o` only
 * borrows that prototype and is no RegExp) and its source (regexSource). Its text is regexText's,
 * which reads nothing else: the same source and flags make the same text in a trace (details.ts,
 * briefIndex, keeps the text's index by source). Reads no property: the intrinsic getters.
 */
export function regexFlags(o: object): number {
  return isRegExp(o) ? reFlags(o) : -1;
}

/** The source of a RegExp (regexFlags said it is one), by the intrinsic getter. */
export function regexSource(o: object): string {
  return reSource(o);
}

/** The prototype of this realm's RegExps (briefIndex's fast path for them). */
export const REGEXP_PROTO: object = RegExp.prototype;

/** A RegExp's text (regexText) made: `flags` holds bit i for RE_FLAGS[i]. */
function regexMade(source: string, flags: number, room: number): string {
  const text = fmtText(source, false, room - 1);
  if (truncated) return "/" + text;
  let letters = "";
  for (let i = 0; i < RE_FLAGS.length; i++) if ((flags & (1 << i)) !== 0) letters += RE_FLAGS[i][0];
  return "/" + text + "/" + letters;
}

/** regexText's texts by source. */
const SOURCES: Map<
  string,
  { room: number; red: Redactor | null; flags: number; text: string; cut: boolean }
> = new SafeMap();
/** Longest source whose text is kept (here, and by its index in details.ts, briefIndex). */
export const SOURCE_KEPT = 4096;
const MAX_SOURCES = 256;

/** The first bytes of a Buffer in hex, as its users read them: `Buffer(12) <68 65 6c 6c …>`. */
function fmtBytes(b: Uint8Array, room: number): string {
  const len = typedLength(b);
  let s = "Buffer(" + len + ") <";
  let i = 0;
  for (; i < len && i < 24 && s.length + 4 < room; i++) {
    const v = b[i];
    s += (i === 0 ? "" : " ") + HEX[v >> 4] + HEX[v & 15];
  }
  return s + (i < len ? " …>" : ">");
}

/** An own data property's value, never running a getter; undefined when there is none. */
function dataOf(o: object, key: string): unknown {
  const d = ownDesc(o, key);
  return d !== undefined && hasOwn(d, "value") ? d.value : undefined;
}

/** How fmtHost shows a runtime object of a class (by its name): null, as any class instance. */
type HostFormat = (
  o: object,
  name: string,
  proto: object | null,
  depth: number,
  room: number,
) => string | null;

/**
 * Runtime objects as their users think of them, from their own data properties or the built-in
 * getters captured before the program ran: `Timeout(5 ms)`, `IncomingMessage GET /path`,
 * `ServerResponse 200`, `Response 200`, `Request GET https://…`, and a Promise without the
 * runtime's bookkeeping symbols (Node's async hooks put them on promises, tph's own context among
 * them). By class name; a class not here is shown as any class instance.
 */
const HOST_FORMATS: Map<string, HostFormat> = new SafeMap<string, HostFormat>();
const timer: HostFormat = (o, name) => {
  const ms = dataOf(o, "_idleTimeout");
  return typeof ms === "number" && ms >= 0 ? name + "(" + ms + " ms)" : name;
};
HOST_FORMATS.set("Timeout", timer);
HOST_FORMATS.set("Immediate", timer);
HOST_FORMATS.set(
  "Promise",
  (o, name, proto, depth, room) =>
    proto === PROMISE_PROTO ? fmtProps(o, "Promise ", name, depth, room, false) : null,
);
HOST_FORMATS.set("IncomingMessage", (o, name) => {
  const method = dataOf(o, "method"), url = dataOf(o, "url"), code = dataOf(o, "statusCode");
  if (typeof method === "string" && typeof url === "string") {
    return name + " " + method + " " + fmtText(url, false, 80);
  }
  return typeof code === "number" ? name + " " + code : null;
});
HOST_FORMATS.set("ServerResponse", (o, name) => {
  const code = dataOf(o, "statusCode");
  return typeof code === "number" ? name + " " + code : null;
});
HOST_FORMATS.set("Response", (o, name, proto) => {
  if (!fetchLookedUp) lookUpFetch();
  if (responseStatus !== null && proto === RESPONSE_PROTO) {
    try {
      return name + " " + responseStatus(o);
    } catch {
      return null;
    }
  }
  return null;
});
HOST_FORMATS.set("Request", (o, name, proto) => {
  if (!fetchLookedUp) lookUpFetch();
  if (requestMethod !== null && requestUrl !== null && proto === REQUEST_PROTO) {
    try {
      return name + " " + requestMethod(o) + " " + fmtText(requestUrl(o), false, 80);
    } catch {
      return null;
    }
  }
  return null;
});

/** summaryKey's keys for objects without a prototype: a module namespace, any other. */
const MODULE_KEY: object = {};
const NULL_PROTO_KEY: object = {};

/** The prototype summaryHint found (an object's, when it returned HINT_CLASS). */
let hinted: object | null = null;
/** summaryHint's answer for an object with a prototype, neither a proxy nor an array. */
export const HINT_CLASS = -1;
/** summaryHint's answer for anything else (summaryKey says what). */
export const HINT_NONE = -2;
/** summaryHint's answer for an object without a prototype that is not a proxy (nullProtoKey). */
export const HINT_NULL = -3;

/**
 * What a summary made before may be looked up by (details.ts, briefIndex), read as summaryKey
 * reads it: a plain array's length; HINT_CLASS for an object with a prototype that is neither a
 * proxy nor an array (the prototype: hintedProto()); HINT_NULL for one without a prototype that
 * is not a proxy; else HINT_NONE. `notProxy`: `o` is known
 * not to be a proxy (an object is one or not for its whole life), and is not asked again (on Deno
 * the question is an op call: 40 ns).
 */
export function summaryHint(o: object, notProxy: boolean): number {
  if (!notProxy && isProxy(o)) return HINT_NONE;
  if (isArray(o)) return protoOf(o) === ARRAY_PROTO ? (o as unknown[]).length : HINT_NONE;
  const proto = protoOf(o);
  if (proto === null) return HINT_NULL;
  hinted = proto;
  return HINT_CLASS;
}

/** summaryKey's key for an object summaryHint said HINT_NULL of (no proxy, no prototype). */
export function nullProtoKey(o: object): object {
  return isModuleNamespaceObject(o) ? MODULE_KEY : NULL_PROTO_KEY;
}

/** The prototype of the object summaryHint last said HINT_CLASS of (then forgotten). */
export function hintedProto(): object {
  const p = hinted!;
  hinted = null;
  return p;
}

/**
 * What the summary of `o` past the detail budget (reprBrief) depends on, when not on `o` itself:
 * the prototype of an ordinary object or a class instance (`{…}`, `Token {…}`: its class alone),
 * or the length of a plain array (`Array(3)`); for an object without a prototype, whether it is a
 * module namespace (`[Object: null prototype] {…}`: marked returns 26,000 such). Null
 * where the summary reads more: a proxy, an array of a subclass, an object of another realm,
 * built-ins with internal slots (`Map(2) {…}`, a Date), runtime objects shown by their own data
 * (HOST_FORMATS). Reads nothing of `o` but its prototype and, for an array, its length.
 */
export function summaryKey(o: object): object | number | null {
  if (isProxy(o)) return null;
  const proto = protoOf(o);
  if (isArray(o)) return proto === ARRAY_PROTO ? o.length : null;
  if (proto === OBJECT_PROTO) return proto;
  if (proto === null) return isModuleNamespaceObject(o) ? MODULE_KEY : NULL_PROTO_KEY;
  const info = describe(proto);
  if (info.kind !== K_OBJECT || info.name === undefined || HOST_FORMATS.has(info.name)) {
    return null;
  }
  return proto;
}

function fmtBoxed(o: object, room: number): string {
  if (isNumberObject(o)) return "[Number: " + fmt(numberValueOf(o), 0, room) + "]";
  if (isBooleanObject(o)) return "[Boolean: " + booleanValueOf(o) + "]";
  if (isBigIntObject(o)) return "[BigInt: " + fmt(bigintValueOf(o), 0, room) + "]";
  if (isSymbolObject(o)) return "[Symbol: " + fmtSymbol(symbolValueOf(o), room - 10) + "]";
  const text = fmtText(stringValueOf(o), true, room - 10);
  return truncated ? "[String: " + text : "[String: " + text + "]";
}

function isErrorProto(p: object): boolean {
  for (let i = 0; i < ERROR_PROTOS.length; i++) if (ERROR_PROTOS[i] === p) return true;
  return false;
}

function fmtError(o: object, className: string, depth: number, room: number): string {
  let name: string | undefined;
  let p: object | null = o;
  for (let i = 0; p !== null && i < MAX_CHAIN; i++) {
    if (i > 0 && isProxy(p)) break;
    const d = ownDesc(p, "name");
    if (d !== undefined) {
      const value: unknown = isData(d) ? d.value : undefined;
      // A name inherited from a built-in prototype says less than the subclass's own name.
      if (typeof value === "string" && (i === 0 || !isErrorProto(p))) name = value;
      break;
    }
    p = protoOf(p);
  }
  let text = fmtText(name ?? className, false, room);
  const d = ownDesc(o, "message");
  const message: unknown = d !== undefined && isData(d) ? d.value : undefined;
  if (!truncated && typeof message === "string" && message !== "") {
    text += ": " + fmtText(message, false, room - text.length - 2);
  }
  if (!errorProps || truncated || depth >= MAX_DEPTH) return text;
  // Only string keys: listing an error's symbol keys (or all its own names) makes JavaScriptCore
  // compute its stack text, and Bun then prints the error, if it goes uncaught, from that text
  // instead of from the frames it kept: the global-code frame goes missing (a cause's too).
  if (ownKeys(o).length === 0) return text;
  return fmtProps(o, text + " ", className, depth, room, false);
}

/** Adds the `<ref *n>` label to a container's text if a cycle led back to it. */
function leave(depth: number, text: string): string {
  ancestors[depth] = null;
  const id = refIds[depth];
  return id === 0 ? text : "<ref *" + id + "> " + text;
}

function enter(o: object, depth: number): void {
  ancestors[depth] = o;
  refIds[depth] = 0;
}

function mark(row: number, shown: number, at: number, index: number): void {
  itemMark[row * SLOTS + shown] = at;
  itemIndex[row * SLOTS + shown] = index;
}

/** Called when an item left no room for the closer (`fit` = room minus closer). Drops trailing
 * items until a count of what was left out fits (`[1, 2, ... 9998 more items]`); when even
 * one item and the count do not fit, keeps the text for the final cut. */
function overflowed(
  text: string,
  row: number,
  shown: number,
  total: number,
  noun: string,
  fit: number,
): string {
  if (truncated) return text;
  const base = row * SLOTS;
  for (let k = shown - 1; k >= 1; k--) {
    const at = itemMark[base + k];
    const left = total - itemIndex[base + k];
    // more(false, left, noun)'s length, without making it: ", ... " left " more " noun "s".
    if (at + 12 + digits(left) + noun.length + (left === 1 ? 0 : 1) <= fit) {
      return strSlice(text, 0, at) + more(false, left, noun);
    }
  }
  truncated = true;
  return text;
}

const NO_SYMBOLS: symbol[] = [];

/** How many decimal digits a count (a whole number from 1) has. */
function digits(n: number): number {
  let d = 1;
  for (; n >= 10; n /= 10) d++;
  return d;
}

function more(first: boolean, left: number, noun: string): string {
  return (first ? "" : ", ") + "... " + left + " more " + noun + (left === 1 ? "" : "s");
}

function fmtProps(
  o: object,
  lead: string,
  tag: string,
  depth: number,
  room: number,
  withSymbols = true,
): string {
  const keys = ownKeys(o);
  const count = keys.length;
  // The symbols are listed when they are reached or counted (a count of the keys left out, none
  // of the string keys): most renders stop within the string keys, and objects have none.
  let symbols: symbol[] | null = count === 0 ? (withSymbols ? ownSymbols(o) : NO_SYMBOLS) : null;
  if (count === 0 && symbols!.length === 0) return lead + "{}";
  if (depth >= MAX_DEPTH) return "[" + tag + "]";
  enter(o, depth);
  let s = lead + "{";
  const fit = room - 2;
  let shown = 0;
  let total = symbols === null ? count : symbols.length;
  for (let i = 0; i < total || symbols === null; i++) {
    if (i >= count && symbols === null) {
      symbols = withSymbols ? ownSymbols(o) : NO_SYMBOLS;
      total = count + symbols.length;
      if (i >= total) break;
    }
    const key = i < count ? keys[i] : symbols![i - count];
    let d: PropertyDescriptor | undefined;
    try {
      d = ownDesc(o, key);
    } catch {
      // Module namespaces throw for bindings still in their temporal dead zone.
      d = { value: "<uninitialized>" };
    }
    if (d === undefined || (i >= count && !d.enumerable)) continue;
    if (shown === MAX_ITEMS) {
      s += more(false, count + symbolCount(o, symbols, withSymbols) - i, "key");
      break;
    }
    mark(depth, shown, s.length, i);
    const kt = typeof key === "string" && !truncated ? keyText(key) : null;
    if (kt !== null) {
      // As below, with the key's text made once.
      const lead = shown === 0 ? kt.first : kt.next;
      let secret = false;
      if (red !== null) {
        if (kt.red !== red) {
          kt.secret = red.secretKey(key as string);
          kt.red = red;
        }
        secret = kt.secret;
      }
      s += lead + (secret ? REDACTED : fmtDesc(d, depth + 1, fit - s.length - lead.length));
    } else {
      s += (shown === 0 ? " " : ", ") + fmtKey(key, fit - s.length - 4);
    }
    if (kt === null && !truncated) {
      s += ": " +
        (red !== null && typeof key === "string" && red.secretKey(key)
          ? REDACTED
          : fmtDesc(d, depth + 1, fit - s.length - 2));
    }
    shown++;
    if (truncated || s.length > fit) {
      if (!truncated) total = count + symbolCount(o, symbols, withSymbols);
      s = overflowed(s, depth, shown, total, "key", fit);
      break;
    }
  }
  if (!truncated) s += shown === 0 ? "}" : " }";
  return leave(depth, s);
}

/** How many own symbols fmtProps counts: `symbols` when listed already. */
function symbolCount(o: object, symbols: symbol[] | null, withSymbols: boolean): number {
  return symbols !== null ? symbols.length : withSymbols ? ownSymbols(o).length : 0;
}

/** `Foo(2) ` for array subclasses; nothing for arrays from other realms. */
function arrayLead(a: unknown[], proto: object | null): string {
  const name = proto === null ? undefined : describe(proto).name;
  if (name === "Array") return "";
  return name === undefined
    ? "[Array(" + a.length + "): null prototype] "
    : name + "(" + a.length + ") ";
}

function fmtArray(a: unknown[], lead: string, depth: number, room: number): string {
  const len = a.length;
  if (len === 0) return lead + "[]";
  if (depth >= MAX_DEPTH) return "[Array]";
  enter(a, depth);
  let s = lead + "[";
  const fit = room - 1;
  let shown = 0;
  for (let i = 0; i < len;) {
    if (shown === MAX_ITEMS) {
      s += more(false, len - i, "item");
      break;
    }
    const at = i;
    mark(depth, shown, s.length, at);
    if (shown !== 0) s += ", ";
    const d = ownDesc(a, i);
    if (d === undefined) {
      // Count the run of holes within a budget: a sparse array can have length 2^32 - 1.
      do {
        i++;
        holeBudget--;
      } while (i < len && holeBudget > 0 && !hasOwn(a, i));
      if (i < len && holeBudget <= 0) {
        s = strSlice(s, 0, itemMark[depth * SLOTS + shown]) + more(shown === 0, len - at, "item");
        break;
      }
      s += "<" + (i - at) + " empty item" + (i - at === 1 ? ">" : "s>");
    } else {
      s += fmtDesc(d, depth + 1, fit - s.length);
      i++;
    }
    shown++;
    if (truncated || s.length > fit) {
      s = overflowed(s, depth, shown, len, "item", fit);
      break;
    }
  }
  if (!truncated) s += "]";
  return leave(depth, s);
}

function fmtEntries(
  o: object,
  name: string,
  size: number,
  isMapKind: boolean,
  depth: number,
  room: number,
): string {
  const lead = name + "(" + size + ") ";
  if (size === 0) return lead + "{}";
  if (depth >= MAX_DEPTH) return "[" + name + "]";
  enter(o, depth);
  let s = lead + "{";
  const fit = room - 2;
  const iterator = isMapKind ? mapEntries(o) : setValues(o);
  let shown = 0;
  for (; shown < size; shown++) {
    if (shown === MAX_ITEMS) {
      s += more(false, size - shown, "item");
      break;
    }
    mark(depth, shown, s.length, shown);
    s += shown === 0 ? " " : ", ";
    if (isMapKind) {
      const step = mapIterNext(iterator);
      if (step.done) break;
      const key = step.value[0];
      s += fmt(key, depth + 1, fit - s.length - 4);
      if (!truncated) {
        s += " => " +
          (red !== null && typeof key === "string" && red.secretKey(key)
            ? REDACTED
            : fmt(step.value[1], depth + 1, fit - s.length - 4));
      }
    } else {
      const step = setIterNext(iterator);
      if (step.done) break;
      s += fmt(step.value, depth + 1, fit - s.length);
    }
    if (truncated || s.length > fit) {
      s = overflowed(s, depth, shown + 1, size, "item", fit);
      break;
    }
  }
  if (!truncated) s += " }";
  return leave(depth, s);
}

function fmtTyped(t: ArrayLike<unknown>, lead: string, len: number, room: number): string {
  let s = lead + "[";
  const fit = room - 1;
  for (let i = 0; i < len; i++) {
    if (i === MAX_ITEMS) {
      s += more(false, len - i, "item");
      break;
    }
    mark(MAX_DEPTH, i, s.length, i);
    // Integer-indexed reads on typed arrays never reach the prototype chain.
    s += (i === 0 ? "" : ", ") + fmt(t[i], 0, 0);
    if (s.length > fit) {
      s = overflowed(s, MAX_DEPTH, i + 1, len, "item", fit);
      break;
    }
  }
  return truncated ? s : s + "]";
}

/**
 * The class names on an object's prototype chain, nearest first (`RangeError`, `Error`,
 * `Object`), read as repr reads them: through descriptors, never through a proxy, never running
 * the program's code.
 *
 * @param o Any object.
 */
export function classNames(o: object): string[] {
  const names: string[] = ownArray([]);
  if (isProxy(o)) return names;
  let p: object | null = protoOf(o);
  for (let i = 0; p !== null && i < MAX_CHAIN; i++) {
    if (isProxy(p)) break;
    const known = PROTO_INFO.get(p);
    let name = known?.name;
    if (name === undefined) {
      const d = ownDesc(p, "constructor");
      if (d !== undefined && isData(d)) {
        const ctor: unknown = d.value;
        if (typeof ctor === "function" && !isProxy(ctor)) name = fnName(ctor);
      }
    }
    if (name !== undefined) names[names.length] = name;
    p = protoOf(p);
  }
  return names;
}

// Kept from FTL on Bun when the recording is bounded (ftl.ts).
ftlCandidates([
  repr,
  formatError,
  clipString,
  reprKept,
  reprBrief,
  render,
  fmt,
  code,
  fmtText,
  quote,
  fmtSymbol,
  isIdentifier,
  identifierChars,
  keyText,
  fmtKey,
  isData,
  fmtDesc,
  fnName,
  kindOf,
  functionKind,
  fmtFunction,
  describe,
  brandKind,
  fmtObject,
  fmtBuiltin,
  regexText,
  reFlags,
  regexFlags,
  regexSource,
  regexMade,
  fmtBytes,
  dataOf,
  summaryHint,
  nullProtoKey,
  summaryKey,
  fmtBoxed,
  isErrorProto,
  fmtError,
  leave,
  enter,
  mark,
  overflowed,
  digits,
  more,
  fmtProps,
  symbolCount,
  arrayLead,
  fmtArray,
  fmtEntries,
  fmtTyped,
]);
