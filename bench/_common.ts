// Shared helpers of the benchmarks: which runtime this is, formatting, PASS/FAIL lines, and the
// machine-readable results that bench/run_all.ts collects into its summary table.
//
// A benchmark prints human lines on stdout. When TPH_BENCH_RESULTS names a file, each checked or
// informational figure is also appended to it as one JSON line (a `Result`).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The runtime running this script. */
export const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** Runtime name padded for aligned output (`deno `, `bun  `). */
export const RT = RUNTIME.padEnd(5);

/** Command line that starts a script on this same runtime (for fresh-process measurements). */
export function selfCommand(script: string, args: string[]): string[] {
  if (RUNTIME === "deno") return [process.execPath, "run", "-A", script, ...args];
  if (RUNTIME === "bun") return [process.execPath, script, ...args];
  return [process.execPath, script, ...args];
}

/** One figure of a benchmark, as run_all's summary table shows it. */
export interface Result {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** The requirement, e.g. "≤ 100"; absent for figures given for information. */
  req?: string;
  pass?: boolean;
  /** The runtime, or what ran the figure (`binary`): a column of the summary table. */
  runtime: string;
  /** Said instead of the value when there is none (`timed out after 120 s`); value is then NaN. */
  note?: string;
}

/** Append a result for run_all (no-op when run standalone); runtime defaults to this one's. */
export function record(r: Omit<Result, "runtime"> & { runtime?: string }): void {
  const file = process.env.TPH_BENCH_RESULTS;
  if (file) appendFileSync(file, JSON.stringify({ runtime: RUNTIME, ...r }) + "\n");
}

/** `[PASS ≤250]` / `[FAIL ≤250]`. */
export function verdict(pass: boolean, req: string): string {
  return `[${pass ? "PASS" : "FAIL"} ${req}]`;
}

/** Fixed-point number padded to a width. */
export function num(v: number, digits = 1, width = 0): string {
  return v.toFixed(digits).padStart(width);
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Smallest of a list of numbers. */
export function best(xs: number[]): number {
  return Math.min(...xs);
}

const MB = 1024 * 1024;
/** Bytes to MiB. */
export function mib(bytes: number): number {
  return bytes / MB;
}

let gcFn: (() => void) | null | undefined;
/** A full garbage collection, where the runtime lets us ask for one. Returns false if not. */
export function fullGC(): boolean {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun?.gc) {
    g.Bun.gc(true);
    return true;
  }
  if (gcFn === undefined) {
    gcFn = typeof g.gc === "function" ? g.gc : null;
    if (gcFn === null) {
      try {
        v8.setFlagsFromString("--expose-gc");
        gcFn = vm.runInNewContext("gc") as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/** A source file of a corpus. */
export interface SourceFile {
  path: string;
  text: string;
  /** Size in bytes (UTF-8). */
  bytes: number;
}

function walk(dir: string, accept: (name: string) => boolean, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, accept, out);
    else if (accept(name)) out.push(p);
  }
}

/** Folders of real TypeScript sources (devDependencies that ship their .ts sources). */
export const TS_DIRS = ["node_modules/zod/src", "node_modules/rxjs/src"];
/** Folders of real JavaScript (ESM and CommonJS builds of packages in node_modules). */
export const JS_DIRS = [
  "node_modules/zod/v4",
  "node_modules/zod/v3",
  "node_modules/rxjs/dist/cjs",
  "node_modules/rxjs/dist/esm5",
  "node_modules/rxjs/dist/bundles",
  "node_modules/oxc-parser/src-js",
];

/** The benchmark corpus of one language, read into memory. */
export function corpus(lang: "ts" | "js"): SourceFile[] {
  const paths: string[] = [];
  const accept = lang === "ts"
    ? (n: string) => /\.(ts|mts|cts)$/.test(n) && !/\.d\.[mc]?ts$/.test(n)
    : (n: string) => /\.(js|mjs|cjs)$/.test(n) && !n.endsWith(".min.js");
  for (const d of lang === "ts" ? TS_DIRS : JS_DIRS) {
    const dir = join(REPO, d);
    try {
      walk(dir, accept, paths);
    } catch {
      throw new Error(`missing ${d}: run npm install (the benchmarks use pinned devDependencies)`);
    }
  }
  return paths.map((path) => {
    const buf = readFileSync(path);
    return { path, text: buf.toString("utf8"), bytes: buf.length };
  });
}

/**
 * Build the standalone binary as `deno task compile` does, into `dir`.
 *
 * @returns Its path, or the build's error output.
 */
export function buildBinary(dir: string): { path: string } | { error: string } {
  const path = join(dir, "tph");
  const task: string = JSON.parse(readFileSync(join(REPO, "deno.json"), "utf8")).tasks.compile;
  const words = task.split(/\s+/).map((w) => w === "dist/tph" ? path : w);
  const b = spawnSync(join(REPO, "node_modules/.bin/bun"), words.slice(1), {
    cwd: REPO,
    encoding: "utf8",
  });
  return b.status === 0 ? { path } : { error: `bun build --compile failed: ${b.stderr}` };
}
