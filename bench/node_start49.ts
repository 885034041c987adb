// Issue 49: `tph run <program>` on Node (the npm package's lib/), two checkouts A/B in alternating
// rounds (the machine's load moves wall times by ±30%; alternation puts both under the same load),
// with plain `node <program>` in the same rounds. Per checkout, medians: the wall time and the
// process tree's CPU (user + system of tph's CLI and the program's process, bash's `times`), each
// after one warm-up run (the transform cache and Node's compile cache warm, as a user's second
// run finds them; each checkout its own transform cache).
//
//   deno run -A bench/node_start49.ts <checkout A> <checkout B> [--rounds N] [--include GLOB]
//     [program args...]
//
// The program defaults to a hello.ts that also prints, at its first line, the program's process's
// CPU (process.cpuUsage) and time since it started (performance.now()): the child's start-up in
// process, less noisy than the wall. Build lib/ in both checkouts first.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median, REPO } from "./_common.ts";

const NODE = join(REPO, "node_modules/node24/bin/node");
const words = process.argv.slice(2);
const at = words.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(words[at + 1]) : 9;
const inc = words.indexOf("--include");
const include = inc >= 0 ? ["--include", words[inc + 1]] : [];
const rest = words.filter((w, i) =>
  w !== "--rounds" && (at < 0 || i !== at + 1) && w !== "--include" && (inc < 0 || i !== inc + 1)
);
const [a, b] = rest;
if (a === undefined || b === undefined) {
  console.error("usage: node_start49.ts <checkout A> <checkout B> [--rounds N] [program args...]");
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), "tph-bench-nodestart-"));
const PROBE = join(tmp, "hello.ts");
writeFileSync(
  PROBE,
  `const c = process.cpuUsage(), t = performance.now();
function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
console.error(greet("world"));
console.log(JSON.stringify({ t, cpu: (c.user + c.system) / 1000 }));
`,
);
const program = rest.length > 2 ? rest.slice(2) : [PROBE];
const OUT = join(tmp, "out.txt");

/** What the probe printed: the child's time and CPU at its first line (NaN for another program). */
function probe(): { t: number; cpu: number } {
  try {
    return JSON.parse(readFileSync(OUT, "utf8").trim().split("\n").at(-1)!);
  } catch {
    return { t: NaN, cpu: NaN };
  }
}

/** One run: wall ms and the tree's CPU ms (user + system of the waited children: bash's `times`). */
function once(argv: string[], env: Record<string, string> = {}): { wall: number; cpu: number } {
  const quoted = argv.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ");
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", `${quoted} >'${OUT}' 2>/dev/null || exit 9; times`], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 120_000,
    env: {
      ...process.env,
      PATH: `${join(REPO, "node_modules/node24/bin")}:${process.env.PATH}`,
      ...env,
    },
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}`);
  // `times`: the shell's user/system, then its children's ("0m0.052s 0m0.012s").
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t)!;
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const [u, s] = r.stdout.trim().split("\n").at(-1)!.split(" ").map(secs);
  return { wall, cpu: (u + s) * 1000 };
}

const runs: Record<
  string,
  {
    wall: number[];
    cpu: number[];
    first: number[];
    firstCpu: number[];
    argv: string[];
    env: Record<string, string>;
  }
> = {
  plain: { wall: [], cpu: [], first: [], firstCpu: [], argv: [NODE, ...program], env: {} },
};
for (const [name, dir] of [["A", a], ["B", b]]) {
  runs[name] = {
    wall: [],
    cpu: [],
    first: [],
    firstCpu: [],
    argv: [
      NODE,
      join(dir, "lib/cli.js"),
      "run",
      "--cache-dir",
      join(tmp, name, "runs"),
      ...include,
      ...program,
    ],
    env: { TPH_TRANSFORM_CACHE: join(tmp, name, "transforms") },
  };
}
const names = Object.keys(runs);
try {
  for (const n of names) once(runs[n].argv, runs[n].env);
  const before = loadavg()[0];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternating, and the order turned each round.
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const r = once(runs[n].argv, runs[n].env);
      runs[n].wall.push(r.wall);
      runs[n].cpu.push(r.cpu);
      const p = probe();
      runs[n].first.push(p.t);
      runs[n].firstCpu.push(p.cpu);
    }
  }
  console.log(
    `node_start49: ${program.join(" ")}, ${ROUNDS} rounds; load ${before.toFixed(2)} → ${
      loadavg()[0].toFixed(2)
    }; A=${a} B=${b}`,
  );
  for (const n of names) {
    const w = median(runs[n].wall), c = median(runs[n].cpu);
    const pw = median(runs.plain.wall), pc = median(runs.plain.cpu);
    console.log(
      `${n.padEnd(6)} wall ${w.toFixed(0)} ms${
        n === "plain" ? "" : ` (+${(w - pw).toFixed(0)})`
      }, ` +
        `CPU ${c.toFixed(0)} ms${n === "plain" ? "" : ` (+${(c - pc).toFixed(0)})`}; ` +
        `the program's process at its first line: ${median(runs[n].first).toFixed(1)} ms, ` +
        `CPU ${median(runs[n].firstCpu).toFixed(1)} ms`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
