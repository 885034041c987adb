// Calls from traced code into code that is not traced (a package's function, `JSON.parse`) are
// recorded by the call site itself (recorder.ts, `k`…`kx`); a callee that is instrumented records
// its own calls, and is told apart here.

import { CALL_LOCAL } from "../../abi.ts";
import { functionSource, SafeWeakMap, strIncludes } from "../../host/intrinsics.ts";

const known: WeakMap<object, boolean> = new SafeWeakMap<object, boolean>();
// Bun prints the code it transpiles anew (`__tph_c = …`): look for the name alone.
const MARK = CALL_LOCAL;

/** True when `f` is an instrumented function (it records its own calls). Cached per function. */
export function isInstrumented(f: object): boolean {
  let yes = known.get(f);
  if (yes === undefined) {
    try {
      yes = strIncludes(functionSource(f), MARK);
    } catch {
      yes = false;
    }
    known.set(f, yes);
  }
  return yes;
}
