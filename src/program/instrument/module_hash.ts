// The name of a module's function table, apart from the instrumenter: the loader names every module
// by it as it loads (loader/original_text.ts), on a transform-cache hit too, where the instrumenter
// itself is not needed (on Bun from a checkout it is not even loaded: src/cli/launch/bun_bytecode.ts).

import { fnv1a } from "../../platform/hash.ts";

/**
 * The name rewritten code gives a module's function table (`__tph_b_<hash>`): from the file name
 * and the length of its source, as instrument.ts's `instrument` writes it.
 *
 * @param filename The file name given to instrument().
 * @param source The source given to instrument().
 */
export function moduleHash(filename: string, source: string): string {
  return fnv1a(filename + "\0" + source.length).toString(36);
}
