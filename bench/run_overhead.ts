// `tph run` as a whole, against the plain runtime in the same run (Deno):
// - hello.ts: the fixed cost of tph run (requirement: at most 150 ms more than plain);
// - marked rendering a large document with marked itself traced (--include), with 10,000 calls
//   recorded (the default limit until it became 100,000: bench/real_workloads.ts measures that one)
//   and with no limit worth the name (requirement: at most 2x plain).
// Run: deno run -A bench/run_overhead.ts

import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO, verdict } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const cache = mkdtempSync(join(tmpdir(), "tph-bench-run-"));

function once(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  return ms;
}

function time(argv: string[], rounds: number): number {
  return median(Array.from({ length: rounds }, () => once(argv)));
}

/**
 * Median times of two commands run in turn, so that both see the same machine: on a shared VM
 * the speed of everything drifts by a third within minutes.
 */
function timePair(a: string[], b: string[], rounds: number): [number, number] {
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(once(a));
    tb.push(once(b));
  }
  return [median(ta), median(tb)];
}

const tph = (
  ...args: string[]
) => [DENO, "run", "-A", "cli.ts", "run", "--cache-dir", cache, ...args];
let failed = 0;
try {
  // Warm the transform cache once, as any second run finds it.
  time(tph("examples/hello.ts"), 1);
  const [plain, traced] = timePair(
    [DENO, "run", "-A", "examples/hello.ts"],
    tph("examples/hello.ts"),
    9,
  );
  const extra = traced - plain;
  if (extra > 150) failed++;
  record({
    bench: "run_overhead",
    metric: "tph run hello.ts, extra",
    value: extra,
    unit: "ms",
    req: "≤150",
    pass: extra <= 150,
  });
  console.log(
    `deno  tph run hello.ts: ${num(traced, 0)} ms vs plain ${num(plain, 0)} ms: +${
      num(extra, 0)
    } ms ${verdict(extra <= 150, "≤150 ms more")}`,
  );
  const prog = "bench/programs/marked_render.mjs";
  time(tph("--include", "node_modules/marked/**", "--max-calls", "10000", prog), 1);
  const [mPlain, mTraced] = timePair(
    [DENO, "run", "-A", prog],
    tph("--include", "node_modules/marked/**", "--max-calls", "10000", prog),
    9,
  );
  const mAll = time(tph("--include", "node_modules/marked/**", "--max-calls", "5000000", prog), 3);
  const ratio = mTraced / mPlain;
  if (ratio > 2) failed++;
  record({
    bench: "run_overhead",
    metric: "marked traced / plain",
    value: ratio,
    unit: "x",
    req: "≤2x",
    pass: ratio <= 2,
  });
  console.log(
    `deno  marked, library traced (--max-calls 10000): ${num(mTraced, 0)} ms vs plain ${
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
