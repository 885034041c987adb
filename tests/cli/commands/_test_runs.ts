// `tph test`, each test its own run as the runner counts it: a test whose process exits by its own
// call (node --test, bun test and jest in band count it as passed on exit(0)), an exit in a Deno test
// reported without a frame of tph's, Deno's steps (`t.step`, and BDD's describe/it built on them)
// and a Deno workspace's members; the runner chosen from the test files' imports when nothing else
// says; a runner's package cut short by an install told in one line.

import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  BUN,
  DENO,
  exec,
  FIXTURES,
  lines,
  NODE,
  REPO,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import type { LoggedRun } from "./_test_command.ts";

/** bdd.ts (std's describe/it, as std registers them) and the module the tests call. */
const STEPS_FIXTURE = join(FIXTURES, "deno_steps");

/** A temporary folder holding these files (folders made as needed). */
export function files(list: Record<string, string>): TempDir {
  const dir = tempDir();
  for (const [name, text] of Object.entries(list)) {
    mkdirSync(dirname(join(dir.path, name)), { recursive: true });
    writeFileSync(join(dir.path, name), text);
  }
  return dir;
}

/** Node 24 and Bun first on PATH: the runners tph test starts. */
export const RUNNERS_PATH = { PATH: `${dirname(NODE)}:${dirname(BUN)}:${process.env.PATH}` };

/** The stored tests' runs, oldest first: [label, outcome, runner]. */
export async function storedTests(t: Target, cwd: string): Promise<string[][]> {
  const logs = await tph(t, ["logs", "--json"], { cwd });
  assertCode(logs, 0, "tph logs --json");
  return (JSON.parse(logs.stdout) as LoggedRun[]).reverse().map((x) => [
    x.label ?? "",
    x.run?.test?.outcome ?? "",
    x.run?.test?.runner ?? "",
  ]);
}

/** The error a test's stored run says it failed with. */
async function testError(t: Target, cwd: string, label: string): Promise<string | undefined> {
  const logs = await tph(t, ["logs", "--json"], { cwd });
  const run = (JSON.parse(logs.stdout) as LoggedRun[]).find((x) => x.label === label)!;
  const view = await tph(t, ["view", run.id, "--json"], { cwd });
  return (JSON.parse(view.stdout) as { run?: { error?: string } }).run?.error;
}

/** deno test's report with its times and its type-check lines taken out. */
function denoReport(text: string): string {
  return lines(text)
    .filter((l) => !l.startsWith("Check ") && !l.startsWith("tph: "))
    .map((l) => l.replace(/\s*\(\d+(?:\.\d+)?(?:ms|s|µs)\)/g, ""))
    .join("\n");
}

/** A test file with steps (nested, one ignored, one failing). */
const STEPS = 'import { fresh } from "./stack.ts";\n' +
  "\n" +
  'Deno.test("with steps", async (t) => {\n' +
  "  const s = fresh();\n" +
  '  await t.step("push", () => {\n' +
  "    s.push(1);\n" +
  "  });\n" +
  '  await t.step("nested", async (t) => {\n' +
  "    s.push(2);\n" +
  '    await t.step("pop", () => {\n' +
  "      s.pop();\n" +
  "    });\n" +
  "  });\n" +
  '  await t.step({ name: "ignored", ignore: true, fn: () => {} });\n' +
  "});\n" +
  "\n" +
  'Deno.test("a step fails", async (t) => {\n' +
  "  fresh();\n" +
  '  await t.step("pops empty", () => {\n' +
  "    fresh().pop();\n" +
  "  });\n" +
  "});\n";

/** A test file of BDD's describe/it (bdd.ts, std's way), with hooks and a failing `it`. */
const BDD = 'import { afterEach, beforeEach, describe, it } from "./bdd.ts";\n' +
  'import { fresh, type Stack } from "./stack.ts";\n' +
  "\n" +
  "let s: Stack;\n" +
  "\n" +
  'describe("Stack", () => {\n' +
  "  beforeEach(() => {\n" +
  "    s = fresh();\n" +
  "  });\n" +
  '  it("pushes", () => {\n' +
  "    s.push(1);\n" +
  "  });\n" +
  '  describe("when empty", () => {\n' +
  "    afterEach(() => {\n" +
  "      s.push(0);\n" +
  "    });\n" +
  '    it("pop throws", () => {\n' +
  "      s.pop();\n" +
  "    });\n" +
  "  });\n" +
  "});\n" +
  "\n" +
  'it("top-level it", () => {\n' +
  "  fresh().push(3);\n" +
  "});\n";

/** deno test's lines saying how each test and step ended, and its summary. */
function denoOutcomes(text: string): string[] {
  return lines(text).filter((l) => / \.\.\. (ok|FAILED|ignored)\b|^(ok|FAILED) \| /.test(l))
    .map((l) => l.replace(/\s*\(\d+(?:\.\d+)?(?:ms|s|µs)\)/g, ""));
}

export function testRunTests(t: Target): void {
  Deno.test(`tph test: a test whose process exits by its own call ends as node --test, bun test and jest count it (${t.name})`, async () => {
    await using dir = files({
      "package.json": '{ "type": "module" }\n',
      "zero.test.js": 'import test from "node:test";\nfunction one() { return 1; }\n' +
        'test("exits 0 after passing", () => { one(); process.exit(0); });\n',
      // The test before the exit had passed and ended: it keeps its outcome.
      "three.test.js": 'import test from "node:test";\nfunction one() { return 1; }\n' +
        'test("passes first", () => { one(); });\n' +
        'test("exits 3", () => { one(); process.exit(3); });\n',
    });
    // The binary runs bun test only (its own runtime).
    for (const file of t.name === "binary" ? [] : ["zero.test.js", "three.test.js"]) {
      const plain = await exec([NODE, "--test", file], { cwd: dir.path, env: RUNNERS_PATH });
      const r = await tph(t, ["test", "--runner", "node", "--", file], {
        cwd: dir.path,
        env: RUNNERS_PATH,
      });
      assertCode(r, plain.code, `tph test ${file}`);
    }
    if (t.name !== "binary") {
      assert.deepEqual(await storedTests(t, dir.path), [
        ["exits 0 after passing", "passed", "node"],
        ["passes first", "passed", "node"],
        ["exits 3", "failed", "node"],
      ]);
      assert.match(
        (await testError(t, dir.path, "exits 3")) ?? "",
        /the test's process called exit\(3\) before the test ended/,
      );
    }

    await using bun = files({
      "bunfig.toml": "",
      "zero.test.ts": 'import { test } from "bun:test";\nfunction one() { return 1; }\n' +
        'test("exits 0 after passing", () => { one(); process.exit(0); });\n',
    });
    const plain = await exec([BUN, "test"], { cwd: bun.path, env: RUNNERS_PATH });
    const r = await tph(t, ["test"], { cwd: bun.path, env: RUNNERS_PATH });
    assertCode(r, plain.code, "tph test, bun");
    assert.deepEqual(await storedTests(t, bun.path), [["exits 0 after passing", "passed", "bun"]]);
    if (t.name === "binary") return; // jest is not the binary's
    // jest: in band, jest's process exits 0 (its test passed); a worker's exit fails its file.
    await using jest = files({
      "package.json": '{ "devDependencies": { "jest": "*" } }\n',
      "a.test.js": "function one() { return 1; }\n" +
        'test("exits 0 in band", () => { one(); process.exit(0); });\n',
    });
    symlinkSync(join(REPO, "node_modules"), join(jest.path, "node_modules"));
    const jestCli = join(REPO, "node_modules/jest/bin/jest.js");
    const inBand = await exec([NODE, jestCli], { cwd: jest.path, env: RUNNERS_PATH });
    const j = await tph(t, ["test"], { cwd: jest.path, env: RUNNERS_PATH });
    assertCode(j, inBand.code, "tph test, jest in band");
    assert.equal(inBand.code, 0);
    assert.deepEqual(await storedTests(t, jest.path), [["exits 0 in band", "passed", "jest"]]);
    writeFileSync(
      join(jest.path, "b.test.js"),
      'test("exits 0 in a worker", () => { process.exit(0); });\n',
    );
    await tph(t, ["clean", "--all"], { cwd: jest.path });
    const workers = await exec([NODE, jestCli, "-w", "2"], { cwd: jest.path, env: RUNNERS_PATH });
    const w = await tph(t, ["test", "--", "-w", "2"], { cwd: jest.path, env: RUNNERS_PATH });
    assertCode(w, workers.code, "tph test, jest's workers");
    assert.equal(workers.code, 1);
    assert.deepEqual((await storedTests(t, jest.path)).map(([, outcome]) => outcome), [
      "failed",
      "failed",
    ]);
  });

  Deno.test({
    name:
      `tph test: an exit in a Deno test is reported as deno test reports it, no frame of tph's (${t.name})`,
    ignore: t.name === "binary", // deno test is not the binary's
    fn: async () => {
      await using dir = files({
        "deno.json": "{}\n",
        "exit_test.ts": "function one() { return 1; }\n" +
          'Deno.test("exits", () => { one(); Deno.exit(0); });\n' +
          'Deno.test("exits through process", async () => {\n' +
          '  const { default: process } = await import("node:process");\n' +
          "  one();\n  process.exit(0);\n});\n",
      });
      await exec([DENO, "test", "-A"], { cwd: dir.path });
      const plain = await exec([DENO, "test", "-A"], { cwd: dir.path });
      const r = await tph(t, ["test", "--", "-A"], { cwd: dir.path });
      assertCode(r, plain.code, "tph test");
      assert.match(plain.stdout + plain.stderr, /attempted to exit/);
      assert.doesNotMatch(r.stdout + r.stderr, /src\/program|child\.ts/);
      assert.equal(denoReport(r.stdout), denoReport(plain.stdout));
      assert.deepEqual(await storedTests(t, dir.path), [
        ["exits", "failed", "deno"],
        ["exits through process", "failed", "deno"],
      ]);
    },
  });

  Deno.test({
    name:
      `tph test: a run per Deno test step and per BDD describe/it, named test › step (${t.name})`,
    ignore: t.name === "binary", // deno test is not the binary's
    fn: async () => {
      await using dir = tempDir({
        "bdd.ts": join(STEPS_FIXTURE, "bdd.ts"),
        "stack.ts": join(STEPS_FIXTURE, "stack.ts"),
      });
      writeFileSync(join(dir.path, "deno.json"), "{}\n");
      writeFileSync(join(dir.path, "steps_test.ts"), STEPS);
      writeFileSync(join(dir.path, "bdd_test.ts"), BDD);
      await exec([DENO, "test"], { cwd: dir.path });
      const plain = await exec([DENO, "test"], { cwd: dir.path });
      const r = await tph(t, ["test"], { cwd: dir.path });
      assertCode(r, plain.code, "tph test");
      assert.equal(plain.code, 1);
      assert.deepEqual(denoOutcomes(r.stdout), denoOutcomes(plain.stdout));
      const runs = await storedTests(t, dir.path);
      assert.deepEqual(
        runs.map(([label, outcome]) => `${label}: ${outcome}`).sort(),
        [
          "Stack: failed",
          "Stack › pushes: passed",
          "Stack › when empty: failed",
          "Stack › when empty › pop throws: failed",
          "a step fails: failed",
          "a step fails › pops empty: failed",
          "top-level it: passed",
          "with steps: passed",
          "with steps › nested: passed",
          "with steps › nested › pop: passed",
          "with steps › push: passed",
        ].sort(),
      );
      const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
      assert.match(own[0], /^tph: 11 tests traced \(6 passed, 5 failed\), \d+ calls; /);
      // Each step's calls are in its own run: the hooks' in their `it`'s.
      const logs = JSON.parse(
        (await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout,
      ) as LoggedRun[];
      const tree = async (label: string) => {
        const run = logs.find((x) => x.label === label)!;
        const out = await tph(t, ["tree", run.id, "--no-args", "--no-return"], { cwd: dir.path });
        // The calls of stack.ts (bdd.ts's own are in the runs too).
        return lines(out.stdout).filter((l) => /fresh|Stack\./.test(l)).map((l) =>
          l.replace(/^[│├└─ ]*/, "").replace(/ {2}\[[^\]]*\]$/, "")
        );
      };
      assert.deepEqual(await tree("Stack › when empty › pop throws"), [
        "fresh()",
        "Stack.pop() !! RangeError: empty stack",
        "Stack.push()",
      ]);
      assert.deepEqual(await tree("with steps › nested › pop"), ["Stack.pop()"]);
      assert.deepEqual(await tree("with steps › nested"), ["Stack.push()"]);
    },
  });

  Deno.test({
    name:
      `tph test: a Deno workspace laid out as std is, deno test at its root: a run per test (${t.name})`,
    ignore: t.name === "binary", // deno test is not the binary's
    fn: async () => {
      const member = (name: string) => ({
        [`${name}/deno.json`]: JSON.stringify({
          name: `@ws/${name}`,
          version: "0.1.0",
          exports: { ".": "./mod.ts" },
        }),
        [`${name}/mod.ts`]: `export { twice } from "./twice.ts";\n`,
        [`${name}/twice.ts`]: "export function twice(n: number): number {\n  return n * 2;\n}\n",
        [`${name}/twice_test.ts`]: 'import { twice } from "./twice.ts";\n' +
          `Deno.test("${name} twice 1", () => { twice(1); });\n` +
          `Deno.test("${name} twice 2", () => { twice(2); });\n`,
        [`${name}/unstable/half.ts`]:
          "export function half(n: number): number {\n  return n / 2;\n}\n",
        [`${name}/unstable/half_test.ts`]: 'import { half } from "./half.ts";\n' +
          `Deno.test("${name} half", () => { half(4); });\n`,
      });
      await using dir = files({
        "deno.json": JSON.stringify({ workspace: ["./alpha", "./beta", "./gamma"] }),
        ...member("alpha"),
        ...member("beta"),
        ...member("gamma"),
      });
      const plain = await exec([DENO, "test"], { cwd: dir.path });
      assert.match(plain.stdout, /ok \| 9 passed \| 0 failed/);
      const r = await tph(t, ["test"], { cwd: dir.path });
      assertCode(r, 0, "tph test");
      assert.match(r.stdout, /ok \| 9 passed \| 0 failed/);
      assert.match(
        lines(r.stderr).filter((l) => l.startsWith("tph: "))[0],
        /^tph: 9 tests traced \(9 passed, 0 failed\), 18 calls; /,
      );
      const logs = JSON.parse(
        (await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout,
      ) as LoggedRun[];
      assert.deepEqual(
        logs.map((x) => `${x.run?.test?.file}: ${x.label}`).sort(),
        ["alpha", "beta", "gamma"].flatMap((m) => [
          `${m}/twice_test.ts: ${m} twice 1`,
          `${m}/twice_test.ts: ${m} twice 2`,
          `${m}/unstable/half_test.ts: ${m} half`,
        ]).sort(),
      );
      // The modules' workers at once (--parallel): each test its run still.
      await tph(t, ["clean", "--all"], { cwd: dir.path });
      const parallel = await tph(t, ["test", "--", "--parallel"], { cwd: dir.path });
      assertCode(parallel, 0, "tph test -- --parallel");
      assert.match(
        lines(parallel.stderr).filter((l) => l.startsWith("tph: "))[0],
        /^tph: 9 tests traced \(9 passed, 0 failed\), 18 calls; /,
      );
      assert.equal((await storedTests(t, dir.path)).length, 9);
    },
  });

  Deno.test(`tph test: with no test script nor runner's config, the runner the test files import, said in a line (${t.name})`, async () => {
    await using dir = files({
      "package.json": "{}\n",
      "sum.ts": "export function sum(a: number, b: number): number {\n  return a + b;\n}\n",
      "sum.test.ts": 'import { expect, test } from "bun:test";\nimport { sum } from "./sum.ts";\n' +
        'test("sums", () => { expect(sum(1, 2)).toBe(3); });\n',
    });
    const r = await tph(t, ["test"], { cwd: dir.path, env: RUNNERS_PATH });
    assertCode(r, 0, "tph test");
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    assert.equal(
      own[0],
      "tph: running the tests with bun test: 1 of 1 test file imports bun:test " +
        "(no test script nor runner's config says; choose with --runner)",
    );
    assert.match(own[1], /^tph: 1 test traced \(1 passed, 0 failed\), \d+ calls; /);
    assert.deepEqual(await storedTests(t, dir.path), [["sums", "passed", "bun"]]);
    if (t.name === "binary") return; // it runs bun test only
    // No package.json at all: node:test's files run on node --test.
    await using bare = files({
      "test/sum.mjs": 'import test from "node:test";\nfunction sum(a, b) { return a + b; }\n' +
        'test("sums", () => { sum(1, 2); });\n',
    });
    const n = await tph(t, ["test"], { cwd: bare.path, env: RUNNERS_PATH });
    assertCode(n, 0, "tph test, node:test");
    assert.match(
      n.stderr,
      /^tph: running the tests with node --test: 1 of 1 test file imports node:test /m,
    );
    assert.deepEqual(await storedTests(t, bare.path), [["sums", "passed", "node"]]);
  });

  Deno.test(`tph test: a runner's package.json cut short by an install is one line naming it (${t.name})`, async () => {
    const shapes: [string, string][] = [
      ["", "is empty \\(an install cut short\\?\\)"],
      ['{ "name": "x", "vers', "is not valid JSON \\(an install cut short\\?\\)"],
      ["[]", "is not a package's \\(not a JSON object\\)"],
      ['{ "name": "x" }', "has no version"],
      ['{ "name": "x", "version": 4 }', "has no version number \\(4\\)"],
    ];
    for (const runner of ["vitest", "jest"]) {
      for (const [text, why] of shapes) {
        await using dir = files({
          "package.json": JSON.stringify({ devDependencies: { [runner]: "*" } }),
          "a.test.js": "test('x', () => {});\n",
          [`node_modules/${runner}/package.json`]: text,
        });
        const r = await tph(t, ["test"], { cwd: dir.path, env: RUNNERS_PATH });
        assertCode(r, 1, `tph test, ${runner}'s package.json: ${JSON.stringify(text)}`);
        assert.equal(r.stdout, "");
        const file = join(dir.path, "node_modules", runner, "package.json").replace(
          /[.*+?^${}()|[\]\\]/g,
          "\\$&",
        );
        assert.match(
          r.stderr,
          new RegExp(
            `^tph: ${runner}'s (?:/private)?${file} ${why}: npm install \\(again\\) to mend it\\n$`,
          ),
        );
      }
    }
  });
}
