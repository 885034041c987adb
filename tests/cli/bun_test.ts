// The CLI tests on Bun: `bun cli.ts …` from the checkout, in temporary folders.

import { BUN_TARGET } from "./_cli.ts";
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
import { findTests } from "./_find.ts";
import { diskTests, modeTests } from "./_disk.ts";
import { redactTests, sharedFolderTests } from "./_privacy.ts";

programTests(BUN_TARGET);
endingTests(BUN_TARGET);
overflowTests(BUN_TARGET);
runOutputTests(BUN_TARGET);
scopeTests(BUN_TARGET);
cacheTests(BUN_TARGET);
cleanTests(BUN_TARGET);
savedRunTests(BUN_TARGET);
configTests(BUN_TARGET);
usageTests(BUN_TARGET);
escapeTests(BUN_TARGET);
builtinTests(BUN_TARGET);
exportTests(BUN_TARGET);
evalTests(BUN_TARGET);
findTests(BUN_TARGET);
diskTests(BUN_TARGET);
modeTests(BUN_TARGET);
sharedFolderTests(BUN_TARGET);
redactTests(BUN_TARGET);
