import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN, bunCheck, REPO } from "../../_harness.ts";

Deno.test("the transform cache key is the same on Deno and Bun", () => {
  const script = new URL("./_cache_key_check.ts", import.meta.url);
  const deno = spawnSync(BIN.deno, ["run", "-A", fileURLToPath(script)], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  assert.equal(deno.status, 0, deno.stderr);
  const onDeno = JSON.parse(deno.stdout) as string[];
  assert.equal(onDeno.length, 6);
  for (const k of onDeno) assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(new Set(onDeno).size, 6);
  assert.deepEqual(JSON.parse(bunCheck(script)), onDeno);
});
