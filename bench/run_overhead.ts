// `tph run` as a whole, against the plain runtime in the same run (Deno):
// - hello.ts: the fixed cost of tph run (requirement: at most 150 ms more than plain);
// - marked rendering a large document with marked itself traced (--include), with the default
//   limits and with no limit worth the name (requirement: at most 2x plain).
// Run: deno run -A bench/run_overhead.ts

import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, REPO, verdict } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const cache = mkdtempSync(join(tmpdir(), "tph-bench-run-"));

function time(argv: string[], rounds: number): number {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: "utf8" });
    ms.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  }
  return median(ms);
}

const tph = (
  ...args: string[]
) => [DENO, "run", "-A", "cli.ts", "run", "--cache-dir", cache, ...args];
let failed = 0;
try {
  // Warm the transform cache once, as any second run finds it.
  time(tph("examples/hello.ts"), 1);
  const plain = time([DENO, "run", "-A", "examples/hello.ts"], 7);
  const traced = time(tph("examples/hello.ts"), 7);
  const extra = traced - plain;
  if (extra > 150) failed++;
  console.log(
    `deno  tph run hello.ts: ${num(traced, 0)} ms vs plain ${num(plain, 0)} ms: +${
      num(extra, 0)
    } ms ${verdict(extra <= 150, "≤150 ms more")}`,
  );
  const prog = "bench/programs/marked_render.mjs";
  time(tph("--include", "node_modules/marked/**", prog), 1);
  const mPlain = time([DENO, "run", "-A", prog], 5);
  const mTraced = time(tph("--include", "node_modules/marked/**", prog), 5);
  const mAll = time(tph("--include", "node_modules/marked/**", "--max-calls", "5000000", prog), 3);
  const ratio = mTraced / mPlain;
  if (ratio > 2) failed++;
  console.log(
    `deno  marked, library traced (default limits): ${num(mTraced, 0)} ms vs plain ${
      num(mPlain, 0)
    } ms: x${num(ratio, 2)} ${verdict(ratio <= 2, "≤2x")}`,
  );
  console.log(
    `deno  marked, every call recorded (--max-calls 5000000): ${num(mAll, 0)} ms: x${
      num(mAll / mPlain, 2)
    } [info]`,
  );
} finally {
  rmSync(cache, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
