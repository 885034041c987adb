// On Bun, tph's own functions are kept from JavaScriptCore's FTL tier when the first trace records
// a bounded number of calls (src/program/recorder/ftl.ts), and compiled by FTL as usual otherwise.
// Read from JavaScriptCore's own report of its compiles (BUN_JSC_reportCompileTimes).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN } from "../../_harness.ts";
import { FTL_KEPT_UP_TO } from "../../../src/program/recorder/ftl.ts";

/** Whether valueAt was compiled by FTL in ftl_bun_check.ts, its first trace recording up to `maxCalls`. */
function ftlCompiled(maxCalls: number): boolean {
  const r = spawnSync(
    BIN.bun,
    ["run", fileURLToPath(new URL("./ftl_bun_check.ts", import.meta.url)), String(maxCalls)],
    {
      encoding: "utf8",
      timeout: 120_000,
      killSignal: "SIGKILL",
      env: { ...Deno.env.toObject(), BUN_JSC_reportCompileTimes: "1" },
      maxBuffer: 64 << 20,
    },
  );
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /SUM 4500000/);
  return /Optimized valueAt#.* using FTL/.test(r.stdout + r.stderr);
}

Deno.test("ftl: on Bun, tph's functions kept from FTL when the recording is bounded", () => {
  assert.equal(ftlCompiled(100_000), false);
  assert.equal(ftlCompiled(FTL_KEPT_UP_TO), false);
});

Deno.test("ftl: on Bun, FTL as usual for a trace recording millions of calls", () => {
  assert.equal(ftlCompiled(FTL_KEPT_UP_TO + 1), true);
});
