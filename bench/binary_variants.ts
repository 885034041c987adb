// The standalone binary built four ways — Bun's `--bytecode` or not, `--minify` or not — for this
// machine (npm/compile.ts), each one's size and the time of `tph --version` and of
// `tph run hello.js` (the whole command: the program's process started by the binary, the run
// stored), against plain `bun hello.js` in the same rounds, medians.
//
//   bun bench/binary_variants.ts [--rounds 15]

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { compile, hostTarget } from "../npm/compile.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const at = process.argv.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(process.argv[at + 1]) : 15;

const dir = mkdtempSync(join(tmpdir(), "tph-bench-bin-"));
const VARIANTS = [
  { name: "bytecode (today)", bytecode: true, minify: false },
  { name: "bytecode + minify", bytecode: true, minify: true },
  { name: "no bytecode", bytecode: false, minify: false },
  { name: "minify, no bytecode", bytecode: false, minify: true },
];

function timeMs(argv: string[], env: Record<string, string>): number {
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return performance.now() - t;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

try {
  writeFileSync(join(dir, "hello.js"), 'function hello(n) { return "hi " + n; }\nhello(1);\n');
  const bins = VARIANTS.map((v, i) => {
    const out = join(dir, `tph-${i}`);
    compile(out, { ...hostTarget(), bytecode: v.bytecode, minify: v.minify });
    return out;
  });
  const env = { HOME: dir, TPH_TRANSFORM_CACHE: join(dir, "transforms") };
  // Warm: the runtime folder extracted, the transform cache filled, the page cache warm.
  for (const bin of bins) {
    timeMs([bin, "run", "--cache-dir", join(dir, "cache"), "hello.js"], env);
  }
  const plain: number[] = [], version: number[][] = bins.map(() => []);
  const run: number[][] = bins.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(timeMs([BUN, "hello.js"], env));
    bins.forEach((bin, i) => {
      version[i].push(timeMs([bin, "--version"], env));
      run[i].push(timeMs([bin, "run", "--cache-dir", join(dir, "cache"), "hello.js"], env));
    });
  }
  console.log(
    `binary_variants: ${ROUNDS} rounds; plain bun hello.js ${median(plain).toFixed(0)} ms`,
  );
  VARIANTS.forEach((v, i) => {
    console.log(
      `${v.name.padEnd(20)} ${(statSync(bins[i]).size / 1e6).toFixed(1)} MB  --version ${
        median(version[i]).toFixed(0)
      } ms  run hello.js ${median(run[i]).toFixed(0)} ms (+${
        (median(run[i]) - median(plain)).toFixed(0)
      } over plain)`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
