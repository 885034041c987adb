// The design's own limit, measured beside tph in the same rounds: the workloads of
// bench/real_workloads.ts rewritten by tph's own rewriter (the very code `tph run` executes) and
// run with a recorder as lean as the design allows (bench/limit/recorder.mjs: every call a row with
// its parent and two clock reads, external calls too, the first 20 calls' values described, the
// run written at exit), against the plain program and `tph run` recording every call.
//
//   deno run -A bench/design_limit.ts [deno|bun|node ...] [marked|yaml|zod|fib ...] [--rounds N]
//
// Per workload and runtime it prints whole-process times (medians of alternating rounds): plain,
// the limit and tph, the ratios to plain, and tph's cost per call against the limit's
// (ns a call end to end, less plain; tph's less its fixed cost, hello.ts traced less plain). Issue 49's targets are ratios to the limit.

import process from "node:process";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { instrument } from "../mod.ts";
import { median, num, record, REPO } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const BUN = join(REPO, "node_modules/.bin/bun");
const NODE = join(REPO, "node_modules/node24/bin/node");
const RECORDER = join(REPO, "bench/limit/recorder.mjs");
const TIMEOUT_MS = 300_000;

interface Workload {
  name: string;
  program: string;
  /** The packages tph traces (copied into the limit's folder rewritten). */
  packages: string[];
  args?: string[];
}

const WORKLOADS: Workload[] = [
  { name: "marked", program: "bench/programs/marked_render.mjs", packages: ["marked"] },
  { name: "yaml", program: "bench/programs/yaml_parse.mjs", packages: ["yaml"] },
  { name: "zod", program: "bench/programs/zod_validate.mjs", packages: ["zod"] },
  { name: "fib", program: "bench/programs/fib.ts", packages: [], args: ["25", "1"] },
];

interface Target {
  name: "deno" | "bun" | "node";
  plain: string[];
  limit: string[];
  tph: string[];
}

const words = process.argv.slice(2);
const roundsAt = words.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(words[roundsAt + 1]) : 3;
const names = words.filter((w, i) => !w.startsWith("--") && (roundsAt < 0 || i !== roundsAt + 1));
const picked = <T extends { name: string }>(all: T[]): T[] => {
  const some = all.filter((x) => names.includes(x.name));
  return some.length > 0 ? some : all;
};

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-limit-"));
const cache = join(tmp, "cache");
const limitOut = join(tmp, "limit.run");

/** A JavaScript file rewritten as tph rewrites it (module names from the folder given). */
function rewrite(from: string, to: string, root: string): void {
  const source = readFileSync(from, "utf8");
  const { code } = instrument(source, { filename: from, module: relative(root, from) });
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, code);
}

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The limit's folder for a workload: its program and its traced packages rewritten; every other
 * package a link to the checkout's.
 */
function limitFolder(w: Workload): string {
  const dir = join(tmp, w.name);
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "limit", "type": "module" }\n');
  for (const entry of readdirSync(join(REPO, "node_modules"))) {
    if (entry.startsWith(".") || w.packages.includes(entry)) continue;
    symlinkSync(join(REPO, "node_modules", entry), join(modules, entry));
  }
  for (const pkg of w.packages) {
    const from = join(REPO, "node_modules", pkg);
    for (const file of filesUnder(from)) {
      const to = join(modules, pkg, relative(from, file));
      if (/\.(?:c|m)?js$/.test(file)) rewrite(file, to, REPO);
      else {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(file, to);
      }
    }
  }
  rewrite(join(REPO, w.program), join(dir, w.program), REPO);
  return dir;
}

interface Sample {
  ms: number;
}

function once(argv: string[], cwd: string, env: Record<string, string> = {}): Sample {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, ...env, NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr.slice(-800)}`);
  }
  rmSync(cache, { recursive: true, force: true });
  return { ms };
}

/** The calls the limit recorded (its run file's first line). */
function limitRows(): number {
  const head = readFileSync(limitOut, "latin1").slice(0, 1 << 20).split("\n")[0];
  return (JSON.parse(head) as { rows: number }).rows;
}

const targets: Target[] = [];
for (const name of ["deno", "bun", "node"] as const) {
  if (names.some((n) => ["deno", "bun", "node"].includes(n)) && !names.includes(name)) continue;
  if (name === "deno") {
    targets.push({
      name,
      plain: [DENO, "run", "-A"],
      limit: [DENO, "run", "-A", "--preload", RECORDER],
      tph: [DENO, "run", "-A", join(REPO, "cli.ts")],
    });
  } else if (name === "bun") {
    targets.push({
      name,
      plain: [BUN],
      limit: [BUN, "--preload", RECORDER],
      tph: [BUN, join(REPO, "cli.ts")],
    });
  } else {
    const built = spawnSync(NODE, [join(REPO, "npm/build.ts")], { cwd: REPO, encoding: "utf8" });
    if (built.status !== 0) {
      console.log(`node: lib/ not built: ${built.stderr.slice(-400)}`);
      continue;
    }
    targets.push({
      name,
      plain: [NODE],
      limit: [NODE, "--import", RECORDER],
      tph: [NODE, join(REPO, "lib/cli.js")],
    });
  }
}

console.log(
  `design_limit: ${ROUNDS} alternating rounds a figure (medians); load average ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);
try {
  const folders = new Map(picked(WORKLOADS).map((w) => [w.name, limitFolder(w)]));
  for (const t of targets) {
    // tph's fixed cost (hello.ts, traced less plain): what the limit, which has no CLI process,
    // leaves out; taken off tph's cost per call.
    const hello = "examples/hello.ts";
    const helloTph = [...t.tph, "run", "--cache-dir", cache, hello];
    once(helloTph, REPO);
    const hp: number[] = [], ht: number[] = [];
    for (let i = 0; i < ROUNDS * 2 + 1; i++) {
      hp.push(once([...t.plain, hello], REPO).ms);
      ht.push(once(helloTph, REPO).ms);
    }
    const fixed = median(ht) - median(hp);
    console.log(`${t.name.padEnd(5)} tph's fixed cost (hello.ts): +${num(fixed, 0)} ms`);
    for (const w of picked(WORKLOADS)) {
      const dir = folders.get(w.name)!;
      const prog = [w.program, ...(w.args ?? [])];
      const inc = w.packages.flatMap((p) => ["--include", `node_modules/${p}/**`]);
      const plainArgv = [...t.plain, ...prog];
      const limitArgv = [...t.limit, ...prog];
      const tphArgv = [
        ...t.tph,
        "run",
        "--cache-dir",
        cache,
        ...inc,
        "--max-calls",
        "50000000",
        "--max-depth",
        "100000",
      ]
        .concat(prog);
      // Warm: the transform cache, and the runtimes' own.
      const phases = join(tmp, "phases.jsonl");
      writeFileSync(phases, "");
      once(tphArgv, REPO, { TPH_BENCH_PHASES: phases });
      const tphCalls = (JSON.parse(readFileSync(phases, "utf8").trim()) as { calls: number }).calls;
      once(limitArgv, dir, { LIMIT_OUT: limitOut });
      const calls = limitRows();
      // Both must record the same calls, or the comparison says nothing.
      if (tphCalls !== calls) {
        console.log(`  (tph recorded ${tphCalls} calls, the limit ${calls}: compared per call)`);
      }
      const plain: number[] = [], limit: number[] = [], tph: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        plain.push(once(plainArgv, REPO).ms);
        limit.push(once(limitArgv, dir, { LIMIT_OUT: limitOut }).ms);
        tph.push(once(tphArgv, REPO).ms);
      }
      const p = median(plain), l = median(limit), x = median(tph);
      const limitNs = (l - p) / calls * 1e6, tphNs = (x - p - fixed) / calls * 1e6;
      console.log(
        `${t.name.padEnd(5)} ${w.name} (${calls.toLocaleString("en")} calls): plain ${
          num(p, 0)
        } ms;` +
          ` the limit ${num(l, 0)} ms (x${num(l / p, 2)}, ${num(limitNs, 0)} ns a call);` +
          ` tph every call ${num(x, 0)} ms (x${num(x / p, 2)}, ${num(tphNs, 0)} ns a call):` +
          ` tph / limit per call x${num(tphNs / limitNs, 2)}`,
      );
      const rt = t.name;
      record({
        bench: "design_limit",
        metric: `${w.name}: limit / plain`,
        value: l / p,
        unit: "x",
        runtime: rt,
      });
      record({
        bench: "design_limit",
        metric: `${w.name}: tph / plain`,
        value: x / p,
        unit: "x",
        runtime: rt,
      });
      record({
        bench: "design_limit",
        metric: `${w.name}: tph per call / limit per call`,
        value: tphNs / limitNs,
        unit: "x",
        runtime: rt,
      });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
