/**
 * The global built-ins, as they were when tph's modules loaded (before the program runs). A
 * program may delete or replace `Error`, `Set`, `Uint8Array` or `JSON` and then call traced code,
 * or end while tph still has to save: tph's modules that run inside the program's process import
 * these names from here, so that they shadow the globals and a deleted or replaced one changes
 * nothing tph does. (Methods on the built-ins' prototypes: see intrinsics.ts.)
 *
 * @module
 */

const g = globalThis;

export const Array = g.Array;
export type Array<T> = globalThis.Array<T>;
export const ArrayBuffer = g.ArrayBuffer;
export type ArrayBuffer = globalThis.ArrayBuffer;
export const Atomics = g.Atomics;
export const BigInt = g.BigInt;
export const DataView = g.DataView;
export type DataView = globalThis.DataView;
export const Date = g.Date;
export type Date = globalThis.Date;
export const Error = g.Error;
export type Error = globalThis.Error;
export const Float64Array = g.Float64Array;
export type Float64Array = globalThis.Float64Array;
export const Int32Array = g.Int32Array;
export type Int32Array = globalThis.Int32Array;
export const JSON = g.JSON;
export const Map = g.Map;
export type Map<K, V> = globalThis.Map<K, V>;
export const Math = g.Math;
export const Number = g.Number;
export const Object = g.Object;
export const parseInt = g.parseInt;
export const Promise = g.Promise;
export type Promise<T> = globalThis.Promise<T>;
export const Proxy = g.Proxy;
export const RangeError = g.RangeError;
export type RangeError = globalThis.RangeError;
export const Reflect = g.Reflect;
export const RegExp = g.RegExp;
export type RegExp = globalThis.RegExp;
export const SharedArrayBuffer = g.SharedArrayBuffer;
export type SharedArrayBuffer = globalThis.SharedArrayBuffer;
export const Set = g.Set;
export type Set<T> = globalThis.Set<T>;
export const String = g.String;
export const Symbol = g.Symbol;
export const SyntaxError = g.SyntaxError;
export type SyntaxError = globalThis.SyntaxError;
export const TextDecoder = g.TextDecoder;
export type TextDecoder = globalThis.TextDecoder;
export const TextEncoder = g.TextEncoder;
export type TextEncoder = globalThis.TextEncoder;
export const TypeError = g.TypeError;
export type TypeError = globalThis.TypeError;
export const Uint8Array = g.Uint8Array;
export type Uint8Array = globalThis.Uint8Array;
export const URL = g.URL;
export type URL = globalThis.URL;
export const WeakMap = g.WeakMap;
export type WeakMap<K extends WeakKey, V> = globalThis.WeakMap<K, V>;
export const Boolean = g.Boolean;
export const console = g.console;
export const decodeURIComponent = g.decodeURIComponent;
export const encodeURIComponent = g.encodeURIComponent;
export const Function = g.Function;
export type Function = globalThis.Function;
export const isNaN = g.isNaN;
export const performance = g.performance;
export const structuredClone = g.structuredClone;
