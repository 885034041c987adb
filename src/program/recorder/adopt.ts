// An async function that returns a promise (`return load(id)`) resolves its own promise with it:
// its call ends when that promise settles. tph follows the returned promise with a reaction of
// its own, only where doing so runs none of the program's code: a native promise of this realm
// whose `then` (tph's copy, taken here) finds the constructor and species it would without the
// program's changes. Anything else (a thenable, a promise subclass, a realm's other promises) is
// left alone: reading its `then` or calling it would show in what the program observes.
//
// The reaction adds no tick to the program's own work: it is one more job in the microtask queue
// that runs no code of the program, and the program's jobs keep their order.

import types from "node:util/types";

const { isPromise } = types;
const NativePromise = Promise;
const PROMISE_PROTO = NativePromise.prototype;
const promiseThen = PROMISE_PROTO.then;
const { getOwnPropertyDescriptor, hasOwn } = Object;
const apply = Reflect.apply;
const protoOf = Object.getPrototypeOf;
const speciesGetter = getOwnPropertyDescriptor(NativePromise, Symbol.species)?.get;

/**
 * Whether `v` is a native promise that tph can follow without running the program's code: its
 * prototype is Promise.prototype, no `constructor` of its own, and `Promise.prototype.constructor`
 * and `Promise[Symbol.species]` are still the built-ins (`then` reads both). Reads no property
 * through a getter and meets no proxy (a proxy is not a promise).
 */
export function followable(v: unknown): v is Promise<unknown> {
  if (typeof v !== "object" || v === null || !isPromise(v)) return false;
  if (protoOf(v) !== PROMISE_PROTO || hasOwn(v, "constructor")) return false;
  const ctor = getOwnPropertyDescriptor(PROMISE_PROTO, "constructor");
  if (ctor === undefined || !hasOwn(ctor, "value") || ctor.value !== NativePromise) return false;
  const species = getOwnPropertyDescriptor(NativePromise, Symbol.species);
  return species !== undefined && hasOwn(species, "get") && species.get === speciesGetter;
}

/**
 * Call `onValue` or `onError` when promise `p` (followable) settles. The reactions must not throw:
 * the promise `then` makes would reject with nobody to handle it.
 */
export function follow(
  p: Promise<unknown>,
  onValue: (v: unknown) => void,
  onError: (e: unknown) => void,
): void {
  apply(promiseThen, p, [onValue, onError]);
}
