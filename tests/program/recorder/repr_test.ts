import assert from "node:assert/strict";
import { bunCheck } from "../../_harness.ts";
import { inspect } from "node:util";
import { formatError, repr } from "../../../src/program/recorder/repr.ts";

class Point {
  public x: number;
  public y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}

/** A property-descriptor trap that counts and throws: any read through it is a failure. */
function trapAll(counter: { calls: number }): ProxyHandler<object> {
  const trap = () => {
    counter.calls++;
    throw new Error("trap fired");
  };
  return {
    apply: trap,
    construct: trap,
    defineProperty: trap,
    deleteProperty: trap,
    get: trap,
    getOwnPropertyDescriptor: trap,
    getPrototypeOf: trap,
    has: trap,
    isExtensible: trap,
    ownKeys: trap,
    preventExtensions: trap,
    set: trap,
    setPrototypeOf: trap,
  };
}

/** Values covering every branch; shared by the bounds and no-throw tests. */
function sampleValues(): unknown[] {
  const self: Record<string, unknown> = { name: "loop" };
  self.self = self;
  const sparse: number[] = [];
  sparse[2 ** 32 - 2] = 1;
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  return [
    0,
    -0,
    NaN,
    -1.5e300,
    12n,
    10n ** 2000n,
    true,
    null,
    undefined,
    "",
    "plain",
    'quote " and \\ and \n newline',
    "\ud83d\ude00 emoji and lone \ud800 surrogate",
    "😀".repeat(200),
    "x".repeat(1000),
    Symbol("desc"),
    Symbol(),
    function fetchUser() {},
    Point,
    async () => {},
    { a: 1, b: "x", c: [1, 2] },
    { "a-b": { "c d": { "e.f": { g: 1 } } }, [Symbol("k")]: "v" },
    [1, , 3],
    Array.from({ length: 10_000 }, (_, i) => i),
    Array.from({ length: 50 }, (_, i) => "item" + i),
    Array.from({ length: 30 }, (_, i) => ({ id: i, tags: ["a", "b"] })),
    sparse,
    new Point(1, 2),
    Object.assign(Object.create(null), { a: 1 }),
    new Map(Array.from({ length: 500 }, (_, i) => [i, { i }])),
    new Set(Array.from({ length: 500 }, (_, i) => "s" + i)),
    new Date(0),
    new Date(NaN),
    /ab+c/gi,
    new RangeError("bad amount -1"),
    Object.assign(new Error("with props"), { code: "E_CODE", detail: { n: 1 } }),
    new Uint8Array(1000),
    new Float64Array([1.5, -0, NaN]),
    new ArrayBuffer(8),
    Promise.resolve(1),
    new WeakMap(),
    new Number(3),
    new String("boxed".repeat(50)),
    self,
    [[[[["deep"]]]]],
    new Proxy({}, {}),
    revoked,
    { revoked },
    Object.create(revoked),
    {
      get boom() {
        throw new Error("getter ran");
      },
    },
    Object.create(Map.prototype),
  ];
}

Deno.test("repr() shows primitives", () => {
  assert.equal(repr(1), "1");
  assert.equal(repr(-0), "-0");
  assert.equal(repr(1.5), "1.5");
  assert.equal(repr(NaN), "NaN");
  assert.equal(repr(-Infinity), "-Infinity");
  assert.equal(repr(12n), "12n");
  assert.equal(repr(true), "true");
  assert.equal(repr(null), "null");
  assert.equal(repr(undefined), "undefined");
});

Deno.test("repr() quotes strings with JSON-style escapes", () => {
  assert.equal(repr("abc"), '"abc"');
  assert.equal(repr('a"b\n'), '"a\\"b\\n"');
  assert.equal(repr("tab\t\\ \u0001"), '"tab\\t\\\\ \\u0001"');
  assert.equal(repr("😀"), '"😀"');
  assert.equal(repr("lone \ud800!"), '"lone \\ud800!"');
  assert.equal(repr(""), '""');
});

Deno.test("repr() shows a string as JSON.stringify() does, cut at maxLen", () => {
  // The cut keeps maxLen - 1 characters of the quoted text and never ends inside a pair.
  const expected = (s: string, max: number) => {
    const full = JSON.stringify(s);
    if (full.length <= max) return full;
    let n = max - 1;
    const last = full.charCodeAt(n - 1);
    if (n > 0 && last >= 0xd800 && last <= 0xdbff) n--;
    return full.slice(0, n) + "…";
  };
  const units = [
    "a",
    "é",
    "中",
    '"',
    "\\",
    "\n",
    "\u0001",
    "\u007f",
    "😀",
    "\ud800",
    "\udc00",
    "\u2028",
  ];
  let seed = 7;
  const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
  for (let k = 0; k < 3000; k++) {
    let s = "";
    const len = random(k % 10 === 0 ? 400 : 40);
    while (s.length < len) s += units[random(units.length)].repeat(1 + random(3));
    for (const max of [1, 2, 3, 4, 5, 19, 20, 21, 22, 23, 40, 120, 1000]) {
      assert.equal(repr(s, max), expected(s, max), `${JSON.stringify(s)} at ${max}`);
    }
  }
});

Deno.test("repr() shows symbols with their description", () => {
  assert.equal(repr(Symbol("desc")), "Symbol(desc)");
  assert.equal(repr(Symbol()), "Symbol()");
  assert.equal(repr(Symbol.iterator), "Symbol(Symbol.iterator)");
  assert.equal(repr(Symbol("a\nb")), "Symbol(a\\nb)");
});

Deno.test("repr() names functions by kind", () => {
  class Base {}
  class Derived extends Base {}
  assert.equal(repr(function fetchUser() {}), "[Function fetchUser]");
  assert.equal(repr(Point), "[class Point]");
  assert.equal(repr(Derived), "[class Derived extends Base]");
  assert.equal(repr(class {}), "[class (anonymous)]");
  assert.equal(repr([() => {}]), "[[Function (anonymous)]]");
  assert.equal(repr(async function f() {}), "[AsyncFunction f]");
  assert.equal(repr(function* g() {}), "[GeneratorFunction g]");
  assert.equal(repr(async function* ag() {}), "[AsyncGeneratorFunction ag]");
  assert.equal(repr(Math.max), "[Function max]");
});

Deno.test("repr() shows plain objects with quoted non-identifier keys", () => {
  assert.equal(repr({ a: 1, b: "x", c: [1, 2] }), '{ a: 1, b: "x", c: [1, 2] }');
  assert.equal(repr({}), "{}");
  assert.equal(repr({ "a-b": 1, "0": 2, $ok_1: 3 }), '{ "0": 2, "a-b": 1, $ok_1: 3 }');
  assert.equal(repr({ [Symbol("k")]: 2 }), "{ [Symbol(k)]: 2 }");
  const hidden = Object.defineProperty({ shown: 1 }, "hidden", { value: 2, enumerable: false });
  assert.equal(repr(hidden), "{ shown: 1 }");
});

Deno.test("repr() shows arrays with holes and cuts long ones with a count", () => {
  assert.equal(repr([1, 2, 3]), "[1, 2, 3]");
  assert.equal(repr([]), "[]");
  assert.equal(repr([1, , 3]), "[1, <1 empty item>, 3]");
  assert.equal(repr([, , , 4]), "[<3 empty items>, 4]");
  const long = repr(Array.from({ length: 10_000 }, (_, i) => i));
  assert.match(long, /^\[0, 1, 2, .*, \.\.\. \d+ more items\]$/);
  assert.ok(long.length <= 120);
  class Stack extends Array {}
  assert.equal(repr(Stack.from([1, 2])), "Stack(2) [1, 2]");
});

Deno.test("repr() shows class instances with their class name", () => {
  assert.equal(repr(new Point(1, 2)), "Point { x: 1, y: 2 }");
  class Empty {}
  assert.equal(repr(new Empty()), "Empty {}");
  class Sub extends Point {}
  assert.equal(repr(new Sub(3, 4)), "Sub { x: 3, y: 4 }");
  assert.equal(repr(Object.create(Object.create(Point.prototype))), "Point {}");
});

Deno.test("repr() marks null-prototype objects", () => {
  assert.equal(
    repr(Object.assign(Object.create(null), { a: 1 })),
    "[Object: null prototype] { a: 1 }",
  );
  assert.equal(repr(Object.create(null)), "[Object: null prototype] {}");
});

Deno.test("repr() shows built-in objects", () => {
  assert.equal(repr(new Map([["a", 1], ["b", 2]])), 'Map(2) { "a" => 1, "b" => 2 }');
  assert.equal(repr(new Set([1])), "Set(1) { 1 }");
  assert.equal(repr(new Map()), "Map(0) {}");
  assert.equal(repr(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), "2024-01-02T03:04:05.000Z");
  assert.equal(repr(new Date(NaN)), "Invalid Date");
  assert.equal(repr(/ab+c/gi), "/ab+c/gi");
  assert.equal(repr(new RegExp("a/b\n", "suy")), "/a\\/b\\n/suy");
  assert.equal(repr(new RangeError("bad amount -1")), "RangeError: bad amount -1");
  assert.equal(repr(new Error("")), "Error");
  assert.equal(repr(new Uint8Array([1, 2, 3])), "Uint8Array(3) [1, 2, 3]");
  assert.equal(repr(new BigInt64Array(2)), "BigInt64Array(2) [0n, 0n]");
  assert.equal(repr(new ArrayBuffer(8)), "ArrayBuffer { byteLength: 8 }");
  assert.equal(repr(new DataView(new ArrayBuffer(4))), "DataView { byteLength: 4 }");
  assert.equal(repr(Promise.resolve(1)), "Promise {}");
  assert.equal(repr(new WeakMap()), "WeakMap { <items unknown> }");
  assert.equal(repr(new WeakSet()), "WeakSet { <items unknown> }");
  assert.equal(repr(new Number(3)), "[Number: 3]");
  assert.equal(repr(new String("x")), '[String: "x"]');
  assert.equal(repr(new Boolean(false)), "[Boolean: false]");
  assert.equal(repr(Object(1n)), "[BigInt: 1n]");
  assert.equal(repr(Object(Symbol("s"))), "[Symbol: Symbol(s)]");
  class Registry extends Map<number, number> {}
  assert.equal(repr(new Registry([[1, 2]])), "Registry(1) { 1 => 2 }");
});

Deno.test("repr() shows error subclasses and extra error data", () => {
  class ValidationError extends Error {}
  assert.equal(repr(new ValidationError("no")), "ValidationError: no");
  class HttpError extends Error {
    override name = "HttpError";
    status = 404;
  }
  assert.equal(repr(new HttpError("gone")), 'HttpError: gone { name: "HttpError", status: 404 }');
  assert.equal(repr(Object.assign(new Error("x"), { code: "E1" })), 'Error: x { code: "E1" }');
});

Deno.test("repr() shows objects with borrowed built-in prototypes as ordinary objects", () => {
  assert.equal(repr(Object.create(Map.prototype)), "Map {}");
  assert.equal(repr(Object.create(Date.prototype)), "Date {}");
  assert.equal(repr(Object.create(Uint8Array.prototype)), "Uint8Array {}");
});

Deno.test("repr() marks cycles with reference labels", () => {
  const self: Record<string, unknown> = { a: 1 };
  self.self = self;
  assert.equal(repr(self), "<ref *1> { a: 1, self: [Circular *1] }");
  const list: unknown[] = [1];
  list.push({ back: list });
  assert.equal(repr(list), "<ref *1> [1, { back: [Circular *1] }]");
  const shared = { n: 1 };
  assert.equal(repr([shared, shared]), "[{ n: 1 }, { n: 1 }]");
  const map = new Map<string, unknown>();
  map.set("me", map);
  assert.equal(repr(map), '<ref *1> Map(1) { "me" => [Circular *1] }');
});

Deno.test("repr() stops at three levels of nesting", () => {
  assert.equal(repr({ a: { b: { c: { d: 1 } } } }), "{ a: { b: { c: [Object] } } }");
  assert.equal(repr([[[[1]]]]), "[[[[Array]]]]");
  assert.equal(
    repr({ a: { b: { p: new Point(1, 2), e: {}, m: new Map([[1, 1]]) } } }),
    "{ a: { b: { p: [Point], e: {}, m: [Map] } } }",
  );
});

Deno.test("repr() shows accessors without calling them", () => {
  const counter = { calls: 0 };
  const value = {
    get g() {
      counter.calls++;
      throw new Error("getter ran");
    },
    set s(_v: number) {
      counter.calls++;
    },
    get gs() {
      counter.calls++;
      return 1;
    },
    set gs(_v: number) {
      counter.calls++;
    },
  };
  assert.equal(repr(value), "{ g: [Getter], s: [Setter], gs: [Getter/Setter] }");
  const array = [1];
  Object.defineProperty(array, 1, {
    get() {
      counter.calls++;
      return 2;
    },
    enumerable: true,
  });
  assert.equal(repr(array), "[1, [Getter]]");
  class Lazy {
    get expensive() {
      counter.calls++;
      return 1;
    }
  }
  assert.equal(repr(new Lazy()), "Lazy {}");
  assert.equal(counter.calls, 0);
});

Deno.test("repr() shows proxies without firing any trap", () => {
  const counter = { calls: 0 };
  const handler = trapAll(counter);
  assert.equal(repr(new Proxy({ a: 1 }, handler)), "[Proxy]");
  assert.equal(repr(new Proxy([1, 2], handler)), "[Proxy]");
  assert.equal(repr(new Proxy(function f() {}, handler)), "[Proxy]");
  assert.equal(repr({ inner: new Proxy({}, handler) }), "{ inner: [Proxy] }");
  assert.equal(repr(Object.create(new Proxy({}, handler))), "{}");
  assert.equal(repr(new Map([[new Proxy({}, handler), 1]])), "Map(1) { [Proxy] => 1 }");
  class Base {}
  Object.setPrototypeOf(Base.prototype, new Proxy({}, handler));
  assert.equal(repr(new Base()), "Base {}");
  assert.equal(formatError(new Proxy(new Error("x"), handler)), "[Proxy]");
  const { proxy, revoke } = Proxy.revocable({}, handler);
  revoke();
  assert.equal(repr(proxy), "[Proxy]");
  assert.equal(counter.calls, 0);
});

Deno.test("repr() never calls conversion or inspection hooks", () => {
  const counter = { calls: 0 };
  const hook = () => {
    counter.calls++;
    throw new Error("hook ran");
  };
  class Hooked {
    toString = hook;
    valueOf = hook;
    toJSON = hook;
    [Symbol.toPrimitive] = hook;
    [inspect.custom] = hook;
    constructor() {
      Object.assign(this, { [Symbol.for("Deno.customInspect")]: hook });
    }
    get [Symbol.toStringTag]() {
      return hook();
    }
  }
  const text = repr(new Hooked());
  assert.match(text, /^Hooked \{ toString: \[Function hook\], valueOf: /);
  repr({ nested: new Hooked(), list: [new Hooked()] }, 1000);
  formatError(new Hooked());
  const error = new Error("msg");
  Object.defineProperty(error, "name", { get: hook });
  Object.defineProperty(error, "message", { get: hook });
  assert.equal(formatError(error), "Error");
  assert.equal(counter.calls, 0);
});

Deno.test("repr() is immune to patched built-in prototypes", () => {
  const counter = { calls: 0 };
  const spy = () => {
    counter.calls++;
    throw new Error("patched method ran");
  };
  const mapIteratorProto = Object.getPrototypeOf(new Map().entries());
  // Accessors on Object.prototype come last and are undone first: while they exist, every
  // ordinary descriptor object (including the test's own) would run them.
  const patches: [object, PropertyKey, PropertyDescriptor][] = [
    [Map.prototype, "entries", { value: spy }],
    [Map.prototype, "forEach", { value: spy }],
    [Map.prototype, Symbol.iterator, { value: spy }],
    [mapIteratorProto, "next", { value: spy }],
    [Set.prototype, "values", { value: spy }],
    [Function.prototype, "call", { value: spy }],
    [Function.prototype, "apply", { value: spy }],
    [Array.prototype, "join", { value: spy }],
    [Array.prototype, "push", { value: spy }],
    [Array.prototype, "indexOf", { value: spy }],
    [String.prototype, "slice", { value: spy }],
    [String.prototype, "charCodeAt", { value: spy }],
    [Date.prototype, "toISOString", { value: spy }],
    [Object, "keys", { value: spy }],
    [Object, "getOwnPropertyDescriptor", { value: spy }],
    [Array.prototype, "1", { get: spy, set: spy }],
    [RegExp.prototype, "flags", { get: spy }],
    [Map.prototype, "size", { get: spy }],
    [Object.prototype, "value", { get: spy }],
    [Object.prototype, "get", { get: spy }],
  ];
  const nullProto = (d: PropertyDescriptor | undefined) =>
    d && Object.setPrototypeOf({ ...d, configurable: true }, null) as PropertyDescriptor;
  const saved = patches.map(([o, k]) => nullProto(Object.getOwnPropertyDescriptor(o, k)));
  const define = Object.defineProperty;
  let results: string[] = [];
  try {
    for (const [o, k, d] of patches) define(o, k, nullProto(d)!);
    results = [
      repr(new Map([["a", 1]])),
      repr(new Set([1])),
      repr([0, , { s: "x".repeat(200) }]),
      repr(new Date(0)),
      repr(/x/g),
      repr({
        get g() {
          return spy();
        },
        n: 1,
      }),
      repr(new Point(1, 2)),
    ];
  } finally {
    for (let i = patches.length - 1; i >= 0; i--) {
      const [o, k] = patches[i];
      if (saved[i]) define(o, k, saved[i]!);
      else delete (o as Record<PropertyKey, unknown>)[k];
    }
  }
  assert.equal(counter.calls, 0);
  assert.deepEqual(results.slice(0, 2), ['Map(1) { "a" => 1 }', "Set(1) { 1 }"]);
  assert.match(results[2], /^\[0, <1 empty item>, \{ s: "xxx/);
  assert.deepEqual(results.slice(3), [
    "1970-01-01T00:00:00.000Z",
    "/x/g",
    "{ g: [Getter], n: 1 }",
    "Point { x: 1, y: 2 }",
  ]);
});

Deno.test("repr() shows each RegExp as it is when made again from one source", () => {
  // regexText keeps a RegExp's text by source: flags, room, redactor and recompiling still count.
  const source = "^( {0,3}[*+-])((?:[\t ][^\n]*)?(?:\n|$))";
  const shown = "/^( {0,3}[*+-])((?:[\\t ][^\\n]*)?(?:\\n|$))/";
  for (let i = 0; i < 3; i++) {
    assert.equal(repr(new RegExp(source, "")), shown.slice(0, -1) + "/");
    assert.equal(repr(new RegExp(source, "gi")), shown + "gi");
    assert.equal(repr(new RegExp(source, "m"), 20), "/^( {0,3}[*+-])((?:…");
    assert.equal(repr([new RegExp(source, "y")], 200), "[" + shown + "y]");
  }
  const re = /abc/g;
  assert.equal(repr(re), "/abc/g");
  (re as unknown as { compile(s: string, f: string): void }).compile("abc", "im");
  assert.equal(repr(re), "/abc/im");
  const key = "ghp_" + "a".repeat(36);
  const rd = {
    secretKey: () => false,
    scans: true,
    scrub: (s: string) => s.replaceAll(key, "[redacted]"),
  };
  assert.equal(repr(new RegExp(key), 120, rd), "/[redacted]/");
  assert.equal(repr(new RegExp(key), 120), "/" + key + "/");
  assert.equal(repr(new RegExp(key), 120, rd), "/[redacted]/");
});

Deno.test("repr() bounds the work for huge strings and collections", () => {
  const big = "x".repeat(10_000_000);
  const array = Array.from({ length: 1_000_000 }, (_, i) => i);
  const map = new Map(array.slice(0, 200_000).map((i) => [i, i]));
  const wide = Object.fromEntries(array.slice(0, 1000).map((i) => ["k" + i, i]));
  for (const value of [big, array, map, wide, { nested: big }, [big, big]]) {
    repr(value);
    const start = performance.now();
    const text = repr(value);
    const elapsed = performance.now() - start;
    assert.ok(text.length <= 120, `too long: ${text.length}`);
    assert.ok(elapsed < 5, `repr took ${elapsed.toFixed(2)} ms for ${text.slice(0, 30)}`);
  }
  assert.equal(repr(big, 10), '"xxxxxxxx…');
  assert.match(repr(map), /^Map\(200000\) \{ 0 => 0, .*\.\.\. \d+ more items \}$/);
});

Deno.test("repr() output never exceeds maxLen and marks every cut", () => {
  const values = sampleValues();
  for (const value of values) {
    const full = repr(value, 100_000);
    for (const maxLen of [1, 2, 3, 5, 10, 11, 20, 33, 40, 80, 120, 500]) {
      const text = repr(value, maxLen);
      assert.ok(text.length <= maxLen, `${text.length} > ${maxLen}: ${text}`);
      const marked = text === full || text.endsWith("…") || text.includes(" more ");
      assert.ok(marked, `cut without a mark at ${maxLen}: ${text}`);
      const last = text.charCodeAt(text.length - 2);
      assert.ok(!(text.endsWith("…") && last >= 0xd800 && last <= 0xdbff), "split surrogate");
    }
  }
});

Deno.test("repr() never throws, whatever the value or maxLen", () => {
  for (const value of sampleValues()) {
    for (const maxLen of [0, -1, NaN, Infinity, 1.5, "x" as unknown as number]) {
      assert.equal(typeof repr(value, maxLen), "string");
      assert.equal(typeof formatError(value, maxLen), "string");
    }
  }
  assert.equal(repr({ a: 1 }, 0), "");
  assert.equal(repr({ a: 1 }, 1), "…");
  assert.equal(repr("abc", Infinity), '"abc"');
});

Deno.test("repr() respects maxLen for nested containers", () => {
  const longKey = repr({ ["k-".repeat(100)]: 1 }, 30);
  assert.equal(longKey, '{ "k-k-k-k-k-k-k-k-k-k-k-k-…');
  assert.equal(repr([1, 2, 3], 9), "[1, 2, 3]");
  assert.equal(repr({ a: 1, b: 2 }, 10), "{ a: 1, b…");
  assert.equal(
    repr({ data: Array.from({ length: 1000 }, (_, i) => i) }, 50),
    "{ data: [0, 1, 2, 3, 4, 5, ... 994 more items] }",
  );
});

Deno.test("formatError() shows name and message for errors", () => {
  assert.equal(formatError(new RangeError("bad amount -1")), "RangeError: bad amount -1");
  assert.equal(formatError(new TypeError("x\ny")), "TypeError: x\\ny");
  class NotFound extends Error {}
  assert.equal(formatError(new NotFound("id 7")), "NotFound: id 7");
  const named = new Error("m");
  named.name = "CustomName";
  assert.equal(formatError(named), "CustomName: m");
  assert.equal(formatError(Object.assign(new Error("x"), { code: 1 })), "Error: x");
  assert.equal(formatError(new Error("x".repeat(500)), 20), "Error: xxxxxxxxxxxx…");
});

Deno.test("formatError() falls back to repr() for thrown non-errors", () => {
  assert.equal(formatError("boom"), '"boom"');
  assert.equal(formatError(42), "42");
  assert.equal(formatError(undefined), "undefined");
  assert.equal(formatError({ code: 1 }), "{ code: 1 }");
});

Deno.test("repr() gives the same results under Bun", () => {
  assert.match(bunCheck(new URL("./repr_bun_check.ts", import.meta.url)), /REPR_OK/);
});

Deno.test("repr() shows runtime objects as their users read them, never their bookkeeping", async () => {
  const { Buffer } = await import("node:buffer");
  const { AsyncLocalStorage } = await import("node:async_hooks");
  const t = setTimeout(() => {}, 5);
  try {
    assert.equal(repr(t), "Timeout(5 ms)");
  } finally {
    clearTimeout(t);
  }
  assert.equal(repr(Buffer.from("hello")), "Buffer(5) <68 65 6c 6c 6f>");
  assert.equal(repr(Buffer.alloc(40)), "Buffer(40) <" + "00 ".repeat(23) + "00 …>");
  assert.equal(repr(new Response("x", { status: 201 })), "Response 201");
  assert.equal(
    repr(new Request("https://example.com/a", { method: "POST" })),
    "Request POST https://example.com/a",
  );
  // A promise made inside an AsyncLocalStorage context carries the runtime's symbols: not shown.
  const als = new AsyncLocalStorage();
  als.run({ secret: 1 }, () => assert.equal(repr(Promise.resolve(1)), "Promise {}"));
  // Data properties only: a Timeout-named class with a getter runs nothing.
  let ran = 0;
  class Timeout {
    get _idleTimeout() {
      ran++;
      return 1;
    }
  }
  assert.equal(repr(new Timeout()), "Timeout");
  assert.equal(ran, 0);
  // A look-alike of a fetch Response is a class instance as any other.
  class Response2 {
    status = 200;
  }
  assert.equal(repr(new Response2()), "Response2 { status: 200 }");
});
