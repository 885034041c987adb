// Helpers of the CLI tests: run the real `tph` (on Deno from the checkout, or the standalone
// binary) as a subprocess in a temporary folder, and run programs plainly to compare.

import { readRunFile } from "../../_run_file.ts";
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { CallNodeJSON, RunJSON } from "../../../src/types.ts";
import { libFresh } from "../../../npm/lib_stamp.ts";
import { takeBuildLock } from "../../../src/cli/launch/checkout_build.ts";

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The pinned runtimes. */
export const DENO = join(REPO, "node_modules/.bin/deno");
export const BUN = join(REPO, "node_modules/.bin/bun");
/** Node 24 and Node 22, pinned from npm. */
export const NODE = join(REPO, "node_modules/node24/bin/node");
export const NODE22 = join(REPO, "node_modules/node22/bin/node");
/** Fixture programs of these tests. */
export const FIXTURES = join(REPO, "tests/fixtures/cli");
/** Saved runs (and files that are not usable runs) for the read commands. */
export const RUN_FIXTURES = join(REPO, "tests/fixtures/runs");

/** How a subprocess ended and what it wrote. */
export interface Result {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode exec}. */
export interface ExecOptions {
  cwd: string;
  /** Written to stdin, which is then closed (default: empty). */
  input?: string;
  /** Added to the environment (which has NO_COLOR=1 and no TPH_* variables). */
  env?: Record<string, string>;
  /** Time limit in ms, after which the process and its children are killed (default 120 s). */
  timeoutMs?: number;
}

/** Default time limit of a subprocess of the tests. */
export const TIME_LIMIT_MS = 120_000;

/** One way of running tph: on a runtime from the checkout, or the standalone binary. */
export interface Target {
  /** `deno`, `bun`, `node` or `binary`, used in test names. */
  name: "deno" | "bun" | "node" | "binary";
  /** The runtime the traced program runs on. */
  runtime: "deno" | "bun" | "node";
  /** argv that starts tph (arguments follow). */
  tph: string[];
  /** argv that runs a script plainly on the same runtime (arguments follow). */
  plain(script: string): string[];
  /** Added to tph's environment (before a test's own). */
  env?: Record<string, string>;
}

/** tph on Deno from the checkout. */
export const DENO_TARGET: Target = {
  name: "deno",
  runtime: "deno",
  tph: [DENO, "run", "-A", join(REPO, "cli.ts")],
  plain: (script) => [DENO, "run", "-A", script],
};

/** tph on Bun from the checkout. */
export const BUN_TARGET: Target = {
  name: "bun",
  runtime: "bun",
  tph: [BUN, join(REPO, "cli.ts")],
  plain: (script) => [BUN, script],
};

/**
 * tph on Node 24 as the npm package runs it: its compiled JavaScript, lib/ (npm/build.ts), which
 * these tests build first when it is missing or older than a source (`ensureLib`). From the
 * sources (`node cli.ts`, Node stripping the types of ~250 modules at each start in both
 * processes) a start cost ~0.8 s more CPU; node_entry_stack_test.ts and the real programs' sources
 * case run Node from the sources.
 */
export const NODE_TARGET: Target = {
  name: "node",
  runtime: "node",
  tph: [NODE, join(REPO, "lib/cli.js")],
  plain: (script) => [NODE, script],
  // A checkout's tph finds the pinned Deno and Bun in its node_modules (command.ts); the package
  // finds them on PATH, as a user's would be.
  env: { PATH: `${runtimesFolder()}:${process.env.PATH ?? ""}` },
};

/**
 * A folder holding only the pinned `deno` and `bun` (links), for PATH: not node_modules/.bin,
 * whose `node` and other commands would change what the tests run.
 */
function runtimesFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tph-test-runtimes-"));
  symlinkSync(DENO, join(dir, "deno"));
  symlinkSync(BUN, join(dir, "bun"));
  globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Lock of a build of lib/ by the tests (test modules may run side by side). */
const LIB_LOCK = join(REPO, ".lib_build.lock");

/**
 * Build lib/ (npm/build.ts) unless it was built from the sources as they are; one test module
 * builds while the others wait for it (the checkout builds' lock: checkout_build.ts).
 */
async function ensureLib(): Promise<void> {
  while (!libFresh(REPO)) {
    if (!takeBuildLock(LIB_LOCK)) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (libFresh(REPO)) return;
      const r = await exec([NODE, join(REPO, "npm/build.ts")], { cwd: REPO, timeoutMs: 300_000 });
      assert.equal(r.code, 0, `building lib/ for the Node tests failed:\n${r.stdout}${r.stderr}`);
      assert.ok(
        libFresh(REPO),
        "lib/ is not fresh after building it (a source changed meanwhile?)",
      );
      return;
    } finally {
      rmSync(LIB_LOCK, { force: true });
    }
  }
}

/** The environment every subprocess gets: no colours, and nothing of tph's own. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith("TPH")) env[k] = v;
  }
  delete env.FORCE_COLOR;
  return { ...env, NO_COLOR: "1", ...extra };
}

/**
 * Start a subprocess with piped stdio, in a process group of its own (so that a time limit can
 * kill it with every process it started).
 */
export function start(argv: string[], options: ExecOptions): Deno.ChildProcess {
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd,
    env: baseEnv(options.env),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
}

/**
 * Wait for a process started with {@linkcode start} and decode its output. Past the time limit,
 * its process group is killed and the wait fails naming the command.
 */
export async function finish(
  child: Deno.ChildProcess,
  input = "",
  timeoutMs = TIME_LIMIT_MS,
  what = "a subprocess",
): Promise<Result> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  }, timeoutMs);
  const writer = child.stdin.getWriter();
  try {
    if (input) await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // The program may exit without reading its stdin.
  }
  let out: Deno.CommandOutput;
  try {
    out = await child.output();
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new Error(`${what} did not end within ${timeoutMs / 1000} s: killed`);
  const d = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: d.decode(out.stdout),
    stderr: d.decode(out.stderr),
  };
}

/** Run a command to its end. */
export function exec(argv: string[], options: ExecOptions): Promise<Result> {
  return finish(start(argv, options), options.input, options.timeoutMs, argv.join(" "));
}

/** Run tph; its output never holds colour codes here (NO_COLOR=1, no terminal). */
export async function tph(t: Target, args: string[], options: ExecOptions): Promise<Result> {
  const r = await exec([...t.tph, ...args], { ...options, env: { ...t.env, ...options.env } });
  assertNoColour(r, `tph ${args.join(" ")}`);
  return r;
}

/** Run a script plainly on the target's runtime. */
export function plain(t: Target, script: string, args: string[], options: ExecOptions) {
  return exec([...t.plain(script), ...args], options);
}

/** Assert that neither stdout nor stderr holds an ANSI escape sequence. */
export function assertNoColour(r: Result, what: string): void {
  assert.ok(!r.stdout.includes("\x1b["), `${what}: colour codes on stdout:\n${r.stdout}`);
  assert.ok(!r.stderr.includes("\x1b["), `${what}: colour codes on stderr:\n${r.stderr}`);
}

/** Assert an exit code, showing the output when it is not the expected one. */
export function assertCode(r: Result, code: number, what = ""): void {
  assert.equal(
    r.code,
    code,
    `${what} exited ${r.code} (signal ${r.signal}), expected ${code}\n--- stdout\n${r.stdout}` +
      `\n--- stderr\n${r.stderr}`,
  );
}

/** Lines of a text, without the empty last one. */
export function lines(text: string): string[] {
  const l = text.split("\n");
  if (l.at(-1) === "") l.pop();
  return l;
}

/** The lines tph itself writes to stderr (`tph: …`), and the others (the program's). */
export function splitStderr(stderr: string): { tph: string[]; program: string } {
  const tphLines: string[] = [];
  const program: string[] = [];
  for (const line of stderr.split("\n")) (line.startsWith("tph: ") ? tphLines : program).push(line);
  return { tph: tphLines, program: program.join("\n") };
}

/** The summary line `tph run` ends with. */
export const SUMMARY =
  /^tph: (\d+) calls? recorded(?: \(limited[^)]*\))? in [\d.]+s; saved (.+?\.(?:json|tph))(?: and .+)?; view it with: tph tree (.+)$/;

/**
 * Assert that stderr ends with exactly one summary line; returns its calls, the saved path and
 * the run to pass to `tph tree` as the line suggests.
 */
export function summaryOf(r: Result): { calls: number; saved: string; hint: string; line: string } {
  const { tph: own } = splitStderr(r.stderr);
  const summaries = own.filter((l) => / calls? recorded/.test(l));
  assert.equal(summaries.length, 1, `one summary line expected in:\n${r.stderr}`);
  const last = lines(r.stderr).at(-1)!;
  assert.equal(last, summaries[0], `the summary line comes last:\n${r.stderr}`);
  const m = SUMMARY.exec(last);
  assert.ok(m, `summary line has the expected form: ${last}`);
  return { calls: Number(m[1]), saved: m[2], hint: m[3], line: last };
}

/** A temporary folder removed at the end of an `await using` block. */
export interface TempDir extends AsyncDisposable {
  path: string;
}

/** Make a temporary folder outside the repository, optionally holding copies of fixtures. */
export function tempDir(copies: Record<string, string> = {}): TempDir {
  const path = mkdtempSync(join(tmpdir(), "tph-cli-test-"));
  for (const [to, from] of Object.entries(copies)) {
    mkdirSync(dirname(join(path, to)), { recursive: true });
    cpSync(from, join(path, to), { recursive: true });
  }
  return {
    path,
    [Symbol.asyncDispose]: () => {
      rmSync(path, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * A copy of the checkout's sources in `to` (its node_modules linked) without the builds tph makes
 * of them there (Bun's bytecode, Deno's bundle: `.bun_*`, `.deno_*` beside the loader), for tests
 * that build them or change a source.
 */
export function copyCheckoutSources(to: string): void {
  for (const name of ["cli.ts", "src", "package.json", "deno.json"]) {
    cpSync(join(REPO, name), join(to, name), { recursive: true });
  }
  symlinkSync(join(REPO, "node_modules"), join(to, "node_modules"));
  const loader = join(to, "src/program/loader");
  for (const name of readdirSync(loader)) {
    if (name.startsWith(".deno_") || name.startsWith(".bun_")) {
      rmSync(join(loader, name), { recursive: true });
    }
  }
}

/**
 * A temporary project (it has a package.json) whose .tracepatch_cache holds a copy of
 * tests/fixtures/runs; `root` is its path with symlinks resolved (as tph names it).
 */
export function projectWithRuns(): TempDir & { root: string } {
  const dir = tempDir({ ".tracepatch_cache": RUN_FIXTURES });
  writeFileSync(join(dir.path, "package.json"), '{ "name": "demo", "type": "module" }\n');
  return Object.assign(dir, { root: realpathSync(dir.path) });
}

/** `tph view <ref> --json`, parsed. */
export async function viewJson(
  t: Target,
  ref: string,
  options: ExecOptions,
): Promise<RunJSON & { id: string; path: string }> {
  const r = await tph(t, ["view", ref, "--json"], options);
  assertCode(r, 0, `tph view ${ref} --json`);
  return JSON.parse(r.stdout);
}

/** A saved run file, parsed. */
export function readRun(path: string): RunJSON {
  assert.ok(existsSync(path), `run file ${path} exists`);
  return readRunFile(path);
}

/** Every call of a run's tree, depth first. */
export function allCalls(nodes: CallNodeJSON[]): CallNodeJSON[] {
  return nodes.flatMap((n) => [n, ...allCalls(n.children)]);
}

/** The one call with this name. */
export function callNamed(nodes: CallNodeJSON[], name: string): CallNodeJSON {
  const found = allCalls(nodes).filter((n) => n.name === name);
  assert.equal(found.length, 1, `one call named ${name} in ${allCalls(nodes).map((n) => n.name)}`);
  return found[0];
}

/** Wait until a file exists and is not empty; returns its text. */
export async function waitForFile(path: string, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const text = readFileSync(path, "utf8");
      if (text) return text;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} did not appear within ${timeoutMs}ms`);
}

/** `deno task compile`'s command (deno.json), writing the binary to `out`. */
function compileCommand(out: string): string[] {
  const task: string = JSON.parse(readFileSync(join(REPO, "deno.json"), "utf8")).tasks.compile;
  const words = task.split(/\s+/).map((w) => w === "dist/tph" ? out : w);
  return [BUN, ...words.slice(1)];
}

/** Build the standalone binary (as `deno task compile` does) into a temporary folder. */
export async function buildBinary(): Promise<{ target: Target; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "tph-cli-binary-"));
  const out = join(dir, "tph");
  const r = await exec(compileCommand(out), { cwd: REPO });
  assertCode(r, 0, compileCommand(out).join(" "));
  return {
    dir,
    target: {
      name: "binary",
      runtime: "bun",
      tph: [out],
      plain: (script) => [BUN, script],
    },
  };
}

/**
 * Write `source` as `prog.ts` in `root` (with a package.json, type module), run it under tph on
 * Deno with its runs in `root/<cache>`, and return the path of the one run stored.
 */
export async function storedRunOf(root: string, source: string, cache = "cache"): Promise<string> {
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(root, "prog.ts"), source);
  const dir = join(root, cache);
  const r = await exec([
    DENO,
    "run",
    "-A",
    join(REPO, "cli.ts"),
    "run",
    // The run stored as a run file at once (a plain `tph run` of many calls stores a raw run first).
    "--tree",
    "--cache-dir",
    dir,
    "prog.ts",
  ], {
    cwd: root,
  });
  if (r.code !== 0) throw new Error(`tph run prog.ts: exit ${r.code}: ${r.stderr}`);
  const runs = readdirSync(dir).filter((n) => n.endsWith(".tph"));
  if (runs.length !== 1) throw new Error(`one .tph run in ${dir}, not ${runs.length}: ${r.stderr}`);
  return join(dir, runs[0]);
}

// Last: the build runs through exec, whose module-level constants are set by then.
await ensureLib();
