// Calls from traced code into code that is not traced (a package's function, `JSON.parse`) are
// recorded by the call site itself (recorder.ts, `k`…`kx`); a callee that is instrumented records
// its own calls, and is told apart here, as are the functions of tph's own library.

import { CALL_LOCAL } from "../../abi.ts";
import { functionSource, SafeWeakMap, strIncludes } from "../../platform/intrinsics.ts";
import { WeakMap } from "../../platform/globals.ts";

const PLAIN = 0;
const INSTRUMENTED = 1;
const OWN = 2;
const known: WeakMap<object, number> = new SafeWeakMap<object, number>();
// Bun prints the code it transpiles anew (`__tph_c = …`): look for the name alone.
const MARK = CALL_LOCAL;

function kindOf(f: object): number {
  let kind = known.get(f);
  if (kind === undefined) {
    try {
      kind = strIncludes(functionSource(f), MARK) ? INSTRUMENTED : PLAIN;
    } catch {
      kind = PLAIN;
    }
    known.set(f, kind);
  }
  return kind;
}

/** True when `f` is an instrumented function (it records its own calls). Cached per function. */
export function isInstrumented(f: object): boolean {
  return kindOf(f) === INSTRUMENTED;
}

/**
 * True when a call to `f` from traced code is not recorded as an external call: `f` records its
 * own calls, or is a function of tph's library (`markOwn`).
 */
export function notExternal(f: object): boolean {
  return kindOf(f) !== PLAIN;
}

/** Mark a function of tph's own library (of any copy): calls to it are not external calls. */
export function markOwn(f: unknown): void {
  if (typeof f === "function") known.set(f, OWN);
}
