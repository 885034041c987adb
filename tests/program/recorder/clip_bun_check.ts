// Runs the clipString() checks under Bun, whose strings differ from V8's. Spawned by
// keep_memory_test.ts; prints CLIP_OK or throws.
import { checkClips } from "./_clip_check.ts";

checkClips();
console.log("CLIP_OK");
