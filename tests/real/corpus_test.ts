// The corpus: small programs in tests/real/programs/ that use real npm packages (pinned in
// package.json) of every module shape users have, plus programs that spawn, fork, read stdin,
// start workers and die of an uncaught error. Each runs plainly (`deno run -A`, `bun`) and through
// the real CLI, `tph run --no-cache`, on three paths: cli.ts on Deno, cli.ts on Bun and the
// standalone binary (compared with plain `bun`), each with the default scope and with
// `--include 'node_modules/**'`. The plain run is the expectation: the traced run must print the
// same stdout, the same stderr once tph's own `tph: ` lines are removed, and end with the same exit
// code; and it must have recorded calls (with the include glob: calls of the packages' own
// functions; with the default scope: nothing from node_modules but external calls).
//
// Every process gets a time limit and is killed with its children when it passes it. Runs go on
// in the background, a few at a time (TPH_CORPUS_JOBS, default 2), ahead of the test that reads
// them. To run part of the corpus: TPH_CORPUS=typescript,fork (program names) and
// TPH_CORPUS_PATHS=deno,bun,binary.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { baseEnv, buildBinary, BUN, DENO, REPO } from "../cli/_cli.ts";
import type { CallNodeJSON, RunJSON } from "../../src/types.ts";

interface Program {
  /** File in tests/real/programs/. */
  file: string;
  /** Packages whose own functions a run with `--include 'node_modules/**'` must record. */
  packages: string[];
  /** The last line the plain run prints on stdout (it proves the program really ran). */
  lastLine: string;
  /** Exit code of the plain run. */
  code?: number;
  /** Written to the program's stdin. */
  input?: string;
  /** `--max-calls` where the default leaves out calls a check needs. */
  maxCalls?: number;
}

const PROGRAMS: Program[] = [
  { file: "typescript.ts", packages: ["typescript"], lastLine: "typescript done" },
  { file: "prettier.mjs", packages: ["prettier"], lastLine: "prettier done" },
  {
    file: "babel.ts",
    packages: ["@babel/parser", "@babel/generator", "@babel/types"],
    lastLine: "babel done",
    // Loading @babel/types makes thousands of calls: the default 10,000 end before the generator
    // has done more than start up.
    maxCalls: 50_000,
  },
  { file: "ajv.cjs", packages: ["ajv"], lastLine: "ajv done" },
  { file: "zod.ts", packages: ["zod"], lastLine: "zod done" },
  { file: "handlebars.mjs", packages: ["handlebars"], lastLine: "handlebars done" },
  { file: "mustache.cjs", packages: ["mustache"], lastLine: "mustache done" },
  { file: "ejs.ts", packages: ["ejs"], lastLine: "ejs done" },
  { file: "nunjucks.cjs", packages: ["nunjucks"], lastLine: "nunjucks done" },
  { file: "dayjs.mjs", packages: ["dayjs"], lastLine: "dayjs done" },
  { file: "date_fns.cjs", packages: ["date-fns"], lastLine: "date-fns done" },
  { file: "commander.mjs", packages: ["commander"], lastLine: "commander done" },
  { file: "decimal.mjs", packages: ["decimal.js"], lastLine: "decimal done" },
  { file: "lodash.cjs", packages: ["lodash"], lastLine: "lodash done" },
  { file: "uuid.ts", packages: ["uuid"], lastLine: "uuid done" },
  { file: "chalk.mjs", packages: ["chalk"], lastLine: "chalk done" },
  { file: "semver.cjs", packages: ["semver"], lastLine: "semver done" },
  { file: "json.mjs", packages: ["mime-types"], lastLine: "json done" },
  { file: "spawn.ts", packages: [], lastLine: "spawn done" },
  { file: "fork.mjs", packages: [], lastLine: "fork done" },
  {
    file: "stdin.mjs",
    packages: ["lodash"],
    lastLine: "stdin done",
    code: 3,
    input: "The quick brown fox\njumps over the lazy dog\nthe fox again and again\n",
  },
  { file: "worker_threads.mjs", packages: [], lastLine: "worker_threads done" },
  { file: "web_worker.ts", packages: [], lastLine: "web_worker done" },
  {
    file: "uncaught_error.ts",
    packages: [],
    lastLine: "uncaught_error about to fail",
    code: 1,
  },
  { file: "uncaught_timer.mjs", packages: [], lastLine: "uncaught_timer about to fail", code: 1 },
  {
    file: "uncaught_in_package.cjs",
    packages: ["semver"],
    lastLine: "uncaught_in_package about to fail",
    code: 1,
  },
];

type PathName = "deno" | "bun" | "binary";
type Runtime = "deno" | "bun";
const PATHS: PathName[] = ["deno", "bun", "binary"];
const SCOPES = ["default", "include"] as const;
type Scope = typeof SCOPES[number];

/** Seconds a plain run, a traced run and the binary's build may take before they are killed. */
const PLAIN_LIMIT = 60;
const TRACED_LIMIT = 180;
const BUILD_LIMIT = 300;

const PROGRAM_DIR = "tests/real/programs";
const CLI = join(REPO, "cli.ts");
const WORK = mkdtempSync(join(tmpdir(), "tph-corpus-"));
globalThis.addEventListener("unload", () => rmSync(WORK, { recursive: true, force: true }));
/** The same environment for every run: a fixed time zone and a transform cache of our own. */
const ENV = { TZ: "UTC", TPH_TRANSFORM_CACHE: join(WORK, "transform-cache") };

const wanted = (name: string) =>
  process.env[name]?.split(",").map((s) => s.trim()).filter(Boolean) ?? null;
const onlyPrograms = wanted("TPH_CORPUS");
const onlyPaths = wanted("TPH_CORPUS_PATHS");
const selected = PROGRAMS.filter((p) =>
  onlyPrograms === null || onlyPrograms.includes(p.file.replace(/\.[^.]+$/, ""))
);
const paths = PATHS.filter((p) => onlyPaths === null || onlyPaths.includes(p));

// ---- processes with a time limit ----

interface Result {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Killed at its time limit. */
  timedOut: boolean;
  ms: number;
}

/**
 * Run a command with stdin from `input`. It runs under GNU `timeout`, which puts it in a process
 * group of its own and SIGKILLs that whole group (the command and every child it started) when the
 * limit passes.
 */
async function run(argv: string[], limitS: number, input = ""): Promise<Result> {
  const t0 = performance.now();
  const child = new Deno.Command("timeout", {
    args: ["-s", "KILL", String(limitS), ...argv],
    cwd: REPO,
    env: baseEnv(ENV),
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

/** At most `TPH_CORPUS_JOBS` processes of this suite at a time (the machine has two cores). */
const JOBS = Math.max(1, Number(process.env.TPH_CORPUS_JOBS ?? 2));
let running = 0;
const waiting: (() => void)[] = [];

async function pooled<T>(work: () => Promise<T>): Promise<T> {
  if (running >= JOBS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Memoize a promise-returning function by key. */
function once<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
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

// ---- the runs ----

const programPath = (p: Program) => `${PROGRAM_DIR}/${p.file}`;
const runtimeOf = (path: PathName): Runtime => (path === "deno" ? "deno" : "bun");

/**
 * Build the binary as the CLI tests do. buildBinary() has no time limit of its own: past
 * BUILD_LIMIT, the processes this test process started (found by their parent id) are killed.
 */
const binary = once(() =>
  pooled(async () => {
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
  })
);

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

const plainRun = once((key) => {
  const [rt, file] = key.split(":");
  const p = PROGRAMS.find((x) => x.file === file)!;
  const argv = rt === "deno" ? [DENO, "run", "-A", programPath(p)] : [BUN, programPath(p)];
  return pooled(() => run(argv, PLAIN_LIMIT, p.input));
});

interface Traced extends Result {
  argv: string[];
  trace: RunJSON | null;
  traceError: string | null;
}

const tracedRun = once(async (key) => {
  const [path, scope, file] = key.split(":") as [PathName, Scope, string];
  const p = PROGRAMS.find((x) => x.file === file)!;
  const tph = path === "deno"
    ? [DENO, "run", "-A", CLI]
    : path === "bun"
    ? [BUN, CLI]
    : await binary("");
  const out = join(WORK, `${path}-${scope}-${file}.json`);
  const args = [
    "run",
    "--no-cache",
    "-o",
    out,
    ...(scope === "include" ? ["--include", "node_modules/**"] : []),
    ...(p.maxCalls ? ["--max-calls", String(p.maxCalls)] : []),
    programPath(p),
  ];
  const argv = [...tph, ...args];
  const r = await pooled(() => run(argv, TRACED_LIMIT, p.input));
  let trace: RunJSON | null = null;
  let traceError: string | null = null;
  try {
    trace = JSON.parse(readFileSync(out, "utf8"));
  } catch (e) {
    traceError = String(e);
  }
  return { ...r, argv, trace, traceError };
});

// ---- the checks ----

function shown(text: string, max = 4000): string {
  return text.length > max
    ? `${text.slice(0, max)}\n… (${text.length - max} more characters)`
    : text;
}

function describe(r: Result): string {
  return `exit ${r.code} (signal ${r.signal}) after ${(r.ms / 1000).toFixed(1)}s\n` +
    `--- stdout ---\n${shown(r.stdout, 1500)}\n--- stderr ---\n${shown(r.stderr)}`;
}

/** stderr without tph's own lines. */
function programStderr(stderr: string): string {
  return stderr.split("\n").filter((l) => !l.startsWith("tph: ")).join("\n");
}

/** Stack locations without columns, to say when only columns differ. */
const withoutColumns = (text: string) =>
  text.split("\n").filter((l) => !/^\s*\^\s*$/.test(l)).join("\n")
    .replace(/(\.[cm]?[jt]sx?):(\d+):\d+/g, "$1:$2");

function assertSame(what: string, stream: string, plain: string, traced: string, r: Result): void {
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

function allNodes(roots: CallNodeJSON[]): CallNodeJSON[] {
  const nodes: CallNodeJSON[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes.push(n);
    for (const c of n.children) stack.push(c);
  }
  return nodes;
}

function checkTrace(what: string, p: Program, scope: Scope, r: Traced): void {
  assert.ok(r.trace !== null, `${what}: no run JSON was written (${r.traceError})\n${describe(r)}`);
  assert.ok(r.trace.call_count > 0, `${what}: no calls recorded\n${describe(r)}`);
  const own = allNodes(r.trace.trace).filter((n) => !n.external);
  const modules = new Set(own.map((n) => n.module));
  if (scope === "default") {
    const outside = [...modules].filter((m) => !m.startsWith(`${PROGRAM_DIR}/`));
    assert.deepEqual(outside, [], `${what}: only the program's own files are traced`);
    return;
  }
  for (const pkg of p.packages) {
    assert.ok(
      [...modules].some((m) => m.startsWith(`node_modules/${pkg}/`)),
      `${what}: no call of ${pkg}'s own functions recorded; traced modules: ` +
        `${[...modules].sort().slice(0, 20).join(", ") || "none"}\n${describe(r)}`,
    );
  }
}

const SCOPE_TEXT: Record<Scope, string> = {
  default: "default scope",
  include: "--include 'node_modules/**'",
};

for (const p of selected) {
  for (const path of paths) {
    for (const scope of SCOPES) {
      const what = `${p.file} | ${path} | ${SCOPE_TEXT[scope]}`;
      const key = `${path}:${scope}:${p.file}`;
      Deno.test({
        name: `corpus: ${what}`,
        // Runs of later tests go on in the background while this one waits.
        sanitizeOps: false,
        sanitizeResources: false,
        fn: async () => {
          const rt = runtimeOf(path);
          // The binary takes a while to build: start it with the first test.
          if (paths.includes("binary")) binary("");
          const plain = await plainRun(`${rt}:${p.file}`);
          const traced = tracedRun(key);
          prefetch(key);
          assert.ok(
            !plain.timedOut,
            `${what}: the plain run passed ${PLAIN_LIMIT}s and was killed`,
          );
          assert.equal(
            plain.code,
            p.code ?? 0,
            `${what}: the plain run is broken, not tph\n${describe(plain)}`,
          );
          assert.equal(
            plain.stdout.trimEnd().split("\n").at(-1),
            p.lastLine,
            `${what}: the plain run is broken, not tph\n${describe(plain)}`,
          );
          const r = await traced;
          assert.ok(
            !r.timedOut,
            `${what}: the traced run passed ${TRACED_LIMIT}s and was killed with its children\n` +
              `${r.argv.join(" ")}\n${describe(r)}`,
          );
          assertSame(what, "stdout", plain.stdout, r.stdout, r);
          assertSame(what, "stderr", plain.stderr, programStderr(r.stderr), r);
          assert.equal(r.code, plain.code, `${what}: exit code\n${describe(r)}`);
          checkTrace(what, p, scope, r);
        },
      });
    }
  }
}

/** Keys of the tests in the order they run, to start the next ones' runs early. */
const ORDER = selected.flatMap((p) =>
  paths.flatMap((path) => SCOPES.map((scope) => `${path}:${scope}:${p.file}`))
);

function prefetch(key: string): void {
  const i = ORDER.indexOf(key);
  for (const next of ORDER.slice(i + 1, i + 1 + JOBS)) {
    const [path, , file] = next.split(":");
    plainRun(`${runtimeOf(path as PathName)}:${file}`);
    tracedRun(next);
  }
}
