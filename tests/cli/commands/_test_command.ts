// `tph test` on Deno's test runner: the runner's output and exit code as `deno test` gives them,
// each test's calls stored as a run of its own (name, file, outcome), a line per failing test
// naming its run, `tph logs --failed`, `--failed-only`, the runner's own arguments after `--`,
// and a project whose runner tph test does not run yet told so in one line. tph runs on the
// target's runtime; the tests run on Deno whatever it is.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  DENO,
  exec,
  finish,
  lines,
  NODE,
  NODE22,
  REPO,
  start,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import { mountTmpfs, ROOT, unmount } from "./_disk.ts";

const CALC = `export function add(a: number, b: number): number {
  return a + b;
}
export function divide(a: number, b: number): number {
  if (b === 0) throw new RangeError("divide by zero");
  return a / b;
}
export async function slowDouble(n: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 5));
  return add(n, n);
}
`;

const TESTS = `import { add, divide, slowDouble } from "./calc.ts";
Deno.test("add adds", () => {
  if (add(2, 3) !== 5) throw new Error("bad");
});
Deno.test("divide by zero fails", () => {
  divide(1, 0);
});
Deno.test("async double", async () => {
  const v = await slowDouble(4);
  if (v !== 8) throw new Error("bad");
});
Deno.test.ignore("skipped", () => {
  add(1, 1);
});
Deno.test({ name: "with steps", fn: async (t) => {
  await t.step("inner", () => { add(5, 5); });
} });
Deno.test("name \\u001b[2J with an escape", () => {
  add(divide(4, 2), 1);
  throw new Error("no");
});
`;

const NODE_TESTS = `import test, { describe, it } from "node:test";
import { add, divide, slowDouble } from "./calc.js";
test("add adds", () => {
  if (add(2, 3) !== 5) throw new Error("bad");
});
test("divide by zero fails", () => { divide(1, 0); });
test("async double", async () => {
  if (await slowDouble(4) !== 8) throw new Error("bad");
});
test.skip("skipped", () => { add(1, 1); });
describe("suite", () => {
  it("inner passes", () => { add(5, 5); });
  it("inner times out", { timeout: 50 }, async () => {
    add(1, 2);
    await new Promise((r) => setTimeout(r, 2000));
  });
});
test("with subtests", async (t) => {
  add(0, 0);
  await t.test("sub one", () => { add(1, 1); });
  await t.test("sub two", () => { divide(2, 0); });
});
test("skips itself", (t) => { add(3, 3); t.skip("not today"); });
`;

/** node --test's report with its times taken out. */
function nodeReport(text: string): string {
  return lines(text).filter((l) => !l.startsWith("tph: ")).map((l) =>
    l.replace(/\s*\(\d+(?:\.\d+)?ms\)/g, "").replace(/duration_ms:? [\d.]+/, "duration_ms")
      .replace(/^\(node:\d+\)/, "(node)")
  ).join("\n");
}

/** deno test's report with its times and its type-check lines taken out. */
function report(text: string): string {
  return lines(text)
    .filter((l) => !l.startsWith("Check ") && !l.startsWith("tph: "))
    .map((l) => l.replace(/\s*\(\d+(?:\.\d+)?(?:ms|s|µs)\)/g, ""))
    .join("\n");
}

/** A temporary folder holding these files. */
function project(files: Record<string, string>): TempDir {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  return dir;
}

/** A temporary Deno project (a deno.json) holding these files. */
function denoProject(files: Record<string, string>): TempDir {
  return project({ "deno.json": "{}\n", ...files });
}

async function withTests(body: (dir: string) => Promise<void>): Promise<void> {
  await using dir = denoProject({ "calc.ts": CALC, "calc_test.ts": TESTS });
  await body(dir.path);
}

/**
 * Wait (a minute at most) until a test's run is stored as it ends, then listed for the report (the
 * run's list, a dot file beside it).
 */
export async function untilListed(cache: string, test: string): Promise<void> {
  const until = Date.now() + 60_000;
  const stored = new RegExp(`^run_.*${test}.*\\.tph$`);
  const listed = () => {
    const names = existsSync(cache) ? readdirSync(cache) : [];
    const list = names.find((f) => /^\..*\.tests$/.test(f));
    return names.some((f) => stored.test(f)) && list !== undefined &&
      readFileSync(join(cache, list), "utf8").includes(test);
  };
  while (!listed()) {
    assert.ok(Date.now() < until, `the ${test} test's run was not stored within a minute`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * tph test's own lines after the runner's report: the summary, then each failing test's name and
 * run id (null for a line of another form).
 */
export function ownLines(stderr: string): { own: string[]; failing: ([string, string] | null)[] } {
  const own = lines(stderr).filter((l) => l.startsWith("tph: "));
  const failing = own.slice(1).map((l) => {
    const m = /^tph: FAILED (.+): tph tree (\S+) {2}\(tph view \2 --html\)$/.exec(l);
    return m === null ? null : [m[1], m[2]] as [string, string];
  });
  return { own, failing };
}

/** A stored run as `tph logs --json` lists it. */
export interface LoggedRun {
  id: string;
  label: string | null;
  run?: { test?: { name: string; file: string; runner: string; outcome: string } };
}

export function testCommandTests(t: Target): void {
  Deno.test(`tph test: deno test's report and exit code, a run per test, the failing ones named (${t.name})`, () =>
    withTests(async (dir) => {
      // Twice: the first type-checks.
      await exec([DENO, "test", "-A", "calc_test.ts"], { cwd: dir });
      const plain = await exec([DENO, "test", "-A", "calc_test.ts"], { cwd: dir });
      const r = await tph(t, ["test", "--", "calc_test.ts"], { cwd: dir });
      assertCode(r, plain.code, "tph test");
      assert.equal(plain.code, 1);
      assert.equal(report(r.stdout), report(plain.stdout));
      assert.equal(report(r.stderr), report(plain.stderr));
      const { own, failing } = ownLines(r.stderr);
      assert.match(
        own[0],
        /^tph: 6 tests traced \(4 passed, 2 failed\), \d+ calls; stored each test's run in \.tracepatch_cache$/,
      );
      assert.deepEqual(failing.map((m) => m?.[0]), [
        "calc_test.ts › divide by zero fails",
        "calc_test.ts › name \\u001b[2J with an escape",
      ], own.join("\n"));
      const tree = await tph(t, ["tree", failing[0]![1]], { cwd: dir });
      assertCode(tree, 0, "tph tree");
      assert.deepEqual(lines(tree.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
        "└── test callback #2() !! RangeError: divide by zero",
        "    └── divide(a=1, b=0) !! RangeError: divide by zero",
      ]);
      const logs = await tph(t, ["logs", "--json"], { cwd: dir });
      const expected = [
        ["add adds", "passed", "calc_test.ts"],
        ["divide by zero fails", "failed", "calc_test.ts"],
        ["async double", "passed", "calc_test.ts"],
        ["with steps", "passed", "calc_test.ts"],
        ["with steps › inner", "passed", "calc_test.ts"],
        ["name \u001b[2J with an escape", "failed", "calc_test.ts"],
      ];
      // Oldest first; runs that started in the same millisecond (a test and its step) have no
      // order between them (their ids' time parts are equal): those are put in the expected one.
      const order = (x: LoggedRun) => expected.findIndex((e) => e[0] === x.label);
      const runs = (JSON.parse(logs.stdout) as LoggedRun[]).reverse()
        .map((x, i) => ({ x, i, ms: x.id.slice(0, 19) }))
        .sort((a, b) => a.ms === b.ms ? order(a.x) - order(b.x) : a.i - b.i)
        .map((e) => e.x);
      assert.deepEqual(
        runs.map((x) => [x.label, x.run?.test?.outcome, x.run?.test?.file]),
        expected,
      );
      const asyncTree = await tph(t, ["tree", runs[2].id, "--no-args", "--no-return"], {
        cwd: dir,
      });
      // The calls after the await are the test's too.
      assert.deepEqual(lines(asyncTree.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
        "└── async test callback #3()",
        "    └── async slowDouble()",
        "        ├── slowDouble › Promise executor()",
        "        │   └── setTimeout() [ext]",
        "        └── add()",
      ]);
      const failed = await tph(t, ["logs", "--failed"], { cwd: dir });
      const rows = lines(failed.stdout).slice(1);
      assert.equal(rows.length, 2, failed.stdout);
      assert.match(rows[0], /^1 .* test failed +-$/);
      assert.match(rows[1], /^5 .*divide by zero fails .* test failed +-$/);
    }));

  Deno.test(`tph test: --failed-only keeps the failing tests' runs; -- --filter goes to deno test (${t.name})`, () =>
    withTests(async (dir) => {
      const only = await tph(t, ["test", "--failed-only"], { cwd: dir });
      assertCode(only, 1, "tph test --failed-only");
      const logs = await tph(t, ["logs", "--json"], { cwd: dir });
      const kept = JSON.parse(logs.stdout) as LoggedRun[];
      assert.deepEqual(kept.map((x) => x.run?.test?.outcome), ["failed", "failed"]);
      const filtered = await tph(t, ["test", "--", "--filter", "add adds"], { cwd: dir });
      assertCode(filtered, 0, "tph test -- --filter");
      assert.match(filtered.stdout, /add adds \.\.\. ok/);
      assert.doesNotMatch(filtered.stdout, /divide/);
      assert.match(
        lines(filtered.stderr).at(-1)!,
        /^tph: 1 test traced \(1 passed, 0 failed\), 2 calls; stored each test's run in /,
      );
    }));

  Deno.test(`tph test: a test without write permission still gets its run, stored at the end (${t.name})`, async () => {
    await using dir = denoProject({
      "p_test.ts": "function twice(n: number) { return n * 2; }\n" +
        'Deno.test({ name: "no write", permissions: { write: false, read: true, env: true }, ' +
        "fn: () => { twice(2); } });\n",
    });
    const r = await tph(t, ["test"], { cwd: dir.path });
    assertCode(r, 0, "tph test");
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    assert.deepEqual(own.map((l) => l.replace(/ in .*$/, "")), [
      "tph: 1 test traced (1 passed, 0 failed), 2 calls; stored each test's run",
    ]);
    assert.doesNotMatch(r.stdout + r.stderr, /warning/);
  });

  Deno.test({
    name:
      `tph test: a read-only cache is one line before any test runs; a full one a warning after the report (${t.name})`,
    ignore: !ROOT,
    fn: async () => {
      // Each test's run holds 100,000 calls (~1 MB): the 1.5 MB folder takes one of the two.
      await using dir = denoProject({
        "d_test.ts": "function one() { return 1; }\n" +
          'Deno.test("first", () => { for (let i = 0; i < 1e5; i++) one(); });\n' +
          'Deno.test("second", () => { for (let i = 0; i < 1e5; i++) one(); });\n',
      });
      const cache = join(dir.path, "cache");
      mountTmpfs(cache, "size=1m,ro,mode=0700");
      try {
        const r = await tph(t, ["test", "--cache-dir", "cache"], { cwd: dir.path });
        assertCode(r, 1, "tph test, read-only cache");
        assert.equal(r.stdout, "", "no test ran");
        assert.match(
          r.stderr,
          /^tph: Cannot store the tests' runs in ".*\/cache": read-only file system; give a folder tph can write with --cache-dir\n$/,
        );
      } finally {
        unmount(cache);
      }
      for (const [size, stored] of [["64k", 0], ["1500k", 1]] as const) {
        mountTmpfs(cache, `size=${size},mode=0700`);
        try {
          const r = await tph(t, ["test", "--cache-dir", "cache"], { cwd: dir.path });
          assertCode(r, 0, `tph test, a ${size} cache`);
          assert.match(r.stdout, /ok \| 2 passed \| 0 failed/);
          assert.doesNotMatch(r.stdout, /tph/, "nothing of tph's in the runner's output");
          const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
          assert.equal(
            own[0],
            `tph: warning: ${
              stored === 0 ? "no test's run could" : "1 of 2 tests' runs could not"
            } be stored in "${cache}": no space left on the device`,
          );
          assert.equal(own.length, stored === 0 ? 1 : 2, r.stderr);
          assert.equal(readdirSync(cache).filter((f) => f.endsWith(".tph")).length, stored);
        } finally {
          unmount(cache);
        }
      }
    },
  });

  Deno.test(`tph test: SIGINT to tph mid-run keeps the finished tests' runs, and says so (${t.name})`, async () => {
    await using dir = denoProject({
      "s_test.ts": "function one() { return 1; }\n" +
        'Deno.test("quick", () => { one(); });\n' +
        'Deno.test("slow", async () => { one(); await new Promise((r) => setTimeout(r, 60000)); });\n',
    });
    const child = start([...t.tph, "test"], { cwd: dir.path, env: t.env });
    const cache = join(dir.path, ".tracepatch_cache");
    await untilListed(cache, "quick");
    Deno.kill(child.pid, "SIGINT");
    const r = await finish(child, "", 60_000, "tph test");
    assertCode(r, 130, "tph test, interrupted");
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    // deno test, interrupted, may still end as a program does (its ending written): then tph has
    // no cause to say that the runner died first.
    assert.ok(own.length === 1 || own.length === 2, r.stderr);
    if (own.length === 2) {
      assert.match(
        own[0],
        /^tph: the test runner ended before its tests did( \(SIGINT\))?: a test still running then has no run$/,
      );
    }
    assert.match(own.at(-1)!, /^tph: 1 test traced \(1 passed, 0 failed\), 2 calls; stored each/);
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    const runs = JSON.parse(logs.stdout) as LoggedRun[];
    assert.deepEqual(runs.map((x) => [x.label, x.run?.test?.outcome]), [["quick", "passed"]]);
  });

  Deno.test(`tph test: node --test's report and exit code, a run per test and subtest, Node's outcomes (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(
      join(dir.path, "package.json"),
      '{ "type": "module", "scripts": { "test": "node --test" } }\n',
    );
    writeFileSync(join(dir.path, "calc.js"), CALC.replace(/: number|: Promise<number>/g, ""));
    writeFileSync(join(dir.path, "calc.test.js"), NODE_TESTS);
    writeFileSync(
      join(dir.path, "more.test.cjs"),
      'const { test } = require("node:test");\nfunction mul(a, b) { return a * b; }\n' +
        'test("cjs mul", () => { if (mul(2, 3) !== 7) throw new Error("bad mul"); });\n',
    );
    // The Node on PATH is the one tph test runs (tph on Node: its own, Node 24): 22 and 24.
    for (const node of t.name === "deno" ? [NODE, NODE22] : [NODE]) {
      const env = { PATH: `${dirname(node)}:${process.env.PATH}` };
      const plain = await exec([node, "--test"], { cwd: dir.path, env });
      assert.equal(plain.code, 1);
      const r = await tph(t, ["test"], { cwd: dir.path, env });
      assertCode(r, plain.code, `tph test (${node})`);
      assert.equal(nodeReport(r.stdout), nodeReport(plain.stdout));
      assert.equal(nodeReport(r.stderr), nodeReport(plain.stderr));
      // Where tph rewrote the call that declared it (an `it` in a describe), its place is as written.
      assert.match(plain.stdout, /calc\.test\.js:13:3\b/, "a test's place is reported");
      const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
      assert.match(
        own[0],
        /^tph: 10 tests traced \(4 passed, 4 failed, 1 skipped, 1 timed out\), \d+ calls; stored each test's run in \.tracepatch_cache$/,
      );
      assert.deepEqual(own.slice(1).map((l) => l.replace(/: tph tree .*$/, "")), [
        "tph: FAILED calc.test.js › divide by zero fails",
        "tph: TIMED OUT calc.test.js › suite › inner times out",
        "tph: FAILED calc.test.js › with subtests › sub two",
        "tph: FAILED calc.test.js › with subtests",
        "tph: FAILED more.test.cjs › cjs mul",
      ]);
      const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
      const runs = (JSON.parse(logs.stdout) as LoggedRun[]).reverse().slice(0, 10);
      assert.deepEqual(
        runs.map((x) => [x.label, x.run?.test?.outcome, x.run?.test?.runner]),
        [
          ["add adds", "passed", "node"],
          ["divide by zero fails", "failed", "node"],
          ["async double", "passed", "node"],
          ["suite › inner passes", "passed", "node"],
          ["suite › inner times out", "timed out", "node"],
          ["with subtests", "failed", "node"],
          ["with subtests › sub one", "passed", "node"],
          ["with subtests › sub two", "failed", "node"],
          ["skips itself", "skipped", "node"],
          ["cjs mul", "failed", "node"],
        ].sort((a, b) =>
          runs.findIndex((x) => x.label === a[0]) - runs.findIndex((x) => x.label === b[0])
        ),
      );
      const trees = await Promise.all(
        [
          runs.find((x) => x.label === "with subtests › sub two")!,
          runs.find((x) => x.label === "async double")!,
        ]
          .map((x) => tph(t, ["tree", x.id, "--no-args", "--no-return"], { cwd: dir.path })),
      );
      assert.deepEqual(lines(trees[0].stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
        "└── test callback #4 › test callback #2() !! RangeError: divide by zero",
        "    └── divide() !! RangeError: divide by zero",
      ]);
      // The calls after the await are the test's too.
      assert.deepEqual(lines(trees[1].stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
        "└── async test callback #3()",
        "    └── async slowDouble()",
        "        ├── slowDouble › Promise executor()",
        "        │   └── setTimeout() [ext]",
        "        └── add()",
      ]);
      await tph(t, ["clean", "--all"], { cwd: dir.path });
    }
    // The test script's own arguments go to node --test, unless some are given after --.
    writeFileSync(
      join(dir.path, "package.json"),
      `{ "type": "module", "scripts": { "test": "node --test 'more.test.cjs'" } }\n`,
    );
    const own = await tph(t, ["test"], { cwd: dir.path });
    assertCode(own, 1, "tph test, the script's arguments");
    assert.match(own.stdout, /cjs mul/);
    assert.doesNotMatch(own.stdout, /add adds/);
    const given = await tph(t, ["test", "--", "calc.test.js"], { cwd: dir.path });
    assert.match(given.stdout, /add adds/);
    assert.doesNotMatch(given.stdout, /cjs mul/);
  });

  Deno.test(`tph test: node --test's hooks are in their test's run; concurrent tests keep their calls apart (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "type": "module" }\n',
      "h.test.js": 'import { describe, it, before, beforeEach, afterEach } from "node:test";\n' +
        "function setup(n) { return n; }\nfunction teardown(n) { return n; }\n" +
        "function body(n) { return n; }\nfunction once() { return 0; }\n" +
        'describe("with hooks", () => {\n' +
        "  before(() => { once(); });\n" +
        "  beforeEach(async () => { await null; setup(1); });\n" +
        "  afterEach(() => { teardown(2); });\n" +
        '  it("first", async () => { await null; body(3); });\n' +
        '  describe("inner", () => {\n    it("second", () => { body(4); });\n  });\n});\n',
      // Two tests at once, each awaiting between its calls: their awaits interleave.
      "c.test.js": 'import { describe, it } from "node:test";\n' +
        "async function step(name, i) { await new Promise((r) => setTimeout(r, 5)); return i; }\n" +
        'describe("together", { concurrency: true }, () => {\n' +
        '  it("a", async () => { for (let i = 0; i < 3; i++) await step("a", i); });\n' +
        '  it("b", async () => { for (let i = 0; i < 3; i++) await step("b", i); });\n});\n',
    });
    const r = await tph(t, ["test", "--runner", "node"], {
      cwd: dir.path,
      env: { PATH: `${dirname(NODE)}:${process.env.PATH}` },
    });
    assertCode(r, 0, "tph test");
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    const all = JSON.parse(logs.stdout) as LoggedRun[];
    const runs = all.filter((x) => x.label?.startsWith("with hooks")).reverse();
    assert.deepEqual(runs.map((x) => x.label), [
      "with hooks › first",
      "with hooks › inner › second",
    ]);
    for (const name of ["a", "b"]) {
      const run = all.find((x) => x.label === `together › ${name}`)!;
      const tree = await tph(t, ["tree", run.id, "--no-return"], { cwd: dir.path });
      const steps = lines(tree.stdout).filter((l) => /step\(/.test(l)).map((l) =>
        l.replace(/^[│├└─ ]*/, "").replace(/ {2}\[[^\]]*\]$/, "")
      );
      assert.deepEqual(steps, [0, 1, 2].map((i) => `async step(name="${name}", i=${i})`));
    }
    for (const [i, run] of runs.entries()) {
      const tree = await tph(t, ["tree", run.id, "--no-return"], { cwd: dir.path });
      // The hooks' calls, after an await too, and the test's own; `before` belongs to no test.
      assert.deepEqual(
        lines(tree.stdout).filter((l) => !/callback/.test(l)).map((l) =>
          l.replace(/^[│ ]*└── /, "").replace(/ {2}\[[^\]]*\]$/, "")
        ),
        ["setup(n=1)", `body(n=${i + 3})`, "teardown(n=2)"],
        tree.stdout,
      );
    }
  });

  Deno.test(`tph test: the README's failing test of the shop example (${t.name})`, async () => {
    await using dir = tempDir({ examples: join(REPO, "examples") });
    writeFileSync(join(dir.path, "package.json"), "{}\n");
    const env = { PATH: `${dirname(NODE)}:${process.env.PATH}` };
    const r = await tph(t, ["test", "--runner", "node", "--", "examples/shop/shop.test.ts"], {
      cwd: dir.path,
      env,
    });
    assertCode(r, 1, "tph test of the shop's tests");
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    assert.match(own[0], /^tph: 3 tests traced \(2 passed, 1 failed\), \d+ calls; /);
    const m =
      /^tph: FAILED examples\/shop\/shop\.test\.ts › five plums can be reserved: tph tree (\S+) /
        .exec(own[1]);
    assert.ok(m !== null, own.join("\n"));
    const tree = await tph(t, ["tree", m[1], "--no-args"], { cwd: dir.path });
    assert.deepEqual(lines(tree.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
      "└── test callback #3() !! RangeError: Not enough plum: wanted 5, have 1",
      "    ├── Inventory.constructor() -> undefined",
      '    │   └── Object.entries() -> [["plum", 1]] [ext]',
      "    └── Inventory.reserve() !! RangeError: Not enough plum: wanted 5, have 1",
    ]);
  });
}
