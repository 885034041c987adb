// The instrumenter marks the functions a test file registers as tests (`test`/`it` in any of
// their forms), with the test's full name as written: its `describe`s' names and its own. `tph
// test` on Bun names each test's run from it (src/program/tests/bun_tests.ts).

import assert from "node:assert/strict";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import {
  FLAG_AFTER_EACH,
  FLAG_ALL_HOOK,
  FLAG_ASYNC,
  FLAG_BEFORE_EACH,
  FLAG_TEST_FAILING,
  type MetaRow,
} from "../../../src/abi.ts";

/** The module table the rewritten code registers (`__tph.reg([...])`). */
function table(code: string): MetaRow[] {
  const m = /__tph\.reg\((\[.*\])\)\}/.exec(code);
  assert.ok(m !== null, "a module table");
  return JSON.parse(m[1])[2];
}

const TESTS = `import { describe, expect, it, test } from "bun:test";
describe("math", () => {
  describe.each([1, 2])(\`inner\`, (n) => {
    test("adds", () => { expect(1).toBe(1); });
    it.failing("fails " + n, async function () {});
  });
  test.each([[1, 2]])("row %i", (a, b) => {});
  test.skipIf(process.env.CI)("named later", () => {}, 500);
  const helper = () => {};
  helper();
});
test(\`top\`, async () => {});
it.only("only", { timeout: 10 }, () => {});
[1].map((x) => x);
expect(() => {}).not.toThrow();
test("no function");
beforeEach(() => {});
afterEach(function () {});
afterAll(async () => {});
`;

Deno.test("instrument: a test file's tests are marked with their full names as written", () => {
  const r = instrument(TESTS, { filename: "m.test.ts" });
  assert.equal(r.error, null);
  const tests = table(r.code).filter((row) => row[1] !== "external").map((row) => [
    row[0],
    row[6] ?? null,
    row[4] & ~FLAG_ASYNC,
  ]);
  const FAILING = FLAG_TEST_FAILING;
  assert.deepEqual(tests, [
    ["describe callback", null, 0],
    ["describe callback › call callback", null, 0],
    ["describe callback › call callback › test callback", "math › inner › adds", 0],
    [
      "describe callback › call callback › failing callback",
      'math › inner › "fails " + n',
      FAILING,
    ],
    ["describe callback › call callback #2", "math › row %i", 0],
    ["describe callback › call callback #3", "math › named later", 0],
    ["helper", null, 0],
    ["test callback", "top", 0],
    ["only callback", "only", 0],
    ["map callback", null, 0],
    ["expect callback", null, 0],
    ["beforeEach callback", null, FLAG_BEFORE_EACH],
    ["afterEach callback", null, FLAG_AFTER_EACH],
    ["afterAll callback", null, FLAG_ALL_HOOK],
  ]);
  // A test's or hook's function that is not async hands an error it throws to Bun as a rejection
  // (under bun test), so that Bun reports it from where it was thrown first.
  assert.equal(r.code.split("if(__tph.rj&&__tph.re(__tph_x))").length - 1, 6);
});

Deno.test("instrument: a file that registers no test has no test names in its table", () => {
  const r = instrument("function test(n, f) { f(); }\ntest(1, () => {});\nfoo(() => {});\n", {
    filename: "plain.js",
  });
  // A local `test` called with a function is taken for a test as well: the names matter only
  // under tph test, where the function runs as the test's root; its name is shown as written.
  const named = table(r.code).filter((row) => row.length > 6).map((row) => row[6]);
  assert.deepEqual(named, ["1"]);
});
