/**
 * Safe, fast, bounded one-line representations of values for the tracer's hot path.
 *
 * Everything here must hold for arbitrary user values: no user code runs (no getters, proxy
 * traps, `toString`/`toJSON`/`Symbol.toPrimitive`/`inspect.custom`, no user iterators), nothing
 * throws, and the work is bounded by the output budget rather than by the size of the value.
 * Properties are read only through `Object.getOwnPropertyDescriptor`, proxies are detected
 * before anything touches them, and every built-in method used on a user value was captured at
 * module load, because user code may patch built-in prototypes later.
 *
 * @module
 */

import { types } from "node:util";

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
// `fn.call(x)` would look up a possibly patched `Function.prototype.call`; binding the intrinsic
// `call` once gives a callable that no later patch can reach (Node's "primordials" trick).
const uncurry = Function.prototype.bind.bind(Function.prototype.call) as unknown as (
  fn: unknown,
) => Uncurried;

function getter(proto: object, key: PropertyKey): Uncurried {
  const get = ownDesc(proto, key)?.get;
  return get === undefined ? () => undefined : uncurry(get);
}

const OBJECT_PROTO = Object.prototype;
const FUNCTION_PROTO = Function.prototype;
const STRING_PROTO = String.prototype;
const ASYNC_FN_PROTO = protoOf(async function () {});
const GEN_FN_PROTO = protoOf(function* () {});
const ASYNC_GEN_FN_PROTO = protoOf(async function* () {});
const TYPED_ARRAY_PROTO = protoOf(Uint8Array.prototype) as object;
const CHAR_CODE_AT = STRING_PROTO.charCodeAt;

const charCodeAt = uncurry(CHAR_CODE_AT) as (s: string, i: number) => number;
const strSlice = uncurry(STRING_PROTO.slice) as (s: string, a: number, b?: number) => string;
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
const typedTag = getter(TYPED_ARRAY_PROTO, Symbol.toStringTag) as (t: unknown) => string | undefined;
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
// Prototypes whose kind and name are known without reading anything: the chain walk stops at
// the first one. Parallel arrays of own slots, so lookups cannot hit patched prototypes.
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
const KNOWN_PROTOS: object[] = KNOWN.map((k) => k[0]);
const KNOWN_KINDS: number[] = KNOWN.map((k) => k[1]);
const KNOWN_NAMES: string[] = KNOWN.map((k) => k[2]);
const KNOWN_COUNT = KNOWN.length;

const MAX_DEPTH = 3;
const MAX_ITEMS = 100;
const MAX_CHAIN = 64;
const HOLE_BUDGET = 1024;
const LONG_STRING = 20;
const MAX_LIMIT = 1 << 24;
const BIG = 10n ** 600n;
const HEX = "0123456789abcdef";
const QUOTED_ESCAPES: Record<string, string> = Object.create(null);
for (let c = 0; c < 32; c++) QUOTED_ESCAPES[String.fromCharCode(c)] = "\\u00" + HEX[c >> 4] + HEX[c & 15];
Object.assign(QUOTED_ESCAPES, { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" });
Object.assign(QUOTED_ESCAPES, { '"': '\\"', "\\": "\\\\" });

// Render state lives in module variables: nothing here can call back into user code, so a
// render never re-enters, and the hot path allocates no state object. Slots are preallocated
// own properties so writes never consult (possibly patched) Array.prototype setters.
let out = "";
let limit = 0;
let truncated = false;
let refCount = 0;
let holeBudget = 0;
let errorProps = true;
let fastChars = true;
const ancestors: (object | null)[] = [null, null, null, null];
const refIds = new Int32Array(MAX_DEPTH + 1);
const starts = new Int32Array(MAX_DEPTH + 1);
// Set by describe(): the kind and class name found on a prototype chain.
let dKind = K_NONE;
let dName: string | undefined = undefined;

/**
 * A one-line, human-readable representation of any value, at most `maxLen` characters.
 *
 * Never runs user code (getters, proxy traps, `toString`, custom inspectors, iterators), never
 * throws, and does work proportional to `maxLen`, not to the size of the value. Output that
 * does not fit is cut and ends with `…`; long arrays, maps and sets say how many items were
 * left out instead when that fits.
 *
 * @param value Any value, including proxies, revoked proxies and objects with throwing getters.
 * @param maxLen Maximum length of the result in UTF-16 code units (default 120).
 * @returns The representation, e.g. `Point { x: 1, y: 2 }` or `Map(1) { "a" => 1 }`.
 * @example
 * ```ts
 * import { repr } from "./repr.ts";
 * repr({ a: 1, b: "x", c: [1, 2] }); // '{ a: 1, b: "x", c: [1, 2] }'
 * repr("x".repeat(1e7), 10); // '"xxxxxxxx…'
 * ```
 */
export function repr(value: unknown, maxLen = 120): string {
  return render(value, maxLen, true);
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
 * import { formatError } from "./repr.ts";
 * formatError(new RangeError("bad amount -1")); // "RangeError: bad amount -1"
 * formatError("boom"); // '"boom"'
 * ```
 */
export function formatError(err: unknown, maxLen = 120): string {
  return render(err, maxLen, false);
}

function render(value: unknown, maxLen: number, withErrorProps: boolean): string {
  let max = 120;
  if (typeof maxLen === "number") {
    max = maxLen >= MAX_LIMIT ? MAX_LIMIT : maxLen >= 1 ? maxLen - (maxLen % 1) : 0;
  }
  if (max === 0) return "";
  out = "";
  limit = max;
  truncated = false;
  refCount = 0;
  holeBudget = HOLE_BUDGET;
  errorProps = withErrorProps;
  // Direct `s.charCodeAt(i)` is 10-20x faster than any captured form on Bun; use it only while
  // String.prototype still holds the intrinsic (checked by descriptor, so no getter runs).
  fastChars = ownDesc(STRING_PROTO, "charCodeAt")?.value === CHAR_CODE_AT;
  try {
    write(value, 0, 0);
  } catch {
    out = "[unrepresentable]";
    truncated = false;
  }
  for (let i = 0; i <= MAX_DEPTH; i++) ancestors[i] = null;
  const s = out;
  out = "";
  if (!truncated && s.length <= max) return s;
  let n = s.length < max ? s.length : max - 1;
  if (n > 0 && isHighSurrogate(code(s, n - 1))) n--;
  return strSlice(s, 0, n) + "…";
}

function write(v: unknown, depth: number, reserve: number): void {
  switch (typeof v) {
    case "string":
      writeText(v, true);
      return;
    case "number":
      out += v === 0 && 1 / v < 0 ? "-0" : "" + v;
      return;
    case "boolean":
      out += v ? "true" : "false";
      return;
    case "undefined":
      out += "undefined";
      return;
    case "bigint":
      if (v < BIG && v > -BIG) out += v + "n";
      else writeText((v < 0n ? "-0x" : "0x") + bigintToString(v < 0n ? -v : v, 16) + "n", false);
      return;
    case "symbol":
      writeSymbol(v);
      return;
    case "function":
      writeFunction(v);
      return;
  }
  if (v === null) out += "null";
  else writeObject(v as object, depth, reserve);
}

function code(s: string, i: number): number {
  return fastChars ? s.charCodeAt(i) : charCodeAt(s, i);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Appends `s` (quoted and JSON-escaped, or raw with control characters escaped), reading
 * at most as many characters as could still fit. */
function writeText(s: string, quoted: boolean): void {
  const len = s.length;
  let n = limit - out.length + 1;
  if (n > len) n = len;
  let start = 0;
  let done = quoted ? '"' : "";
  let i = 0;
  for (; i < n; i++) {
    const c = code(s, i);
    let esc: string;
    if (c < 32 || (quoted && (c === 34 || c === 92))) {
      esc = QUOTED_ESCAPES[s[i]];
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
  if (start === 0 && i >= len) {
    out += quoted ? '"' + s + '"' : s;
    return;
  }
  const end = i > len ? len : i;
  out += done + (start < end ? strSlice(s, start, end) : "");
  if (end < len) truncated = true;
  else if (quoted) out += '"';
}

function writeSymbol(sym: symbol): void {
  const description = symbolDescription(sym);
  out += "Symbol(";
  if (description !== undefined) writeText(description, false);
  out += ")";
}

function isIdentifier(key: string): boolean {
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

function writeKey(key: string | symbol): void {
  if (typeof key === "symbol") {
    out += "[";
    writeSymbol(key);
    out += "]";
  } else if (isIdentifier(key)) {
    out += key;
  } else {
    writeText(key, true);
  }
}

/** Writes a property's value from its descriptor; returns true when the value is a long string
 * (its beginning is worth keeping when it overflows). */
function writeDesc(d: PropertyDescriptor, depth: number, reserve: number): boolean {
  if (hasOwn(d, "value")) {
    const v: unknown = d.value;
    write(v, depth, reserve);
    return typeof v === "string" && v.length > LONG_STRING;
  }
  out += d.get !== undefined ? (d.set !== undefined ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
  return false;
}

function fnName(f: object): string | undefined {
  const d = ownDesc(f, "name");
  if (d === undefined || !hasOwn(d, "value")) return undefined;
  const name: unknown = d.value;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function writeFunction(f: object): void {
  if (isProxy(f)) {
    out += "[Proxy]";
    return;
  }
  const name = fnName(f) ?? "(anonymous)";
  const proto = protoOf(f);
  let label = "Function";
  if (proto === ASYNC_FN_PROTO) label = "AsyncFunction";
  else if (proto === GEN_FN_PROTO) label = "GeneratorFunction";
  else if (proto === ASYNC_GEN_FN_PROTO) label = "AsyncGeneratorFunction";
  else {
    // Class constructors get a non-writable `prototype`; plain functions a writable one.
    const pd = ownDesc(f, "prototype");
    if (pd !== undefined && hasOwn(pd, "value") && pd.writable === false) {
      out += "[class ";
      writeText(name, false);
      if (proto !== FUNCTION_PROTO && typeof proto === "function" && !isProxy(proto)) {
        const base = fnName(proto);
        if (base !== undefined) {
          out += " extends ";
          writeText(base, false);
        }
      }
      out += "]";
      return;
    }
  }
  out += "[" + label + " ";
  writeText(name, false);
  out += "]";
}

/** Walks the prototype chain (never through a proxy) for the class name and the first known
 * built-in prototype; results go to `dKind` and `dName`. */
function describe(proto: object | null): void {
  dKind = K_NONE;
  dName = undefined;
  let p = proto;
  for (let i = 0; p !== null && i < MAX_CHAIN; i++) {
    for (let j = 0; j < KNOWN_COUNT; j++) {
      if (KNOWN_PROTOS[j] === p) {
        dKind = KNOWN_KINDS[j];
        if (dName === undefined) dName = KNOWN_NAMES[j];
        return;
      }
    }
    if (isProxy(p)) return;
    if (dName === undefined) {
      const d = ownDesc(p, "constructor");
      if (d !== undefined && hasOwn(d, "value")) {
        const ctor: unknown = d.value;
        if (typeof ctor === "function" && !isProxy(ctor)) dName = fnName(ctor);
      }
    }
    p = protoOf(p);
  }
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

function writeObject(o: object, depth: number, reserve: number): void {
  if (isProxy(o)) {
    out += "[Proxy]";
    return;
  }
  if (isArray(o)) {
    writeArray(o, depth, reserve);
    return;
  }
  const proto = protoOf(o);
  if (proto === OBJECT_PROTO) {
    writeProps(o, "", "Object", depth, reserve);
    return;
  }
  describe(proto);
  const kind = dKind === K_NONE ? (proto === null ? K_OBJECT : brandKind(o)) : dKind;
  const name = dName;
  try {
    if (writeBuiltin(o, kind, name ?? KNOWN_NAMES[KNOWN_KINDS.indexOf(kind)], depth, reserve)) {
      return;
    }
  } catch {
    // A prototype borrowed without the internal slots (`Object.create(Map.prototype)`): the
    // captured intrinsic refuses it, and it is shown as an ordinary object instead.
  }
  let lead = name === "Object" ? "" : name + " ";
  if (name === undefined) {
    lead = proto === null && isModuleNamespaceObject(o)
      ? "[Module: null prototype] "
      : "[Object: null prototype] ";
  }
  writeProps(o, lead, name ?? "Object", depth, reserve);
}

/** Writes objects with internal slots; returns false to fall back to plain properties. */
function writeBuiltin(o: object, kind: number, name: string, depth: number, reserve: number) {
  switch (kind) {
    case K_MAP:
      writeEntries(o, name, mapSize(o), true, depth, reserve);
      return true;
    case K_SET:
      writeEntries(o, name, setSize(o), false, depth, reserve);
      return true;
    case K_DATE: {
      const time = dateGetTime(o);
      out += time === time ? dateToISO(o) : "Invalid Date";
      return true;
    }
    case K_REGEXP: {
      const source = reSource(o);
      let flags = "";
      for (let i = 0; i < RE_FLAGS.length; i++) if (RE_FLAGS[i][1](o)) flags += RE_FLAGS[i][0];
      out += "/";
      writeText(source, false);
      out += "/" + flags;
      return true;
    }
    case K_ERROR:
      writeError(o, name, depth, reserve);
      return true;
    case K_TYPED: {
      const tag = typedTag(o);
      if (tag === undefined) return false;
      writeTyped(o as ArrayLike<unknown>, name === "TypedArray" ? tag : name, typedLength(o));
      return true;
    }
    case K_BUFFER:
      out += name + " { byteLength: " +
        (isSharedArrayBuffer(o) ? sharedLength(o) : bufferLength(o)) + " }";
      return true;
    case K_VIEW:
      out += name + " { byteLength: " + viewLength(o) + " }";
      return true;
    case K_WEAK:
      out += name + " { <items unknown> }";
      return true;
    case K_BOXED:
      writeBoxed(o);
      return true;
  }
  return false;
}

function writeBoxed(o: object): void {
  if (isNumberObject(o)) out += "[Number: " + numberValueOf(o) + "]";
  else if (isBooleanObject(o)) out += "[Boolean: " + booleanValueOf(o) + "]";
  else if (isBigIntObject(o)) out += "[BigInt: " + bigintValueOf(o) + "n]";
  else if (isSymbolObject(o)) {
    out += "[Symbol: ";
    writeSymbol(symbolValueOf(o));
    out += "]";
  } else {
    out += "[String: ";
    writeText(stringValueOf(o), true);
    if (!truncated) out += "]";
  }
}

function writeError(o: object, className: string, depth: number, reserve: number): void {
  let name: string | undefined;
  let p: object | null = o;
  for (let i = 0; p !== null && i < MAX_CHAIN; i++) {
    if (i > 0 && isProxy(p)) break;
    const d = ownDesc(p, "name");
    if (d !== undefined) {
      const value: unknown = hasOwn(d, "value") ? d.value : undefined;
      // A name inherited from a built-in prototype says less than the subclass's own name.
      if (typeof value === "string" && (i === 0 || !ERROR_PROTOS.includes(p))) name = value;
      break;
    }
    p = protoOf(p);
  }
  writeText(name ?? className, false);
  const d = ownDesc(o, "message");
  const message: unknown = d !== undefined && hasOwn(d, "value") ? d.value : undefined;
  if (typeof message === "string" && message !== "") {
    out += ": ";
    writeText(message, false);
  }
  if (!errorProps || truncated || depth >= MAX_DEPTH) return;
  if (ownKeys(o).length === 0 && ownSymbols(o).length === 0) return;
  out += " ";
  writeProps(o, "", className, depth, reserve);
}
