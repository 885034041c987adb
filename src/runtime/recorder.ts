// The recorder that instrumented code calls (installed as `globalThis.__tph`).
//
// Parent tracking without AsyncLocalStorage on the hot path: `cur` is the call that owns the
// stack right now. Every recorded call sets it on entry and gives it back on exit. Async functions
// and generators give it back before each `await`/`yield` (`s`) and take it again on resume (`w`),
// so at every microtask boundary `cur` is null and a continuation's calls land under the right
// call. A call made while `cur` is null is a root: its trace comes from AsyncLocalStorage when a
// library `trace()` is active, else from the process-wide trace of `tph run`.

import type { ModuleMeta } from "../abi.ts";
import { type FunctionRecord, functionRecord, registerModule } from "./functions.ts";
import { idleFastClock, now, startFastClock } from "./clock.ts";
import { type ExternalHooks, externalWrapper, isInstrumented } from "./external.ts";
import { formatError, repr } from "./repr.ts";
import type { Trace } from "./trace_state.ts";

/** A value whose repr was taken when it was recorded (objects can change later). */
export class Snapshot {
  constructor(readonly text: string) {}
}

/**
 * One recorded call. Made on every traced call, so it is small and of one shape: fewer fields
 * mean less for the garbage collector to copy (the dominant cost on V8).
 */
export class Call {
  /** What `cur` was when this call last took the stack; given back when it suspends or ends. */
  prev: Call | null;
  end = -1;
  /** The return value, or the error's text when the call threw. */
  ret: unknown = undefined;
  /** 0 open, 1 returned, 2 threw. */
  state = 0;
  constructor(
    readonly fn: number,
    readonly parent: Call | null,
    readonly trace: Trace,
    readonly depth: number,
    readonly start: number,
    readonly args: unknown,
  ) {
    this.prev = parent;
  }
}

let cur: Call | null = null;
let processTrace: Trace | null = null;
// deno-lint-ignore no-explicit-any
let storage: any = null;

let activeCount = 0;

function refreshOn(): void {
  R.on = activeCount > 0 || (processTrace !== null && processTrace.active);
  if (!R.on) idleFastClock();
}

function rootTrace(): Trace | null {
  if (storage !== null) {
    const t = storage.getStore();
    if (t !== undefined && t !== null && t.active) return t;
  }
  return processTrace !== null && processTrace.active ? processTrace : null;
}

const FAST_CLOCK_AFTER = 5000;

function snap(v: unknown, t: Trace): unknown {
  return typeof v === "object" && v !== null ? new Snapshot(repr(v, t.maxRepr)) : v;
}

/**
 * Calls lent to a nested trace: a `trace()` block opened inside a recorded call gets the calls
 * that call makes (after an `await` too, when the call takes the stack again), as its roots.
 */
const lent = new Map<Call, Trace>();

/** The trace a call made now belongs to, or null when nothing records it. */
function traceOf(p: Call | null): Trace | null {
  if (p === null) return rootTrace();
  if (lent.size !== 0) {
    const t = lent.get(p);
    if (t !== undefined) return t;
  }
  return p.trace;
}

function begin(b: number, k: number, args: unknown): Call | null {
  let p = cur;
  const prev = p;
  let t: Trace | null;
  let depth: number;
  if (p === null) {
    t = rootTrace();
    if (t === null) return null;
    depth = 1;
  } else if (lent.size !== 0 && lent.has(p)) {
    t = lent.get(p)!;
    p = null;
    depth = 1;
  } else {
    t = p.trace;
    if (!t.active) return null;
    depth = p.depth + 1;
  }
  const id = b + k;
  if (t.filter !== null && !t.accepts(id)) return null;
  if (depth > t.maxDepth) {
    t.drop(p, "max_depth");
    return null;
  }
  if (t.calls.length >= t.capacity) {
    t.drop(p, "max_calls");
    return null;
  }
  // The hidden callback of trace.run() is level 0: the calls it makes are the roots people see.
  const c = new Call(id, p, t, t.wrapperPending ? 0 : depth, now(), args);
  // A lent call's callee is a root of the nested trace but hands the stack back to the lent call.
  if (prev !== p) c.prev = prev;
  if (t.wrapperPending) {
    t.wrapperPending = false;
    t.wrapper = c;
    t.capacity++;
  }
  if (t.calls.push(c) === FAST_CLOCK_AFTER) startFastClock();
  cur = c;
  return c;
}

/** The object instrumented code calls. Method names are short: they appear in emitted code. */
export const R = {
  /** True while any trace records; instrumented functions skip everything else when false. */
  on: false,
  reg(meta: ModuleMeta): number {
    return registerModule(meta);
  },
  /** Static facts of a function id (the table lives with the one installed recorder). */
  fn(id: number): FunctionRecord {
    return functionRecord(id);
  },
  /** Register the AsyncLocalStorage that `trace()` blocks use; root calls then consult it. */
  // deno-lint-ignore no-explicit-any
  useStorage(als: any): void {
    storage = als;
  },
  // deno-lint-ignore no-explicit-any
  storage(): any {
    return storage;
  },
  /** The trace `tph run` records into when no `trace()` block owns the async context. */
  setProcessTrace(t: Trace | null): void {
    processTrace = t;
    refreshOn();
  },
  /** A trace started (+1) or stopped (-1): recording is on while any is active. */
  countActive(delta: number): void {
    activeCount += delta;
    refreshOn();
  },
  /** Lend the call `c` to trace `t` (calls it makes go to `t`), or end the loan (`t` null). */
  lend(c: Call, t: Trace | null): void {
    if (t === null) lent.delete(c);
    else lent.set(c, t);
  },
  /** Read and replace the stack owner: `trace()` blocks start with an empty stack. */
  swapCurrent(next: Call | null): Call | null {
    const old = cur;
    cur = next;
    return old;
  },
  e0(b: number, k: number): Call | null {
    return begin(b, k, undefined);
  },
  e1(b: number, k: number, a: unknown): Call | null {
    const t = traceOf(cur);
    return t === null ? null : begin(b, k, snap(a, t));
  },
  e2(b: number, k: number, a: unknown, a2: unknown): Call | null {
    const t = traceOf(cur);
    return t === null ? null : begin(b, k, [snap(a, t), snap(a2, t)]);
  },
  e3(b: number, k: number, a: unknown, a2: unknown, a3: unknown): Call | null {
    const t = traceOf(cur);
    return t === null ? null : begin(b, k, [snap(a, t), snap(a2, t), snap(a3, t)]);
  },
  en(b: number, k: number, args: unknown[]): Call | null {
    const t = traceOf(cur);
    if (t === null) return null;
    for (let i = 0; i < args.length; i++) args[i] = snap(args[i], t);
    return begin(b, k, args);
  },
  /** A `return` of a recorded call: keep what it returned, hand the value on unchanged. */
  r<T>(c: Call | null, v: T): T {
    if (c !== null) {
      // The clock first: the time to describe the value is not the call's.
      c.end = now();
      c.ret = snap(v, c.trace);
    }
    return v;
  },
  /** An error propagating out of a recorded call. */
  t(c: Call | null, e: unknown): void {
    if (c !== null) {
      c.state = 2;
      c.ret = formatError(e, c.trace.maxRepr);
    }
  },
  /** The call ended (returned, threw, or its promise settled). */
  x(c: Call | null): void {
    if (c === null) return;
    // A `return` already stopped the clock, unless a finally block threw after it.
    if (c.end < 0 || c.state === 2) c.end = now();
    if (c.state === 0) c.state = 1;
    if (cur === c) cur = c.prev;
  },
  /** Before `await`/`yield`: give the stack back to whoever resumed this call. */
  s<T>(c: Call | null, v: T): T {
    if (c !== null && cur === c) cur = c.prev;
    return v;
  },
  /** After resuming (or entering a catch/finally that a rejection may have reached): take it. */
  w<T>(c: Call | null, v?: T): T | undefined {
    if (c !== null && cur !== c) {
      c.prev = cur;
      cur = c;
    }
    return v;
  },
  /** A call site calling `f` out of the traced code: a recording stand-in for `f`. */
  k(c: Call | null, b: number, k: number, self: unknown, f: unknown): unknown {
    if (c === null || typeof f !== "function" || isInstrumented(f)) return f;
    return externalWrapper(b + k, self, f as (...a: unknown[]) => unknown, EXTERNAL_HOOKS);
  },
  /** A call site calling `obj.key(…)` out of the traced code: `obj` with a recording method. */
  km(c: Call | null, b: number, k: number, obj: unknown, key: string): unknown {
    if (c === null || obj === null || obj === undefined) return obj;
    const f = (obj as Record<string, unknown>)[key];
    if (typeof f !== "function" || isInstrumented(f)) return obj;
    return {
      [key]: externalWrapper(b + k, obj, f as (...a: unknown[]) => unknown, EXTERNAL_HOOKS),
    };
  },
  /** `for await (… of x)`: wraps x so the stack is given back before each implicit await. */
  fa(c: Call | null, iterable: unknown): unknown {
    return c === null ? iterable : forAwaitIterable(c, iterable);
  },
};

const EXTERNAL_HOOKS: ExternalHooks = {
  open(id, args) {
    const t = traceOf(cur);
    if (t === null) return null;
    // A copy: `args` is what the callee receives.
    const shown = new Array(args.length);
    for (let i = 0; i < args.length; i++) shown[i] = snap(args[i], t);
    return begin(id, 0, shown);
  },
  close(record, ok, value) {
    const c = record as Call | null;
    if (c === null) return;
    c.end = now();
    if (ok) c.ret = snap(value, c.trace);
    else {
      c.state = 2;
      c.ret = formatError(value, c.trace.maxRepr);
    }
    R.x(c);
  },
};

function giveBack(c: Call): void {
  if (cur === c) cur = c.prev;
}

// deno-lint-ignore no-explicit-any
function forAwaitIterable(c: Call, source: any): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      const asyncMethod = source[Symbol.asyncIterator];
      // deno-lint-ignore no-explicit-any
      let it: any;
      let fromSync = false;
      if (asyncMethod != null) it = asyncMethod.call(source);
      else {
        it = source[Symbol.iterator]();
        fromSync = true;
      }
      const step = (method: string, v: unknown) => {
        const result = it[method](v);
        giveBack(c);
        if (!fromSync) return result;
        // As the language's async-from-sync iterator does: await the value itself.
        return Promise.resolve(result.value).then((value) => ({ value, done: result.done }));
      };
      return {
        next: (v: unknown) => step("next", v),
        return: (v: unknown) =>
          typeof it.return === "function"
            ? step("return", v)
            : (giveBack(c), Promise.resolve({ value: v, done: true })),
      } as AsyncIterator<unknown>;
    },
  };
}

/** The recorder's type: the object behind `globalThis.__tph`. */
export type Runtime = typeof R;

/**
 * The one recorder of this process, installed as `globalThis.__tph` on first use. When another
 * copy of tph (say the CLI's) installed one first, that one is returned, so a program's own
 * `trace()` and the instrumented code always share a recorder.
 */
export function runtime(): Runtime {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.__tph === undefined) {
    Object.defineProperty(g, "__tph", { value: R, writable: false, configurable: false });
  }
  return g.__tph;
}
