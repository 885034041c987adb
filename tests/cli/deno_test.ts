// The CLI tests on Deno: `deno run -A cli.ts …` from the checkout, in temporary folders.

import { DENO_TARGET } from "./_cli.ts";
import { cacheTests } from "./_cache.ts";
import { cleanTests } from "./_clean.ts";
import { configTests } from "./_config.ts";
import { endingTests, overflowTests } from "./_endings.ts";
import { programTests } from "./_program.ts";
import { runOutputTests } from "./_run_output.ts";
import { savedRunTests } from "./_saved_runs.ts";
import { scopeTests } from "./_scope.ts";
import { usageTests } from "./_usage.ts";
import { escapeTests } from "./_escapes.ts";
import { builtinTests } from "./_builtins.ts";
import { exportTests } from "./_export.ts";
import { evalTests } from "./_eval.ts";
import { diffTests } from "./_diff.ts";
import { diskTests, modeTests } from "./_disk.ts";
import { redactTests, sharedFolderTests } from "./_privacy.ts";

programTests(DENO_TARGET);
endingTests(DENO_TARGET);
overflowTests(DENO_TARGET);
runOutputTests(DENO_TARGET);
scopeTests(DENO_TARGET);
cacheTests(DENO_TARGET);
cleanTests(DENO_TARGET);
savedRunTests(DENO_TARGET);
configTests(DENO_TARGET);
usageTests(DENO_TARGET);
escapeTests(DENO_TARGET);
builtinTests(DENO_TARGET);
exportTests(DENO_TARGET);
evalTests(DENO_TARGET);
diffTests(DENO_TARGET);
diskTests(DENO_TARGET);
modeTests(DENO_TARGET);
sharedFolderTests(DENO_TARGET);
redactTests(DENO_TARGET);
