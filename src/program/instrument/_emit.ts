// Every piece of text the instrumenter inserts, built from the contract in src/abi.ts: the
// recorder's global, its methods (typed by RecorderABI) and the locals rewritten code declares.

import {
  BASE_PREFIX,
  CALL_LOCAL as C,
  ERROR_LOCAL as X,
  META_PREFIX,
  type ModuleMeta,
  type RecorderMethod,
  RUNTIME_GLOBAL as G,
} from "../../abi.ts";

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
export function prologue(h: string, k: number, idents: string[]): string {
  const table = `${BASE_PREFIX}${h}??${META_PREFIX}${h}()`;
  const enter = idents.length < ENTER.length
    ? `${G}.${ENTER[idents.length]}(${table},${k}${idents.map((id) => "," + id).join("")})`
    : `${G}.${ENTER_ARRAY}(${table},${k},[${idents.join(",")}])`;
  return `;let ${C}=-1;try{${C}=${G}.on?${enter}:-1}catch{}try{`;
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
 * CLOSER of an async function (not a generator): its call may end later, when the promise its
 * `return` handed over settles (`__tph.ra`).
 */
export const ASYNC_CLOSER = `}catch(${X}){try{${
  invoke("t", X)
}}catch{}throw ${X}}finally{if(${C}>=0)try{${invoke("xa")}}catch{}}`;

/**
 * CLOSER for the function of a test or hook a test file registers (not async): under `bun test`
 * (`__tph.rj` set) an error it throws is handed to Bun as a rejected promise instead of thrown
 * again, so Bun reports it from where it was first thrown. Bun reports a thrown error from where
 * it was last thrown: the rethrow here, at the function's end.
 */
export const REJECTING_CLOSER = `}catch(${X}){try{${
  invoke("t", X)
}}catch{}if(${G}.rj)return ${G}.rj(${X});throw ${X}}finally{if(${C}>=0)try{${invoke("x")}}catch{}}`;

/**
 * The module's function table, appended after its last statement: hoisted declarations, so
 * functions called during a cyclic import (before the module's body ran) still find it.
 */
export function moduleTable(h: string, meta: ModuleMeta): string {
  return `;var ${BASE_PREFIX}${h};function ${META_PREFIX}${h}(){return ${BASE_PREFIX}${h}=${G}.${REGISTER}(${
    JSON.stringify(meta)
  })}`;
}
