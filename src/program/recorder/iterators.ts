// The stack's hand-off across iterator protocols: `yield*` (a delegate runs on behalf of the
// delegating call, step by step) and `for await` (the loop's implicit awaits give the stack back
// and its continuations take it again). The recorder hands in how to take and give back the
// stack; this module holds no state of its own.

import { apply, callWith as call } from "../../platform/intrinsics.ts";
import { Boolean, Promise, Symbol } from "../../platform/globals.ts";
import { follow, followable } from "./promises.ts";

/** What the hand-off needs of the recorder. */
export interface StackOps {
  /** Call `c` (a handle) takes the stack, unless it holds it already. */
  take(c: number): void;
  /** Call `c` gives the stack back, if it holds it. */
  giveBack(c: number): void;
}

/** What the recorder's `fa`, `yd` and `ya` hand their iterables to. */
export interface HandOff {
  /** `yield* x`: x with the iterator under `key` stepped on behalf of call `c`. */
  delegated(c: number, x: unknown, key: symbol): unknown;
  /** x, or with `method` (x's iterator method under `key`) made delegating when callable. */
  wrapDelegate(c: number, x: unknown, key: symbol, method: unknown): unknown;
  /** `for await (… of source)` in call `c`. */
  forAwaitIterable(c: number, source: unknown): AsyncIterable<unknown>;
}

/**
 * The hand-off functions, over the recorder's stack operations.
 *
 * @param ops How a call takes and gives back the stack.
 */

// Whether the engine closes a sync iterator whose yielded value rejects in `for await` (a change
// to the language that V8 follows from version 13 on, JavaScriptCore already did: Node 22's V8
// 12.4 leaves it open). tph's loop does as the engine running the program does.
// deno-lint-ignore no-explicit-any
const V8_VERSION: unknown = (globalThis as any).process?.versions?.v8;
const CLOSES_SYNC_ON_REJECTION = typeof V8_VERSION !== "string" || parseInt(V8_VERSION) >= 13;
export function stackHandOff(ops: StackOps): HandOff {
  const { delegated, wrapDelegate } = delegation(ops);
  return { delegated, wrapDelegate, forAwaitIterable: forAwaitLoops(ops) };
}

/**
 * `yield*`: the delegate's steps run with the delegating call holding the stack.
 *
 * @param ops How a call takes and gives back the stack.
 */
function delegation(ops: StackOps): Pick<HandOff, "delegated" | "wrapDelegate"> {
  /**
   * `yield* x` (sync): x with the iterator found under `key` wrapped by a Delegate. What the
   * language rejects (no such method) is handed on as it is, so the engine throws its own error.
   */
  // deno-lint-ignore no-explicit-any
  function delegated(c: number, x: any, key: symbol): unknown {
    if (x === null || x === undefined) return x;
    return wrapDelegate(c, x, key, x[key]);
  }

  /** x, or with `method` (x's iterator method under `key`) made delegating when it is callable. */
  function wrapDelegate(c: number, x: unknown, key: symbol, method: unknown): unknown {
    if (typeof method !== "function") return x;
    return key === Symbol.iterator
      ? new SyncSource(ops, c, x, method)
      : key === Symbol.asyncIterator
      ? new AsyncSource(ops, c, x, method)
      : { [key]: () => delegateIterator(ops, c, apply(method, x, [])) };
  }

  return { delegated, wrapDelegate };
}

/**
 * The delegate's iterator as `yield*` sees it (see Delegate); not an object: the engine's own
 * TypeError.
 */
function delegateIterator(ops: StackOps, c: number, it: unknown): unknown {
  if (it === null || (typeof it !== "object" && typeof it !== "function")) return it;
  return new Delegate(ops, c, it);
}

/** One step of a delegate, made with the delegating call `c` holding the stack. */
function step(ops: StackOps, c: number, it: unknown, method: unknown, v: unknown): unknown {
  ops.take(c);
  try {
    // deno-lint-ignore ban-types
    return call(method as Function, it, v);
  } finally {
    ops.giveBack(c);
  }
}

/**
 * The delegate's iterator as `yield*` sees it, each next/throw/return made with the delegating
 * call `c` holding the stack (a delegate generator runs on its behalf, so its call and calls land
 * under `c`) and given back after. Results pass through untouched (sync `yield*` hands the very
 * object on); `next` is read once and throw/return on each use, as the language does. A class,
 * not closures: `yield*` in a parser's every token made several objects a step.
 */
class Delegate {
  readonly #ops: StackOps;
  readonly #c: number;
  readonly #it: unknown;
  readonly #next: unknown;
  constructor(ops: StackOps, c: number, it: unknown) {
    this.#ops = ops;
    this.#c = c;
    this.#it = it;
    // deno-lint-ignore no-explicit-any
    this.#next = (it as any).next;
  }
  next(v: unknown): unknown {
    return step(this.#ops, this.#c, this.#it, this.#next, v);
  }
  // A missing (or non-callable) throw/return is reported as is: the engine acts on its absence.
  get throw(): unknown {
    // deno-lint-ignore no-explicit-any
    return this.#forward((this.#it as any).throw);
  }
  get return(): unknown {
    // deno-lint-ignore no-explicit-any
    return this.#forward((this.#it as any).return);
  }
  #forward(method: unknown): unknown {
    const ops = this.#ops, c = this.#c, it = this.#it;
    return typeof method === "function" ? (v: unknown) => step(ops, c, it, method, v) : method;
  }
}

/**
 * A delegating wrapper: its iterator method (SyncSource's, AsyncSource's) is the source's own,
 * called once as the engine would.
 */
class Source {
  readonly #ops: StackOps;
  readonly #c: number;
  readonly #x: unknown;
  readonly #method: unknown;
  constructor(ops: StackOps, c: number, x: unknown, method: unknown) {
    this.#ops = ops;
    this.#c = c;
    this.#x = x;
    this.#method = method;
  }
  protected open(): unknown {
    // deno-lint-ignore ban-types
    return delegateIterator(this.#ops, this.#c, apply(this.#method as Function, this.#x, []));
  }
}

/** `yield* x` over x's sync iterator. */
class SyncSource extends Source {
  [Symbol.iterator](): unknown {
    return this.open();
  }
}

/** `yield* x` in an async generator over x's async iterator. */
class AsyncSource extends Source {
  [Symbol.asyncIterator](): unknown {
    return this.open();
  }
}

/**
 * `for await`: the loop's call gives the stack back at each implicit await and takes it again in
 * the continuation.
 *
 * @param ops How a call takes and gives back the stack.
 */
function forAwaitLoops(ops: StackOps): HandOff["forAwaitIterable"] {
  /**
   * A `for await` step's promise, with the looping call `c` taking the stack in the reaction just
   * before the loop's own: the loop head (destructuring defaults, getters) and the code after a
   * jump out of the loop run under `c` without waiting for the body's take-back. Only a native
   * promise, whose reactions run in order with nothing between: the loop awaits it right after;
   * and one whose `then` runs none of the program's code (a proxy's traps, a getter: followable).
   */
  function resumeUnder<T>(c: number, p: T): T {
    if (followable(p)) {
      const take = () => ops.take(c);
      try {
        follow(p, take, take);
      } catch {
        // The stack ran out here: the loop's own await goes on as without tph.
      }
    }
    return p;
  }

  // deno-lint-ignore no-explicit-any
  function forAwaitIterable(c: number, source: any): AsyncIterable<unknown> {
    return {
      [Symbol.asyncIterator]() {
        const asyncMethod = source[Symbol.asyncIterator];
        // deno-lint-ignore no-explicit-any
        let it: any;
        let fromSync = false;
        if (asyncMethod != null) it = apply(asyncMethod, source, []);
        else {
          it = source[Symbol.iterator]();
          fromSync = true;
        }
        // The language reads `next` once, when the loop starts, and calls it without arguments.
        const nextMethod = it.next;
        const step = (result: unknown) => {
          if (!fromSync) {
            ops.giveBack(c);
            return resumeUnder(c, result);
          }
          // As the language's async-from-sync iterator does, still as the loop's call: `done`,
          // then the value, awaited; when it rejects before the end, the sync iterator is closed.
          // deno-lint-ignore no-explicit-any
          const done = Boolean((result as any).done);
          // deno-lint-ignore no-explicit-any
          const settled = Promise.resolve((result as any).value).then(
            (value) => ({ value, done }),
            (e) => {
              if (!done && CLOSES_SYNC_ON_REJECTION) closeQuietly(it);
              throw e;
            },
          );
          ops.giveBack(c);
          return resumeUnder(c, settled);
        };
        return {
          next: () => step(apply(nextMethod, it, [])),
          return: (v: unknown) =>
            typeof it.return === "function"
              ? step(it.return(v))
              : (ops.giveBack(c), resumeUnder(c, Promise.resolve({ value: v, done: true }))),
        } as AsyncIterator<unknown>;
      },
    };
  }

  /** Close an iterator whose loop ends by an error: the error stays the one that counts. */
  // deno-lint-ignore no-explicit-any
  function closeQuietly(it: any): void {
    try {
      const ret = it.return;
      if (typeof ret === "function") apply(ret, it, []);
    } catch {
      // The loop's own error wins.
    }
  }

  return forAwaitIterable;
}
