// Followed processes and workers (issue 48) on Node, Deno, Bun and the standalone binary: those
// a program starts, and those a server's request handlers start.

import { rmSync } from "node:fs";
import { buildBinary, BUN_TARGET, DENO_TARGET, NODE_TARGET } from "./_cli.ts";
import { childrenTests } from "./_children.ts";
import { requestChildTests } from "./_requests.ts";

childrenTests(NODE_TARGET);
childrenTests(DENO_TARGET);
childrenTests(BUN_TARGET);
requestChildTests(NODE_TARGET);
requestChildTests(DENO_TARGET);
requestChildTests(BUN_TARGET);

if (Deno.env.get("TPH_TEST_NO_BINARY") !== "1") {
  const { target, dir } = await buildBinary();
  globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));
  childrenTests(target);
  requestChildTests(target);
}
