// The calls `tph setup` plans: functions found in every shape of export, and arguments built
// from each kind of parameter type (TypeScript and JSDoc), followed across imports.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { planCalls } from "../../../src/cli/setup/plan_calls.ts";
import { readTestConfig } from "../../../src/cli/setup/test_config.ts";

/** Plan the calls of `functions` in `main` of a project made of `files`. */
function plan(
  files: Record<string, string>,
  functions: Record<string, string[]>,
  inputs: unknown[] = [],
) {
  const root = mkdtempSync(join(tmpdir(), "tph-plan-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const test = readTestConfig(
      {
        files: Object.entries(functions).map(([path, fns]) => ({ path, functions: fns })),
        inputs,
      },
      "tracepatch.toml",
    );
    const p = planCalls(test, root, join(root, "_tracepatch_filetotest.ts"));
    return {
      problems: p.problems,
      calls: Object.fromEntries(
        p.modules.flatMap((m) =>
          m.calls.map((
            c,
            i,
          ) => [i > 0 && m.calls[i - 1].name === c.name ? `${c.name}#2` : c.name, c])
        ),
      ),
      shown: p.modules.flatMap((m) => m.calls.map((c) => c.shown)),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

Deno.test("planCalls(): arguments from each kind of TypeScript type", () => {
  const { shown, problems } = plan({
    "a.ts": `
      enum Level { Low = 2, Mid, High }
      export enum Color { Red = "red" }
      interface Base { id: number }
      interface User extends Base { name: string; tags: string[]; nick?: string; greet(): string }
      type Point = { x: number; y: number };
      type Box<T> = { value: T };
      type Both = Point & { label: string };
      interface Tree { children: Tree[]; name: string }
      export function prims(n: number, s: string, b: boolean, big: bigint, sym: symbol, nul: null, u: undefined) {}
      export function lits(a: "x", b: 42, c: -1, d: true, e: \`id-\${number}\`) {}
      export function unions(a: "on" | "off", b: undefined | string | null, c: (number)) {}
      export function lists(a: number[], b: Array<string>, c: readonly boolean[], d: [number, string?], e: [x: number, ...rest: string[]]) {}
      export function objects(u: User, p: Point, box: Box<Date>, both: Both, t: Tree) {}
      export function enums(l: Level, c: Color, h: Level.High) {}
      export function builtins(d: Date, m: Map<string, number>, s: Set<number>, r: RegExp, p: Promise<number>, url: URL, bytes: Uint8Array, rec: Record<string, number>) {}
      export function utilities(a: Pick<User, "id" | "name">, b: Omit<Point, "y">, c: Partial<Point>, d: Required<{ k?: number }>) {}
      export function fns(cb: (n: number) => string, done: () => void) {}
      export function gaps(a: any, b: unknown, c: keyof User, d) {}
      export function optional(a: number, b?: string, c = "x", d = a + 1, e: number = 5) {}
    `,
  }, {
    "a.ts": [
      "prims",
      "lits",
      "unions",
      "lists",
      "objects",
      "enums",
      "builtins",
      "utilities",
      "fns",
      "gaps",
      "optional",
    ],
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(shown, [
    'prims(1, "s", true, 1n, Symbol("sym"), null, undefined)',
    'lits("x", 42, -1, true, "id-1")',
    'unions("on", "b", 1)',
    'lists([1], ["b"], [true], [1], [1])',
    'objects({ id: 1, name: "name", tags: ["tags"], greet: () => ("value") }, { x: 1, y: 1 }, ' +
    '{ value: new Date("2026-01-01T00:00:00.000Z") }, { x: 1, y: 1, label: "label" }, ' +
    '{ children: [], name: "name" })',
    'enums(2 /* Level.Low */, "red" /* Color.Red */, 4 /* Level.High */)',
    'builtins(new Date("2026-01-01T00:00:00.000Z"), new Map(), new Set(), /a/, Promise.resolve(1), ' +
    'new URL("https://example.com/"), new Uint8Array([1, 2, 3]), {})',
    'utilities({ id: 1, name: "name" }, { x: 1 }, {}, { k: 1 })',
    'fns(() => ("value"), () => {})',
    'gaps(undefined, undefined, "id", undefined)',
    'optional(1, undefined, "x", undefined, 5)',
  ]);
});

Deno.test("planCalls(): gaps name the parameter and why", () => {
  const { calls } = plan({
    "a.ts": "export function gaps(a: any, b: unknown, c: keyof object, d) {}\n",
  }, { "a.ts": ["gaps"] });
  assert.deepEqual(calls.gaps.gaps, ["a (any)", "b (unknown)", "c (keyof object)", "d (no type)"]);
});

Deno.test("planCalls(): every shape of export, classes, and types across files", () => {
  const { shown, problems } = plan({
    "types/user.ts": "export interface User { name: string; age: number }\n",
    "types/index.ts": 'export * from "./user.ts";\nexport type { Id } from "./id.ts";\n',
    "types/id.ts": "export type Id = `u${number}`;\n",
    "a.ts": `
      import type { Id, User } from "./types/index.ts";
      import * as T from "./types/user.ts";
      export class Account {
        constructor(readonly owner: User, private limit = 10) {}
        deposit(amount: number): number { return amount; }
        static open(id: Id): Account { return new Account({ name: "x", age: 1 }); }
        handler = (e: string) => e;
      }
      export class Savings extends Account { rate(r: number) { return r; } }
      export const arrow = async (u: T.User) => u;
      export const wrapped = wrap(function inner(a: number) {});
      function local(n: number) {}
      export { local as renamed };
      export default function (acct: Account) {}
      export const api = { get(id: Id) {}, put: (v: number) => v };
      export function overloaded(a: string): void;
      export function overloaded(a: number): void;
      export function overloaded(a: unknown) {}
      function wrap<F>(f: F): F { return f; }
    `,
  }, {
    "a.ts": [
      "Account.deposit",
      "Account.open",
      "Account.handler",
      "Savings.deposit",
      "Savings.rate",
      "arrow",
      "wrapped",
      "renamed",
      "default",
      "api.get",
      "api.put",
      "overloaded",
    ],
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(shown, [
    'new Account({ name: "name", age: 1 }, 10).deposit(1)',
    'Account.open("u1")',
    'new Account({ name: "name", age: 1 }, 10).handler("e")',
    'new Savings({ name: "name", age: 1 }, 10).deposit(1)',
    'new Savings({ name: "name", age: 1 }, 10).rate(1)',
    'arrow({ name: "name", age: 1 })',
    "wrapped()",
    "renamed(1)",
    'default(new m0.Account({ name: "name", age: 1 }, 10))',
    'api.get("u1")',
    "api.put(1)",
    'overloaded("a")',
  ]);
});

Deno.test("planCalls(): JavaScript with JSDoc, CommonJS, and defaults", () => {
  const { shown, calls, problems } = plan({
    "lib.js": `
      /**
       * @typedef {Object} Options
       * @property {number} retries
       * @property {string} [label]
       */
      /**
       * @param {string} url
       * @param {Options} options
       * @param {?number} timeout
       * @param {Array.<string>} headers
       * @param {...number} rest
       */
      export function fetchIt(url, options, timeout, headers, ...rest) {}
      /** @param {{ a: number, b: string }} param0 */
      export function destructured({ a, b }) {}
      export function plain(x, { y, z = 2 }, w = [1, "two"]) {}
    `,
    "old.cjs": `
      /** @param {string} s */
      exports.shout = function (s) { return s.toUpperCase(); };
      module.exports.quiet = (s) => s;
    `,
  }, { "lib.js": ["fetchIt", "destructured", "plain"], "old.cjs": ["shout", "quiet"] });
  assert.deepEqual(problems, []);
  assert.deepEqual(shown, [
    'fetchIt("url", { retries: 1 }, 1, ["headers"])',
    'destructured({ a: 1, b: "b" })',
    'plain(undefined, { y: undefined, z: undefined }, [1, "two"])',
    'shout("s")',
    "quiet(undefined)",
  ]);
  assert.deepEqual(calls.plain.gaps, ["x (no type)", "y (no type)", "z (no type)"]);
});

Deno.test("planCalls(): inputs: args, kwargs by name or into an object, construct", () => {
  const { shown, problems } = plan(
    {
      "a.ts": `
      export function byName(userId: string, count: number) {}
      export function intoObject(id: number, { userId, role = "x" }: { userId: string; role?: string }) {}
      export function intoType(opts: { userId: string; level: number }) {}
      export function open(a: number, { ...rest }) {}
      export class K { constructor(n: number) {} m(x: string) {} }
    `,
    },
    { "a.ts": ["byName", "intoObject", "intoType", "open", "K.m"] },
    [
      { function: "byName", kwargs: { user_id: "u1" } },
      { function: "byName", args: ["a", 2] },
      { function: "intoObject", args: [7], kwargs: { user_id: "u2", role: "admin" } },
      { function: "intoType", kwargs: { userId: "u3" } },
      { function: "open", kwargs: { anything: [1, JSON.parse('{"__proto__": 1}')] } },
      { function: "K.m", construct: [5], args: ["go"] },
      { function: "K.m" },
    ],
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(shown, [
    'byName("u1", 1)',
    'byName("a", 2)',
    'intoObject(7, { userId: "u2", role: "admin" })',
    'intoType({ userId: "u3", level: 1 })',
    'open(1, { anything: [1, { ["__proto__"]: 1 }] })',
    'new K(5).m("go")',
    'new K(1).m("x")',
  ]);
});

Deno.test("planCalls(): problems, one line each", () => {
  const { problems } = plan({
    "a.ts": `
      function hidden() {}
      export class K { get v() { return 1; } m() {} }
      export const n = 1;
      export function f(a: number) {}
    `,
    "bad.ts": "export function (",
    "notes.txt": "hello",
  }, {
    "a.ts": ["hidden", "K", "K.v", "K.mm", "n", "fx", "f"],
    "bad.ts": ["x"],
    "notes.txt": ["x"],
  }, [
    { function: "f", kwargs: { b: 1 } },
    { function: "f", path: "other.ts" },
  ]);
  assert.match(problems[7], /^test\.files\[2\]: cannot read "bad\.ts": syntax error at 1:\d+: /);
  assert.deepEqual(problems.toSpliced(7, 1), [
    'test.files[1]: a.ts: "hidden" is not exported: export it, or list a function that is',
    'test.files[1]: a.ts: "K" is a class: name one of its methods ("K.method")',
    'test.files[1]: a.ts: "K.v" is a getter, not a method',
    'test.files[1]: a.ts: class "K" has no method "mm" (did you mean "m"?)',
    'test.files[1]: a.ts: "n" is not a function',
    'test.files[1]: a.ts: no exported function "fx" (did you mean "f"?)',
    'test.inputs[1].kwargs: "b" matches no parameter of f (its parameters: a)',
    'test.files[3]: "notes.txt" is not a JavaScript or TypeScript file',
    'test.inputs[2]: "f" of "other.ts" is not among the functions of any [[test.files]]: add ' +
    "it to one, or fix the name",
  ]);
});

Deno.test("readTestConfig(): wrong shapes are one line naming the key", () => {
  const bad = (raw: unknown, message: string) =>
    assert.throws(() => readTestConfig(raw, "tracepatch.toml"), { message });
  bad(
    { files: [{ path: "a.ts", functions: "f" }] },
    'Invalid config in tracepatch.toml: test.files[1].functions must be a list of function names (["add", "Cart.total"]), got "f"',
  );
  bad(
    { files: [{ functions: ["f"] }] },
    "Invalid config in tracepatch.toml: test.files[1].path must be a file path, got undefined",
  );
  bad(
    { files: [{ path: "a.ts", functions: ["a b"] }] },
    'Invalid config in tracepatch.toml: test.files[1].functions[1]: "a b" is not a function name (name, Class.method or object.method)',
  );
  bad(
    { inputs: [{ function: "f", args: 1 }] },
    "Invalid config in tracepatch.toml: test.inputs[1].args must be a list, got 1",
  );
  bad(
    { inputs: [{ function: "f", kwargs: [1] }] },
    "Invalid config in tracepatch.toml: test.inputs[1].kwargs must be a table ({ name = value }), got a list",
  );
  const { warnings } = readTestConfig({
    files: [{ path: "a", functions: ["f"], func: 1 }],
    extra: 1,
  }, "t.toml");
  assert.deepEqual(warnings, [
    'Unknown key "extra" in test of t.toml (it takes files, inputs)',
    'Unknown key "func" in test.files[1] of t.toml (it takes path, functions)',
  ]);
});

Deno.test("planCalls(): a class another file exports is imported to build an argument", () => {
  const { shown, problems } = plan({
    "model.ts": "export class Account { constructor(public id: number) {} }\n",
    "local.ts": "class Hidden {}\nexport { Hidden as Unused };\n",
    "service.ts": `
      import { Account } from "./model.ts";
      export function open(acc: Account) { return acc.id; }
    `,
  }, { "service.ts": ["open"] });
  assert.deepEqual(problems, []);
  assert.deepEqual(shown, ["open(new c0.Account(1))"]);
});

Deno.test("planCalls(): the shapes real projects use", () => {
  const { shown, calls, problems } = plan({
    "model.ts": `
      export class Account { constructor(public id: number) {} deposit(n: number) { return n; } }
      export abstract class Shape { abstract area(): number; describe(p: string) { return p; } static unit(): number { return 1; } }
    `,
    "ops.ts": "export function greet(who: string) { return who; }\n",
    "index.ts": `
      export * from "./model.ts";
      export * as opsNs from "./ops.ts";
      export function pay(acc: Account, n: number) {}
      export const produce: (x: number) => number = makeProducer();
      export async function* pages(n: number) { yield n; }
      export function lower(array: number[], value: number, compare: (a: number, b: number) => number) {}
      export function io(h: Headers, it: Iterable<number>, each: Iterator<string>, list: any[], key: PropertyKey) {}
      import { Account } from "./model.ts";
      function makeProducer() { return (x: number) => x; }
    `,
    "queue.ts": "export default class PQueue { add(task: () => void) {} }\n",
    "whole.cjs": "module.exports = function double(n) { return 2 * n; };\n",
    "klass.cjs": "class Counter { add(by) { return by; } }\nmodule.exports = Counter;\n",
    "old.js": `
      /** @param {number} x */
      function Old(x) { this.x = x; }
      /** @param {number} y */
      Old.prototype.plus = function (y) { return this.x + y; };
      const mustache = { render: undefined, name: "m" };
      /** @param {string} template */
      mustache.render = function render(template) { return template; };
      export { Old };
      export default mustache;
    `,
    "types.js": "/**\n * @typedef {object} Point\n * @property {number} x\n */\nexport {};\n",
    "uses.js": `
      /** @import { Point } from "./types.js" */
      /** @param {Point} p @param {import("./types.js").Point} q */
      export function dist(p, q) {}
    `,
  }, {
    "index.ts": [
      "pay",
      "Account.deposit",
      "opsNs.greet",
      "produce",
      "pages",
      "lower",
      "io",
      "Shape.describe",
      "Shape.unit",
    ],
    "queue.ts": ["PQueue.add"],
    "whole.cjs": ["double", "default"],
    "klass.cjs": ["Counter.add"],
    "old.js": ["Old.plus", "default.render"],
    "uses.js": ["dist"],
  }, [{ function: "lower", args: [[1, 3], 2] }]);
  assert.deepEqual(problems, [
    'test.files[1]: index.ts: "Shape" is abstract: name the method on a class that extends it',
  ]);
  assert.deepEqual(shown, [
    "pay(new m0.Account(1), 1)",
    "new Account(1).deposit(1)",
    'opsNs.greet("who")',
    "produce()",
    "pages(1)",
    "lower([1, 3], 2)",
    'io(new Headers(), [1], ["each"].values(), [], "key")',
    "Shape.unit()",
    "new PQueue().add(() => {})",
    "double(undefined)",
    "double(undefined)",
    "new Counter().add(undefined)",
    "new Old(1).plus(1)",
    'mustache.render("template")',
    "dist({ x: 1 }, { x: 1 })",
  ]);
  assert.equal(calls.produce.note, "its parameters cannot be seen (produce = makeProducer())");
  assert.deepEqual(calls.lower.gaps, ["compare (not in test.inputs[1])"]);
  assert.equal(calls.pages.generator, true);
  assert.equal(calls.lower.generator, false);
});
