// The progress line of long commands (src/cli/commands/progress.ts): nothing for work that ends
// within half a second, then one line rewritten at most five times a second, erased at the end;
// and the walks that exports and pages make tell it how far they are.

import assert from "node:assert/strict";
import { progress } from "../../../src/cli/commands/progress.ts";
import { walkCalls } from "../../../src/cli/export/calls.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { tempDir } from "../../store/_cache.ts";
import { storedRunOf } from "./_cli.ts";

/** Run `total` steps, the clock moving `msPerStep`; what was written. */
function drive(total: number, msPerStep: number): string[] {
  let now = 1000;
  const written: string[] = [];
  const p = progress("exporting", total, "calls", (t) => written.push(t), () => now);
  for (let i = 1; i <= total; i++) {
    now += msPerStep;
    p.step(i);
  }
  p.end();
  return written;
}

Deno.test("progress: nothing for work done within half a second", () => {
  assert.deepEqual(drive(100_000, 0.004), []);
});

Deno.test("progress: one line rewritten in place, at most five times a second, erased at the end", () => {
  const written = drive(1_000_000, 0.01); // 10 s of work
  const lines = written.slice(0, -1);
  assert.ok(lines.length >= 30 && lines.length <= 50, `${lines.length} updates`);
  for (const l of lines) {
    // deno-lint-ignore no-control-regex -- ANSI sequences
    assert.match(l, /^\r\x1b\[2Ktph: exporting… \d+% \([\d,]+ of 1,000,000 calls\)$/);
  }
  // The first once half a second has passed: 50,000 steps in, and 5%.
  assert.match(lines[0], /… 5% \(5[0-9],[0-9]{3} of/);
  assert.equal(written.at(-1), "\r\x1b[2K");
  // Never 100% before the end.
  assert.ok(lines.every((l) => !l.includes("100%")));
});

Deno.test("progress: exports and pages walk every call, JSON too, telling how far they are", async () => {
  const path = await storedRunOf(
    tempDir(),
    "function f(n: number): number { return n < 2 ? n : f(n - 1) + f(n - 2); }\n" +
      "async function g(k: number) { await null; return f(k); }\n" +
      "console.log(f(12), await Promise.all([g(5), g(6)]));\n",
  );
  const file = openRun(path);
  try {
    const total = file.meta.call_count;
    assert.ok(total > 400, `${total} calls`);
    const seen: number[] = [];
    walkCalls(file, { step: (n) => seen.push(n) }, { open() {} });
    assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i + 1), "the walk");
    let last = 0;
    file.writeJSON({ write() {} }, (n) => (last = n));
    assert.equal(last, total, "the JSON");
  } finally {
    file.close();
  }
});
