// Every piece of text the instrumenter inserts, built from the contract in src/abi.ts: the
// recorder's global, its methods (typed by RecorderABI) and the locals rewritten code declares.

import {
  AWAIT_ERROR_LOCAL as Y,
  AWAIT_LOCAL as V,
  BASE_PREFIX,
  CALL_LOCAL as C,
  ERROR_LOCAL as X,
  META_PREFIX,
  type ModuleMeta,
  OPERAND_LOCAL as U,
  type RecorderMethod,
  RUNTIME_GLOBAL as G,
} from "../../abi.ts";
import { JSON } from "../../platform/globals.ts";

/** The catch parameter rewritten code names when the source's catch clause has none. */
export const ERROR_PARAM = X;

/** `__tph.m(__tph_c,`: a recorder call on this call's handle whose last argument follows. */
export function invokeOpen(m: RecorderMethod): string {
  return `${G}.${m}(${C},`;
}

/** `__tph.m(__tph_c, …args)`. */
export function invoke(m: RecorderMethod, ...args: (string | number)[]): string {
  return `${G}.${m}(${C}${args.map((a) => "," + a).join("")})`;
}

/** The call's start, by how many arguments it is given (more go in an array: ENTER_ARRAY). */
const ENTER: readonly RecorderMethod[] = ["e0", "e1", "e2", "e3"];
const ENTER_ARRAY: RecorderMethod = "en";
const REGISTER: RecorderMethod = "reg";

/** `__tph_c<0`: the call is not recorded. */
export const NOT_RECORDED = `${C}<0`;

/**
 * What a function body starts with: the call starts (function `k` of the module whose table
 * hash is `h`, with the arguments named by `idents`), then the try whose end is CLOSER. The
 * recorder's call is guarded: when the stack runs out in it, the call goes unrecorded and the
 * program's own next frame is where the overflow happens, as without tph.
 */
export function prologue(h: string, k: number, idents: string[], async = false): string {
  const table = `${BASE_PREFIX}${h}??${META_PREFIX}${h}()`;
  const enter = idents.length < ENTER.length
    ? `${G}.${ENTER[idents.length]}(${table},${k}${idents.map((id) => "," + id).join("")})`
    : `${G}.${ENTER_ARRAY}(${table},${k},[${idents.join(",")}])`;
  return `;let ${C}=-1${async ? `,${V},${U}` : ""};try{${C}=${G}.on?${enter}:-1}catch{}try{`;
}

/**
 * What a function body ends with. `c>=0`: an unrecorded call (no trace, or one a limit left out)
 * makes no call on its way out. The recorder's calls are guarded: when the stack runs out in
 * one, the program's error goes on (an error of tph's own would replace it).
 */
export const CLOSER = `}catch(${X}){try{${
  invoke("t", X)
}}catch{}throw ${X}}finally{if(${C}>=0)try{${invoke("x")}}catch{}}`;

/**
 * What `await x` of a recorded async function becomes, between ` __tph.w(__tph_c,await ` and the
 * end (the hand-back s and the take-back w as before): `x` is kept in AWAIT_LOCAL while the
 * recorder hands the stack back, then in OPERAND_LOCAL as the await takes it. The recorder's call
 * is one the plain code does not make: where the stack is full (a deep recursion, `x` the promise
 * of a callee that overflowed), it throws before the await, and `x` would be left without a
 * handler, an unhandled rejection the plain program never has. The two locals then differ, and
 * the function's catch (GUARDED_ASYNC_CLOSER, GUARDED_CLOSER, or its own: awaitInCatch) awaits `x`. A call not recorded
 * skips the recorder; both are cleared on resuming. Deno's rewriting only
 * (InstrumentOptions.guardAwaits): Deno reports such a rejection, and ends the program with it.
 */
export const AWAIT_OPEN = `(${U}=(${V}=`;
export const AWAIT_CLOSE = `,${C}<0||${G}.s(${C},${V}),${V})),${U}=${V}=void 0)`;

/** The await a catch of a recorded async function makes first (see AWAIT_CLOSE). */
function awaitLeft(handler: string): string {
  return `if(${V}!==${U})try{${U}=${V};await ${U}}catch${handler}`;
}

/**
 * What the body of a function that may wait ends with. `exit`: `xa` for an async function (not a
 * generator), whose call may end later, when the promise its `return` handed over settles
 * (`__tph.ra`); `x` otherwise. `guard` (Deno's rewriting, InstrumentOptions.guardAwaits): an error
 * thrown between an awaited value and its await (see AWAIT_CLOSE) gives way to what the await
 * throws, after the await the plain code makes, so that the value is awaited once, as without tph.
 */
function waitingCloser(exit: "x" | "xa", guard: boolean): string {
  return `}catch(${X}){${guard ? awaitLeft(`(${Y}){${X}=${Y}}`) : ""}try{${
    invoke("t", X)
  }}catch{}throw ${X}}finally{if(${C}>=0)try{${invoke(exit)}}catch{}}`;
}

/** CLOSER of an async function (not a generator). */
export const ASYNC_CLOSER = waitingCloser("xa", false);
/** ASYNC_CLOSER with its awaits guarded (Deno). */
export const GUARDED_ASYNC_CLOSER = waitingCloser("xa", true);
/** CLOSER of an async generator with its awaits guarded (Deno). */
export const GUARDED_CLOSER = waitingCloser("x", true);

/**
 * What a catch block of a recorded async function starts with (as a guarded closer's catch): when the
 * error came between an awaited value and its await, the value is awaited, and the catch gets
 * what the await threw, when its binding is a name.
 *
 * @param name The catch clause's binding, when it is a name.
 */
export function awaitInCatch(name: string | null): string {
  return awaitLeft(name === null ? "{}" : `(${Y}){${name}=${Y}}`);
}

/**
 * CLOSER for the function of a test or hook a test file registers (not async): under `bun test`
 * (`__tph.rj` set) an error it throws is handed to Bun as a rejected promise instead of thrown
 * again, so Bun reports it from where it was first thrown. Bun reports a thrown error from where
 * it was last thrown: the rethrow here, at the function's end. Only an error is (`__tph.re`): Bun
 * reads more of a rejection's value than of a thrown one's (`line`, `sourceURL`), running the
 * program's traps and getters, and what is no error has no frames.
 */
export const REJECTING_CLOSER = `}catch(${X}){try{${
  invoke("t", X)
}}catch{}if(${G}.rj&&${G}.re(${X}))return ${G}.rj(${X});throw ${X}}finally{if(${C}>=0)try{${
  invoke("x")
}}catch{}}`;

/**
 * The module's function table, appended after its last statement: hoisted declarations, so
 * functions called during a cyclic import (before the module's body ran) still find it.
 */
export function moduleTable(h: string, meta: ModuleMeta): string {
  return `;var ${BASE_PREFIX}${h};function ${META_PREFIX}${h}(){return ${BASE_PREFIX}${h}=${G}.${REGISTER}(${
    JSON.stringify(meta)
  })}`;
}
