/**
 * The register entry on Node (`node --import tph/register main.ts`: the package's exports give
 * this file to Node, register.ts to Bun and Deno): Node's compile cache on first, then the rest of
 * tph, as register.ts loads it.
 *
 * @module
 */

import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { enableCompileCache } from "./src/platform/compile_cache.ts";

// Node compiles tph's modules anew at every start (~30 ms of it): with its compile cache on first,
// in tph's private cache folder (compile_cache.ts), the next starts read them compiled (as
// node_preload.ts does for `tph run`). The rest of tph loads after that, hence require() rather
// than import.
enableCompileCache();
const entry = nodeModule.createRequire(import.meta.url)(
  fileURLToPath(new URL("./src/program/register.ts", import.meta.url)),
) as typeof import("./src/program/register.ts");
entry.registerEntry();
