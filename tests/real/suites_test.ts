// Real projects' own test suites, traced. Each library below is an npm package (pinned in
// package.json, listed in suites.deps.json) whose published tarball holds its test suite. The
// package is copied into a folder of its own as a project's root, with the packages it and its
// tests need copied into that folder's node_modules; its test command (its own runner: tape,
// mocha, or the suite's own entry file) then runs plainly (`deno run -A`, `bun`) and through the
// real CLI, `tph run --no-cache`, on three paths: cli.ts on Deno, cli.ts on Bun and the standalone
// binary (compared with plain `bun`), each with the default scope (the library and its tests are
// the project's own files, and traced) and with `--include 'node_modules/**'` (the runner and the
// dependencies too). The traced run must print the same stdout, the same stderr once tph's own
// `tph: ` lines are removed, and exit with the same code; and it must have recorded calls of the
// library's own functions. Only what truly varies from run to run is normalised: the durations
// runners print.
//
// Every process gets a time limit and is killed with its children when it passes it. Runs go on
// in the background, a few at a time (TPH_SUITES_JOBS, default 2), ahead of the test that reads
// them. To run part of it: TPH_SUITES=qs,url (package names), TPH_SUITES_PATHS=deno,bun,binary,
// TPH_SUITES_SCOPES=default,include. TPH_SUITES_NODE_MODULES names another node_modules folder to
// take the packages from (default: this repository's).

import { readRunFile } from "../_run_file.ts";
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
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

interface Suite {
  /** The package whose own test suite runs; its name in test names. */
  pkg: string;
  /** The script the runtime runs, in the project (the runner's bin or the suite's entry). */
  main: string;
  /** Its arguments before the test files (runner options). */
  args?: string[];
  /** The test files handed to the runner, by their path in the package (none: `main` is it). */
  tests?: RegExp;
  /** Packages the tests need besides the package's own dependencies: the runner, fixtures. */
  needs: string[];
  /**
   * Write `"type": "commonjs"` into the project's package.json, which has no "type": Deno runs
   * a project's `.js` files as ES modules unless it says so (Node and Bun take them as CommonJS).
   */
  commonjs?: true;
  /**
   * Tests left out on a runtime whose plain run fails them (the runtime's own limitation, not
   * tph's), with the reason: test files, or runner arguments that leave tests out.
   */
  leaveOut?: { runtime: Runtime; files?: RegExp; args?: string[]; why: string }[];
  /**
   * Runtimes on which the plain run fails a test that cannot be left out alone (the runtime
   * differs from Node, not tph), with the reason: the traced run must fail it the same way.
   */
  plainFails?: { runtime: Runtime; why: string }[];
  /**
   * Paths (and scopes) on which the traced run is known to differ, with the cause: skipped
   * unless TPH_KNOWN_BUGS=1.
   */
  known?: { path: PathName; scope?: Scope; why: string }[];
  /**
   * Why the suite fails by itself now and then (it draws random data): a traced run that does
   * not do what the plain run did is run once more, and compared as any.
   */
  random?: string;
}

const TAPE = "node_modules/tape/bin/tape";
const MOCHA = "node_modules/mocha/bin/mocha.js";
/**
 * mocha fails a test that runs longer than its timeout (2 s unless the suite sets one): traced
 * code runs slower, and on a busy machine that would fail tests for their speed alone.
 */
const MOCHA_ARGS = ["--no-timeouts"];
const DENO_PROTO = "Deno removes Object.prototype.__proto__ (its plain run fails these tests)";
/**
 * mocha require()s the test files, ES modules that import files: on Deno, tph hands such a module
 * back to Deno untraced (Deno runs a load hook's source for it without loading its imports), so
 * with the default scope, where only the package and its tests are traced, nothing is recorded.
 */
const DENO_REQUIRED_ESM = "on Deno, an ES module that require() loads and that imports files " +
  "is not traced";

const SUITES: Suite[] = [
  {
    pkg: "minimist",
    main: TAPE,
    tests: /^test\/.*\.js$/,
    needs: ["tape"],
    leaveOut: [{ runtime: "deno", files: /^test\/proto\.js$/, why: DENO_PROTO }],
  },
  {
    pkg: "qs",
    main: TAPE,
    tests: /^test\/.*\.js$/,
    needs: [
      "tape",
      "es-value-fixtures",
      "for-each",
      "has-bigints",
      "has-override-mistake",
      "has-property-descriptors",
      "has-proto",
      "has-symbols",
      "iconv-lite",
      "mock-property",
      "object-inspect",
      "safer-buffer",
    ],
    plainFails: [{
      runtime: "bun",
      why: "one test matches V8's message for assigning a read-only property, which " +
        "JavaScriptCore words otherwise",
    }],
  },
  {
    pkg: "fast-uri",
    main: TAPE,
    tests: /^test\/.*\.js$/,
    needs: ["tape", "ajv"],
  },
  {
    pkg: "@fastify/deepmerge",
    main: TAPE,
    tests: /^test\/[^/]*\.js$/,
    needs: ["tape"],
    leaveOut: [{ runtime: "deno", files: /^test\/index\.test\.js$/, why: DENO_PROTO }],
  },
  {
    pkg: "json-stable-stringify",
    main: TAPE,
    tests: /^test\/.*\.js$/,
    needs: ["tape"],
  },
  {
    pkg: "deep-is",
    main: TAPE,
    tests: /^test\/[^/]*\.js$/,
    needs: ["tape"],
  },
  {
    pkg: "events",
    main: "tests/index.js",
    needs: ["tape", "functions-have-names", "has", "has-symbols", "isarray"],
    commonjs: true,
  },
  {
    pkg: "path-browserify",
    main: "test/index.js",
    needs: ["tape"],
    commonjs: true,
  },
  { pkg: "bl", main: "test/test.js", needs: ["tape"] },
  // The runner's own tests, run by itself.
  { pkg: "baretest", main: "test/index.js", needs: [], commonjs: true },
  {
    pkg: "url",
    main: MOCHA,
    args: MOCHA_ARGS,
    tests: /^test\/[^/]*\.js$/,
    needs: ["mocha"],
    leaveOut: [{
      runtime: "bun",
      args: ["--grep", "^format with querystring$", "--invert"],
      why: "Bun's node:url format() writes an array query as repeated keys, which the test " +
        "compares with Node's (its plain run fails it)",
    }],
    // url requires qs, which loads get-intrinsic.
  },
  {
    pkg: "json-schema-traverse",
    main: MOCHA,
    args: MOCHA_ARGS,
    tests: /^spec\/[^/]*\.js$/,
    needs: ["mocha"],
  },
  {
    pkg: "cborg",
    main: MOCHA,
    args: MOCHA_ARGS,
    tests: /^test\/test-.*\.js$/,
    needs: ["mocha", "chai", "ipld-garbage"],
    random: "test-3string.js draws random characters from U+F000–U+FEFF for two strings; one " +
      "that starts with U+FEFF comes back without it (a byte order mark: the decoder drops it), " +
      "~1 run in 1,900, plainly or traced (seen once in CI, s40)",
    leaveOut: [
      ...["deno" as const, "bun" as const].map((runtime) => ({
        runtime,
        files: /^test\/test-(?:fuzz|length)\.js$/,
        why: "encoding megabytes of random data takes tens of seconds plainly",
      })),
      {
        runtime: "node" as const,
        files: /^test\/test-length\.js$/,
        why: "its 'large garbage' sets mocha's limit to 10 s (this.timeout, which --no-timeouts " +
          "does not lift), which the traced run meets alone but not beside other test modules",
      },
    ],
    known: [{ path: "deno", scope: "default", why: DENO_REQUIRED_ESM }],
  },
];

const SCOPES = ["default", "include"] as const;
type Scope = typeof SCOPES[number];

/** Seconds a plain run and a traced run may take before they are killed. */
const PLAIN_LIMIT = 120;
const TRACED_LIMIT = 300;

const NODE_MODULES = resolve(process.env.TPH_SUITES_NODE_MODULES ?? join(REPO, "node_modules"));
const WORK = mkdtempSync(join(tmpdir(), "tph-suites-"));
// Runs started ahead of a failed test may still write there.
globalThis.addEventListener(
  "unload",
  () => rmSync(WORK, { recursive: true, force: true, maxRetries: 5 }),
);
/** The same environment for every run: a fixed time zone and a transform cache of our own. */
const ENV = { TZ: "UTC", TPH_TRANSFORM_CACHE: join(WORK, "transform-cache") };
let runs = 0;
/**
 * A run's environment: ENV, and a temporary folder of its own (TMPDIR), since runs of one suite go
 * on at once and some write fixed names there (bl's test writes os.tmpdir()/bl_test_rnd_out.dat
 * and reads it back: a plain and a traced run at once read each other's).
 */
function envOfRun(): Record<string, string> {
  const tmp = join(WORK, `tmp-${++runs}`);
  mkdirSync(tmp);
  return { ...ENV, TMPDIR: tmp };
}

const labelOf = (s: Suite) => s.pkg;
const onlySuites = wanted("TPH_SUITES");
const onlyPaths = wanted("TPH_SUITES_PATHS");
const onlyScopes = wanted("TPH_SUITES_SCOPES");
const selected = SUITES.filter((s) => onlySuites === null || onlySuites.includes(labelOf(s)));
const paths = PATHS.filter((p) => onlyPaths === null || onlyPaths.includes(p));
const scopes = SCOPES.filter((s) => onlyScopes === null || onlyScopes.includes(s));

const JOBS = Math.max(1, Number(process.env.TPH_SUITES_JOBS ?? 2));
const pooled = pool(JOBS);
const tphBinary = once(() => pooled(binary));

// ---- the project folders ----

/** Where Node would find package `name` required from a file in `from` (a folder in NODE_MODULES). */
function findPackage(name: string, from: string): string | null {
  for (let dir = from;; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (relative(dirname(NODE_MODULES), dir) === "" || dir === dirname(dir)) return null;
  }
}

const dependenciesOf = (dir: string): string[] => {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
};

/**
 * The suite's project: the package's files at its root, and in its node_modules copies of the
 * packages it and its tests need, with theirs (the closure of `dependencies`, found as Node finds
 * them, nested node_modules copied along with the package that holds them).
 */
const projectDir = once((label: string) => {
  const suite = SUITES.find((s) => labelOf(s) === label)!;
  const source = join(NODE_MODULES, suite.pkg);
  if (!existsSync(join(source, "package.json"))) {
    throw new Error(
      `${suite.pkg} is not installed in ${NODE_MODULES}: run npm ci (tests/real/suites.deps.json)`,
    );
  }
  const dir = join(WORK, label.replace(/[@/]/g, "_"));
  cpSync(source, dir, { recursive: true });
  if (suite.commonjs) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(pkg.type, undefined, `${suite.pkg}: package.json says "type"`);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ ...pkg, type: "commonjs" }));
  }
  const seen = new Set<string>();
  const todo: [string, string][] = [
    ...dependenciesOf(source).map((n): [string, string] => [n, source]),
    ...suite.needs.map((n): [string, string] => [n, NODE_MODULES]),
  ];
  while (todo.length > 0) {
    const [name, from] = todo.pop()!;
    const found = findPackage(name, from === NODE_MODULES ? dirname(NODE_MODULES) : from);
    if (found === null) throw new Error(`${name} (needed by ${from}) is not installed`);
    if (seen.has(found)) continue;
    seen.add(found);
    const rel = relative(NODE_MODULES, found);
    // A package nested in another's node_modules is copied with that package.
    if (!rel.includes("node_modules")) {
      const to = join(dir, "node_modules", rel);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(found, to, { recursive: true });
    }
    for (const dep of dependenciesOf(found)) todo.push([dep, found]);
  }
  return Promise.resolve(dir);
});

/** Files under `dir` (relative, sorted), outside node_modules. */
function filesIn(dir: string, sub = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== "node_modules") out.push(...filesIn(dir, rel));
    } else out.push(rel);
  }
  return out.sort();
}

/** The script and arguments of the suite's test command on a runtime. */
async function command(s: Suite, runtime: Runtime): Promise<{ cwd: string; argv: string[] }> {
  const cwd = await projectDir(labelOf(s));
  const left = (s.leaveOut ?? []).filter((l) => l.runtime === runtime);
  const tests = s.tests === undefined
    ? []
    : filesIn(cwd).filter((f) => s.tests!.test(f) && !left.some((l) => l.files?.test(f)));
  const args = [...(s.args ?? []), ...left.flatMap((l) => l.args ?? [])];
  return { cwd, argv: [s.main, ...args, ...tests] };
}

// ---- the runs ----

interface Case {
  suite: Suite;
  path: PathName;
  scope: Scope;
}

const caseKey = (c: Case) => `${c.path}:${c.scope}:${labelOf(c.suite)}`;

const plainRun = once((key: string) => {
  const [runtime, label] = key.split(":") as [Runtime, string];
  const suite = SUITES.find((s) => labelOf(s) === label)!;
  return (async () => {
    const { cwd, argv } = await command(suite, runtime);
    const rt = plainArgv(runtime);
    const runPlain = () =>
      pooled(() => run([...rt, ...argv], { cwd, limitS: PLAIN_LIMIT, env: envOfRun() }));
    const first = await runPlain();
    // Some suites time what they test (bl waits 100 ms for a pipe): on a loaded machine their
    // own plain run may fail once (seen in CI). A suite that should pass gets a second plain run
    // then; tph's run is still compared with a plain run that did what the suite does.
    const fails = suite.plainFails?.some((f) => f.runtime === runtime);
    return first.code !== 0 && !first.timedOut && !fails ? await runPlain() : first;
  })();
});

interface Traced extends Result {
  argv: string[];
  trace: RunJSON | null;
  traceError: string | null;
}

const tracedRun = once((key: string) => traceSuite(key));

/** The traced run of case `key` (tracedRun: once per case, but for a suite's `random`). */
async function traceSuite(key: string): Promise<Traced> {
  const c = CASES.find((c) => caseKey(c) === key)!;
  const { cwd, argv: cmd } = await command(c.suite, runtimeOf(c.path));
  const tph = c.path === "binary" ? await tphBinary("") : cliArgv(c.path);
  const out = join(WORK, `${key.replace(/[:@/]/g, "_")}.json`);
  const argv = [
    ...tph,
    "run",
    "--no-cache",
    "-o",
    out,
    ...(c.scope === "include" ? ["--include", "node_modules/**"] : []),
    ...cmd,
  ];
  const r = await pooled(() => run(argv, { cwd, limitS: TRACED_LIMIT, env: envOfRun() }));
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

/** Output with what varies from run to run made fixed: the durations runners print. */
export function normalise(text: string): string {
  // mocha marks a test slower than half its `slow` threshold with its duration, "✔ parses
  // (52ms)", so whether the mark is there at all depends on speed; and ends with "12 passing (1s)".
  return text.replace(/ \(\d+ms\)$/gm, "").replace(/^( +\d+ passing) \(\d+m?s\)$/gm, "$1");
}

function checkTrace(what: string, c: Case, r: Traced): void {
  assert.ok(r.trace !== null, `${what}: no run JSON was written (${r.traceError})\n${describe(r)}`);
  assert.ok(r.trace.call_count > 0, `${what}: no calls recorded\n${describe(r)}`);
  const modules = new Set(allNodes(r.trace.trace).filter((n) => !n.external).map((n) => n.module));
  const own = [...modules].filter((m) => !/^(?:node_modules\/|\.\.\/|\/)/.test(m));
  if (c.scope === "default") {
    assert.ok(
      own.length > 0,
      `${what}: no call of the project's own files recorded; traced modules: ` +
        `${[...modules].sort().slice(0, 20).join(", ") || "none"}`,
    );
    assert.deepEqual(
      [...modules].filter((m) => !own.includes(m)),
      [],
      `${what}: only the project's own files are traced`,
    );
  } else {
    // The runner and the dependencies load first and may take all of the default 10,000 calls.
    assert.ok(
      [...modules].some((m) => m.startsWith("node_modules/")),
      `${what}: no call of a package's own functions recorded; traced modules: ` +
        `${[...modules].sort().slice(0, 20).join(", ") || "none"}`,
    );
  }
}

const SCOPE_TEXT: Record<Scope, string> = {
  default: "default scope",
  include: "--include 'node_modules/**'",
};

/** The tests' cases in the order they run. */
const CASES: Case[] = selected.flatMap((suite) =>
  paths.flatMap((path) => scopes.map((scope) => ({ suite, path, scope })))
);

for (const [i, c] of CASES.entries()) {
  const what = `${labelOf(c.suite)} | ${c.path} | ${SCOPE_TEXT[c.scope]}`;
  const known = c.suite.known?.find((k) => k.path === c.path && (k.scope ?? c.scope) === c.scope);
  Deno.test({
    name: `suites: ${what}${known ? ` (known bug: ${known.why})` : ""}`,
    ignore: known !== undefined && !SHOW_KNOWN_BUGS,
    // Runs of later tests go on in the background while this one waits.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      // The binary takes a while to build: start it with the first test.
      if (paths.includes("binary")) tphBinary("");
      const traced = tracedRun(caseKey(c));
      // Start the next tests' runs, so that JOBS processes keep going.
      for (const next of CASES.slice(i + 1, i + 1 + JOBS)) {
        plainRun(`${runtimeOf(next.path)}:${labelOf(next.suite)}`);
        tracedRun(caseKey(next));
      }
      const plain = await plainRun(`${runtimeOf(c.path)}:${labelOf(c.suite)}`);
      assert.ok(!plain.timedOut, `${what}: the plain run passed ${PLAIN_LIMIT}s and was killed`);
      const fails = c.suite.plainFails?.some((f) => f.runtime === runtimeOf(c.path));
      assert.ok(
        fails ? plain.code !== 0 && plain.stdout.includes("\nnot ok ") : plain.code === 0,
        `${what}: the plain run ${fails ? "passes" : "fails"}, not tph\n${describe(plain)}`,
      );
      let r = await traced;
      if (
        c.suite.random !== undefined && !r.timedOut &&
        (r.code !== plain.code || normalise(r.stdout) !== normalise(plain.stdout))
      ) {
        console.log(`${what}: the traced run differs; once more (${c.suite.random})`);
        r = await traceSuite(caseKey(c));
      }
      assert.ok(
        !r.timedOut,
        `${what}: the traced run passed ${TRACED_LIMIT}s and was killed with its children\n` +
          `${r.argv.join(" ")}\n${describe(r)}`,
      );
      assertSame(what, "stdout", normalise(plain.stdout), normalise(r.stdout), r);
      assertSame(
        what,
        "stderr",
        normalise(plain.stderr),
        normalise(programStderr(r.stderr)),
        r,
      );
      assert.equal(r.code, plain.code, `${what}: exit code\n${describe(r)}`);
      checkTrace(what, c, r);
    },
  });
}
