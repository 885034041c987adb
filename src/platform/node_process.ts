// Node's `process` object for the code tph runs inside the program's process, taken from the
// global (Deno, Bun and Node all have it) before the program runs. Never `import … from
// "node:process"` there: Node makes that ES module by reading every property of `process`, which
// creates `process.stdin`; on a file (stdin redirected from one) that queues a tick, Node then
// starts an ES module entry from `processTicksAndRejections`, and an uncaught error's stack shows
// that frame, which it does not plainly. tests/structure_test.ts keeps the import out.

import type NodeProcess from "node:process";

// deno-lint-ignore no-explicit-any
const process: typeof NodeProcess = (globalThis as any).process;
export default process;
