// Performance as users feel it: real libraries of four kinds, and fib(25), each run
// plain and under `tph run` in the same run, on Deno, Bun, the standalone binary and Node 24
// (the npm package's JavaScript, built into lib/ as `npm pack` builds it); whole processes, from
// the command to the run file stored; every call recorded, and the default limits.
//
//   deno run -A bench/real_workloads.ts [deno|bun|binary|node ...] [marked|babel|yaml|zod|fib ...]
//     [--rounds N]
//
// Per workload and target it prints: the ratio to plain end to end; ns per recorded call end to
// end; where the time went (tph's start-up before the program's first line / the program's run /
// after its last line until tph exits: writing and storing the run), from the program's process
// (TPH_BENCH_PHASES); the ratio with the default limits; ns per call past the limit (a run with
// --max-calls 1, less plain and the fixed cost of hello.ts, per call: loading the instrumented
// modules included); and peak RSS (/usr/bin/time %M: the largest process). Medians of alternating
// rounds.
//
// Targets: `tph run hello.ts` ≤ 40 ms more than plain on Deno and Node, ≤ 25 ms on Bun, ≤ 20 ms
// with the binary; every call recorded ≤ 2.5x plain with the detail budget (fib(25): ≤ 250 ns per
// recorded call), ≤ 5x with `--details all`; after the program's last line ≤ 50 ns per recorded
// call; default limits ≤ 1.3x plain; a call past max_calls ≤ 30 ns; peak RSS ≤ 100 MB over plain
// with every call recorded.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, median, num, record, REPO, verdict } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const BUN = join(REPO, "node_modules/.bin/bun");
const NODE = join(REPO, "node_modules/node24/bin/node");
const TIME = "/usr/bin/time";
const TIMEOUT_MS = 300_000;

interface Workload {
  name: string;
  kind: string;
  program: string;
  /** What makes the library traced (its files are out of the project's scope otherwise). */
  include: string[];
  args?: string[];
}

const WORKLOADS: Workload[] = [
  {
    name: "marked",
    kind: "markdown renderer",
    program: "bench/programs/marked_render.mjs",
    include: ["node_modules/marked/**"],
  },
  {
    name: "babel",
    kind: "TypeScript transform",
    program: "bench/programs/babel_transform.mjs",
    include: ["node_modules/@babel/**"],
  },
  {
    name: "yaml",
    kind: "parser on generators and classes",
    program: "bench/programs/yaml_parse.mjs",
    include: ["node_modules/yaml/**"],
  },
  {
    name: "zod",
    kind: "schema validator",
    program: "bench/programs/zod_validate.mjs",
    include: ["node_modules/zod/**"],
  },
  {
    name: "fib",
    kind: "fib(25), the project's own code",
    program: "bench/programs/fib.mjs",
    include: [],
    args: ["25", "1"],
  },
];

interface Target {
  name: "deno" | "bun" | "binary" | "node";
  tph: string[];
  plain: string[];
}

interface Phases {
  process: number;
  program: number;
  ended: number;
  saved: number;
  cli_start: number;
  cli_end: number;
  calls: number;
}

interface Sample {
  ms: number;
  rssMB: number;
  phases: Phases | null;
}

const words = process.argv.slice(2);
const roundsAt = words.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(words[roundsAt + 1]) : 3;
const names = words.filter((w, i) => !w.startsWith("--") && (roundsAt < 0 || i !== roundsAt + 1));
const wants = <T extends { name: string }>(all: T[]): T[] => {
  const picked = all.filter((x) => names.includes(x.name));
  return picked.length > 0 ? picked : all;
};

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-real-"));
const cache = join(tmp, "cache");
const phasesFile = join(tmp, "phases.jsonl");
const timeFile = join(tmp, "time.txt");

/** One whole process: wall time, peak RSS, and the run's phases when tph wrote them. */
function once(argv: string[], traced: boolean): Sample {
  writeFileSync(phasesFile, "");
  const t0 = performance.now();
  const r = spawnSync(TIME, ["-f", "%M", "-o", timeFile, ...argv], {
    cwd: REPO,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, ...(traced ? { TPH_BENCH_PHASES: phasesFile } : {}), NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr.slice(-800)}`);
  }
  const rssKB = Number(readFileSync(timeFile, "utf8").trim().split("\n").at(-1));
  const line = readFileSync(phasesFile, "utf8").trim();
  // Runs pile up otherwise: gigabytes over a whole benchmark.
  rmSync(cache, { recursive: true, force: true });
  return { ms, rssMB: rssKB / 1024, phases: line ? JSON.parse(line) as Phases : null };
}

function med(samples: Sample[], pick: (s: Sample) => number): number {
  return median(samples.map(pick));
}

function phase(s: Sample, part: "startup" | "program" | "after"): number {
  const p = s.phases!;
  if (part === "startup") return p.program - p.cli_start;
  if (part === "program") return p.ended - p.program;
  return p.cli_end - p.ended;
}

let failures = 0;
/** A line with a target, and its result for run_all's table. */
function check(
  t: Target,
  metric: string,
  value: number,
  unit: string,
  op: "≤",
  limit: number,
  shown: string,
): string {
  const pass = value <= limit;
  if (!pass) failures++;
  const req = `${op}${limit}${unit === "x" ? "x" : ""}`;
  record({ bench: "real_workloads", metric, value, unit, req, pass, runtime: t.name });
  return `${shown} ${verdict(pass, `${op}${limit}${unit === "x" ? "" : ` ${unit}`}`)}`;
}

function info(t: Target, metric: string, value: number, unit: string): void {
  record({ bench: "real_workloads", metric, value, unit, runtime: t.name });
}

const targets: Target[] = [];
const TARGETS = ["deno", "bun", "binary", "node"] as const;
for (const name of TARGETS) {
  if (names.some((n) => (TARGETS as readonly string[]).includes(n)) && !names.includes(name)) {
    continue;
  }
  if (name === "deno") {
    targets.push({
      name,
      tph: [DENO, "run", "-A", join(REPO, "cli.ts")],
      plain: [DENO, "run", "-A"],
    });
  } else if (name === "bun") targets.push({ name, tph: [BUN, join(REPO, "cli.ts")], plain: [BUN] });
  else if (name === "node") {
    // lib/ as the package ships it (npm/build.ts, prepack): Node runs tph's JavaScript.
    const built = spawnSync(NODE, [join(REPO, "npm/build.ts")], { cwd: REPO, encoding: "utf8" });
    if (built.status !== 0) console.log(`node: lib/ not built: ${built.stderr.slice(-400)}`);
    // The package's compiled CLI, as its `tph` command runs it where it is installed (in a
    // checkout bin/tph.js runs the TypeScript sources instead).
    else targets.push({ name, tph: [NODE, join(REPO, "lib/cli.js")], plain: [NODE] });
  } else {
    const built = buildBinary(tmp);
    if ("error" in built) console.log(`binary: ${built.error.slice(-400)}`);
    else targets.push({ name, tph: [built.path], plain: [BUN] });
  }
}

console.log(
  `real_workloads: ${ROUNDS} alternating rounds a figure (medians); load average ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }; ${existsSync(TIME) ? "" : "(no /usr/bin/time: no peak RSS) "}every tph run stores its run`,
);
try {
  for (const t of targets) {
    const run = (...args: string[]) => [...t.tph, "run", "--cache-dir", cache, ...args];
    // The fixed cost: hello.ts, traced and plain.
    const hello = "examples/hello.ts";
    once(run(hello), true);
    const hp: Sample[] = [], ht: Sample[] = [];
    for (let i = 0; i < ROUNDS * 2 + 1; i++) {
      hp.push(once([...t.plain, hello], false));
      ht.push(once(run(hello), true));
    }
    const fixed = med(ht, (s) => s.ms) - med(hp, (s) => s.ms);
    const fixedLimit = t.name === "deno" || t.name === "node" ? 40 : t.name === "bun" ? 25 : 20;
    console.log(check(
      t,
      "tph run hello.ts, extra wall time",
      fixed,
      "ms",
      "≤",
      fixedLimit,
      `${t.name.padEnd(6)} hello.ts: +${num(fixed, 0)} ms (${num(med(ht, (s) => s.ms), 0)} vs ${
        num(med(hp, (s) => s.ms), 0)
      } plain)`,
    ));
    for (const w of wants(WORKLOADS)) {
      const inc = w.include.flatMap((g) => ["--include", g]);
      const prog = [w.program, ...(w.args ?? [])];
      const plainArgv = [...t.plain, ...prog];
      const allArgv = run(...inc, "--max-calls", "50000000", ...prog);
      const fullArgv = run(...inc, "--max-calls", "50000000", "--details", "all", ...prog);
      const limitedArgv = run(...inc, ...prog);
      // Every call but the first past the limit.
      const pastArgv = run(...inc, "--max-calls", "1", ...prog);
      // Warm the transform cache, as any second run finds it.
      once(allArgv, true);
      const plain: Sample[] = [], all: Sample[] = [], limited: Sample[] = [], past: Sample[] = [];
      const full: Sample[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        plain.push(once(plainArgv, false));
        all.push(once(allArgv, true));
        if (w.name !== "fib") full.push(once(fullArgv, true));
        limited.push(once(limitedArgv, true));
        if (w.name !== "fib") past.push(once(pastArgv, true));
      }
      const p = med(plain, (s) => s.ms);
      const a = med(all, (s) => s.ms);
      const l = med(limited, (s) => s.ms);
      const calls = all[0].phases?.calls ?? NaN;
      const recordedL = limited[0].phases?.calls ?? NaN;
      const perCall = (a - p) / calls * 1e6;
      const after = med(all, (s) => phase(s, "after"));
      const label = `${t.name.padEnd(6)} ${w.name} (${w.kind}), ${
        calls.toLocaleString("en")
      } calls`;
      console.log(
        `${label}: plain ${num(p, 0)} ms; every call recorded ${num(a, 0)} ms, ${
          num(perCall, 0)
        } ns a call end to end [start-up ${num(med(all, (s) => phase(s, "startup")), 0)} ms, ` +
          `program ${num(med(all, (s) => phase(s, "program")), 0)} ms, after its last line ${
            num(after, 0)
          } ms]`,
      );
      const ratio = a / p;
      const lines = [
        w.name === "fib"
          ? check(
            t,
            "fib(25) every call, ns per recorded call",
            perCall,
            "ns",
            "≤",
            250,
            `  fib(25): ${num(perCall, 0)} ns per recorded call end to end`,
          )
          : check(
            t,
            `${w.name}: every call, traced / plain`,
            ratio,
            "x",
            "≤",
            2.5,
            `  every call recorded: x${num(ratio, 1)}`,
          ),
        check(
          t,
          `${w.name}: after the last line, ns per recorded call`,
          after / calls * 1e6,
          "ns",
          "≤",
          50,
          `  after its last line: ${num(after / calls * 1e6, 0)} ns per recorded call`,
        ),
      ];
      if (w.name !== "fib") {
        const f = med(full, (s) => s.ms);
        lines.push(
          check(
            t,
            `${w.name}: every call, details = all, traced / plain`,
            f / p,
            "x",
            "≤",
            5,
            `  every call recorded, --details all: x${num(f / p, 1)}`,
          ),
          check(
            t,
            `${w.name}: default limits, traced / plain`,
            l / p,
            "x",
            "≤",
            1.3,
            `  default limits (${recordedL.toLocaleString("en")} recorded): x${num(l / p, 2)}`,
          ),
        );
        // Past the limit: what a run with --max-calls 1 costs beyond plain, less the fixed cost
        // (hello.ts), per call (loading the instrumented modules is part of it).
        const pastNs = (med(past, (s) => s.ms) - p - fixed) / (calls - 1) * 1e6;
        // Below zero the difference is within the noise of the three medians: no verdict.
        if (pastNs < 0) {
          info(t, `${w.name}: a call past max_calls, ns`, pastNs, "ns");
          lines.push(
            `  a call past max_calls: below the noise (${num(pastNs, 0)} ns; --max-calls 1, less ` +
              `plain and the fixed cost, per call)`,
          );
        } else {
          lines.push(
            check(
              t,
              `${w.name}: a call past max_calls, ns`,
              pastNs,
              "ns",
              "≤",
              30,
              `  a call past max_calls: ${num(pastNs, 0)} ns (--max-calls 1, less plain and the ` +
                `fixed cost, per call)`,
            ),
          );
        }
      }
      const rss = med(all, (s) => s.rssMB);
      const rssPlain = med(plain, (s) => s.rssMB);
      lines.push(
        check(
          t,
          `${w.name}: peak RSS over plain, every call`,
          rss - rssPlain,
          "MB",
          "≤",
          100,
          `  peak RSS ${num(rss, 0)} MB against ${num(rssPlain, 0)} MB plain: +${
            num(rss - rssPlain, 0)
          } MB`,
        ),
      );
      info(t, `${w.name}: every call, ns per recorded call`, perCall, "ns");
      for (const line of lines) console.log(line);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
// Every check is a target: a FAIL is the distance still to go.
process.exitCode = failures > 0 ? 1 : 0;
