// TypeScript with its types blanked out as Node does it: node:module's stripTypeScriptTypes, the
// same code Node runs on a `.ts` module (its types become spaces, so no line or column moves).
// Node's public function announces itself once with an ExperimentalWarning on stderr, which is
// not the program's: it is kept off the program's stderr.

import * as nodeModule from "node:module";
import process from "../../platform/node_process.ts";
import { Reflect, String } from "../../platform/globals.ts";

const apply = Reflect.apply;

/**
 * The code with its types blanked out.
 *
 * @param code TypeScript.
 * @returns JavaScript, in the same places.
 * @throws {Error} Where Node refuses the file (syntax that strip-only mode cannot erase: enums,
 *   namespaces with values, parameter properties).
 */
export function stripTypes(code: string): string {
  // deno-lint-ignore no-explicit-any
  const p = process as any;
  const emit = p.emitWarning;
  p.emitWarning = (warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string })?.type;
    if (type === "ExperimentalWarning" && /stripTypeScriptTypes/.test(String(warning))) return;
    return apply(emit, p, [warning, ...rest]);
  };
  try {
    // deno-lint-ignore no-explicit-any
    return (nodeModule as any).stripTypeScriptTypes(code, { mode: "strip" });
  } finally {
    p.emitWarning = emit;
  }
}
