// A program that replaces the built-ins (JSON.stringify with a throwing function of its own,
// TextEncoder.prototype.encode with a forger, Object.prototype.toJSON, every method of the
// standard built-ins with a wrapper that notes its calls) is recorded and saved as if nothing
// were patched: tph uses the built-ins it captured before the program ran, and never runs (or
// records) the program's code on its own behalf.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallNodeJSON } from "../../../src/types.ts";
import {
  allCalls,
  assertCode,
  BUN,
  exec,
  FIXTURES,
  plain,
  readRun,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

const shape = (nodes: CallNodeJSON[]): string =>
  nodes.map((n) => n.children.length === 0 ? n.name : `${n.name}(${shape(n.children)})`).join(
    ", ",
  );

export function builtinTests(t: Target): void {
  Deno.test(`a program sees the globals, process and the built-in functions as plainly (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "builtins") });
    const cwd = join(dir.path, "p");
    const p = await plain(t, "what_it_sees.mjs", [], { cwd });
    assertCode(p, 0, "what_it_sees.mjs plainly");
    const run = await tph(t, ["run", "what_it_sees.mjs"], { cwd });
    assertCode(run, 0, "tph run what_it_sees.mjs");
    assert.equal(run.stdout, p.stdout);
  });
  Deno.test(`proxy traps on Object.prototype are never traps of tph's stand-ins (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "builtins") });
    const cwd = join(dir.path, "p");
    const p = await plain(t, "proxy_traps.mjs", [], { cwd });
    assertCode(p, 0, "proxy_traps.mjs plainly");
    const run = await tph(t, ["run", "proxy_traps.mjs"], { cwd });
    assertCode(run, 0, "tph run proxy_traps.mjs");
    assert.equal(run.stdout, p.stdout);
    assert.match(run.stdout, /^\{"ran":\[\],/);
  });
  Deno.test(`a program's patched typed arrays change nothing as the tape grows (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "builtins") });
    const cwd = join(dir.path, "p");
    const run = await tph(t, ["run", "hostile_tape.ts"], { cwd });
    assertCode(run, 0, "tph run hostile_tape.ts");
    assert.equal(run.stdout, "total 20000\n");
    assert.match(run.stderr, /^touched: none$/m, "no patched built-in ran for tph");
    const { calls, saved } = summaryOf(run);
    assert.equal(calls, 20_000, "every call recorded past the tape's first room");
    const json = readRun(join(cwd, saved));
    assert.equal(json.call_count, 20_000);
    assert.equal(json.trace.length, 20_000);
    assert.equal(json.trace[19_999].return_value, "20000");
  });

  Deno.test(`a program's patched built-ins change nothing tph records or saves (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "builtins") });
    const cwd = join(dir.path, "p");
    const run = await tph(t, ["run", "hostile_builtins.ts"], { cwd });
    assertCode(run, 0, "tph run hostile_builtins.ts");
    assert.equal(run.stdout, "total 16\n");
    // Listed by the program's exit listener, which runs after tph saved.
    assert.match(run.stderr, /^touched: none$/m, "no patched built-in ran for tph");
    const { calls, saved } = summaryOf(run);
    assert.equal(calls, 11);
    const json = readRun(join(cwd, saved));
    assert.equal(json.call_count, 11, "the count is not forged");
    assert.equal(json.was_limited, false);
    assert.equal(
      shape(json.trace),
      "work(helper), work(helper), work(helper), catcher(boom), login, later(helper)",
      "only the program's calls, none made for tph",
    );
    const work = json.trace[1];
    assert.deepEqual(work.args, { a: "1", o: "{ x: 1 }" });
    assert.equal(work.return_value, "3");
    assert.equal(json.trace[3].children[0].exception, "RangeError: bad amount");
    assert.ok(json.trace.every((n) => n.unfinished !== true));
    // Redaction works through captured built-ins too.
    assert.deepEqual(json.trace[4].args, {
      user: '{ name: "ann", token: [redacted] }',
      password: "[redacted]",
    });
    const tree = await tph(t, ["tree", "last"], { cwd });
    assertCode(tree, 0, "tph tree last");
    assert.match(tree.stdout, /later\(x=3\) -> 6/);
  });

  for (const when of ["before", "after"]) {
    Deno.test(`a program that replaces every global constructor ${when} its calls is stored (${t.name})`, async () => {
      // tph's code in the program's process takes the built-ins it captured at load
      // (src/platform/globals.ts; tests/structure_test.ts finds any it reads from globalThis).
      await using dir = tempDir({ p: join(FIXTURES, "builtins") });
      const cwd = join(dir.path, "p");
      const bare = await plain(t, "replaced_globals.ts", [when], { cwd });
      assertCode(bare, 3, `plain replaced_globals.ts ${when}`);
      assert.equal(bare.stdout, "total 15 replaced many\n");
      const run = await tph(t, ["run", "replaced_globals.ts", when], { cwd });
      assertCode(run, 3, `tph run replaced_globals.ts ${when}`);
      assert.equal(run.stdout, bare.stdout);
      assert.doesNotMatch(run.stderr, /hostile|Cannot save/);
      const { calls, saved } = summaryOf(run);
      assert.equal(calls, 10);
      const json = readRun(join(cwd, saved));
      assert.equal(json.call_count, 10);
      const work = "work(pair, pair, pair, pair, pair, table)";
      assert.equal(
        shape(json.trace),
        `${when === "before" ? `replaceAll, ${work}` : `${work}, replaceAll`}, write(writeSync)`,
      );
      const calls15 = json.trace.find((n) => n.name === "work")!;
      assert.equal(calls15.return_value, "15");
      assert.equal(calls15.children[4].return_value, "{ n: 4, list: [4, 5] }");
      assert.equal(calls15.children[5].return_value, 'Map(1) { "k" => Set(1) { 15 } }');
    });
  }

  // On Deno tph saves on process's "exit", not on "unload": Deno builds that event's path with a
  // push that reaches such an accessor, once any listener makes it dispatch the event. Deno's
  // microtask queue writes past its arrays' ends: a getter makes that throw even without tph.
  for (const mode of ["array", "object", "getter", "iterator"]) {
    Deno.test({
      name:
        `a program's ${mode} accessors on the built-in prototypes' indexes never run for tph (${t.name})`,
      ignore: t.runtime === "deno" && mode === "getter",
      fn: async () => {
        await using dir = tempDir({ p: join(FIXTURES, "builtins") });
        const cwd = join(dir.path, "p");
        // Node's console.log writes past an array's end itself: a getter there makes it throw.
        const print = mode === "getter" ? [] : ["print"];
        const bare = await plain(t, "index_setters.ts", [mode, ...print], { cwd });
        assertCode(bare, 0, `plain index_setters.ts ${mode}`);
        const run = await tph(t, ["run", "index_setters.ts", mode, ...print], { cwd });
        assertCode(run, 0, `tph run index_setters.ts ${mode}`);
        // The accessors' calls counted, the program's own among them (its spread iterates):
        // as many as without tph, so none for tph.
        assert.match(bare.stdout, /^accessor calls: \d+$/m);
        assert.equal(run.stdout, bare.stdout, "the program's output as without tph");
        const { calls, saved } = summaryOf(run);
        // The same program without the accessors, for the run it stores.
        const calm = await tph(t, ["run", "index_setters.ts", "none", ...print], { cwd });
        assertCode(calm, 0, "tph run index_setters.ts none");
        const want = readRun(join(cwd, summaryOf(calm).saved));
        const json = readRun(join(cwd, saved));
        assert.equal(calls, want.call_count);
        assert.equal(json.call_count, want.call_count);
        assert.equal(shape(json.trace), shape(want.trace));
        const facts = (nodes: CallNodeJSON[]) =>
          allCalls(nodes).map((n) => [n.name, n.args, n.return_value, n.exception, n.unfinished]);
        assert.deepEqual(facts(json.trace), facts(want.trace));
        assert.equal(json.run?.ended, "completed", "a finished run");
        assert.equal(json.run?.exit_code, 0);
      },
    });
  }

  Deno.test(`fetch's classes read as Response 201, and tph loads no fetch of its own (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(
      join(cwd, "main.mjs"),
      `import process from "node:process";
// On Node, what the runtime loaded before this line: fetch (undici) only if tph did.
const loaded = (process.moduleLoadList ?? []).some((m) => m.includes("undici"));
function status(r) { return r.status; }
status(new Response("x", { status: 201 }));
console.log("undici before the program: " + loaded);
`,
    );
    const run = await tph(t, ["run", "--tree", "main.mjs"], { cwd });
    assertCode(run, 0, "tph run");
    assert.equal(run.stdout, "undici before the program: false\n");
    assert.match(run.stderr, /status\(r=Response 201\) -> 201/);
    // A program that puts a getter where Response was: tph never calls it.
    writeFileSync(
      join(cwd, "getter.mjs"),
      `let reads = 0;
const Real = globalThis.Response;
Object.defineProperty(globalThis, "Response", { get() { reads++; return Real; } });
function status(r) { return r.status; }
status(new Real("x", { status: 202 }));
console.log("reads " + reads);
`,
    );
    const hostile = await tph(t, ["run", "--tree", "getter.mjs"], { cwd });
    assertCode(hostile, 0, "tph run getter.mjs");
    assert.equal(hostile.stdout, "reads 0\n");
    assert.match(hostile.stderr, /status\(r=Response/);
  });
}

/** What a run wrote to stderr, less tph's own lines. */
const programErr = (stderr: string): string =>
  stderr.split("\n").filter((l) => !l.startsWith("tph: ")).join("\n");

export function hostileValueTests(t: Target): void {
  Deno.test(`a program that deletes, freezes and traps the built-ins is traced as it runs plainly (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "deleted_builtins.ts", [], { cwd });
    assertCode(bare, 0, "plain deleted_builtins.ts");
    const run = await tph(t, ["run", "deleted_builtins.ts"], { cwd });
    assertCode(run, 0, "tph run deleted_builtins.ts");
    assert.equal(run.stdout, bare.stdout);
    assert.equal(programErr(run.stderr), bare.stderr);
    const { calls, saved } = summaryOf(run);
    const json = readRun(join(cwd, saved));
    assert.equal(json.call_count, calls);
    assert.equal(
      shape(json.trace),
      "s(bad, Box.constructor), login, f(Box.constructor, g), get, then callback #2(writeSync)",
      "the program's calls, with their children",
    );
  });

  Deno.test(`a program that froze Error and dies of an error is reported as plainly (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "deleted_builtins.ts", ["uncaught"], { cwd });
    assertCode(bare, 1, "plain deleted_builtins.ts uncaught");
    const run = await tph(t, ["run", "deleted_builtins.ts", "uncaught"], { cwd });
    assertCode(run, 1, "tph run deleted_builtins.ts uncaught");
    assert.equal(run.stdout, bare.stdout);
    if (t.runtime === "node") {
      // Node shows the rewritten line in its excerpt (docs/compatibility.md): the rest is its own.
      assert.match(run.stderr, /^RangeError: neg\n {4}at bad \(.*deleted_builtins\.ts:\d+:\d+\)$/m);
      assert.doesNotMatch(run.stderr, /CallSite/);
    } else assert.equal(programErr(run.stderr), bare.stderr);
    assert.ok(summaryOf(run).calls >= 5);
  });

  Deno.test(`a module imported after the program froze Error is traced (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const run = await tph(t, ["run", "--tree", "frozen_import.ts"], { cwd });
    assertCode(run, 0, "tph run frozen_import.ts");
    assert.equal(run.stdout, "twice 4\n");
    assert.match(run.stderr, /twice\(n=2\) -> 4/);
  });

  Deno.test(`modules imported after the program deleted string methods load as plainly (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "deleted_before_import.mjs", [], { cwd });
    assertCode(bare, 0, "plain deleted_before_import.mjs");
    assert.equal(bare.stdout, "result 4\n");
    // A transform cache of its own, empty: the files are parsed and rewritten, then hashed again.
    for (const round of ["cold", "warm"]) {
      const run = await tph(t, ["run", "deleted_before_import.mjs"], {
        cwd,
        env: { TPH_TRANSFORM_CACHE: join(dir.path, "transforms") },
      });
      assertCode(run, 0, `tph run deleted_before_import.mjs (${round})`);
      assert.equal(run.stdout, bare.stdout, round);
    }
  });

  Deno.test(`a program's patched built-ins run for none of tph's printing of its errors (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "builtins") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "hostile_builtins.ts", ["print"], { cwd });
    assertCode(bare, 1, "plain hostile_builtins.ts print");
    const run = await tph(t, ["run", "hostile_builtins.ts", "print"], { cwd });
    assertCode(run, 1, "tph run hostile_builtins.ts print");
    assert.equal(run.stdout, bare.stdout);
    // What the runtime itself calls (Node's report of the error, Deno runs no exit listener after
    // an uncaught error), and nothing more.
    const touched = (s: string) => new Set(/^touched: (.*)$/m.exec(s)?.[1].split(", "));
    const extra = [...touched(run.stderr)].filter((name) => !touched(bare.stderr).has(name));
    assert.deepEqual(extra, [], "patched built-ins called under tph only");
    if (t.runtime === "bun") assert.match(run.stderr, /^touched: none$/m);
    assert.match(run.stderr, /RangeError: late 2/);
  });

  Deno.test(`descriptor fields on Object.prototype change nothing tph does (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "proto_descriptors.ts", [], { cwd });
    const run = await tph(t, ["run", "proto_descriptors.ts"], { cwd });
    assertCode(run, bare.code, "tph run proto_descriptors.ts");
    assert.equal(bare.code, 1);
    const notes = (s: string) => s.split("\n").filter((l) => l.startsWith("Object.prototype "));
    assert.deepEqual(notes(run.stderr), notes(bare.stderr));
    // On Node, a stack has one more frame of Node's own under tph (processTicksAndRejections).
    if (t.runtime !== "node") {
      assert.equal(run.stdout, bare.stdout);
      assert.equal(programErr(run.stderr), bare.stderr);
    } else assert.match(run.stderr, /^RangeError: late 2$/m);
    assert.ok(summaryOf(run).calls >= 3);
  });

  Deno.test(`values whose traps and getters throw are recorded, redacted and found without running them (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await plain(t, "values.ts", [], { cwd });
    assertCode(bare, 0, "plain values.ts");
    const run = await tph(
      t,
      ["run", "--find", "s3cret", "--find-match", "contains", "values.ts"],
      { cwd },
    );
    assertCode(run, 0, "tph run --find s3cret values.ts");
    assert.equal(run.stdout, bare.stdout);
    assert.equal(
      programErr(run.stderr),
      bare.stderr,
      "the program's traps and getters ran as often",
    );
    const saved = / saved (\S+); view it/.exec(run.stderr)?.[1];
    assert.ok(saved !== undefined, run.stderr);
    assert.match(run.stderr, /^tph: 4 matches of s3cret: tph find last$/m);
    const json = readRun(join(cwd, saved));
    const takes = json.trace.filter((n) => n.name === "take");
    assert.ok(takes.length >= 20);
    for (const n of takes) assert.equal(n.args?.password, "[redacted]");
    const found = await tph(t, ["find", "last"], { cwd });
    assertCode(found, 0, "tph find last");
    assert.match(found.stdout, /take {2}arg token/);
  });

  for (const name of ["throw_proxy", "throw_async_proxy", "throw_getters", "throw_err_getter"]) {
    Deno.test(`what the program throws is printed as plainly, its traps and getters run as often (${name}, ${t.name})`, async () => {
      await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
      const cwd = join(dir.path, "p");
      const bare = await plain(t, `${name}.ts`, [], { cwd });
      const run = await tph(t, ["run", `${name}.ts`], { cwd });
      assertCode(run, bare.code, `tph run ${name}.ts`);
      assert.equal(run.stdout, bare.stdout);
      const notes = (s: string) => s.split("\n").filter((l) => /^(trap|getter) /.test(l));
      assert.deepEqual(notes(run.stderr), notes(bare.stderr), "the same traps and getters ran");
      assert.ok(!run.stderr.includes("src/program/"), `no frame of tph's:\n${run.stderr}`);
      // Bun (and the binary) print the value as they do plainly; an error whose stack is a
      // getter of the program's loses its frames under tph (see docs/compatibility.md).
      if (t.runtime !== "node" && name !== "throw_err_getter") {
        assert.equal(programErr(run.stderr), bare.stderr);
      }
      assert.ok(summaryOf(run).calls >= 1);
    });
  }
}

/** `tph test` on Bun with tests that throw hostile values (bun_test.ts and the binary). */
export function hostileTestTests(t: Target): void {
  Deno.test(`bun test: what a test throws runs the program's traps and getters as plainly (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "hostile_values") });
    const cwd = join(dir.path, "p");
    const bare = await exec([BUN, "test", "./hostile.test.ts"], { cwd });
    assertCode(bare, 1, "bun test ./hostile.test.ts");
    const run = await tph(t, ["test", "--runner", "bun", "--", "./hostile.test.ts"], { cwd });
    assertCode(run, 1, "tph test --runner bun");
    const notes = (s: string) => s.split("\n").filter((l) => /^(trap|getter) /.test(l));
    assert.deepEqual(notes(run.stderr), notes(bare.stderr), "the same traps and getters ran");
    assert.ok(notes(bare.stderr).length > 0);
    assert.ok(!run.stderr.includes("src/program/"), `no frame of tph's:\n${run.stderr}`);
    assert.match(run.stderr, /^ 1 pass\n 2 fail$/m);
    assert.match(run.stderr, /3 tests traced \(1 passed, 2 failed\)/);
  });
}
