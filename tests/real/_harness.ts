// What the suites of tests/real/ share: processes with a time limit, a pool that keeps a few of
// them going in the background, the standalone binary built once, and the plain-versus-traced
// comparison of a program's output.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { baseEnv, buildBinary, BUN, DENO, NODE, NODE_TARGET, REPO } from "../cli/commands/_cli.ts";
import type { CallNodeJSON } from "../../src/types.ts";

/**
 * The four ways tph runs a program: cli.ts on Deno and on Bun, the npm package's lib/cli.js on
 * Node (24; NODE_TARGET in _cli.ts), and the standalone binary (whose runtime is Bun).
 */
export type PathName = "deno" | "bun" | "node" | "binary";
export type Runtime = "deno" | "bun" | "node";
export const PATHS: PathName[] = ["deno", "bun", "node", "binary"];
export const runtimeOf = (path: PathName): Runtime => (path === "binary" ? "bun" : path);

/** The command that runs a script plainly on a runtime (arguments follow). */
export function plainArgv(runtime: Runtime): string[] {
  return runtime === "deno" ? [DENO, "run", "-A"] : runtime === "bun" ? [BUN] : [NODE];
}

/** The command that runs tph's CLI on a path other than the binary (as the CLI tests do). */
export function cliArgv(path: Exclude<PathName, "binary">): string[] {
  return path === "node" ? NODE_TARGET.tph : [...plainArgv(path), join(REPO, "cli.ts")];
}

/** Whether to run the cases that show a known bug (skipped by default). */
export const SHOW_KNOWN_BUGS = process.env.TPH_KNOWN_BUGS === "1";

/** The comma-separated words of an environment variable, or null when it is unset. */
export const wanted = (name: string): string[] | null =>
  process.env[name]?.split(",").map((s) => s.trim()).filter(Boolean) ?? null;

// ---- processes with a time limit ----

export interface Result {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Killed at its time limit. */
  timedOut: boolean;
  ms: number;
}

/** How {@linkcode run} starts a command. */
export interface RunOptions {
  cwd: string;
  /** Seconds before the command and every child it started are killed. */
  limitS: number;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Added to {@linkcode baseEnv}. */
  env?: Record<string, string>;
}

/**
 * Run a command with stdin from `input`. It runs under GNU `timeout`, which puts it in a process
 * group of its own and SIGKILLs that whole group (the command and every child it started) when the
 * limit passes.
 */
export async function run(argv: string[], options: RunOptions): Promise<Result> {
  const { cwd, limitS, input = "", env = {} } = options;
  const t0 = performance.now();
  const child = new Deno.Command("timeout", {
    args: ["-s", "KILL", String(limitS), ...argv],
    cwd,
    env: baseEnv(env),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    if (input) await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // The program may exit without reading its stdin.
  }
  const out = await child.output();
  const ms = performance.now() - t0;
  const d = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: d.decode(out.stdout),
    stderr: d.decode(out.stderr),
    timedOut: (out.signal === "SIGKILL" || out.code === 137) && ms >= limitS * 1000 - 250,
    ms,
  };
}

/** A pool that runs at most `jobs` pieces of work at a time (the machine has two cores). */
export function pool(jobs: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= jobs) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Memoize a promise-returning function by key. */
export function once<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const made = new Map<string, Promise<T>>();
  return (key) => {
    let p = made.get(key);
    if (p === undefined) {
      p = make(key);
      p.catch(() => {}); // read by the test that needs it
      made.set(key, p);
    }
    return p;
  };
}

/** Seconds the binary's build may take before it is killed. */
const BUILD_LIMIT = 300;

/**
 * The standalone binary's argv, built once per test process as the CLI tests do. buildBinary() has
 * no time limit of its own: past BUILD_LIMIT, the processes this test process started (found by
 * their parent id) are killed.
 */
export const binary: () => Promise<string[]> = (() => {
  const build = once(async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        killOwnChildren();
        reject(new Error(`building the binary passed ${BUILD_LIMIT}s; killed`));
      }, BUILD_LIMIT * 1000);
    });
    try {
      const { target, dir } = await Promise.race([buildBinary(), limit]);
      globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));
      return target.tph;
    } finally {
      clearTimeout(timer);
    }
  });
  return () => build("");
})();

/** SIGKILL the `bun build` processes this process started. */
function killOwnChildren(): void {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0");
      if (ppid === Deno.pid && cmdline.includes("build")) Deno.kill(Number(entry.name), "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

// ---- the checks ----

export function shown(text: string, max = 4000): string {
  return text.length > max
    ? `${text.slice(0, max)}\n… (${text.length - max} more characters)`
    : text;
}

export function describe(r: Result): string {
  return `exit ${r.code} (signal ${r.signal}) after ${(r.ms / 1000).toFixed(1)}s\n` +
    `--- stdout ---\n${shown(r.stdout, 1500)}\n--- stderr ---\n${shown(r.stderr)}`;
}

/** stderr without tph's own lines. */
export function programStderr(stderr: string): string {
  return stderr.split("\n").filter((l) => !l.startsWith("tph: ")).join("\n");
}

/** Node's warnings name the process (`(node:4242) Warning: …`): a run's own id, left out. */
export const withoutPid = (text: string): string => text.replace(/^\(node:\d+\) /gm, "(node) ");

/** Stack locations without columns, to say when only columns differ. */
export const withoutColumns = (text: string): string =>
  text.split("\n").filter((l) => !/^\s*\^\s*$/.test(l)).join("\n")
    .replace(/(\.[cm]?[jt]sx?):(\d+):\d+/g, "$1:$2");

/** Fail, showing the first line where `traced` departs from `plain`. */
export function assertSame(
  what: string,
  stream: string,
  plain: string,
  traced: string,
  r: Result,
): void {
  plain = withoutPid(plain);
  traced = withoutPid(traced);
  if (plain === traced) return;
  const want = plain.split("\n");
  const got = traced.split("\n");
  let i = 0;
  while (i < want.length && want[i] === got[i]) i++;
  const columnsOnly = withoutColumns(plain) === withoutColumns(traced)
    ? " (only stack columns differ)"
    : "";
  assert.fail(
    `${what}: ${stream} differs at line ${i + 1}${columnsOnly}\n` +
      `   plain: ${JSON.stringify(want[i]?.slice(0, 300) ?? null)}\n` +
      `  traced: ${JSON.stringify(got[i]?.slice(0, 300) ?? null)}\n` +
      `--- plain ${stream} ---\n${shown(plain)}\n--- traced run ---\n${describe(r)}`,
  );
}

/** Every node of a call tree. */
export function allNodes(roots: CallNodeJSON[]): CallNodeJSON[] {
  const nodes: CallNodeJSON[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes.push(n);
    for (const c of n.children) stack.push(c);
  }
  return nodes;
}
