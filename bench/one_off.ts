// Figures quoted in docs/performance.md that no requirement checks, so `deno task bench` does not
// run them: each is one line on stdout. Timings need a quiet machine (see docs/performance.md).
//
//   deno run -A bench/one_off.ts [name ...]     bun bench/one_off.ts [name ...]
//
//   node-builtins  load time of the node: built-ins tph's processes avoid on Deno, and of
//                  node:module (which the loader hook needs), in a fresh process
//   oxc-load       load time of oxc-parser, in a fresh process
//   clock-read     cost of one performance.now() read
//   stack-depth    deepest recursion of bench/programs/deep.ts, plain and under `tph run`
//   repr-keys      one repr of an object with 10^6 own keys
//   prune          one pass of the transform cache's pruning over 5,000 entries

import process from "node:process";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repr } from "../src/program/recorder/repr.ts";
import { pruneTransformCache } from "../src/project/transform_cache.ts";
import { median, num, REPO, RT, RUNTIME } from "./_common.ts";

const dir = mkdtempSync(join(tmpdir(), "tph-bench-oneoff-"));

/** Run a program on this runtime (fresh process); its last stdout line, parsed as JSON. */
function child(argv: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, RUNTIME === "deno" ? ["run", "-A", ...argv] : argv, {
    cwd: REPO,
    encoding: "utf8",
  });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${argv.join(" ")} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Median over fresh processes of a program's `ms` figures. */
function fresh(name: string, source: string, rounds = 5): Record<string, number> {
  const file = join(dir, name);
  writeFileSync(file, source);
  const runs = Array.from({ length: rounds }, () => child([file]));
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
}

const MEASURES: Record<string, () => void> = {
  "node-builtins"() {
    const r = fresh(
      "builtins.mjs",
      `let t = performance.now();
await import("node:fs"); await import("node:crypto");
await import("node:process"); await import("node:child_process");
const builtins = performance.now() - t;
t = performance.now();
await import("node:module");
console.log(JSON.stringify({ builtins, module: performance.now() - t }));
`,
    );
    const alone = fresh(
      "module.mjs",
      `const t = performance.now();
await import("node:module");
console.log(JSON.stringify({ module: performance.now() - t }));
`,
    );
    console.log(
      `${RT} node:fs, node:crypto, node:process, node:child_process: ${num(r.builtins, 0)} ms; ` +
        `node:module alone ${num(alone.module, 0)} ms, after them ${num(r.module, 0)} ms ` +
        `(medians of 5 fresh processes)`,
    );
  },
  "oxc-load"() {
    const r = fresh(
      "oxc.mjs",
      `import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(join(REPO, "package.json"))});
const t = performance.now();
require("oxc-parser");
console.log(JSON.stringify({ ms: performance.now() - t }));
`,
    );
    console.log(`${RT} loading oxc-parser: ${num(r.ms, 0)} ms (median of 5 fresh processes)`);
  },
  "clock-read"() {
    const n = 10_000_000;
    const rounds: number[] = [];
    let sink = 0;
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      for (let i = 0; i < n; i++) sink += performance.now();
      rounds.push(((performance.now() - t) * 1e6) / n);
    }
    if (sink === 0) console.log(sink);
    console.log(`${RT} performance.now(): ${num(median(rounds), 0)} ns a read (median of 5)`);
  },
  "stack-depth"() {
    const prog = "bench/programs/deep.ts";
    const plain = child([prog]).deepest;
    const traced = child(["cli.ts", "run", "--no-cache", prog]).deepest;
    console.log(`${RT} deepest recursion: ${plain} plain, ${traced} under tph run`);
  },
  "repr-keys"() {
    const o: Record<string, number> = {};
    for (let i = 0; i < 1e6; i++) o["k" + i] = i;
    repr(o, 120); // warm up
    const t = performance.now();
    repr(o, 120);
    console.log(`${RT} repr of an object with 10^6 own keys: ${num(performance.now() - t, 0)} ms`);
  },
  prune() {
    const cache = join(dir, "transforms");
    for (let i = 0; i < 5000; i++) {
      const h = createHash("sha256").update(String(i)).digest("hex");
      mkdirSync(join(cache, h.slice(0, 2)), { recursive: true });
      writeFileSync(join(cache, h.slice(0, 2), h + ".js"), "x");
    }
    const t = performance.now();
    const r = pruneTransformCache(cache, { maxEntries: 4000 });
    console.log(
      `${RT} pruning 5,000 transform cache entries to 4,000: ${num(performance.now() - t, 0)} ms ` +
        `(${r.removed} removed)`,
    );
  },
};

const wanted = process.argv.slice(2);
try {
  for (const [name, measure] of Object.entries(MEASURES)) {
    if (wanted.length === 0 || wanted.includes(name)) measure();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
