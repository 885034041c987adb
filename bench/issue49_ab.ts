// Issue 49: an A/B of two checkouts' tph recording the same workload every call, alternating in
// the same minutes (the machine's load moves wall times by ±30%; alternation puts both under the
// same load). Per checkout, medians of the rounds: the program's time in tph's process (its
// TPH_BENCH_PHASES: the program's start to its last line, less nothing: compare the two) as ns a
// recorded call, the writer's after the last line, and the whole process's CPU (user + system,
// /usr/bin/time), which includes start-up and the writer.
//
//   deno run -A bench/issue49_ab.ts <checkout A> <checkout B> [node|deno] [marked|yaml|zod|fib]
//     [--rounds N]
//
// Each checkout runs its own tph (`node lib/cli.js`: build lib/ first; `deno run -A cli.ts`).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./_common.ts";

const PROGRAMS: Record<string, string[]> = {
  marked: ["--include", "node_modules/marked/**", "bench/programs/marked_render.mjs"],
  yaml: ["--include", "node_modules/yaml/**", "bench/programs/yaml_parse.mjs"],
  zod: ["--include", "node_modules/zod/**", "bench/programs/zod_validate.mjs"],
  fib: ["bench/programs/fib.ts", "25", "1"],
};

const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 5;
const plain = words.filter((w, i) => !w.startsWith("--") && (at < 0 || i !== at + 1));
const [A, B] = plain;
const runtime = plain.includes("deno") ? "deno" : "node";
const workload = plain.find((w) => w in PROGRAMS) ?? "marked";
if (A === undefined || B === undefined) {
  console.error("usage: deno run -A bench/issue49_ab.ts <checkout A> <checkout B> [node|deno] …");
  process.exit(2);
}

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-ab-"));
const phases = join(tmp, "phases"), cpuFile = join(tmp, "cpu");

interface One {
  program: number;
  write: number;
  cpu: number;
  calls: number;
}

function once(dir: string): One {
  const tph = runtime === "node"
    ? [join(dir, "node_modules/node24/bin/node"), "lib/cli.js"]
    : [join(dir, "node_modules/.bin/deno"), "run", "-A", "cli.ts"];
  writeFileSync(phases, "");
  const argv = [
    ...tph,
    "run",
    "--cache-dir",
    join(tmp, "cache"),
    "--max-calls",
    "50000000",
    "--max-depth",
    "100000",
    ...PROGRAMS[workload],
  ];
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, ...argv], {
    cwd: dir,
    encoding: "utf8",
    timeout: 300_000,
    killSignal: "SIGKILL",
    env: { ...process.env, TPH_BENCH_PHASES: phases, NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  rmSync(join(tmp, "cache"), { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${dir}: ${r.stderr.slice(-600)}`);
  const lines = readFileSync(phases, "utf8").trim().split("\n");
  const p = JSON.parse(lines[lines.length - 1]);
  const [user, sys] = readFileSync(cpuFile, "utf8").trim().split("\n").pop()!.split(" ");
  return {
    program: p.ended - p.program,
    write: p.saved - p.ended,
    cpu: (Number(user) + Number(sys)) * 1000,
    calls: p.calls,
  };
}

try {
  once(A); // warm both transform caches' runtimes
  once(B);
  const got: Record<string, One[]> = { A: [], B: [] };
  const loads: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always follows the other.
    const order = i % 2 === 0 ? ["A", "B"] : ["B", "A"];
    for (const k of order) got[k].push(once(k === "A" ? A : B));
    loads.push(loadavg()[0]);
  }
  console.log(
    `${runtime} ${workload}, ${ROUNDS} alternating rounds, medians; load ${
      loads.map((l) => l.toFixed(2)).join(" ")
    }`,
  );
  for (const k of ["A", "B"]) {
    const xs = got[k], calls = xs[0].calls;
    const ns = (f: (x: One) => number) => (median(xs.map(f)) / calls * 1e6).toFixed(0);
    console.log(
      `${k} ${k === "A" ? A : B}: in the program ${ns((x) => x.program)} ns a call` +
        ` (${median(xs.map((x) => x.program)).toFixed(0)} ms), writer ${ns((x) => x.write)}` +
        ` ns a call, process CPU ${median(xs.map((x) => x.cpu)).toFixed(0)} ms (${calls} calls)`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
