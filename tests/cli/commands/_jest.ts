// `tph test` on jest (the checkout's jest 30, linked into each project): jest's report and exit
// code as plain jest gives them (stacks, code frames and functions' sources included, through the
// project's own transformer, babel-jest), a run per test with circus's outcome (failed with its
// error, timed out), `beforeEach`/`afterEach` calls in their test's run, concurrent tests apart,
// tests in jest's workers, a warning for --coverage, and one line for a project without jest or
// with one too old.

import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  exec,
  lines,
  NODE,
  REPO,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import { type LoggedRun, ownLines } from "./_test_command.ts";

const MATH = `function add(a, b) {
  return a + b;
}
function boom(x) {
  const y = add(x, 1);
  throw new Error("boom " + y);
}
async function slow(x) {
  await new Promise((r) => setTimeout(r, 10));
  return add(x, 1);
}
module.exports = { add, boom, slow };
`;

const TESTS = `const { add, boom, slow } = require("./math");
let n = 0;
beforeEach(() => {
  n = add(n, 1);
});
afterEach(() => {
  add(n, 100);
});
describe("math", () => {
  test("adds", () => {
    expect(add(1, 2)).toBe(3);
  });
  test("fails", () => {
    expect(add(1, 2)).toBe(4);
  });
  test.concurrent("one", async () => {
    expect(await slow(1)).toBe(2);
  });
  test.concurrent("two", async () => {
    expect(await slow(2)).toBe(3);
  });
});
test("throws", () => {
  boom(3);
});
test("sources", () => {
  console.log(String(add));
});
test.skip("skipped", () => {
  add(0, 0);
});
test("too slow", async () => {
  add(7, 7);
  await new Promise((r) => setTimeout(r, 400));
}, 100);
`;

const OTHER = `const { add } = require("./math");
test("other adds", () => {
  expect(add(2, 2)).toBe(4);
});
`;

/** A temporary project holding these files, with the checkout's jest unless told not to. */
function project(files: Record<string, string>, linked = true): TempDir {
  const dir = tempDir();
  if (linked) symlinkSync(join(REPO, "node_modules"), join(dir.path, "node_modules"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, name)), { recursive: true });
    writeFileSync(join(dir.path, name), text);
  }
  return dir;
}

/** jest's report without its times (and the order of its files, which finish as they will). */
function report(text: string): string {
  return lines(text).filter((l) => !l.startsWith("tph: "))
    .map((l) => l.replace(/ \(\d+(?:\.\d+)? m?s\)/g, "").replace(/^(Time: ).*/, "$1T"))
    .join("\n");
}

/** Node 24's folder first on PATH: jest runs on the first Node ≥ 22.15 there. */
const env = { PATH: `${dirname(NODE)}:${process.env.PATH}` };

export function jestTests(t: Target): void {
  Deno.test(`tph test: a test's error whose message is a getter has it run as often as by jest alone (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "name": "p", "scripts": { "test": "jest --ci" } }\n',
      "src/getter.test.js": `const { writeSync } = require("node:fs");
function work(n) { return n * 2; }
test("throws an error whose message is a getter", () => {
  work(2);
  const e = new Error("real");
  Object.defineProperty(e, "message", { get() { writeSync(2, "getter message\\n"); return "got"; } });
  throw e;
});
`,
    });
    const plain = await exec([NODE, "node_modules/jest/bin/jest.js", "--ci"], {
      cwd: dir.path,
      env: { NO_COLOR: "1" },
    });
    assert.equal(plain.code, 1, plain.stderr);
    const r = await tph(t, ["test"], { cwd: dir.path, env: { ...env, NO_COLOR: "1" } });
    assertCode(r, 1, "tph test");
    const reads = (text: string) => lines(text).filter((l) => l === "getter message").length;
    assert.ok(reads(plain.stderr) > 0);
    assert.equal(reads(r.stderr), reads(plain.stderr));
    assert.equal(report(r.stderr), report(plain.stderr));
    assert.match(r.stderr, /^tph: FAILED src\/getter\.test\.js › throws an error whose message /m);
  });

  Deno.test(`tph test: jest's report and exit code, a run per test with its outcome (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "name": "p", "scripts": { "test": "jest --ci" } }\n',
      "src/math.js": MATH,
      "src/math.test.js": TESTS,
    });
    const plain = await exec([NODE, "node_modules/jest/bin/jest.js", "--ci"], {
      cwd: dir.path,
      env: { NO_COLOR: "1" },
    });
    assert.equal(plain.code, 1, plain.stderr);
    const r = await tph(t, ["test"], { cwd: dir.path, env: { ...env, NO_COLOR: "1" } });
    assertCode(r, plain.code, "tph test");
    assert.equal(report(r.stdout), report(plain.stdout));
    assert.equal(report(r.stderr), report(plain.stderr));
    // The function printed as written, and the stacks and code frames of the files as written.
    assert.match(r.stdout + r.stderr, /function add\(a, b\) \{\n\s+return a \+ b;\n\s+\}/);
    assert.match(r.stderr, /at boom \(src\/math\.js:6:9\)/);
    const { own, failing } = ownLines(r.stderr);
    assert.match(own[0], /^tph: 7 tests traced \(4 passed, 2 failed, 1 timed out\), \d+ calls; /);
    // The timed-out test's line is of another form (ownLines reads FAILED lines).
    assert.deepEqual(failing.map((m) => m?.[0]), [
      "src/math.test.js › math › fails",
      "src/math.test.js › throws",
      undefined,
    ]);
    assert.match(own.at(-1)!, /^tph: TIMED OUT src\/math\.test\.js › too slow: /);
    const runs = JSON.parse((await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout);
    const byName = new Map((runs as LoggedRun[]).map((x) => [x.label, x]));
    assert.deepEqual(
      [...byName.entries()].map(([name, x]) => [name, x.run?.test?.outcome]).sort(),
      [
        ["math › adds", "passed"],
        ["math › fails", "failed"],
        ["math › one", "passed"],
        ["math › two", "passed"],
        ["sources", "passed"],
        ["throws", "failed"],
        ["too slow", "timed out"],
      ],
    );
    const tree = async (name: string) => {
      const r = await tph(t, ["tree", byName.get(name)!.id, "--no-return"], { cwd: dir.path });
      assertCode(r, 0, "tph tree");
      return lines(r.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, ""));
    };
    // Down to the thrown error, with its test's hooks.
    assert.deepEqual(await tree("throws"), [
      "├── beforeEach callback()",
      "│   └── add(a=2, b=1)",
      "├── test callback() !! Error: boom 4",
      "│   └── boom(x=3) !! Error: boom 4",
      "│       └── add(a=3, b=1)",
      "└── afterEach callback()",
      "    └── add(a=3, b=100)",
    ]);
    // Concurrent tests keep their calls apart, after their awaits too.
    for (const [name, x] of [["math › one", 1], ["math › two", 2]] as const) {
      assert.deepEqual((await tree(name)).filter((l) => l.includes("add(")), [
        `        └── add(a=${x}, b=1)`,
      ], name);
    }
  });

  Deno.test(`tph test: jest's workers run the test files, each test with its run (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "name": "p", "devDependencies": { "jest": "*" } }\n',
      "src/math.js": MATH,
      "src/a.test.js": OTHER,
      "src/b.test.js": OTHER.replace("other adds", "b adds"),
    });
    const r = await tph(t, ["test", "--", "-w", "2"], { cwd: dir.path, env });
    assertCode(r, 0, "tph test -- -w 2");
    assert.match(r.stderr, /Tests: {7}2 passed, 2 total/);
    const runs = JSON.parse((await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout);
    assert.deepEqual(
      (runs as LoggedRun[]).map((x) => [x.run?.test?.file, x.label, x.run?.test?.outcome]).sort(),
      [["src/a.test.js", "other adds", "passed"], ["src/b.test.js", "b adds", "passed"]],
    );
    // jest's coverage would count the rewritten code: said once, before jest's report.
    const covered = await tph(t, ["test", "--", "--coverage", "src/a.test.js"], {
      cwd: dir.path,
      env,
    });
    assertCode(covered, 0, "tph test -- --coverage");
    // istanbul's counters (babel-jest adds them to the code) are not the project's calls.
    const tree = await tph(t, ["tree", "last"], { cwd: dir.path });
    assert.match(tree.stdout, /add\(a=2, b=2\) -> 4/);
    assert.doesNotMatch(tree.stdout, /cov_/);
    assert.match(
      covered.stderr,
      /^tph: warning: with a transformer that leaves coverage to jest \(ts-jest, or none\), jest's coverage measures the code tph rewrote: measure coverage with jest alone\n/,
    );
  });

  Deno.test(`tph test: jest's report is unchanged with a transformer whose map is inline, and with none (${t.name})`, async () => {
    // One whose map is at the end of its code, as ts-jest gives it (TypeScript's transpileModule
    // here); the interface makes the JavaScript's lines differ from the file's.
    await using inline = project({
      "package.json": JSON.stringify({
        name: "p",
        jest: { transform: { "\\.ts$": "<rootDir>/ts.cjs" } },
      }),
      "ts.cjs": 'const ts = require("typescript");\n' +
        "module.exports = { process(src, file) {\n" +
        "  const r = ts.transpileModule(src, { fileName: file, compilerOptions: { module: 1, " +
        "inlineSourceMap: true } });\n  return { code: r.outputText };\n} };\n",
      "src/math.ts": "interface Pair {\n  a: number;\n  b: number;\n}\n" +
        "export function add({ a, b }: Pair): number {\n  if (a < 0) throw new Error(`no ${a}`);\n" +
        "  return a + b;\n}\n",
      "src/math.test.ts": 'import { add } from "./math";\ninterface Case {\n  a: number;\n}\n' +
        'test("adds", () => {\n  const c: Case = { a: 1 };\n  expect(add({ a: c.a, b: 2 })).toBe(4);\n});\n' +
        'test("throws", () => {\n  add({ a: -1, b: 0 });\n});\n',
    });
    // None: the project's files run as written (an empty transform).
    await using none = project({
      "package.json": JSON.stringify({ name: "p", jest: { transform: {} } }),
      "src/math.js": MATH,
      "src/math.test.js": 'const { add, boom } = require("./math");\n' +
        'test("adds", () => {\n  expect(add(1, 2)).toBe(4);\n});\n' +
        'test("throws", () => {\n  boom(1);\n});\n',
    });
    for (const dir of [inline, none]) {
      const plain = await exec([NODE, "node_modules/jest/bin/jest.js"], { cwd: dir.path });
      assert.equal(plain.code, 1, plain.stderr);
      const r = await tph(t, ["test", "--runner", "jest"], { cwd: dir.path, env });
      assertCode(r, 1, "tph test");
      assert.equal(report(r.stderr), report(plain.stderr));
      assert.match(report(r.stderr), /> \d+ \|/, "a code frame");
      assert.match(ownLines(r.stderr).own[0], /^tph: 2 tests traced \(0 passed, 2 failed\), /);
    }
  });

  Deno.test(`tph test: a project without jest, or with jest before 30, is told so in one line (${t.name})`, async () => {
    await using bare = project({ "package.json": '{ "scripts": { "test": "jest" } }\n' }, false);
    const none = await tph(t, ["test"], { cwd: bare.path, env });
    assertCode(none, 1, "tph test, no jest");
    assert.match(
      none.stderr,
      /^tph: jest is not installed here \(no node_modules\/jest in .* or above\): npm install --save-dev jest, or choose another runner with --runner\n$/,
    );
    await using old = project({
      "package.json": '{ "scripts": { "test": "jest" } }\n',
      "node_modules/jest/package.json": '{ "name": "jest", "version": "29.7.0" }\n',
    }, false);
    const r = await tph(t, ["test"], { cwd: old.path, env });
    assertCode(r, 1, "tph test, jest 29");
    assert.match(
      r.stderr,
      /^tph: tph test runs jest 30 or later, and this project has jest 29\.7\.0: npm install --save-dev jest@latest\n$/,
    );
  });
}
