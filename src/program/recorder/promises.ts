// Following a program's promise without running the program's code. An async function that
// returns a promise (`return load(id)`) resolves its own promise with it: its call ends when that
// promise settles (recorder.ts, ra). A `for await` loop's call takes the stack in a reaction on
// each step's promise (iterators.ts). tph reacts to a promise only where doing so runs none of the
// program's code: a native promise of this realm whose `then` (tph's copy, taken here) finds the
// constructor and species it would without the program's changes. Anything else (a thenable, a
// promise subclass or proxy, a promise with a `constructor` getter) is left alone: reading its
// `then` or its constructor would show in what the program observes.
//
// A reaction adds no tick to the program's own work: it is one more job in the microtask queue
// that runs no code of the program, and the program's jobs keep their order.

import types from "node:util/types";
import { apply, protoOf } from "../../platform/intrinsics.ts";
import { Symbol } from "../../platform/globals.ts";

const { isPromise } = types;
const NativePromise = Promise;
const PROMISE_PROTO = NativePromise.prototype;
const promiseThen = PROMISE_PROTO.then;
const { getOwnPropertyDescriptor, hasOwn } = Object;
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
