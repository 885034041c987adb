// Runs the writeTraceJSON() checks under Bun, whose strings differ from V8's. Spawned by
// to_json_test.ts; prints JSON_OK or throws.
import { checkWriter } from "./_to_json_check.ts";

await checkWriter();
console.log("JSON_OK");
