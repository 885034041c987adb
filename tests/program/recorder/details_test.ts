// The detail budget: the first `details` calls of each function have their objects described in
// full; later calls show summaries that read no property, but for calls that throw and calls
// where a value looked for was found. Checked on instrumented code, as `tph run` records it.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import type { TraceLimits } from "../../../src/run_file/limits.ts";
import { loadInstrumented, traceRun } from "./_module_trace.ts";
import { traceToJSON } from "../../../src/program/recorder/to_json.ts";
import type { CallNodeJSON, RunJSON } from "../../../src/types.ts";
import { openRun } from "../../../src/run_file/decode.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import { reprBrief } from "../../../src/program/recorder/repr.ts";
import { convertRawRun, writeRawRun } from "../../../src/program/recorder/raw_run.ts";

const SOURCE = `
export class Token { constructor(kind, text) { this.kind = kind; this.text = text; } }
export function use(t, list) {
  if (t.text === "boom") { t.text = "changed"; throw new Error("bad"); }
  return { n: list.length };
}
export function shapes(a) { return a; }
export function pair(a, b) { return b; }
export function later(t) { return new Promise((resolve) => setTimeout(() => resolve(t), 5)); }
export async function slow(t) { await later(t); return 1; }
export function useWith(token, t) { return { k: t.kind }; }
export function useMany(a, token, b, c, d) { return [b, c, d].length; }
export function both(onComment, onChompKeep) { return 1; }
export function chained(onComment) { return both(onComment, () => {}); }
export function keysA(o) { return Object.keys(o); }
export function keysB(o) { return Object.keys(o); }
export function isList(o) { return Array.isArray(o); }
`;

let dir = "";
// deno-lint-ignore no-explicit-any
let m: any;

async function load(): Promise<void> {
  if (m !== undefined) return;
  ({ dir, m } = await loadInstrumented(SOURCE, "tph-details-"));
}

/** Run `body` under a trace with `limits`; its JSON document. */
async function traced(limits: TraceLimits, body: () => unknown): Promise<RunJSON> {
  await load();
  return traceRun(limits, body);
}

const named = (run: RunJSON, name: string): CallNodeJSON[] => {
  const out: CallNodeJSON[] = [];
  const walk = (ns: CallNodeJSON[]) => {
    for (const n of ns) {
      if (n.name === name) out.push(n);
      walk(n.children);
    }
  };
  walk(run.trace);
  return out;
};

Deno.test("details: the first calls of a function in full, later ones as summaries", async () => {
  const run = await traced({ details: 3 }, () => {
    for (let i = 0; i < 6; i++) m.use(new m.Token("word", `w${i}`), [1, 2, 3]);
  });
  const uses = named(run, "use");
  assert.equal(uses.length, 6);
  for (const u of uses.slice(0, 3)) {
    assert.match(u.args.t, /^Token \{ kind: "word", text: "w\d" \}$/);
    assert.equal(u.args.list, "[1, 2, 3]");
    assert.equal(u.return_value, "{ n: 3 }");
  }
  for (const u of uses.slice(3)) {
    assert.deepEqual(u.args, { t: "Token {…}", list: "Array(3)" });
    assert.equal(u.return_value, "{…}");
  }
  // Three calls past the budget, three objects each.
  assert.equal(run.summarised, 9);
  assert.equal(run.config.details, 3);
  // The constructor's calls have primitives only: shown whole past the budget too.
  assert.ok(named(run, "Token.constructor").every((c) => /^"w\d"$/.test(c.args.text)));
});

Deno.test("details: an external function's budget is counted across its call sites", async () => {
  const run = await traced({ details: 3 }, () => {
    m.keysA({ a: 1 });
    m.keysA({ a: 1 });
    m.keysB({ b: 2 });
    m.keysB({ b: 2 });
    m.keysA({ a: 1 });
    m.isList({ c: 3 });
  });
  const keys = named(run, "Object.keys");
  assert.equal(keys.length, 5);
  assert.ok(keys.every((k) => k.external === true));
  // Object.keys from two sites: its first three calls in full, wherever they were made.
  assert.deepEqual(keys.map((k) => k.args["0"]), [
    "{ a: 1 }",
    "{ a: 1 }",
    "{ b: 2 }",
    "{…}",
    "{…}",
  ]);
  assert.deepEqual(keys.map((k) => k.return_value), [
    '["a"]',
    '["a"]',
    '["b"]',
    "Array(1)",
    "Array(1)",
  ]);
  // Another external function has a budget of its own; the traced callers theirs.
  assert.deepEqual(named(run, "Array.isArray").map((k) => k.args["0"]), ["{ c: 3 }"]);
  assert.deepEqual(named(run, "keysB").map((k) => k.args.o), ["{ b: 2 }", "{ b: 2 }"]);
});

Deno.test("details: a function with a secret parameter has the same budget for its other values", async () => {
  const run = await traced({ details: 2 }, () => {
    for (let i = 0; i < 4; i++) m.useWith(`s3cr3t-${i}`, new m.Token("word", `w${i}`));
    for (let i = 0; i < 4; i++) m.useMany({ i }, "s3cr3t", new m.Token("w", "v"), [i], 7);
  });
  const uses = named(run, "useWith");
  assert.equal(uses.length, 4);
  for (const u of uses) assert.equal(u.args.token, "[redacted]");
  for (const u of uses.slice(0, 2)) {
    assert.match(u.args.t, /^Token \{ kind: "word", text: "w\d" \}$/);
    assert.equal(u.return_value, '{ k: "word" }');
  }
  for (const u of uses.slice(2)) {
    assert.equal(u.args.t, "Token {…}");
    assert.equal(u.return_value, "{…}");
  }
  // Arguments in a list (more than three) wait for their summaries as keepAll's do.
  const many = named(run, "useMany");
  assert.deepEqual(many[1].args, {
    a: "{ i: 1 }",
    token: "[redacted]",
    b: 'Token { kind: "w", text: "v" }',
    c: "[1]",
    d: "7",
  });
  assert.deepEqual(many[3].args, {
    a: "{…}",
    token: "[redacted]",
    b: "Token {…}",
    c: "Array(1)",
    d: "7",
  });
  assert.equal(run.summarised, 2 * 2 + 2 * 3);
  assert.doesNotMatch(JSON.stringify(run), /s3cr3t/);
});

Deno.test("details: functions without a name are shown by their parameter's name on every call", async () => {
  const onError = () => {};
  Object.defineProperty(onError, "name", { value: "" });
  class Named {}
  const run = await traced({ details: 1 }, () => {
    for (let i = 0; i < 3; i++) m.both(() => i, async () => await i);
    m.both(function* () {}, class {});
    m.both(Named, onError);
    m.chained(() => 1);
    m.both(() => 2, () => 3);
  });
  const calls = named(run, "both").map((c) => c.args);
  assert.deepEqual(calls, [
    ...Array(3).fill({
      onComment: "[Function onComment]",
      onChompKeep: "[AsyncFunction onChompKeep]",
    }),
    { onComment: "[GeneratorFunction onComment]", onChompKeep: "[class onChompKeep]" },
    { onComment: "[class Named]", onChompKeep: "[Function onChompKeep]" },
    { onComment: "[Function onComment]", onChompKeep: "[Function onChompKeep]" },
    { onComment: "[Function onComment]", onChompKeep: "[Function onChompKeep]" },
  ]);
  assert.deepEqual(named(run, "chained")[0].args, { onComment: "[Function onComment]" });
  // Another trace with less room, then one as the first: each shows its own texts.
  const short = await traced({ details: 1, maxRepr: 12 }, () => m.both(() => 1, () => 2));
  const cut = named(short, "both")[0].args;
  assert.ok(cut.onComment.length <= 12 && cut.onComment.startsWith("[Function"), cut.onComment);
  const again = await traced({ details: 1 }, () => m.both(() => 1, () => 2));
  assert.deepEqual(named(again, "both")[0].args, {
    onComment: "[Function onComment]",
    onChompKeep: "[Function onChompKeep]",
  });
});

Deno.test("details: a call that throws past the budget shows its objects in full", async () => {
  const run = await traced({ details: 1 }, () => {
    m.use(new m.Token("word", "a"), [1]);
    m.use(new m.Token("word", "b"), [1]);
    try {
      m.use(new m.Token("x", "boom"), [9, 9]);
    } catch { /* recorded */ }
  });
  const uses = named(run, "use");
  assert.equal(uses[1].args.t, "Token {…}");
  // Described when it threw: as the object was then.
  assert.deepEqual(uses[2].args, { t: 'Token { kind: "x", text: "changed" }', list: "[9, 9]" });
  assert.equal(uses[2].exception, "Error: bad");
});

Deno.test('details: "all" describes every call; 0 summarises from the first', async () => {
  const all = await traced({ details: "all" }, () => {
    for (let i = 0; i < 30; i++) m.shapes({ i });
  });
  assert.ok(named(all, "shapes").every((c, i) => c.args.a === `{ i: ${i} }`));
  assert.equal(all.summarised, 0);
  assert.equal(all.config.details, "all");
  const none = await traced({ details: 0 }, () => m.shapes({ i: 1 }));
  assert.deepEqual(named(none, "shapes")[0].args, { a: "{…}" });
});

Deno.test("details: a value looked for keeps its call's objects in full", async () => {
  const run = await traced({
    details: 1,
    find: [{ text: "needle", value: "needle", type: null, match: "contains" }],
  }, () => {
    m.pair({ a: 1 }, 1);
    m.pair({ a: 2 }, 2);
    m.pair({ a: "needle" }, 3);
    m.pair(4, { b: "needle" });
  });
  const pairs = named(run, "pair");
  assert.equal(pairs[1].args.a, "{…}");
  assert.equal(pairs[2].args.a, '{ a: "needle" }');
  // Found in what it returned: its arguments and its return value in full.
  assert.equal(pairs[3].args.b, '{ b: "needle" }');
  assert.equal(pairs[3].return_value, '{ b: "needle" }');
});

Deno.test("details: a summary made once per class is each object's own summary", async () => {
  // Two classes of one name, a class whose objects runtimes show by their own data, arrays of
  // several lengths and of a subclass, maps of two sizes, an object without a prototype.
  const A1 = class A {}, A2 = class A {};
  class IncomingMessage {
    method: string;
    url: string;
    constructor(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
  }
  class List extends Array {}
  const values: unknown[] = [
    {},
    { x: 1 },
    new A1(),
    new A2(),
    new A1(),
    new IncomingMessage("GET", "/a"),
    new IncomingMessage("POST", "/b"),
    [],
    [1],
    [1, 2],
    [3, 4],
    List.of(1, 2),
    new Map([[1, 1]]),
    new Map([[1, 1], [2, 2]]),
    Object.create(null),
    new A2(),
    // Without a prototype: a module namespace and other objects; RegExps of one source.
    await import("../../_harness.ts"),
    Object.create(null),
    Object.setPrototypeOf(new Map(), null),
    /a\tb/g,
    /a\tb/i,
    new RegExp("a\tb", "g"),
    // After summaries of their targets' class and length (looked up first): proxies, arrays of
    // that length with another prototype or none.
    new Proxy({ y: 2 }, {}),
    new Proxy(new A1(), {}),
    new Proxy([5, 6], {}),
    Object.setPrototypeOf([5, 6], A1.prototype),
    Object.setPrototypeOf([5, 6], null),
    [7, 8],
    {},
  ];
  const run = await traced({ details: 0 }, () => {
    for (const v of values) m.shapes(v);
  });
  const shown = named(run, "shapes").map((c) => c.args.a);
  assert.deepEqual(shown, values.map((v) => reprBrief(v, 120, null)));
  assert.deepEqual(shown.slice(5, 7), ["IncomingMessage GET /a", "IncomingMessage POST /b"]);
  assert.deepEqual(shown.slice(16), [
    "[Module: null prototype] {…}",
    "[Object: null prototype] {…}",
    "[Object: null prototype] {…}",
    "/a\\tb/g",
    "/a\\tb/i",
    "/a\\tb/g",
    "[Proxy]",
    "[Proxy]",
    "[Proxy]",
    "A(2)",
    "[Array(2): null prototype]",
    "Array(2)",
    "{…}",
  ]);
});

Deno.test("details: a RegExp's summary follows its source and flags, never its properties", async () => {
  // One RegExp recompiled between summaries (`compile()` changes its source and flags), one
  // that only borrows RegExp.prototype, one with own properties named like the getters, a source
  // longer than any kept, and objects without a prototype one after the other.
  const re = /a+/g;
  const own = Object.defineProperties(/b/m, {
    source: { get: () => "x" },
    flags: { value: "y" },
    global: { get: () => true },
  });
  const long = new RegExp("c".repeat(5000), "y");
  const bare = Object.create(null), ns = await import("../../_harness.ts");
  const seen: unknown[] = [];
  const run = await traced({ details: 0 }, () => {
    for (const v of [re, re, Object.create(RegExp.prototype), own, long, long]) {
      m.shapes(v);
      seen.push(reprBrief(v, 120, null));
    }
    (re as unknown as { compile(s: string, f: string): void }).compile("d", "i");
    for (const v of [re, re, bare, bare, ns, ns, bare]) {
      m.shapes(v);
      seen.push(reprBrief(v, 120, null));
    }
  });
  const shown = named(run, "shapes").map((c) => c.args.a);
  // The long one stored cut: read back with its "…".
  assert.deepEqual(shown, seen.map((s, i) => i === 4 || i === 5 ? s + "…" : s));
  assert.deepEqual(shown.slice(0, 4), ["/a+/g", "/a+/g", "RegExp {…}", "/b/m"]);
  assert.deepEqual(shown.slice(6, 9), ["/d/i", "/d/i", "[Object: null prototype] {…}"]);
  assert.equal(shown[10], "[Module: null prototype] {…}");
  assert.equal(shown[12], "[Object: null prototype] {…}");
});

Deno.test("details: summaries read no property and run no trap", async () => {
  let reads = 0;
  const trap = new Proxy({}, {
    get: () => {
      reads++;
      return 1;
    },
    getPrototypeOf: () => {
      reads++;
      return null;
    },
    ownKeys: () => {
      reads++;
      return [];
    },
  });
  const getter = {
    get x() {
      reads++;
      return 1;
    },
  };
  class Sub extends Array {}
  const values: [unknown, string][] = [
    [{ a: 1 }, "{…}"],
    [[1, 2], "Array(2)"],
    [[], "[]"],
    [Sub.from([1, 2, 3]), "Sub(3)"],
    [Object.create(null), "[Object: null prototype] {…}"],
    [new Map([[1, 2]]), "Map(1) {…}"],
    [new Set([1, 2]), "Set(2) {…}"],
    [trap, "[Proxy]"],
    [getter, "{…}"],
    // Cheap and telling: shown as they are.
    [new Date(0), "1970-01-01T00:00:00.000Z"],
    [/a+/g, "/a+/g"],
    [new Uint8Array([1, 2]), "Uint8Array(2) [1, 2]"],
  ];
  const run = await traced({ details: 1 }, () => {
    m.shapes(0);
    for (const [v] of values) m.shapes(v);
  });
  const shown = named(run, "shapes").slice(1).map((c) => c.args.a);
  assert.deepEqual(shown, values.map(([, s]) => s));
  assert.equal(reads, 0);
});

/**
 * Two calls of slow() left running (the second past a budget of 1, its object kept until
 * summarised) under a trace stopped once `more` ran: the runtime, the trace, their promises.
 */
async function twoRunning(more: () => void = () => {}) {
  await load();
  const rt = runtime();
  const t = rt.startTrace({ details: 1, maxCalls: 100 });
  rt.setProcessTrace(t);
  const running = [m.slow(new m.Token("a", "1")), m.slow(new m.Token("b", "2"))];
  more();
  t.active = false;
  rt.setProcessTrace(null);
  return { rt, t, running };
}

Deno.test("details: a call still running when its trace is written is summarised", async () => {
  const { rt, t, running } = await twoRunning();
  const out = join(dir, "open.tph");
  writeTraceRun(t, null, out);
  rt.detach(t);
  await Promise.all(running);
  const json = traceToJSON(t, null);
  const slows = named(json, "slow");
  assert.equal(slows[0].args.t, 'Token { kind: "a", text: "1" }');
  assert.equal(slows[1].args.t, "Token {…}");
  // The run file holds the same.
  const file = openRun(out);
  try {
    const roots = file.tree().roots;
    assert.ok(roots.filter((r) => r.name === "slow").every((r) => r.unfinished === true));
    assert.deepEqual(roots.filter((r) => r.name === "slow").map((r) => r.args.t), [
      'Token { kind: "a", text: "1" }',
      "Token {…}",
    ]);
    // Also what later() got and returned past the budget.
    assert.ok(file.meta.summarised! >= 1);
  } finally {
    file.close();
  }
});

Deno.test('details: a budget that is not a whole number or "all" is refused', () => {
  for (const bad of [-1, 1.5, "x", NaN]) {
    assert.throws(
      () => runtime().startTrace({ details: bad as number }),
      /details must be a whole number or "all"/,
    );
  }
});

Deno.test("details: a raw run settles the calls still open, counted on the tape, and only those", async () => {
  const { rt, t, running } = await twoRunning(() => {
    for (let i = 0; i < 5; i++) m.use(new m.Token("k", String(i)), [i]);
  });
  // The second slow() (past the budget, its object kept until summarised) has not ended; the
  // calls of use() past the budget were summarised as they ended.
  assert.equal(t.tape.pending, 1);
  const tmp = mkdtempSync(join(tmpdir(), "tph-details-raw-"));
  const raw = join(tmp, "open.raw"), made = join(tmp, "open-made.tph");
  writeRawRun(t, null, raw, {});
  assert.equal(t.tape.pending, 0);
  rt.detach(t);
  await Promise.all(running);
  convertRawRun(new Uint8Array(readFileSync(raw)), made, (why) => new Error(why));
  const file = openRun(made);
  try {
    const slows = file.tree().roots.filter((r) => r.name === "slow");
    assert.deepEqual(slows.map((r) => r.args.t), ['Token { kind: "a", text: "1" }', "Token {…}"]);
    const uses = file.tree().roots.filter((r) => r.name === "use");
    assert.equal(uses.length, 5);
    assert.equal(uses[4].args.t, "Token {…}");
  } finally {
    file.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

Deno.test({
  name: "details: clean up",
  fn: () => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  },
});
