// Calls from traced code into code that is not traced (a package's function, `JSON.parse`):
// the call site asks for a recording wrapper of the callee, which records one leaf call (with its
// children, if the callee calls back into traced code) and otherwise behaves as the callee.

const fnToString = Function.prototype.toString;
const known = new WeakMap<object, boolean>();
// Bun prints the code it transpiles anew (`__tph_c = …`): look for the name alone.
const MARK = "__tph_c";

/** True when `f` is an instrumented function (it records its own calls). Cached per function. */
export function isInstrumented(f: object): boolean {
  let yes = known.get(f);
  if (yes === undefined) {
    try {
      yes = fnToString.call(f).includes(MARK);
    } catch {
      yes = false;
    }
    known.set(f, yes);
  }
  return yes;
}

const WRAPPER_NAME = "__tph_external";
const WRAPPER_FRAME = new RegExp(`\\n[^\\n]*${WRAPPER_NAME}[^\\n]*`);

/**
 * Remove the wrapper's own frame from an error's stack, so an uncaught error prints as it would
 * without tph. Only a plain own `stack` data property is touched.
 */
export function hideWrapperFrame(e: unknown): void {
  if (typeof e !== "object" || e === null) return;
  const d = Object.getOwnPropertyDescriptor(e, "stack");
  if (d === undefined || !("value" in d) || typeof d.value !== "string" || !d.writable) return;
  if (d.value.includes(WRAPPER_NAME)) {
    (e as { stack: string }).stack = d.value.replace(WRAPPER_FRAME, "");
  }
}

/** The hooks the wrapper calls: open a record, close it. Provided by the recorder. */
export interface ExternalHooks {
  /** Returns the call's handle, or -1 when it is not recorded. */
  open(id: number, args: unknown[]): number;
  close(record: number, ok: boolean, value: unknown): void;
}

/**
 * A function that records a call of `f` (with `self` as `this`) as external call `id`.
 *
 * @param id Function id of the call site's external row.
 * @param self The `this` of the call.
 * @param f The callee.
 * @param hooks The recorder.
 * @returns The wrapper.
 */
export function externalWrapper(
  id: number,
  self: unknown,
  f: (...args: unknown[]) => unknown,
  hooks: ExternalHooks,
): (...args: unknown[]) => unknown {
  const wrapper = {
    [WRAPPER_NAME](...args: unknown[]): unknown {
      const record = hooks.open(id, args);
      let value: unknown;
      try {
        value = Reflect.apply(f, self, args);
      } catch (e) {
        hooks.close(record, false, e);
        hideWrapperFrame(e);
        throw e;
      }
      hooks.close(record, true, value);
      return value;
    },
  };
  return wrapper[WRAPPER_NAME];
}
