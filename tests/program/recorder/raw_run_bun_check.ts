// Runs the raw run checks under Bun, whose strings and typed arrays differ from V8's. Spawned by
// raw_run_test.ts; prints RAW_OK or throws.
import { checkRawRuns } from "./_raw_run_check.ts";

await checkRawRuns();
console.log("RAW_OK");
