/**
 * The register entry on Node (`node --import tph/register main.ts`: the package's exports give
 * this file to Node, register.ts to Bun and Deno): Node's compile cache on first, then the rest of
 * tph, as register.ts loads it.
 *
 * @module
 */

import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
if (g.Deno === undefined && g.Bun === undefined) {
  // Node compiles tph's modules anew at every start (~30 ms of it): with its compile cache on
  // first, where Node keeps it by default, the next starts read them compiled (as node_preload.ts
  // does for `tph run`). The rest of tph loads after that, hence require() rather than import.
  try {
    nodeModule.enableCompileCache?.();
  } catch {
    // A folder that cannot be written: Node compiles as usual.
  }
}
const entry = nodeModule.createRequire(import.meta.url)(
  fileURLToPath(new URL("./src/program/register.ts", import.meta.url)),
) as typeof import("./src/program/register.ts");
entry.registerEntry();
