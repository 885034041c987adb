// Loaded with `node --require` by `tph run`, before the program (preload.ts on Deno and Bun).
// Node compiles tph's modules anew at every start (~10 ms of a run): with its compile cache on
// first, in tph's private cache folder (compile_cache.ts; the program's own modules go there too,
// as with `module.enableCompileCache()`, which a program calling it then finds on already), the
// next runs read them compiled. Then the rest of tph loads, as preload.ts does.

import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { enableCompileCache } from "../platform/compile_cache.ts";

enableCompileCache();
const child = nodeModule.createRequire(import.meta.url)(
  fileURLToPath(new URL("./child.ts", import.meta.url)),
) as typeof import("./child.ts");
child.setupChild([fileURLToPath(import.meta.url)]);
