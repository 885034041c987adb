// The corpus: small programs in tests/real/programs/ that use real npm packages (pinned in
// package.json) of every module shape users have, plus programs that spawn, fork, read stdin,
// start workers and die of an uncaught error. Each runs plainly (`deno run -A`, `bun`) and through
// the real CLI, `tph run --no-cache`, on three paths: cli.ts on Deno, cli.ts on Bun and the
// standalone binary (compared with plain `bun`), each with the default scope and with
// `--include 'node_modules/**'`. The plain run is the expectation: the traced run must print the
// same stdout, the same stderr once tph's own `tph: ` lines are removed, and end with the same exit
// code; and it must have recorded calls (with the include glob: calls of the packages' own
// functions; with the default scope: nothing from node_modules but external calls). The default
// scope twice: with the programs in place in this repository, and copied into a project folder of
// their own laid out as a user's (see LAYOUTS); the include glob in the user's layout only
// (TPH_CORPUS_FULL=1: in both).
//
// Every process gets a time limit and is killed with its children when it passes it. Runs go on
// in the background, a few at a time (TPH_CORPUS_JOBS, default 2), ahead of the test that reads
// them. To run part of the corpus: TPH_CORPUS=typescript,fork (program names) and
// TPH_CORPUS_PATHS=deno,bun,binary, TPH_CORPUS_LAYOUTS=repo,project.

import { readRunFile } from "../_run_file.ts";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { REPO } from "../cli/commands/_cli.ts";
import type { RunJSON } from "../../src/types.ts";
import {
  allNodes,
  assertSame,
  binary,
  cliArgv,
  describe,
  once,
  type PathName,
  PATHS,
  plainArgv,
  pool,
  programStderr,
  type Result,
  run,
  type Runtime,
  runtimeOf,
  SHOW_KNOWN_BUGS,
  wanted,
} from "./_harness.ts";

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
  /**
   * Paths on which the runtime's report of an uncaught error is known to differ under tracing,
   * with the reason (docs/compatibility.md, "What tracing can change"): there, stderr is compared
   * only with TPH_KNOWN_BUGS=1; stdout, the exit code and the trace always are.
   */
  knownStderr?: Partial<Record<PathName, string>>;
  /** Runtimes that do not run the program at all, with the reason: no case on their paths. */
  notOn?: Partial<Record<Runtime, string>>;
}

const BUN_TAIL_CALLS = "Bun runs `return f(x)` (and `const v = f(x); return v`, which its " +
  "transpiler turns into that) as a proper tail call, whose frame a plain run's stack leaves out; " +
  "traced, the try/finally around the body keeps it";
const BUN_EVENT_LOOP = "Bun reports an error thrown out of a timer callback from where it was " +
  "last thrown, and every traced function catches and rethrows to record it";
const BUN_COMMONJS_IN_SCOPE = "Bun runs a traced CommonJS module from tph's plugin: an error " +
  "thrown while it loads has tph's loader frames under the module's, and its top-level frame's " +
  "column differs";
const NODE_THROWN_ELSEWHERE = "Node prints the excerpt above an uncaught error from where V8 " +
  "saw it last thrown: for one made in one place and thrown in another (`throw wrapped`) " +
  "through traced functions, tph's rethrow (tph prints the report itself only where it can tell " +
  "the plain run's place; in a CommonJS module, V8 takes the throw's place, not the error's stack)";
const DENO_HOOK_FRAMES = "with any node:module load hook registered (a pass-through one too), " +
  "Deno names the node:module frames under a CommonJS main module differently";

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
  {
    file: "web_worker.ts",
    packages: [],
    lastLine: "web_worker done",
    notOn: { node: "Node has no Web Worker (`new Worker(url)` on globalThis)" },
  },
  {
    file: "uncaught_error.ts",
    packages: [],
    lastLine: "uncaught_error about to fail",
    code: 1,
    knownStderr: { bun: BUN_TAIL_CALLS, binary: BUN_TAIL_CALLS, node: NODE_THROWN_ELSEWHERE },
  },
  {
    file: "uncaught_timer.mjs",
    packages: [],
    lastLine: "uncaught_timer about to fail",
    code: 1,
    knownStderr: { bun: BUN_EVENT_LOOP, binary: BUN_EVENT_LOOP },
  },
  {
    file: "uncaught_in_package.cjs",
    packages: ["semver"],
    lastLine: "uncaught_in_package about to fail",
    code: 1,
    knownStderr: {
      deno: DENO_HOOK_FRAMES,
      bun: BUN_COMMONJS_IN_SCOPE,
      binary: BUN_COMMONJS_IN_SCOPE,
    },
  },
];

const SCOPES = ["default", "include"] as const;
type Scope = typeof SCOPES[number];
/**
 * Where the programs run: `repo` in place (the project root is this repository, whose
 * package.json says "type": "module" and whose deno.json sets nodeModulesDir), `project` copied
 * into a folder of their own as a user's project is laid out (a package.json with no "type", no
 * deno.json, and a node_modules folder of copies of the packages).
 */
const LAYOUTS = ["repo", "project"] as const;
type Layout = typeof LAYOUTS[number];

/** Seconds a plain run and a traced run may take before they are killed. */
const PLAIN_LIMIT = 60;
const TRACED_LIMIT = 180;

const PROGRAM_DIR = "tests/real/programs";
const WORK = mkdtempSync(join(tmpdir(), "tph-corpus-"));
globalThis.addEventListener("unload", () => rmSync(WORK, { recursive: true, force: true }));
/** The same environment for every run: a fixed time zone and a transform cache of our own. */
const ENV = { TZ: "UTC", TPH_TRANSFORM_CACHE: join(WORK, "transform-cache") };

const onlyPrograms = wanted("TPH_CORPUS");
const onlyPaths = wanted("TPH_CORPUS_PATHS");
const onlyLayouts = wanted("TPH_CORPUS_LAYOUTS");
const selected = PROGRAMS.filter((p) =>
  onlyPrograms === null || onlyPrograms.includes(p.file.replace(/\.[^.]+$/, ""))
);
const paths = PATHS.filter((p) => onlyPaths === null || onlyPaths.includes(p));
const layouts = LAYOUTS.filter((l) => onlyLayouts === null || onlyLayouts.includes(l));

/** At most `TPH_CORPUS_JOBS` processes of this suite at a time (the machine has two cores). */
const JOBS = Math.max(1, Number(process.env.TPH_CORPUS_JOBS ?? 2));
const pooled = pool(JOBS);
/** The standalone binary, built in the pool when a test first needs it. */
const tphBinary = once(() => pooled(binary));

// ---- the runs ----

/** What one test runs. */
interface Case {
  layout: Layout;
  path: PathName;
  scope: Scope;
  program: Program;
}

const caseKey = (c: Case) => `${c.layout}:${c.path}:${c.scope}:${c.program.file}`;
const plainKey = (c: Case) => `${c.layout}:${runtimeOf(c.path)}:${c.program.file}`;

/** The tph toolchain's own packages, which the programs do not use. */
const TOOLCHAIN = new Set([
  "deno",
  "bun",
  "node22",
  "node24",
  "@deno",
  "@oven",
  "oxc-parser",
  "@oxc-parser",
]);

/** The project folder of the `project` layout, made when a test first needs it. */
const projectDir = once(() => {
  const dir = join(WORK, "project");
  cpSync(join(REPO, PROGRAM_DIR), dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "corpus-project", "private": true }\n');
  for (const name of readdirSync(join(REPO, "node_modules"))) {
    if (TOOLCHAIN.has(name) || name.startsWith(".") || name.startsWith("@oxc-")) continue;
    cpSync(join(REPO, "node_modules", name), join(dir, "node_modules", name), { recursive: true });
  }
  return Promise.resolve(dir);
});

/** The working folder and the program's path from there. */
async function where(c: Case): Promise<{ cwd: string; program: string }> {
  return c.layout === "repo"
    ? { cwd: REPO, program: `${PROGRAM_DIR}/${c.program.file}` }
    : { cwd: await projectDir(""), program: c.program.file };
}

const plainRuns = new Map<string, Promise<Result>>();

function plainRun(c: Case): Promise<Result> {
  let r = plainRuns.get(plainKey(c));
  if (r === undefined) {
    r = (async () => {
      const { cwd, program } = await where(c);
      const argv = [...plainArgv(runtimeOf(c.path)), program];
      return await pooled(() =>
        run(argv, { cwd, limitS: PLAIN_LIMIT, input: c.program.input, env: ENV })
      );
    })();
    r.catch(() => {}); // read by the test that needs it
    plainRuns.set(plainKey(c), r);
  }
  return r;
}

interface Traced extends Result {
  argv: string[];
  trace: RunJSON | null;
  traceError: string | null;
}

const tracedRuns = new Map<string, Promise<Traced>>();

function tracedRun(c: Case): Promise<Traced> {
  let r = tracedRuns.get(caseKey(c));
  if (r === undefined) {
    r = runTraced(c);
    r.catch(() => {}); // read by the test that needs it
    tracedRuns.set(caseKey(c), r);
  }
  return r;
}

async function runTraced(c: Case): Promise<Traced> {
  const { path, scope, program: p } = c;
  const { cwd, program } = await where(c);
  const tph = path === "binary" ? await tphBinary("") : cliArgv(path);
  const out = join(WORK, `${c.layout}-${path}-${scope}-${p.file}.json`);
  const args = [
    "run",
    "--no-cache",
    "-o",
    out,
    ...(scope === "include" ? ["--include", "node_modules/**"] : []),
    ...(p.maxCalls ? ["--max-calls", String(p.maxCalls)] : []),
    program,
  ];
  const argv = [...tph, ...args];
  const r = await pooled(() => run(argv, { cwd, limitS: TRACED_LIMIT, input: p.input, env: ENV }));
  let trace: RunJSON | null = null;
  let traceError: string | null = null;
  try {
    trace = readRunFile(out);
  } catch (e) {
    traceError = String(e);
  }
  return { ...r, argv, trace, traceError };
}

// ---- the checks ----

function checkTrace(what: string, c: Case, r: Traced): void {
  assert.ok(r.trace !== null, `${what}: no run JSON was written (${r.traceError})\n${describe(r)}`);
  assert.ok(r.trace.call_count > 0, `${what}: no calls recorded\n${describe(r)}`);
  const own = allNodes(r.trace.trace).filter((n) => !n.external);
  const modules = new Set(own.map((n) => n.module));
  if (c.scope === "default") {
    const own = c.layout === "repo" ? `${PROGRAM_DIR}/` : "";
    const outside = [...modules].filter((m) =>
      !m.startsWith(own) || /^(?:node_modules\/|\.\.\/|\/)/.test(m)
    );
    assert.deepEqual(outside, [], `${what}: only the program's own files are traced`);
    return;
  }
  for (const pkg of c.program.packages) {
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

const LAYOUT_TEXT: Record<Layout, string> = { repo: "in tph's repo", project: "own project" };

/** The tests' cases in the order they run. */
/**
 * Whether a case runs. `--include 'node_modules/**'` (the heaviest runs: the packages' own code
 * traced) runs in the user's layout only; the layouts differ in the project root around the
 * program, which the default scope checks on every path. TPH_CORPUS_FULL=1 runs every case.
 */
const FULL = process.env.TPH_CORPUS_FULL === "1";
const runs = (c: Case) => FULL || c.scope === "default" || c.layout === "project";

const CASES: Case[] = layouts.flatMap((layout) =>
  selected.flatMap((program) =>
    paths.filter((path) => program.notOn?.[runtimeOf(path)] === undefined)
      .flatMap((path) => SCOPES.map((scope) => ({ layout, path, scope, program })))
  )
).filter(runs);

for (const [i, c] of CASES.entries()) {
  const what = `${c.program.file} | ${c.path} | ${SCOPE_TEXT[c.scope]} | ${LAYOUT_TEXT[c.layout]}`;
  Deno.test({
    name: `corpus: ${what}`,
    // Runs of later tests go on in the background while this one waits.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      // The binary takes a while to build: start it with the first test.
      if (paths.includes("binary")) tphBinary("");
      const traced = tracedRun(c);
      // Start the next tests' runs, so that JOBS processes keep going.
      for (const next of CASES.slice(i + 1, i + 1 + JOBS)) {
        plainRun(next);
        tracedRun(next);
      }
      const plain = await plainRun(c);
      assert.ok(!plain.timedOut, `${what}: the plain run passed ${PLAIN_LIMIT}s and was killed`);
      assert.equal(
        plain.code,
        c.program.code ?? 0,
        `${what}: the plain run is broken, not tph\n${describe(plain)}`,
      );
      assert.equal(
        plain.stdout.trimEnd().split("\n").at(-1),
        c.program.lastLine,
        `${what}: the plain run is broken, not tph\n${describe(plain)}`,
      );
      const r = await traced;
      assert.ok(
        !r.timedOut,
        `${what}: the traced run passed ${TRACED_LIMIT}s and was killed with its children\n` +
          `${r.argv.join(" ")}\n${describe(r)}`,
      );
      assertSame(what, "stdout", plain.stdout, r.stdout, r);
      const known = c.program.knownStderr?.[c.path];
      if (known === undefined || SHOW_KNOWN_BUGS) {
        assertSame(what, "stderr", plain.stderr, programStderr(r.stderr), r);
      } else {
        // The error itself is still the plain run's: the first line that is neither a source
        // excerpt (`12 | …`; Node's: `file:line`, the line and its caret, down to an empty
        // line), nor a caret or stack line (indented).
        const firstError = (text: string) =>
          text.replace(/^\S+:\d+\n[\s\S]*?\n\n/, "").split("\n").find((l) => /^[^\s\d]/.test(l));
        assert.ok(firstError(plain.stderr), `${what}: the plain run reports an error`);
        assert.equal(
          firstError(programStderr(r.stderr)),
          firstError(plain.stderr),
          `${what}: the error (the rest of stderr is a known difference: ${known})`,
        );
      }
      assert.equal(r.code, plain.code, `${what}: exit code\n${describe(r)}`);
      checkTrace(what, c, r);
    },
  });
}
