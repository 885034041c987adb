// Long runs under `tph run` (every call), A/B of worktrees (each `<worktree>[,KEY=VALUE…]`, as
// bench/issue49_ab.ts), alternating: a program that prints its rounds' process CPU ms to stderr
// (`CPU a b c…`: bench/issue49_jsc/marked_cpu.mjs, fib_cpu.mjs) — the median of each round over
// the runs, their sum, and the load. For tph's functions kept from FTL (src/program/recorder/ftl.ts):
// FTL's faster code pays on long runs, its compiles on short ones.
//
//   deno run -A bench/issue49_ftl.ts <worktree A> <worktree B> … [bun|binary] [marked|fib]
//     [--rounds N] [--renders N] [--default | --max-calls N]
//
// marked: marked_cpu.mjs with ROUNDS=--renders (default 20: 255,694 calls a render); fib: fib_cpu.mjs
// 27 with ROUNDS=--renders. --default: tph's default limits (else every call). binary: the
// worktree's dist/tph.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const words = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const at = words.indexOf(name);
  return at >= 0 ? Number(words[at + 1]) : dflt;
};
const ROUNDS = opt("--rounds", 3);
const RENDERS = opt("--renders", 20);
const DEFAULT = words.includes("--default");
const MAX_CALLS = String(opt("--max-calls", 50_000_000));
const plain = words.filter((w, i) =>
  !w.startsWith("--") && !words[i - 1]?.startsWith("--r") && words[i - 1] !== "--max-calls"
);
const runtime = plain.includes("binary") ? "binary" : "bun";
const workload = plain.includes("fib") ? "fib" : "marked";
const variants = plain.filter((w) => !["bun", "binary", "marked", "fib"].includes(w));
const tmp = mkdtempSync(join(tmpdir(), "issue49ftl-"));

function once(variant: string): number[] {
  const [wt, ...sets] = variant.split(",");
  const extra = Object.fromEntries(
    sets.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const cli = runtime === "binary"
    ? [join(wt, "dist/tph")]
    : [join(wt, "node_modules/.bin/bun"), join(wt, "cli.ts")];
  const program = workload === "fib"
    ? [join(wt, "bench/issue49_jsc/fib_cpu.mjs"), "27"]
    : [join(wt, "bench/issue49_jsc/marked_cpu.mjs")];
  const include = workload === "fib" ? [] : ["--include", "node_modules/marked/**"];
  const limits = DEFAULT ? [] : ["--max-calls", MAX_CALLS, "--max-depth", "100000"];
  const cache = join(tmp, "cache");
  const argv = [
    ...cli,
    "run",
    ...(runtime === "binary" ? [] : ["--runtime", "bun"]),
    "--cache-dir",
    cache,
    ...include,
    ...limits,
    ...program,
  ];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: wt,
    encoding: "utf8",
    timeout: 900_000,
    killSignal: "SIGKILL",
    env: { ...process.env, ...extra, ROUNDS: String(RENDERS), NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  rmSync(cache, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.slice(-800)}`);
  const line = r.stderr.split("\n").find((l) => l.startsWith("CPU "));
  if (line === undefined) throw new Error(`no CPU line: ${r.stderr.slice(-800)}`);
  return line.slice(4).trim().split(" ").map(Number);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

const samples: number[][][] = variants.map(() => []);
const loadBefore = load();
for (let i = 0; i < ROUNDS; i++) variants.forEach((v, k) => samples[k].push(once(v)));
console.log(
  `${runtime} ${workload} ×${RENDERS} ${DEFAULT ? "default" : `max calls ${MAX_CALLS}`}, ` +
    `${ROUNDS} runs ` +
    `(load ${loadBefore} → ${load()}): process CPU ms a round (median over runs), sum of medians`,
);
variants.forEach((v, k) => {
  const per = samples[k][0].map((_, r) => median(samples[k].map((s) => s[r])));
  const sum = median(samples[k].map((s) => s.reduce((a, b) => a + b, 0)));
  console.log(
    `  ${"ABCDEFGH"[k]} ${v}: total ${sum.toFixed(0)} ms; first 3 ${
      per.slice(0, 3).map((x) => x.toFixed(0)).join(" ")
    }; last 3 ${per.slice(-3).map((x) => x.toFixed(0)).join(" ")}`,
  );
});
rmSync(tmp, { recursive: true, force: true });
