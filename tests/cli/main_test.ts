// main() called in-process (the CLI's entry point, with its output and terminal given to it):
// what only this way can show, such as the colours it writes to a terminal. Everything seen from
// outside is tested on tph itself run as a subprocess (deno_test.ts, bun_test.ts, binary_test.ts).

import assert from "node:assert/strict";
import { main } from "../../src/tph/cli/main.ts";
import { projectWithRuns } from "../store/_cache.ts";

Deno.test("main() colours only on a terminal, and never with NO_COLOR set", async () => {
  const { root } = projectWithRuns();
  const run = async (isTerminal: boolean, env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["tree", "1"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      cwd: root,
      isTerminal,
      env,
    });
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    return out.join("\n");
  };
  assert.ok((await run(true, {})).includes("\x1b[36mserve\x1b[0m"));
  assert.ok(!(await run(true, { NO_COLOR: "1" })).includes("\x1b["));
  assert.ok(!(await run(false, {})).includes("\x1b["));
});
