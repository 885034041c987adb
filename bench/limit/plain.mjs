// The plain program's own time in its process (bench/design_limit.ts): from this preload to the
// exit hook, written to LIMIT_OUT.times as the limit's recorder writes its own.
import { writeFileSync } from "node:fs";

const began = performance.now();
process.on("exit", () => {
  const out = process.env.LIMIT_OUT;
  if (out) writeFileSync(out + ".times", JSON.stringify({ program: performance.now() - began }));
});
