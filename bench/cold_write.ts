// Issue 49, the writer's cold write: with default settings (the first 100,000 calls recorded) a
// run is written once, at exit, by code that has not warmed. Times that write in fresh processes,
// `tph run` of marked (TPH_BENCH_PHASES): the wall from the program's last line to the run saved
// (`write`) and the process's CPU over it, every thread (`cpu`, the optimizing compiler's included),
// ns a recorded call beside them; alternating this checkout with another (`--against`).
//
//   deno run -A bench/cold_write.ts [node|deno|bun|binary ...] [--rounds N] [--against <worktree>]
//     [--max-calls N] [--max-depth N] [--program <file> --include <glob> (""; none)]
//     [--args "<program arguments>"] [--node-flags "<V8 flags>"]
//     [--deno-v8-flags <flag,flag>]
//
// `--node-flags` (node only): the CLI runs on Deno (`--runtime node`) and starts the program's
// Node through a wrapper that adds the flags (Node refuses most V8 flags in NODE_OPTIONS), its
// preload from the checkout's sources. `--node-flags --single-threaded` (the optimizing compiler
// and the collector on the main thread) gives CPU figures that move least with the machine's load.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
};
const ROUNDS = Number(flag("--rounds") ?? 7);
const against = flag("--against");
const maxCalls = flag("--max-calls");
const program = flag("--program") ?? "bench/programs/marked_render.mjs";
const include = flag("--include") ?? "node_modules/marked/**";
/** The program's arguments, space-separated (fib: `--args "25 1"`). */
const programArgs = (flag("--args") ?? "").split(" ").filter((a) => a !== "");
const maxDepth = flag("--max-depth");
const nodeFlags = flag("--node-flags");
/** V8 flags for Deno's child (DENO_V8_FLAGS, comma-separated: e.g. `--single-threaded`). */
const denoFlags = flag("--deno-v8-flags");
const runtimes = argv.length > 0 ? argv : ["node"];
const HERE = resolve(new URL("..", import.meta.url).pathname);
const trees = against === undefined ? [HERE] : [resolve(against), HERE];

const wrapDir = nodeFlags === undefined ? null : mkdtempSync(join(tmpdir(), "tph-coldw-node-"));
function command(tree: string, rt: string, cache: string): string[] {
  const tph = rt === "node" && wrapDir !== null
    ? [
      join(tree, "node_modules/.bin/deno"),
      "run",
      "-A",
      join(tree, "cli.ts"),
      "run",
      "--runtime",
      "node",
    ]
    : rt === "node"
    ? [join(tree, "node_modules/node24/bin/node"), join(tree, "lib/cli.js")]
    : rt === "bun"
    ? [join(tree, "node_modules/.bin/bun"), join(tree, "cli.ts")]
    : rt === "deno"
    ? [join(tree, "node_modules/.bin/deno"), "run", "-A", join(tree, "cli.ts")]
    : [join(tree, "dist/tph")];
  const limit = maxCalls === undefined ? [] : ["--max-calls", maxCalls];
  if (maxDepth !== undefined) limit.push("--max-depth", maxDepth);
  if (tph[tph.length - 1] !== "node") tph.push("run");
  const inc = include === "" ? [] : ["--include", include];
  return [...tph, "--cache-dir", cache, ...limit, ...inc, program, ...programArgs];
}

const rows = new Map<string, Record<string, number[]>>();
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const loads: number[] = [];

for (let r = 0; r < ROUNDS; r++) {
  for (const rt of runtimes) {
    // Alternated, and which goes first swapped each round.
    const order = r % 2 === 0 ? trees : [...trees].reverse();
    for (const tree of order) {
      const dir = mkdtempSync(join(tmpdir(), "tph-coldw-"));
      const phases = join(dir, "phases.jsonl");
      if (wrapDir !== null) {
        writeFileSync(
          join(wrapDir, "node"),
          `#!/bin/sh\nexec ${join(tree, "node_modules/node24/bin/node")} ${nodeFlags} "$@"\n`,
        );
        chmodSync(join(wrapDir, "node"), 0o755);
      }
      const cmd = command(tree, rt, join(dir, "runs"));
      const path = wrapDir === null ? process.env.PATH : `${wrapDir}:${process.env.PATH}`;
      const out = spawnSync(cmd[0], cmd.slice(1), {
        cwd: HERE,
        env: {
          ...process.env,
          PATH: path,
          TPH_BENCH_PHASES: phases,
          ...(denoFlags !== undefined && rt === "deno" ? { DENO_V8_FLAGS: denoFlags } : {}),
        },
        timeout: 120_000,
        encoding: "utf8",
      });
      loads.push(loadavg()[0]);
      const key = `${rt.padEnd(6)} ${tree === HERE ? "this" : "against"}`;
      const row = rows.get(key) ?? {};
      rows.set(key, row);
      const put = (n: string, x: number) => (row[n] ??= []).push(x);
      if (out.status !== 0 || !existsSync(phases)) {
        console.log(`${key}: failed ${out.stderr.slice(-300)}`);
      } else {
        const p = JSON.parse(readFileSync(phases, "utf8").trim().split("\n").pop()!);
        const calls = p.calls as number;
        put("write ms", p.saved - p.ended);
        put("cpu ms", p.cpu.write);
        put("ns/call", (p.saved - p.ended) * 1e6 / calls);
        put("cpu ns/call", p.cpu.write * 1e6 / calls);
        put("prog cpu", p.cpu.program);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (wrapDir !== null) rmSync(wrapDir, { recursive: true, force: true });
console.log(
  `cold_write: ${program}${nodeFlags === undefined ? "" : ` (node ${nodeFlags})`}${
    denoFlags === undefined ? "" : ` (deno ${denoFlags})`
  }${maxCalls ? ` --max-calls ${maxCalls}` : ""}${
    programArgs.length > 0 ? ` ${programArgs.join(" ")}` : ""
  }, ${ROUNDS} alternating rounds (medians); load ${Math.min(...loads).toFixed(1)}–${
    Math.max(...loads).toFixed(1)
  }${against === undefined ? "" : `; against ${against}`}`,
);
for (const [key, row] of rows) {
  console.log(
    `${key.padEnd(14)} ${
      Object.entries(row).map(([n, a]) => `${n} ${median(a).toFixed(0)}`).join("  ")
    }`,
  );
}
