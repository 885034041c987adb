// The CLI tests on the standalone binary: built once here (as `deno task compile` does) into a
// temporary folder, and run from folders outside the repository against copies of fixtures.

import { rmSync } from "node:fs";
import { buildBinary } from "./_cli.ts";
import { binaryRuntimeTests } from "./_binary_runtime.ts";
import { cacheTests } from "./_cache.ts";
import { cleanTests } from "./_clean.ts";
import { configTests, configTrustTests } from "./_config.ts";
import { endingTests, overflowTests } from "./_endings.ts";
import { programTests } from "./_program.ts";
import { runOutputTests } from "./_run_output.ts";
import { savedRunTests } from "./_saved_runs.ts";
import { scopeTests } from "./_scope.ts";
import { usageTests } from "./_usage.ts";
import { escapeTests } from "./_escapes.ts";
import { builtinTests } from "./_builtins.ts";
import { exportTests } from "./_export.ts";
import { exportFormatTests } from "./_exports.ts";
import { evalTests } from "./_eval.ts";
import { setupSafetyTests, setupTests } from "./_setup.ts";
import { findTests } from "./_find.ts";
import { diffTests } from "./_diff.ts";
import { diskTests, exportDiskTests, modeTests } from "./_disk.ts";

const { target: BINARY, dir } = await buildBinary();
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));

programTests(BINARY);
endingTests(BINARY);
overflowTests(BINARY);
runOutputTests(BINARY);
scopeTests(BINARY);
cacheTests(BINARY);
cleanTests(BINARY);
savedRunTests(BINARY);
configTests(BINARY);
configTrustTests(BINARY);
usageTests(BINARY);
escapeTests(BINARY);
builtinTests(BINARY);
exportTests(BINARY);
exportFormatTests(BINARY);
evalTests(BINARY);
setupTests(BINARY);
setupSafetyTests(BINARY);
findTests(BINARY);
diffTests(BINARY);
diskTests(BINARY);
exportDiskTests(BINARY);
modeTests(BINARY);
binaryRuntimeTests(BINARY);
