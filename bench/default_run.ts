// Issue 49, "real library, default settings": where a whole `tph run` with tph's default settings
// (the first 100,000 calls recorded, the rest counted as left out) goes, phase by phase, beside the
// plain program, the design's limit with the same limit (bench/limit/recorder.mjs with
// LIMIT_MAX_CALLS=100000: rows for the first 100,000 calls, then each call only counted) and
// `--max-calls 1` (every call past the limit), in alternating rounds.
//
//   deno run -A bench/default_run.ts [node|bun|deno|binary ...] [--rounds N] [--against <worktree>]
//     [--workload marked|yaml|zod|babel]
//
// Per runtime (and per worktree with --against, e.g. /work/wt/ref28, alternated with this one) it
// prints medians, ms, of the whole process (wall, from this script's spawn to the exit it sees, and
// the CPU of the process tree, from /usr/bin/time) and of its phases, the same for every variant:
// - start: the spawn to the program's first line (for tph: the CLI's start-up, the program's
//   process's boot, the settings; for plain and the limit: the runtime's boot and the preload);
// - prog: the program, its modules' load (and tph's transform cache) included;
// - write: the run written after the last line (none for plain);
// - exit: the run written to the exit this script sees (for tph the program's process's end as
//   the CLI sees it, then `cli`: the CLI's work after it);
// and for tph (TPH_BENCH_PHASES): spawn (the CLI's start to the program's process), boot (that
// process to the program's first line), cpuP and cpuW (the program's process's CPU in the program
// and the write, every thread: the optimizing compiler's threads are most of cpuP less prog), and
// the CLI's own CPU (cliCpu, of which cliRun while the program ran).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { limitFolder } from "./limit/folder.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
};
const ROUNDS = Number(flag("--rounds") ?? 5);
const against = flag("--against");
const WORKLOAD = flag("--workload") ?? "marked";
const runtimes = argv.length > 0 ? argv : ["node", "bun"];
const HERE = resolve(new URL("..", import.meta.url).pathname);
const trees = against === undefined ? [HERE] : [against, HERE];
const PROGRAMS: Record<string, string> = {
  marked: "bench/programs/marked_render.mjs",
  yaml: "bench/programs/yaml_parse.mjs",
  zod: "bench/programs/zod_validate.mjs",
  // Babel's packages (a scope: every one traced); the program reads the checkout's src/cli/diff.
  babel: "bench/programs/babel_transform.mjs",
};
/** The folder under node_modules a workload traces. */
const PACKAGE = WORKLOAD === "babel" ? "@babel" : WORKLOAD;
const SCRIPT = PROGRAMS[WORKLOAD];
if (SCRIPT === undefined) throw new Error(`no workload ${WORKLOAD}: marked, yaml, zod or babel`);
const PROGRAM = ["--include", `node_modules/${PACKAGE}/**`, SCRIPT];
/** tph's default max_calls, the limit's LIMIT_MAX_CALLS. */
const MAX_CALLS = "100000";
/** plain and the limit run once a round (they are the same for every tree). */
const VARIANTS = ["plain", "limit", "default", "max-calls 1"] as const;

const tmp = mkdtempSync(join(tmpdir(), "tph-dflt-"));
const limitDir = limitFolder(tmp, { name: WORKLOAD, program: SCRIPT, packages: [PACKAGE] });
if (WORKLOAD === "babel") symlinkSync(join(HERE, "src"), join(limitDir, "src"));
const limitOut = join(tmp, "limit.run");

function command(tree: string, rt: string, v: string, cache: string): string[] {
  const node = join(tree, "node_modules/node24/bin/node");
  const bun = join(tree, "node_modules/.bin/bun"), deno = join(tree, "node_modules/.bin/deno");
  if (v === "plain" || v === "limit") {
    const preload = join(
      HERE,
      v === "plain" ? "bench/limit/plain.mjs" : "bench/limit/recorder.mjs",
    );
    return rt === "deno"
      ? [deno, "run", "-A", "--preload", preload, SCRIPT]
      : rt === "node"
      ? [node, "--import", preload, SCRIPT]
      : [bun, "--preload", preload, SCRIPT];
  }
  const tph = rt === "node"
    ? [node, join(tree, "lib/cli.js")]
    : rt === "bun"
    ? [bun, join(tree, "cli.ts")]
    : rt === "deno"
    ? [deno, "run", "-A", join(tree, "cli.ts")]
    : [join(tree, "dist/tph")];
  const limit = v === "default" ? [] : ["--max-calls", "1"];
  return [...tph, "run", "--cache-dir", cache, ...limit, ...PROGRAM];
}

type Row = Record<string, number[]>;
const rows = new Map<string, Row>();
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const rt of runtimes) {
      for (const v of VARIANTS) {
        const own = v === "plain" || v === "limit";
        for (const tree of own ? [HERE] : trees) {
          const cache = mkdtempSync(join(tmp, "c-"));
          const phases = join(cache, "phases.jsonl");
          const cmd = command(tree, rt, v, join(cache, "runs"));
          const env: Record<string, string> = own
            ? { LIMIT_OUT: limitOut, ...(v === "limit" ? { LIMIT_MAX_CALLS: MAX_CALLS } : {}) }
            : { TPH_BENCH_PHASES: phases };
          rmSync(limitOut + ".times", { force: true });
          const t0 = performance.timeOrigin + performance.now();
          const out = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", ...cmd], {
            cwd: v === "limit" ? limitDir : tree,
            env: { ...process.env, ...env, NO_COLOR: "1" },
            timeout: 120_000,
            encoding: "utf8",
          });
          const t1 = performance.timeOrigin + performance.now();
          const key = `${rt.padEnd(6)} ${own ? "" : tree === HERE ? "this " : "against "}${v}`;
          const row = rows.get(key) ?? {};
          rows.set(key, row);
          const put = (n: string, x: number) => (row[n] ??= []).push(x);
          if (out.status !== 0) console.log(`${key}: failed ${out.stderr.slice(-300)}`);
          put("wall", t1 - t0);
          const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(out.stderr);
          if (cpu) put("cpu", (Number(cpu[1]) + Number(cpu[2])) * 1000);
          if (own && existsSync(limitOut + ".times")) {
            const p = JSON.parse(readFileSync(limitOut + ".times", "utf8"));
            put("start", p.began_at - t0);
            put("prog", p.ended_at - p.began_at);
            put("write", p.saved_at - p.ended_at);
            put("exit", t1 - p.saved_at);
            put("cpuP", p.cpu_program);
            if (p.cpu_write !== undefined) put("cpuW", p.cpu_write);
          } else if (existsSync(phases)) {
            const p = JSON.parse(readFileSync(phases, "utf8").trim().split("\n").pop()!);
            put("start", p.program - t0);
            put("prog", p.ended - p.program);
            put("write", p.saved - p.ended);
            if (p.cli_exit !== undefined) {
              put("exit", p.cli_exit - p.saved);
              put("cli", t1 - p.cli_exit);
            } else put("exit", t1 - p.saved);
            put("spawn", p.process - p.cli_start);
            put("boot", p.program - p.process);
            put("cpuP", p.cpu.program);
            put("cpuW", p.cpu.write);
            if (p.cli_cpu !== undefined) {
              put("cliCpu", p.cli_cpu);
              put("cliRun", p.cli_cpu_exit - p.cli_plan_cpu);
            }
          }
          rmSync(cache, { recursive: true, force: true });
        }
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(
  `default_run: ${WORKLOAD}, ${ROUNDS} alternating rounds (medians, ms); load average ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }${against === undefined ? "" : `; against: ${against}`}`,
);
for (const [key, row] of rows) {
  console.log(
    `${key.padEnd(28)} ${
      Object.entries(row).map(([n, a]) => `${n} ${median(a).toFixed(0)}`).join("  ")
    }`,
  );
}
