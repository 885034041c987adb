// Runs representative repr() checks under Bun (JavaScriptCore), whose string, descriptor and
// bound-call paths differ from V8's. Spawned by repr_test.ts; prints REPR_OK or throws.
import assert from "node:assert/strict";
import { formatError, repr } from "../../../src/program/recorder/repr.ts";

class Point {
  public x: number;
  public y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}

const self: Record<string, unknown> = { a: 1 };
self.self = self;

const expected: [unknown, string][] = [
  [-0, "-0"],
  [12n, "12n"],
  ['a"b\n', '"a\\"b\\n"'],
  ["lone \ud800!", '"lone \\ud800!"'],
  [Symbol("desc"), "Symbol(desc)"],
  [function fetchUser() {}, "[Function fetchUser]"],
  [Point, "[class Point]"],
  [async function f() {}, "[AsyncFunction f]"],
  [function* g() {}, "[GeneratorFunction g]"],
  [{ a: 1, b: "x", c: [1, 2] }, '{ a: 1, b: "x", c: [1, 2] }'],
  [{ "a-b": 1, [Symbol("k")]: 2 }, '{ "a-b": 1, [Symbol(k)]: 2 }'],
  [[1, , 3], "[1, <1 empty item>, 3]"],
  [new Point(1, 2), "Point { x: 1, y: 2 }"],
  [Object.assign(Object.create(null), { a: 1 }), "[Object: null prototype] { a: 1 }"],
  [new Map([["a", 1], ["b", 2]]), 'Map(2) { "a" => 1, "b" => 2 }'],
  [new Set([1]), "Set(1) { 1 }"],
  [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), "2024-01-02T03:04:05.000Z"],
  [new Date(NaN), "Invalid Date"],
  [/ab+c/gi, "/ab+c/gi"],
  [new RangeError("bad amount -1"), "RangeError: bad amount -1"],
  [new Uint8Array([1, 2, 3]), "Uint8Array(3) [1, 2, 3]"],
  [new ArrayBuffer(8), "ArrayBuffer { byteLength: 8 }"],
  [new WeakMap(), "WeakMap { <items unknown> }"],
  [new Number(3), "[Number: 3]"],
  [new String("x"), '[String: "x"]'],
  [self, "<ref *1> { a: 1, self: [Circular *1] }"],
  [{ a: { b: { c: { d: 1 } } } }, "{ a: { b: { c: [Object] } } }"],
];
for (const [value, text] of expected) assert.equal(repr(value), text);

const counter = { calls: 0 };
const trap = () => {
  counter.calls++;
  throw new Error("user code ran");
};
const handler: ProxyHandler<object> = {
  get: trap,
  getOwnPropertyDescriptor: trap,
  getPrototypeOf: trap,
  has: trap,
  ownKeys: trap,
};
assert.equal(
  repr({ p: new Proxy({}, handler), q: new Proxy([], handler) }),
  "{ p: [Proxy], q: [Proxy] }",
);
assert.equal(
  repr({
    get g() {
      return trap();
    },
    toString: trap,
    toJSON: trap,
    [Symbol.toPrimitive]: trap,
  }),
  "{ g: [Getter], toString: [Function trap], toJSON: [Function trap], " +
    "[Symbol(Symbol.toPrimitive)]: [Function trap] }",
);
const saved = Object.getOwnPropertyDescriptor(String.prototype, "charCodeAt")!;
Object.defineProperty(String.prototype, "charCodeAt", { value: trap, configurable: true });
try {
  assert.equal(repr({ key: "value\n" }), '{ key: "value\\n" }');
} finally {
  Object.defineProperty(String.prototype, "charCodeAt", saved);
}
assert.equal(counter.calls, 0);

assert.equal(formatError(new TypeError("x")), "TypeError: x");
assert.equal(formatError("boom"), '"boom"');

const big = "x".repeat(10_000_000);
const array = Array.from({ length: 1_000_000 }, (_, i) => i);
for (const value of [big, array, { big, array }]) {
  repr(value);
  const start = performance.now();
  const text = repr(value);
  assert.ok(performance.now() - start < 5, "repr is not bounded by maxLen");
  assert.ok(text.length <= 120);
}
for (const [value] of expected) {
  for (const maxLen of [1, 5, 10, 20, 40]) assert.ok(repr(value, maxLen).length <= maxLen);
}

console.log("REPR_OK");
