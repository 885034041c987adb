// Run a program plainly and under tracing, on Deno, Bun or Node, for tests and benchmarks.

import { readRunFile } from "./_run_file.ts";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import process from "node:process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CHILD_ENV,
  type ChildConfig,
  type ChildEnding,
  KEY_NAME,
  PLAN_NAME,
  RUN_FOLDER_PREFIX,
} from "../src/program/settings.ts";
import type { TraceLimits } from "../src/run_file/limits.ts";
import { V8_TRACED_KIB } from "../src/program/stack_room.ts";
import type { RunJSON } from "../src/types.ts";

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Pinned runtimes from node_modules. */
export const BIN = {
  deno: join(REPO, "node_modules/.bin/deno"),
  bun: join(REPO, "node_modules/.bin/bun"),
  node: join(REPO, "node_modules/node24/bin/node"),
  node22: join(REPO, "node_modules/node22/bin/node"),
};
const PRELOAD = join(REPO, "src/program/preload.ts");
const NODE_PRELOAD = join(REPO, "src/program/node_preload.ts");

/** A runtime: `node` is Node 24, `node22` Node 22 (both pinned from npm). */
export type RuntimeName = "deno" | "bun" | "node" | "node22";

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface TracedResult extends RunResult {
  trace: (RunJSON & { ending: ChildEnding }) | null;
}

export interface RunOptions {
  cwd?: string;
  args?: string[];
  input?: string;
  env?: Record<string, string>;
  /** Time limit of the process in ms (default 120 s); past it, it is killed and the run fails. */
  timeoutMs?: number;
}

export interface TracedOptions extends RunOptions {
  limits?: TraceLimits;
  /** Traced folders; default: the program's folder. */
  scope?: string[];
  include?: string[];
  exclude?: string[];
  /** Transform cache folder, or null (default) for none. */
  transformCacheDir?: string | null;
}

function command(rt: RuntimeName, file: string, preload: boolean, args: string[]): string[] {
  // Traced, V8 gets the stack room tph run gives it (src/program/stack_room.ts).
  const stack = `--stack-size=${V8_TRACED_KIB}`;
  if (rt === "deno") {
    const traced = preload ? [`--v8-flags=${stack}`, "--preload", PRELOAD] : [];
    return [BIN.deno, "run", "-A", ...traced, file, ...args];
  }
  if (rt === "bun") return [BIN.bun, ...(preload ? ["--preload", PRELOAD] : []), file, ...args];
  // As tph starts it (src/program/command.ts).
  return [BIN[rt], ...(preload ? [stack, "--require", NODE_PRELOAD] : []), file, ...args];
}

function spawn(argv: string[], options: RunOptions, extraEnv: Record<string, string>): RunResult {
  const timeout = options.timeoutMs ?? 120_000;
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: options.cwd,
    input: options.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...options.env, ...extraEnv },
    maxBuffer: 256 * 1024 * 1024,
    timeout,
    killSignal: "SIGKILL",
  });
  // A hung program fails its test with this line rather than hanging the suite.
  const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT"
    ? `\n[harness: ${argv.join(" ")} killed after ${timeout} ms]\n`
    : "";
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr + hung };
}

/** tph's register entry in this checkout (what `tph/register` names in the package). */
export const REGISTER = join(REPO, "register.ts");
/** Its form for Node (the package's exports give it to Node). */
export const REGISTER_NODE = join(REPO, "register_node.ts");

/**
 * Run a program with tph's register entry loaded first, as its README says for each runtime:
 * `deno run -A --preload`, `bun --preload`, `node --import`.
 */
export function runRegistered(rt: RuntimeName, file: string, options: RunOptions = {}): RunResult {
  const args = options.args ?? [];
  const argv = rt === "deno"
    ? [BIN.deno, "run", "-A", "--preload", REGISTER, file, ...args]
    : rt === "bun"
    ? [BIN.bun, "--preload", REGISTER, file, ...args]
    : [BIN[rt], "--import", REGISTER_NODE, file, ...args];
  return spawn(argv, options, {});
}

/** Run a program directly. */
export function runPlain(rt: RuntimeName, file: string, options: RunOptions = {}): RunResult {
  return spawn(command(rt, file, false, options.args ?? []), options, {});
}

/** Run a program with every in-scope function instrumented and one trace recording. */
export function runTraced(
  rt: RuntimeName,
  file: string,
  options: TracedOptions = {},
): TracedResult {
  // A run's folder as the CLI makes one (hand_off.ts): the child takes the settings only there.
  const dir = mkdtempSync(join(tmpdir(), RUN_FOLDER_PREFIX));
  const out = join(dir, "trace.json");
  const root = options.cwd ?? dirname(resolve(file));
  const config: ChildConfig = {
    loader: {
      scope: options.scope ?? [dirname(resolve(file))],
      include: options.include,
      exclude: options.exclude,
      root,
      transformCacheDir: options.transformCacheDir ?? null,
    },
    limits: options.limits ?? {},
    label: null,
    // Blocks record but are not stored: the spec suite reads the program's own output.
    blocks: {
      only: false,
      label: null,
      cacheDir: null,
      keep: { maxRuns: null, maxCacheMb: null },
      disabled: false,
    },
    out,
  };
  // The settings file, with the run's key: the child removes it once read.
  const key = randomBytes(16).toString("hex");
  writeFileSync(join(dir, KEY_NAME), key, { mode: 0o600 });
  const settings = join(dir, PLAN_NAME);
  writeFileSync(settings, JSON.stringify({ ...config, handOff: { dir, key } }), { mode: 0o600 });
  const r = spawn(command(rt, file, true, options.args ?? []), options, { [CHILD_ENV]: settings });
  let trace = null;
  try {
    trace = readRunFile(out) as RunJSON & { ending: ChildEnding };
    // The child writes how the program ended beside the trace (see src/program/child.ts).
    trace.ending = JSON.parse(readFileSync(out + ".ending.json", "utf8"));
  } catch {
    trace = null;
  }
  rmSync(dir, { recursive: true, force: true });
  return { ...r, trace };
}

/**
 * Run a check script under Bun (the pinned binary) and return its stdout; fails the test with
 * its stderr when it exits non-zero. Used where a result must hold on both engines.
 */
export function bunCheck(script: URL): string {
  const r = spawnSync(BIN.bun, ["run", fileURLToPath(script)], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });
  if (r.status !== 0) throw new Error(`${fileURLToPath(script)} failed under Bun:\n${r.stderr}`);
  return r.stdout;
}
