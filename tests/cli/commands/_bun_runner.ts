// `tph test` on Bun's test runner (`bun test`, the checkout's Bun): Bun's report and exit code as
// plain `bun test` gives them, a run per test named as Bun names it (describe › test), with the
// test's outcome (failed with its error, `test.failing` inverted), calls after an await and in
// scheduled callbacks in their test's run, concurrent tests apart, `test.each`, a CommonJS test
// file using the runner's globals, and the runner found from package.json's test script.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  BUN,
  exec,
  finish,
  lines,
  start,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import { type LoggedRun, ownLines, untilListed } from "./_test_command.ts";

const LIB = `export function add(a: number, b: number): number {
  return a + b;
}
export function boom(x: number): never {
  throw new Error("boom " + x);
}
export async function later(x: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 5));
  return add(x, 1);
}
`;

const TESTS = `import { describe, expect, test } from "bun:test";
import { add, boom, later } from "./lib.ts";

describe("math", () => {
  test("adds", () => {
    expect(add(1, 2)).toBe(3);
  });
  test("fails", () => {
    expect(add(1, 2)).toBe(4);
  });
  test("throws after await", async () => {
    await later(1);
    boom(add(1, 1));
  });
  test.skip("skipped", () => {
    add(0, 0);
  });
});
// "two" ends well before "one" (Bun reports them as they end), on a loaded machine too.
test.concurrent("one", async () => {
  add(10, 1);
  await new Promise((r) => setTimeout(r, 300));
  add(10, 2);
});
test.concurrent("two", async () => {
  add(20, 1);
  await new Promise((r) => setTimeout(r, 5));
  add(20, 2);
});
test.each([[1, 2, 3], [2, 2, 4]])("sum %i+%i", (a, b, c) => {
  expect(add(a, b)).toBe(c);
});
test.failing("known bug", () => {
  expect(add(1, 1)).toBe(3);
});
test("callback later", () =>
  new Promise<void>((resolve) => {
    setTimeout(() => {
      add(5, 5);
      resolve();
    }, 5);
  }));
`;

const CJS = `const { add } = require("./lib.ts");
test("in CommonJS", () => {
  expect(add(2, 3)).toBe(5);
});
`;

const HOOKS =
  `import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { add } from "./lib.ts";
let n = 0;
beforeAll(() => {
  add(-1, -1);
});
beforeEach(() => {
  n = add(n, 1);
});
afterEach(() => {
  add(n, 100);
});
afterAll(() => {
  add(-2, -2);
});
describe("d", () => {
  beforeEach(async () => {
    await 1;
    add(n, 1000);
  });
  test("first", () => {
    expect(add(1, 1)).toBe(2);
  });
  test("second", async () => {
    await new Promise((r) => setTimeout(r, 5));
    add(2, 2);
  });
  test("slow", async () => {
    await new Promise((r) => setTimeout(r, 400));
    add(3, 3);
  }, 50);
  test("after slow", () => {
    add(4, 4);
  });
});
`;

/**
 * Bun's report without what changes from run to run (times) and, since Bun reads no source map
 * from a plugin (oven-sh/bun#6173), without the columns of its stack frames and its code frame's
 * caret line, which under tph point into the rewritten code: files and lines are compared.
 */
function report(text: string): string {
  return lines(text)
    .filter((l) => !l.startsWith("tph: ") && !/^\s*\^$/.test(l))
    .map((l) =>
      l.replace(/ \[\d+(?:\.\d+)?m?s\]$/, "").replace(/(\(?[^\s(]+:\d+):\d+(\)?)$/, "$1$2")
    )
    .join("\n");
}

function project(files: Record<string, string>): TempDir {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  return dir;
}

export function bunRunnerTests(t: Target): void {
  Deno.test(`tph test: bun test's report and exit code, a run per test named as Bun names it (${t.name})`, async () => {
    await using dir = project({
      "package.json": '{ "name": "p", "scripts": { "test": "bun test" } }\n',
      "lib.ts": LIB,
      "m.test.ts": TESTS,
      "c.test.js": CJS,
    });
    const plain = await exec([BUN, "test"], { cwd: dir.path });
    assert.equal(plain.code, 1, plain.stderr);
    const r = await tph(t, ["test"], { cwd: dir.path });
    assertCode(r, plain.code, "tph test");
    assert.equal(r.stdout, plain.stdout);
    assert.equal(report(r.stderr), report(plain.stderr));
    const { own, failing } = ownLines(r.stderr);
    assert.match(
      own[0],
      /^tph: 10 tests traced \(8 passed, 2 failed\), \d+ calls; stored each test's run in \.tracepatch_cache$/,
    );
    assert.deepEqual(failing.map((m) => m?.[0]), [
      "m.test.ts › math › fails",
      "m.test.ts › math › throws after await",
    ], own.join("\n"));
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    const runs = JSON.parse(logs.stdout) as LoggedRun[];
    const byName = new Map(runs.map((x) => [`${x.run?.test?.file} › ${x.label}`, x]));
    assert.deepEqual(
      [...byName.entries()].map(([name, x]) => [name, x.run?.test?.outcome]).sort(),
      [
        ["c.test.js › in CommonJS", "passed"],
        ["m.test.ts › callback later", "passed"],
        ["m.test.ts › known bug", "passed"],
        ["m.test.ts › math › adds", "passed"],
        ["m.test.ts › math › fails", "failed"],
        ["m.test.ts › math › throws after await", "failed"],
        ["m.test.ts › one", "passed"],
        ["m.test.ts › sum %i+%i", "passed"],
        ["m.test.ts › two", "passed"],
      ],
    );
    assert.equal(runs.filter((x) => x.label === "sum %i+%i").length, 2, "a run per case");
    const tree = async (name: string) => {
      const r = await tph(t, ["tree", byName.get(name)!.id, "--no-return"], { cwd: dir.path });
      assertCode(r, 0, "tph tree");
      return lines(r.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, ""));
    };
    // Down to the thrown error, the calls after the await included.
    assert.deepEqual(await tree("m.test.ts › math › throws after await"), [
      "└── async describe callback › test callback #3() !! Error: boom 2",
      "    ├── async later(x=1)",
      "    │   ├── later › Promise executor(r=[Function r])",
      "    │   │   └── setTimeout([Function setTimeout callback], 5) [ext]",
      "    │   └── add(a=1, b=1)",
      "    ├── add(a=1, b=1)",
      "    └── boom(x=2) !! Error: boom 2",
    ]);
    // Concurrent tests keep their calls apart, after their awaits too.
    assert.deepEqual((await tree("m.test.ts › one")).filter((l) => l.includes("add(")), [
      "    ├── add(a=10, b=1)",
      "    └── add(a=10, b=2)",
    ]);
    assert.deepEqual((await tree("m.test.ts › two")).filter((l) => l.includes("add(")), [
      "    ├── add(a=20, b=1)",
      "    └── add(a=20, b=2)",
    ]);
    // A callback the test scheduled is the test's (a root of its run: it runs after the test's
    // function returned its promise), and the test ends when that promise does.
    const scheduled = await tree("m.test.ts › callback later");
    assert.equal(scheduled.at(-1), "    └── add(a=5, b=5)", scheduled.join("\n"));
  });

  Deno.test(`tph test: bun test's beforeEach/afterEach calls are their test's, beforeAll/afterAll's no test's; a test past its time limit timed out (${t.name})`, async () => {
    await using dir = project({ "lib.ts": LIB, "h.test.ts": HOOKS });
    const plain = await exec([BUN, "test"], { cwd: dir.path });
    const r = await tph(t, ["test", "--runner", "bun"], { cwd: dir.path });
    assertCode(r, plain.code, "tph test");
    assert.equal(plain.code, 1);
    assert.equal(report(r.stderr), report(plain.stderr));
    const own = lines(r.stderr).filter((l) => l.startsWith("tph: "));
    assert.match(own[0], /^tph: 4 tests traced \(3 passed, 0 failed, 1 timed out\), /);
    assert.match(own[1], /^tph: TIMED OUT h\.test\.ts › d › slow: tph tree /);
    const runs = JSON.parse((await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout);
    const tree = async (label: string) => {
      const run = (runs as LoggedRun[]).find((x) => x.label === label)!;
      const r = await tph(t, ["tree", run.id, "--no-return"], { cwd: dir.path });
      assertCode(r, 0, "tph tree");
      return lines(r.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, ""));
    };
    assert.deepEqual(await tree("d › second"), [
      "├── beforeEach callback()",
      "│   └── add(a=1, b=1)",
      "├── async describe callback › beforeEach callback()",
      "│   └── add(a=2, b=1000)",
      "├── async describe callback › test callback #2()",
      "│   ├── describe callback › test callback #2 › Promise executor(r=[Function r])",
      "│   │   └── setTimeout([Function setTimeout callback], 5) [ext]",
      "│   └── add(a=2, b=2)",
      "└── afterEach callback()",
      "    └── add(a=2, b=100)",
    ]);
    assert.deepEqual(
      (runs as LoggedRun[]).map((x) => [x.label, x.run?.test?.outcome]).reverse(),
      [["d › first", "passed"], ["d › second", "passed"], ["d › slow", "timed out"], [
        "d › after slow",
        "passed",
      ]],
    );
    const all = (await Promise.all(runs.map((x: LoggedRun) => tree(x.label!)))).flat();
    assert.ok(!all.some((l) => /add\(a=-/.test(l)), "beforeAll/afterAll calls in no test's run");
  });

  Deno.test(`tph test: SIGINT to tph mid-run on bun test keeps the finished tests' runs (${t.name})`, async () => {
    await using dir = project({
      "lib.ts": LIB,
      "s.test.ts": 'import { test } from "bun:test";\nimport { add } from "./lib.ts";\n' +
        'test("quick", () => { add(1, 1); });\n' +
        'test("slow", async () => { add(2, 2); await new Promise((r) => setTimeout(r, 60000)); }, ' +
        "120000);\n",
    });
    const child = start([...t.tph, "test", "--runner", "bun"], { cwd: dir.path, env: t.env });
    await untilListed(join(dir.path, ".tracepatch_cache"), "quick");
    Deno.kill(child.pid, "SIGINT");
    const r = await finish(child, "", 60_000, "tph test");
    assertCode(r, 130, "tph test, interrupted");
    assert.match(r.stderr, /\(pass\) quick/);
    const runs = JSON.parse((await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout);
    assert.deepEqual((runs as LoggedRun[]).map((x) => [x.label, x.run?.test?.outcome]).reverse(), [
      ["quick", "passed"],
      ["slow", "failed"],
    ]);
  });

  Deno.test(`tph test: --runner bun passes -t and files on to bun test (${t.name})`, async () => {
    await using dir = project({ "lib.ts": LIB, "m.test.ts": TESTS, "c.test.js": CJS });
    const r = await tph(t, ["test", "--runner", "bun", "--", "-t", "adds", "m.test.ts"], {
      cwd: dir.path,
    });
    assertCode(r, 0, "tph test --runner bun -- -t adds");
    assert.match(r.stderr, /\(pass\) math > adds/);
    assert.doesNotMatch(r.stderr, /in CommonJS/);
    assert.match(
      lines(r.stderr).at(-1)!,
      /^tph: 1 test traced \(1 passed, 0 failed\), 3 calls; stored each test's run in /,
    );
  });
}
