// Issue 49, "real library, default settings": where a whole `tph run` of marked goes with tph's
// default settings (the first 100,000 calls recorded, the rest counted as left out), part by part,
// beside the plain program and `--max-calls 1` (every call past the limit), in alternating rounds.
//
//   deno run -A bench/default_run.ts [node|bun|deno|binary ...] [--rounds N] [--against <worktree>]
//
// Per runtime (and per worktree with --against, e.g. /work/wt/ref, alternated with this one) it
// prints medians of: the whole process (wall and CPU of the process tree, from /usr/bin/time), and
// tph's phases (TPH_BENCH_PHASES): spawn (the CLI's start to the program's process), boot (that
// process to the program's first line), prog (the program, its modules' transform included),
// write (the run written after the last line) and after (the CLI after the run was saved).
// "prog" of `--max-calls 1` less plain's whole process is the path past the limit plus the
// transform; the default's prog less that is the recording of the first 100,000 calls.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
};
const ROUNDS = Number(flag("--rounds") ?? 5);
const against = flag("--against");
const runtimes = argv.length > 0 ? argv : ["node", "bun"];
const HERE = resolve(new URL("..", import.meta.url).pathname);
const trees = against === undefined ? [HERE] : [against, HERE];
const PROGRAM = ["--include", "node_modules/marked/**", "bench/programs/marked_render.mjs"];
const VARIANTS = ["plain", "default", "max-calls 1"] as const;

function command(tree: string, rt: string, v: string, cache: string): string[] {
  const node = join(tree, "node_modules/node24/bin/node");
  const bun = join(tree, "node_modules/.bin/bun"), deno = join(tree, "node_modules/.bin/deno");
  if (v === "plain") {
    const prog = "bench/programs/marked_render.mjs";
    return rt === "deno" ? [deno, "run", "-A", prog] : [rt === "node" ? node : bun, prog];
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

for (let r = 0; r < ROUNDS; r++) {
  for (const rt of runtimes) {
    for (const tree of trees) {
      for (const v of VARIANTS) {
        const cache = mkdtempSync(join(tmpdir(), "tph-dflt-"));
        const phases = join(cache, "phases.jsonl");
        const cmd = command(tree, rt, v, join(cache, "runs"));
        const t0 = performance.now();
        const out = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", ...cmd], {
          cwd: tree,
          env: { ...process.env, TPH_BENCH_PHASES: phases },
          timeout: 120_000,
          encoding: "utf8",
        });
        const wall = performance.now() - t0;
        const key = `${rt.padEnd(6)} ${tree === HERE ? "this" : "against"} ${v}`;
        const row = rows.get(key) ?? {};
        rows.set(key, row);
        const put = (n: string, x: number) => (row[n] ??= []).push(x);
        if (out.status !== 0) console.log(`${key}: failed ${out.stderr.slice(-300)}`);
        put("wall", wall);
        const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(out.stderr);
        if (cpu) put("cpu", (Number(cpu[1]) + Number(cpu[2])) * 1000);
        if (existsSync(phases)) {
          const p = JSON.parse(readFileSync(phases, "utf8").trim().split("\n").pop()!);
          put("spawn", p.process - p.cli_start);
          put("boot", p.program - p.process);
          put("prog", p.ended - p.program);
          put("write", p.saved - p.ended);
          put("after", p.cli_end - p.saved);
        }
        rmSync(cache, { recursive: true, force: true });
      }
    }
  }
}

console.log(
  `default_run: marked, ${ROUNDS} alternating rounds (medians, ms); load average ${
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
