/**
 * The built-ins tph's own code uses in the program's process, captured when this module loads
 * (before the program runs, under `tph run`). A program may replace `JSON.stringify`, patch
 * `TextEncoder.prototype.encode`, `Function.prototype.call` or `Map.prototype.get`, or put a
 * function of its own there: recording and saving a run go through these captures, so what the
 * program does to the built-ins never changes what tph records or writes, and tph never runs
 * the program's code (which would be recorded as the program's calls).
 *
 * Methods are "uncurried": `strSlice(s, 0, 3)` for `s.slice(0, 3)`, through a `call` bound once
 * (Node's "primordials" idea). Collections tph keeps are SafeMap/SafeSet: subclasses whose
 * prototype holds its own copies of the methods, so a call stays a plain method call.
 *
 * @module
 */

const bind = Function.prototype.bind;
const call = Function.prototype.call;
/** `fn` as a function that takes its `this` first; no later patch can reach it. */
// deno-lint-ignore no-explicit-any
export const uncurry: (fn: unknown) => (self: any, ...args: any[]) => any = bind.bind(call);
export const apply = Reflect.apply;
/**
 * `fn` as a function taking its `this` first, for a built-in that never calls the program's code
 * (string and RegExp methods, getters of internal slots): tph's own calls of the built-ins it
 * captured. JavaScriptCore does not inline a call through a bound `call` (13–80 ns more a call
 * on Bun, ~20 for a getter: describing a RegExp read nine), and does inline `Reflect.apply` with a
 * rest parameter's array (3–20 ns), so there that is the shape; V8 inlines the bound one (and
 * is slower with the other). A function that may run the program's code keeps `uncurry`: a bound
 * function adds no frame to a stack trace the program makes there.
 */
// deno-lint-ignore no-explicit-any
export const uncurryBuiltin: (fn: unknown) => (self: any, ...args: any[]) => any =
  // deno-lint-ignore no-explicit-any
  (globalThis as any).Bun !== undefined
    ? (fn) => (self, ...args) => apply(fn as (...a: unknown[]) => unknown, self, args)
    : uncurry;

/** The arguments of a getter called through uncurryGetter (none; frozen, so no one adds any). */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * A built-in getter (of an internal slot: a RegExp's flags, a Map's size) as a function taking
 * its object. On Bun as uncurryBuiltin but with one frozen empty argument list, not a rest
 * parameter's array a call (JavaScriptCore: 20 ns a read through the rest shape, 14 through this;
 * a RegExp's summary reads nine); elsewhere uncurry.
 */
export const uncurryGetter: (get: unknown) => (self: unknown) => unknown =
  // deno-lint-ignore no-explicit-any
  (globalThis as any).Bun !== undefined
    ? (get) => (self) => apply(get as (...a: unknown[]) => unknown, self, NO_ARGS)
    : uncurry;

/** `f.call(self, ...args)`, as the built-in (no array made for the arguments, as apply needs). */
// deno-lint-ignore ban-types
export const callWith: (f: Function, self: unknown, ...args: unknown[]) => unknown = uncurry(call);

const { freeze, getOwnPropertyDescriptor } = Object;
const setPrototypeOfOwn = Object.setPrototypeOf;

// Object's, Reflect's and Array's functions that tph's code in the program reaches for (its
// hooks on the program's objects: bun_children.ts, follow.ts, propagate/, requests/, loader/).
export const defineProperty = Object.defineProperty;
export const defineAll = Object.defineProperties;
export const getOwn = getOwnPropertyDescriptor;
export const getOwnAll = Object.getOwnPropertyDescriptors;
export const objectKeys = Object.keys;
export const ownKeys = Reflect.ownKeys;
export const reflectConstruct = Reflect.construct;
export const isArray = Array.isArray;
export const protoOf = Object.getPrototypeOf;
export const stringify = JSON.stringify;
export const parseJSON = JSON.parse;

/**
 * JSON of plain data (what tph builds: objects, arrays, strings, numbers, booleans, null), as
 * `JSON.stringify` writes it, without looking up `toJSON`: a program may define
 * `Object.prototype.toJSON`, and JSON.stringify would call it on every object.
 */
export function plainJSON(v: unknown): string {
  if (v === null || typeof v !== "object") return stringify(v) ?? "null";
  let out = isArray(v) ? "[" : "{";
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      out += (i === 0 ? "" : ",") + (omitted(item) ? "null" : plainJSON(item));
    }
    return out + "]";
  }
  const keys = objectKeys(v);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const value = (v as Record<string, unknown>)[keys[i]];
    if (omitted(value)) continue;
    out += (first ? "" : ",") + stringify(keys[i]) + ":" + plainJSON(value);
    first = false;
  }
  return out + "}";
}

function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}
export const { floor, imul, max, min, round } = Math;

/** A collection class whose prototype carries the methods of `Base`'s, as they are now. */
// deno-lint-ignore no-explicit-any
function safeClass<C extends new (...args: any[]) => any>(Base: C): C {
  const Safe = class extends Base {};
  for (const key of ownKeys(Base.prototype)) {
    if (key === "constructor") continue;
    defineProperty(Safe.prototype, key, getOwnPropertyDescriptor(Base.prototype, key)!);
  }
  freeze(Safe.prototype);
  return Safe;
}

/** A Map no patch of `Map.prototype` reaches. Create it empty (its constructor's iterable is not safe). */
export const SafeMap = safeClass(Map) as MapConstructor;
/** A Set no patch of `Set.prototype` reaches. Create it empty. */
export const SafeSet = safeClass(Set) as SetConstructor;
/** A WeakMap no patch of `WeakMap.prototype` reaches. Create it empty. */
export const SafeWeakMap = safeClass(WeakMap) as WeakMapConstructor;

/**
 * The prototype of tph's own arrays: Array.prototype's methods as they were when tph loaded, and
 * no prototype of its own. A program may put a setter or getter on an index of Array.prototype
 * or Object.prototype (`Object.defineProperty(Array.prototype, 0, { set… })`): writing an array's
 * element past its end (`a[a.length] = x`, `push`, a hole) looks the index up the prototype chain,
 * would run the program's setter (which need not store anything: tph's array stays empty and a
 * loop waiting on it spins), and reading a hole would run its getter. An array of this prototype
 * has no index anywhere in its chain, and keeps its fast elements (V8, JavaScriptCore).
 */
const OWN_ARRAY_PROTO: object = ((from: object) => {
  const proto = {};
  setPrototypeOfOwn(proto, null);
  for (const key of ownKeys(from)) {
    if (key === "constructor") continue;
    defineProperty(proto, key, getOwnPropertyDescriptor(from, key)!);
  }
  return freeze(proto);
})(Array.prototype);

/**
 * `a`, made one of tph's own arrays (see OWN_ARRAY_PROTO): `ownArray([])` for an array tph fills by
 * index or push. Only for arrays the program never sees (its `constructor` is undefined: `map`,
 * `slice`… of it make plain arrays).
 */
export function ownArray<T extends unknown[]>(a: T): T {
  return setPrototypeOfOwn(a, OWN_ARRAY_PROTO) as T;
}

/**
 * `o[key] = value` for an object tph made, as a new own data property: an assignment would run a
 * setter the program put on Object.prototype (or on Array.prototype, for an index).
 */
export function put(o: object, key: PropertyKey, value: unknown): void {
  defineProperty(o, key, {
    __proto__: null,
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  } as PropertyDescriptor);
}

/** `fn` as a function taking its `this` first (see uncurry), typed as `T`. */
const method = <T>(fn: unknown): T => uncurryBuiltin(fn) as T;
/** A method of `S` uncurried: `(self, ...args) => R`. */
type On<S, A extends unknown[], R> = (self: S, ...args: A) => R;

const STR = String.prototype;
/** `a.fill(v)` of a typed array, as the built-in (a program may replace TypedArray.prototype.fill). */
export const typedFill = method<On<Int32Array | Uint8Array | Float64Array, [v: number], unknown>>(
  Object.getPrototypeOf(Int32Array.prototype).fill,
);
/** `a.fill(v)` of an array, as the built-in. */
export const arrayFill = method<On<unknown[], [v: unknown], unknown[]>>(Array.prototype.fill);
export const strSlice = method<On<string, [from: number, to?: number], string>>(STR.slice);
export const strStartsWith = method<On<string, [prefix: string], boolean>>(STR.startsWith);
export const strIndexOf = method<On<string, [part: string, from?: number], number>>(STR.indexOf);
export const strIncludes = method<On<string, [part: string], boolean>>(STR.includes);
export const strLastIndexOf = method<On<string, [part: string], number>>(STR.lastIndexOf);
export const strEndsWith = method<On<string, [suffix: string], boolean>>(STR.endsWith);
/**
 * Object.hasOwn. A descriptor is a data one when `hasOwn(d, "value")`; `"value" in d` would also
 * see a `value` the program put on Object.prototype, and `d.value` would then run its getter.
 */
export const hasOwn = Object.hasOwn as (o: object, key: PropertyKey) => boolean;
const setPrototypeOf = Object.setPrototypeOf;
/**
 * A property descriptor of no prototype, for Object.defineProperty: it reads `get`, `set`,
 * `value`, `writable`… of one inherited from Object.prototype too, where the program may have put
 * any of them.
 */
export const bare = (d: PropertyDescriptor): PropertyDescriptor =>
  setPrototypeOf(d, null) as PropertyDescriptor;
export const regexExec = method<On<RegExp, [s: string], RegExpExecArray | null>>(
  RegExp.prototype.exec,
);
/** `re.test(s)`, through the captured exec (test itself calls the `exec` `re` has then). */
export const regexTest = (re: RegExp, s: string): boolean => regexExec(re, s) !== null;
export const arrayJoin = method<On<unknown[], [sep: string], string>>(Array.prototype.join);
export const dateGetTime = method<On<Date, [], number>>(Date.prototype.getTime);
export const dateToISO = method<On<Date, [], string>>(Date.prototype.toISOString);
export const functionSource = method<On<unknown, [], string>>(Function.prototype.toString);
const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype);
export const bytesSet = method<On<Uint8Array, [from: Uint8Array, at: number], void>>(
  TYPED_ARRAY_PROTO.set,
);
/** `to.set(from, at)` of typed arrays of one kind, as the built-in. */
export const typedSet = method<
  On<Int32Array | Float64Array | Uint8Array, [from: ArrayLike<number>, at: number], void>
>(TYPED_ARRAY_PROTO.set);
/**
 * `b.transfer(0)`, as the built-in (ES2024; null where the runtime has none): frees `b`'s memory
 * now, not at a later collection, and leaves `b` and every view of it empty.
 */
export const bufferRelease: ((b: ArrayBuffer) => void) | null =
  typeof ArrayBuffer.prototype.transfer === "function"
    ? ((f) => (b: ArrayBuffer) => void f(b, 0))(
      method<On<ArrayBuffer, [length: number], ArrayBuffer>>(ArrayBuffer.prototype.transfer),
    )
    : null;
/** `b.resize(n)` of a resizable ArrayBuffer, as the built-in (ES2024; null where there is none). */
export const bufferResize: ((b: ArrayBuffer, n: number) => void) | null =
  typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === "function"
    ? method<On<ArrayBuffer, [length: number], void>>(
      (ArrayBuffer.prototype as unknown as { resize: (n: number) => void }).resize,
    )
    : null;
export const bytesSub = method<On<Uint8Array, [from: number, to?: number], Uint8Array>>(
  TYPED_ARRAY_PROTO.subarray,
);
/** A typed array's `buffer` and `byteOffset`, as the built-in getters read them. */
export const typedBuffer = method<On<Float64Array, [], ArrayBuffer>>(
  getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, "buffer")!.get,
);
export const typedByteOffset = method<On<Float64Array, [], number>>(
  getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, "byteOffset")!.get,
);
/** `a.subarray(from, to)` of an Int32Array (a view of its memory), as the built-in. */
export const int32Sub = method<On<Int32Array, [from: number, to?: number], Int32Array>>(
  TYPED_ARRAY_PROTO.subarray,
);

/** `s.split(sep)` for a non-empty `sep` (split itself would look up `sep[Symbol.split]`). */
export function strSplit(s: string, sep: string): string[] {
  const parts: string[] = ownArray([]);
  let from = 0;
  for (let at = strIndexOf(s, sep); at >= 0; at = strIndexOf(s, sep, from)) {
    parts[parts.length] = strSlice(s, from, at);
    from = at + sep.length;
  }
  parts[parts.length] = strSlice(s, from);
  return parts;
}
const encoder = new TextEncoder();
const encode = uncurryBuiltin(TextEncoder.prototype.encode) as (
  e: TextEncoder,
  s: string,
) => Uint8Array;
/** `s` in UTF-8. */
export const utf8 = (s: string): Uint8Array => encode(encoder, s);
const encodeIntoOf = method<
  On<TextEncoder, [s: string, into: Uint8Array], { read: number; written: number }>
>(TextEncoder.prototype.encodeInto);
/** Write `s` in UTF-8 into `into`; returns the bytes written. */
export const utf8Into = (s: string, into: Uint8Array): number =>
  encodeIntoOf(encoder, s, into).written;
/** Whether a string has no lone surrogate (String.prototype.isWellFormed). */
export const wellFormed = method<On<string, [], boolean>>(
  // deno-lint-ignore no-explicit-any
  (String.prototype as any).isWellFormed,
);
export const bytesCopyWithin = method<
  On<Uint8Array, [to: number, from: number, end: number], Uint8Array>
>(
  TYPED_ARRAY_PROTO.copyWithin,
);

const CHAR_CODE_AT = String.prototype.charCodeAt;
/** `s.charCodeAt(i)`, captured. A call through it costs ~30 ns on Bun: see charCodeAtIntact. */
export const charCodeAt = method<On<string, [i: number], number>>(CHAR_CODE_AT);
/** `n.toString(16)`, `s.padStart(n, c)`: captured. */
export const numToString = method<On<number, [radix: number], string>>(Number.prototype.toString);
export const bigToString = method<On<bigint, [radix: number], string>>(BigInt.prototype.toString);
export const strPadStart = method<On<string, [n: number, fill: string], string>>(STR.padStart);
/** Whether String.prototype still holds the built-in charCodeAt (then call it directly). */
export function charCodeAtIntact(): boolean {
  return STR.charCodeAt === CHAR_CODE_AT;
}

/** `performance.now()`, as the built-in. */
export const performanceNow: () => number = performance.now.bind(performance);

const ErrorCtor = Error;

/**
 * `Error.stackTraceLimit` as the runtime reads it, without running a getter of the program's
 * (undefined when it is an accessor or deleted).
 */
export function stackTraceLimit(): unknown {
  const d = getOwnPropertyDescriptor(ErrorCtor, "stackTraceLimit");
  return d !== undefined && hasOwn(d, "value") ? d.value : undefined;
}

/**
 * `fn()` with `Error.stackTraceLimit` at `limit`, restored afterwards: defined, never assigned, so
 * that an accessor the program put there does not run. A program that froze Error at another
 * limit leaves it as it is: then `otherwise()`, without changing it.
 */
export function withStackTraceLimit<T>(limit: number, fn: () => T, otherwise: () => T): T {
  const old = getOwnPropertyDescriptor(ErrorCtor, "stackTraceLimit");
  const fixed = old !== undefined && !old.configurable;
  const data = old !== undefined && hasOwn(old, "value");
  if (fixed && !(data && (old.writable || old.value === limit))) return otherwise();
  // Descriptors of no prototype: a `get` or `value` on Object.prototype would be read as theirs.
  const set = fixed
    ? { __proto__: null, value: limit }
    : { __proto__: null, value: limit, writable: true, configurable: true, enumerable: true };
  defineProperty(ErrorCtor, "stackTraceLimit", set as PropertyDescriptor);
  try {
    return fn();
  } finally {
    if (old === undefined) delete (ErrorCtor as { stackTraceLimit?: unknown }).stackTraceLimit;
    else {
      const back = fixed ? { __proto__: null, value: old.value } : data
        ? {
          __proto__: null,
          value: old.value,
          writable: old.writable,
          enumerable: old.enumerable,
          configurable: true,
        }
        : {
          __proto__: null,
          get: old.get,
          set: old.set,
          enumerable: old.enumerable,
          configurable: true,
        };
      defineProperty(ErrorCtor, "stackTraceLimit", back as PropertyDescriptor);
    }
  }
}
