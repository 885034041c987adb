// Loaded with `node --require` by `tph run`, before the program (preload.ts on Deno and Bun).
// Node compiles tph's modules anew at every start (~10 ms of a run): with its compile cache on
// first, where Node keeps it by default (the program's own modules go there too, as with
// `module.enableCompileCache()`, which a program calling it then finds on already), the next
// runs read them compiled. Then the rest of tph loads, as preload.ts does.

import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";

try {
  nodeModule.enableCompileCache?.();
} catch {
  // A folder that cannot be written: Node compiles as usual.
}
const child = nodeModule.createRequire(import.meta.url)(
  fileURLToPath(new URL("./child.ts", import.meta.url)),
) as typeof import("./child.ts");
child.setupChild([fileURLToPath(import.meta.url)]);
