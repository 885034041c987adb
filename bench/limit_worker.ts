// Issue 49's lever 3, tried on the design's limit: the run written on the second core while the
// program runs (bench/limit/recorder.mjs with LIMIT_WORKER=1, the worker bench/limit/writer_worker.mjs)
// beside the limit keeping every call's values as tph does (LIMIT_PRIMITIVES=3: the run written at
// exit, on the program's thread) and the plain program, alternating in the same rounds; also
// "posts" (LIMIT_WORKER=2: the program's side of the design with no worker, written at exit) and
// "eager" (LIMIT_WORKER_AT=0: the worker started with the program, not at the first full chunk);
// and on demand "deferred" (eager, the worker idle until the last line: LIMIT_WORKER_DEFER=1).
//
//   deno run -A bench/limit_worker.ts [deno|bun|node ...] [marked|fib ...] [--rounds N] [--out F]
//     [--variants keeping,posts,worker,eager,deferred]
//
// Per runtime and workload, medians: the whole run (the command until its process exited, the run
// file closed and renamed) over plain; the main thread's CPU in the program, ns a call over plain's
// (/proc/thread-self/schedstat), and with the main thread's CPU after the last line (the critical
// path on a machine whose second core is free); the process's CPU in the program (every thread); the time from the
// last line to the file closed, ms and ns a call, and the CPU spent in it; the worker's CPU; the
// whole process's CPU (`/usr/bin/time` user + system) over plain's; peak RSS. `--out F` appends
// each run's raw figures to F as JSON lines.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, REPO } from "./_common.ts";
import { limitFolder } from "./limit/folder.ts";

const RECORDER = join(REPO, "bench/limit/recorder.mjs");
const PLAIN = join(REPO, "bench/limit/plain.mjs");
const RUNTIMES: Record<string, (preload: string) => string[]> = {
  node: (p) => [join(REPO, "node_modules/node24/bin/node"), "--import", p],
  deno: (p) => [join(REPO, "node_modules/.bin/deno"), "run", "-A", "--preload", p],
  bun: (p) => [join(REPO, "node_modules/.bin/bun"), "--preload", p],
};
const WORKLOADS = [
  { name: "marked", program: "bench/programs/marked_render.mjs", packages: ["marked"], args: [] },
  { name: "fib", program: "bench/programs/fib.mjs", packages: [], args: ["25", "1"] },
];
/** The variants run in each round: the preload and its environment. */
const VARIANTS: { name: string; preload: string; env: Record<string, string> }[] = [
  { name: "plain", preload: PLAIN, env: {} },
  { name: "keeping", preload: RECORDER, env: { LIMIT_PRIMITIVES: "3" } },
  { name: "posts", preload: RECORDER, env: { LIMIT_WORKER: "2" } },
  { name: "worker", preload: RECORDER, env: { LIMIT_WORKER: "1" } },
  { name: "eager", preload: RECORDER, env: { LIMIT_WORKER: "1", LIMIT_WORKER_AT: "0" } },
  {
    name: "deferred",
    preload: RECORDER,
    env: { LIMIT_WORKER: "1", LIMIT_WORKER_AT: "0", LIMIT_WORKER_DEFER: "1" },
  },
];

const words = process.argv.slice(2);
const valueOf = (flag: string) => {
  const at = words.indexOf(flag);
  return at >= 0 ? words[at + 1] : undefined;
};
const ROUNDS = Number(valueOf("--rounds") ?? 3);
const OUT = valueOf("--out");
/** `--variants keeping,eager`: those beside plain (default: all but "deferred", a diagnostic). */
const chosen = valueOf("--variants")?.split(",") ?? ["keeping", "posts", "worker", "eager"];
const RUN = VARIANTS.filter((v) => v.name === "plain" || chosen.includes(v.name));
const named = words.filter((w, i) => !w.startsWith("--") && !words[i - 1]?.startsWith("--"));
const pick = <T>(all: T[], key: (x: T) => string) => {
  const some = all.filter((x) => named.includes(key(x)));
  return some.length > 0 ? some : all;
};

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-limit-worker-"));
const runFile = join(tmp, "limit.run");
const timeFile = join(tmp, "time");

interface Run {
  wall: number;
  rss: number;
  cpu: number;
  times: Record<string, number>;
}

function once(argv: string[], cwd: string, env: Record<string, string>): Run {
  rmSync(runFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", timeFile, ...argv], {
    cwd,
    encoding: "utf8",
    timeout: 300_000,
    killSignal: "SIGKILL",
    env: { ...process.env, ...env, LIMIT_OUT: runFile, NO_COLOR: "1" },
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.status ?? r.signal} ${r.stderr}`);
  const [kb, user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ");
  const times = JSON.parse(readFileSync(runFile + ".times", "utf8"));
  return { wall, rss: Number(kb) / 1024, cpu: (Number(user) + Number(sys)) * 1000, times };
}

const calls = (): number => {
  const b = readFileSync(runFile);
  return b[0] === 123 ? JSON.parse(b.subarray(0, b.indexOf(10)).toString()).rows : workerRows(b);
};
/** The rows of a run the worker wrote: its last block is the meta. */
function workerRows(b: Uint8Array): number {
  let at = 0, meta = "";
  while (at < b.length) {
    const n = b[at + 1] | b[at + 2] << 8 | b[at + 3] << 16 | b[at + 4] << 24;
    if (b[at] === 6) meta = new TextDecoder().decode(b.subarray(at + 5, at + 5 + n));
    at += 5 + n;
  }
  return JSON.parse(meta).rows;
}

function report(rt: string, w: string, runs: Map<string, Run[]>, n: number): void {
  const m = (v: string, f: (r: Run) => number) => median(runs.get(v)!.map(f));
  const wall = (v: string) => m(v, (r) => r.wall);
  const mainIn = (v: string) => m(v, (r) => r.times.cpu_main_program);
  const ns = (ms: number) => num(ms / n * 1e6, 0);
  console.log(
    `${rt.padEnd(5)} ${w} (${n.toLocaleString("en")} calls): plain ${num(wall("plain"), 0)} ms`,
  );
  for (const v of RUN.slice(1).map((x) => x.name)) {
    const write = m(v, (r) => r.times.write);
    const parts = [
      `whole x${num(wall(v) / wall("plain"), 2)}`,
      `main CPU in program ${ns(mainIn(v) - mainIn("plain"))} ns/call`,
      `main CPU program + write ${
        ns(mainIn(v) + m(v, (r) => r.times.cpu_main_write) - mainIn("plain"))
      } ns/call`,
      `process CPU in program +${
        num(m(v, (r) => r.times.cpu_program) - m("plain", (r) => r.times.cpu_program), 0)
      } ms`,
      `last line → closed ${num(write, 1)} ms = ${ns(write)} ns/call (CPU ${
        num(m(v, (r) => r.times.cpu_write), 1)
      } ms)`,
      `total CPU ${num(m(v, (r) => r.cpu), 0)} ms (+${
        num(m(v, (r) => r.cpu) - m("plain", (r) => r.cpu), 0)
      })`,
      v === "worker" || v === "eager"
        ? `worker CPU ${num(m(v, (r) => r.times.cpu_worker), 0)} ms`
        : "",
      `RSS ${num(m(v, (r) => r.rss), 0)} MB`,
    ];
    console.log(`      ${v.padEnd(8)} ${parts.filter((p) => p).join("; ")}`);
  }
}

console.log(
  `limit_worker: ${ROUNDS} alternating rounds (medians); load ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);
try {
  for (const w of pick(WORKLOADS, (x) => x.name)) {
    const dir = limitFolder(tmp, w);
    for (const rt of pick(Object.keys(RUNTIMES), (x) => x)) {
      const runs = new Map(RUN.map((v) => [v.name, [] as Run[]]));
      const argv = (
        v: typeof VARIANTS[number],
      ) => [...RUNTIMES[rt](v.preload), w.program, ...w.args];
      once(argv(VARIANTS[1]), dir, VARIANTS[1].env);
      const n = calls();
      for (let i = 0; i < ROUNDS; i++) {
        const order = i % 2 === 0 ? RUN : [...RUN].reverse();
        for (const v of order) {
          // Plain runs the checkout's program; the limits, their folder's rewritten copy.
          const run = once(argv(v), v.name === "plain" ? REPO : dir, v.env);
          if (v.name !== "plain" && calls() !== n) {
            throw new Error(`${v.name}: ${calls()} rows, not ${n}`);
          }
          runs.get(v.name)!.push(run);
          if (OUT) {
            appendFileSync(
              OUT,
              JSON.stringify({ rt, w: w.name, v: v.name, load: loadavg()[0], ...run }) + "\n",
            );
          }
        }
      }
      report(rt, w.name, runs, n);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
