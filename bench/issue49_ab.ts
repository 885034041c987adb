// A/B of `tph run` (every call) between two worktrees, alternating in the same minutes: per
// workload and runtime, the medians of the program's in-process time and the writer's (the run's
// phases: TPH_BENCH_PHASES) a call, peak RSS and the whole run, with the load beside them.
//
//   deno run -A bench/issue49_ab.ts <worktree A> <worktree B> [more worktrees] [deno|bun|node ...]
//     [marked|yaml|zod|babel|fib|unique ...] [--rounds N] [--max-calls N | --default]
//
// A worktree may be followed by environment settings for its runs, `<worktree>,KEY=VALUE,...`
// (one worktree with a switch against itself); all are alternated in each round.
//
// Both worktrees need lib/ built for node (npm/build.ts).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const WORKLOADS: Record<string, { program: string[]; include: string[] }> = {
  marked: { program: ["bench/programs/marked_render.mjs"], include: ["node_modules/marked/**"] },
  yaml: { program: ["bench/programs/yaml_parse.mjs"], include: ["node_modules/yaml/**"] },
  zod: { program: ["bench/programs/zod_validate.mjs"], include: ["node_modules/zod/**"] },
  babel: {
    program: ["bench/programs/babel_transform.mjs"],
    include: ["node_modules/@babel/**"],
  },
  // This bench's own copy too (ref34, main before fib.mjs, has only fib.ts).
  fib: { program: [join(import.meta.dirname!, "programs/fib.mjs"), "25", "1"], include: [] },
  // This bench's own copy (a worktree of older main has none).
  unique: {
    program: [join(import.meta.dirname!, "programs/unique_strings.mjs")],
    include: [],
  },
};
const RUNTIMES = ["deno", "bun", "node"];

const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 3;
// The call limit (default every call: 50,000,000 and max depth 100,000); --default: tph's own.
const cap = words.indexOf("--max-calls");
const LIMITS = words.includes("--default")
  ? []
  : ["--max-calls", cap >= 0 ? words[cap + 1] : "50000000", "--max-depth", "100000"];
const rest = words.filter((w, i) =>
  !w.startsWith("--") && (at < 0 || i !== at + 1) && (cap < 0 || i !== cap + 1)
);
const variants = rest.filter((w) => !RUNTIMES.includes(w) && !(w in WORKLOADS));
const runtimes = rest.filter((w) => RUNTIMES.includes(w));
const workloads = rest.filter((w) => w in WORKLOADS);
const tmp = mkdtempSync(join(tmpdir(), "issue49ab-"));

interface Sample {
  ms: number;
  rss: number;
  /** User and system CPU time of the process and its children, ms. */
  cpu: number;
  program: number;
  write: number;
  /** The program's process's CPU time (user and system, every thread) in the program and writing, ms. */
  cpuProgram: number;
  cpuWrite: number;
  calls: number;
}

function once(variant: string, rt: string, w: string): Sample {
  const [wt, ...sets] = variant.split(",");
  const extra = Object.fromEntries(
    sets.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const { program, include } = WORKLOADS[w];
  const cli = rt === "bun"
    ? [join(wt, "node_modules/.bin/bun"), join(wt, "cli.ts")]
    : [join(wt, "node_modules/.bin/deno"), "run", "-A", join(wt, "cli.ts")];
  const cache = join(tmp, "cache"), phases = join(tmp, "phases"), rss = join(tmp, "rss");
  writeFileSync(phases, "");
  const argv = [
    ...cli,
    "run",
    "--runtime",
    rt,
    "--cache-dir",
    cache,
    ...include.flatMap((i) => ["--include", i]),
    ...LIMITS,
    ...program,
  ];
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", rss, ...argv], {
    cwd: wt,
    encoding: "utf8",
    timeout: 600_000,
    killSignal: "SIGKILL",
    env: {
      ...process.env,
      ...extra,
      TPH_BENCH_PHASES: phases,
      NO_COLOR: "1",
      PATH: `${join(wt, "node_modules/node24/bin")}:${process.env.PATH}`,
    },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  rmSync(cache, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.slice(-800)}`);
  const lines = readFileSync(phases, "utf8").trim().split("\n");
  const p = JSON.parse(lines[lines.length - 1]);
  const [kb, user, sys] = readFileSync(rss, "utf8").trim().split("\n").pop()!.split(" ").map(
    Number,
  );
  return {
    ms,
    rss: kb / 1024,
    cpu: (user + sys) * 1000,
    program: p.ended - p.program,
    write: p.saved - p.ended,
    cpuProgram: p.cpu?.program ?? NaN,
    cpuWrite: p.cpu?.write ?? NaN,
    calls: p.calls,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

for (const rt of runtimes) {
  for (const w of workloads) {
    for (const v of variants) once(v, rt, w); // warm the runtimes' caches
    const samples: Sample[][] = variants.map(() => []);
    const loadBefore = load();
    for (let i = 0; i < ROUNDS; i++) {
      variants.forEach((v, k) => samples[k].push(once(v, rt, w)));
    }
    const show = (xs: Sample[]) => {
      const calls = xs[0].calls;
      const ns = (f: (s: Sample) => number) => (median(xs.map(f)) / calls * 1e6).toFixed(0);
      return `in program ${ns((s) => s.program)} ns (CPU ${ns((s) => s.cpuProgram)}), writer ${
        ns((s) => s.write)
      } ns (CPU ${ns((s) => s.cpuWrite)}) a call, ` +
        `RSS ${median(xs.map((s) => s.rss)).toFixed(0)} MB, whole ${
          median(xs.map((s) => s.ms)).toFixed(0)
        } ms, CPU ${median(xs.map((s) => s.cpu)).toFixed(0)} ms`;
    };
    console.log(`${rt} ${w} (${samples[0][0].calls} calls; load ${loadBefore} → ${load()}):`);
    variants.forEach((v, k) => console.log(`  ${"ABCDEFGH"[k]} ${v}: ${show(samples[k])}`));
  }
}
rmSync(tmp, { recursive: true, force: true });
