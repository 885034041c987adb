// `tph diff` on runs of a million calls, on the Deno CLI and on Bun's (`bun cli.ts`,
// the binary's runtime): three runs of bench/programs/diff_scale.ts 28 (1,028,457 calls each),
// two identical and one whose 300,000th call that makes calls passes another tag to its first
// child; then `tph diff` of the identical pair (target ≤ 1 s) and of the pair that differs in one
// call (≤ 3 s, ≤ 300 MB). Wall time is this process's clock around the command (the median of
// ROUNDS); peak memory is `/usr/bin/time -f %M` (max RSS). Each command runs under a time limit.
//
//   deno run -A bench/diff_scale.ts            (or: deno task bench diff)

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO } from "./_common.ts";

const BENCH = "diff_scale";
const ROUNDS = 3;
const TIME = "/usr/bin/time";
const PROGRAM = join(REPO, "bench/programs/diff_scale.ts");
const TARGETS = {
  deno: [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(REPO, "cli.ts")],
  bun: [join(REPO, "node_modules/.bin/bun"), join(REPO, "cli.ts")],
};

/** Run a command in `cwd` under a time limit: seconds, peak MB (null without /usr/bin/time), code. */
function measure(
  argv: string[],
  cwd: string,
): { s: number; mb: number | null; code: number | null } {
  const timeFile = join(cwd, ".time");
  const full = existsSync(TIME) ? [TIME, "-f", "%M", "-o", timeFile, ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(full[0], full.slice(1), { cwd, stdio: "ignore", timeout: 300_000 });
  const s = (performance.now() - t0) / 1000;
  let mb: number | null = null;
  try {
    mb = Number(readFileSync(timeFile, "utf8").trim().split("\n").pop()) * 1024 / 1e6;
  } catch {
    mb = null;
  }
  return { s, mb, code: r.status };
}

let failures = 0;
function report(rt: string, metric: string, value: number, unit: string, max: number | null) {
  const pass = max === null ? undefined : value <= max;
  if (pass === false) failures++;
  const req = max === null ? "[info]" : `(target ≤ ${max} ${unit}) [${pass ? "PASS" : "FAIL"}]`;
  console.log(`${rt.padEnd(5)} ${metric}: ${num(value, 2)} ${unit} ${req}`);
  record({
    bench: BENCH,
    metric,
    value,
    unit,
    req: max === null ? undefined : `≤${max}`,
    pass,
    runtime: rt,
  });
}

const dir = mkdtempSync(join(tmpdir(), "tph-bench-diff-"));
try {
  for (const [rt, tph] of Object.entries(TARGETS)) {
    const cache = join(dir, rt);
    for (const args of [[], [], ["300000"]]) {
      const r = measure(
        [...tph, "run", "--cache-dir", cache, "--max-calls", "2000000", PROGRAM, "28", ...args],
        dir,
      );
      if (r.code !== 0) throw new Error(`tph run failed on ${rt} (exit ${r.code})`);
    }
    for (
      const [metric, refs, code, maxS, maxMB] of [
        ["1M calls, identical runs", ["3", "2"], 0, 1, null],
        ["1M calls, one call differs", ["2", "1"], 1, 3, 300],
      ] as const
    ) {
      const runs = Array.from(
        { length: ROUNDS },
        () => measure([...tph, "diff", ...refs, "--cache-dir", cache], dir),
      );
      if (runs.some((r) => r.code !== code)) {
        throw new Error(`tph diff ${refs.join(" ")} on ${rt}: exit ${runs.map((r) => r.code)}`);
      }
      report(rt, `${metric}: time`, median(runs.map((r) => r.s)), "s", maxS);
      const mb = Math.max(...runs.map((r) => r.mb ?? NaN));
      if (Number.isFinite(mb)) report(rt, `${metric}: peak RSS`, mb, "MB", maxMB);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failures > 0 ? 1 : 0;
