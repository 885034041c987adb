// tph's own listeners on `process` (the process's end, its signals, the listeners' own events), out
// of the program's sight. A program that asks process for its listeners gets its own only: a
// library such as signal-exit, which ends the process of a signal when its own listener is the
// only one (`process.listeners(signal).length`), otherwise saw tph's beside it, took the signal
// for handled elsewhere, and the program lived on where it would have died.
//
// `listeners`, `rawListeners`, `listenerCount` and `eventNames` leave tph's out when asked of
// process, whichever object of process's prototype chain holds them (node:events'
// EventEmitter.prototype on Node and Deno, Bun's process prototype); each prints as the one it
// replaced. Node's own code asks `process.listenerCount(signal)` too: when the program removes
// its last listener of a signal, Node, counting none, stops listening to it, and tph's listener
// would no longer hear it. rearmSignal() starts it again (Node's own "newListener" listeners,
// taken before the program runs), without an event the program could see.

import process from "../../platform/node_process.ts";
import { apply, hasOwn, ownArray, protoOf, put, SafeWeakMap } from "../../platform/intrinsics.ts";
import { Array, Object } from "../../platform/globals.ts";
import { standIn } from "./original_text.ts";

type Listener = (...args: never[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;

// Taken now: hideOwnListeners may run once the program runs (the register entry's first block).
const isArray = Array.isArray;
const describe = Object.getOwnPropertyDescriptor;
const define = Object.defineProperty;
const METHODS = ownArray(["listeners", "rawListeners", "listenerCount", "eventNames"]);

/** tph's listeners (a weak map: no Set method the program may have patched). */
const own = new SafeWeakMap<object, true>();

/** The methods as they were when tph loaded: tph's own code counts with these. */
const realOn = process.on as unknown as Method;
const realRawListeners = process.rawListeners as unknown as Method;
const realListenerCount = process.listenerCount as unknown as Method;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
/** Node's listeners of "newListener" before the program's: its signal watch starts there. */
const nodeNewListener: Method[] = ownArray([]);
if (g.Deno === undefined && g.Bun === undefined) {
  const list = apply(realRawListeners, process, ["newListener"]) as Method[];
  for (let i = 0; i < list.length; i++) nodeNewListener[i] = list[i];
}

/**
 * `process.on(event, listener)` for a listener of tph's, which the program does not see among
 * process's listeners (hideOwnListeners runs first).
 */
export function onOwn(event: string, listener: Listener): void {
  hideOwnListeners();
  own.set(listener, true);
  apply(realOn, process, [event, listener]);
}

/** How many listeners of `event` process has, tph's counted (the method as it was). */
export function allListenerCount(event: string): number {
  return apply(realListenerCount, process, [event]) as number;
}

function ownCount(event: unknown): number {
  const list = apply(realRawListeners, process, [event]) as unknown[];
  let n = 0;
  for (let i = 0; i < list.length; i++) if (own.has(list[i] as object)) n++;
  return n;
}

/**
 * Node: listen to `signal` again after the program removed its last listener of it while tph's is
 * still there (Node counted none and stopped). Nothing where it still listens, or elsewhere.
 */
export function rearmSignal(signal: string): void {
  for (let i = 0; i < nodeNewListener.length; i++) {
    try {
      apply(nodeNewListener[i], process, [signal]);
    } catch {
      // Node's own listener failed: as it would have for a listener of the program's.
    }
  }
}

/** A list without tph's listeners: a new array when it held one, else the list itself. */
function withoutOwn(list: unknown): unknown {
  if (!isArray(list)) return list;
  let mine = 0;
  for (let i = 0; i < list.length; i++) if (own.has(list[i])) mine++;
  if (mine === 0) return list;
  const out: unknown[] = [];
  for (let i = 0, k = 0; i < list.length; i++) if (!own.has(list[i])) put(out, k++, list[i]);
  return out;
}

/** What tph's stand-in for process's method `name` does when called (see the top). */
function callOf(
  name: string,
  real: Method,
): (target: Method, self: unknown, args: unknown[]) => unknown {
  if (name === "listeners" || name === "rawListeners") {
    return (_real, self, args) => {
      const r = apply(real, self, args);
      return self === process ? withoutOwn(r) : r;
    };
  }
  if (name === "listenerCount") {
    return (_real, self, args) => {
      const r = apply(real, self, args);
      if (self !== process || typeof r !== "number" || r === 0) return r;
      // Node's count of one listener: none for tph's.
      const listener = args[1];
      if (listener !== undefined && listener !== null) return own.has(listener) ? 0 : r;
      return r - ownCount(args[0]);
    };
  }
  return (_real, self, args) => {
    const r = apply(real, self, args);
    if (self !== process || !isArray(r)) return r;
    let mine = false;
    for (let i = 0; i < r.length && !mine; i++) if (ownCount(r[i]) > 0) mine = true;
    if (!mine) return r;
    const out: unknown[] = [];
    for (let i = 0, k = 0; i < r.length; i++) {
      const n = apply(realListenerCount, process, [r[i]]) as number;
      if (n - ownCount(r[i]) > 0) put(out, k++, r[i]);
    }
    return out;
  };
}

let hidden = false;

/** Leave tph's listeners out of what process tells the program of its listeners. Idempotent. */
export function hideOwnListeners(): void {
  if (hidden) return;
  hidden = true;
  for (let i = 0; i < METHODS.length; i++) {
    const name = METHODS[i];
    let holder: object | null = process;
    while (holder !== null && !hasOwn(holder, name)) holder = protoOf(holder);
    if (holder === null) continue;
    const d = describe(holder, name);
    if (d === undefined || typeof d.value !== "function" || d.writable !== true) continue;
    const real = d.value as Method;
    const wrapped = standIn(real, { apply: callOf(name, real) });
    define(holder, name, {
      __proto__: null,
      value: wrapped,
      writable: true,
      enumerable: d.enumerable,
      configurable: d.configurable,
    } as PropertyDescriptor);
  }
}
