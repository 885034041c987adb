// Value tracing: `tph run --find` on the value tracer's example (the same five matches in the same
// order), a needle past max_calls inside an argument (with its path), a thrown error found by
// class and `contains`, a regex, `tph find` on recorded calls, its JSON and its exit codes.

import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { assertCode, FIXTURES, type Target, tempDir, tph } from "./_cli.ts";
// deno-lint-ignore no-explicit-any
type Any = any;

interface Trace {
  target: unknown;
  func: string;
  where: string;
  arg_name: string | null;
  value: unknown;
  type: string;
  timestamp: string;
  matcher_type: string;
  stack: string[];
  path: string;
  call: number | null;
}

export function findTests(t: Target): void {
  const setup = () => {
    const dir = tempDir({ e: join(FIXTURES, "eval") });
    return { dir, cwd: join(dir.path, "e") };
  };

  Deno.test(`tph run --find: the value tracer's example, match for match (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    const r = await tph(t, ["run", "-e", "foo.foo(-2)", "--find", "2", "--find-type", "number"], {
      cwd,
    });
    assertCode(r, 0, "tph run -e foo.foo(-2) --find 2");
    assert.match(r.stderr, /^tph: 5 matches of 2: tph find last$/m);
    const json = await tph(t, ["find", "last", "--json"], { cwd });
    assertCode(json, 0, "tph find last --json");
    const traces: Record<string, Trace[]> = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(traces), ["2"]);
    assert.deepEqual(
      traces["2"].map((m) => [m.func, m.where, m.arg_name, m.value, m.type, m.stack.join(" > ")]),
      [
        ["foo.buzz", "return", null, 2, "number", "foo.foo > foo.buzz"],
        ["foo.bar", "arg", "val", 2, "number", "foo.foo > foo.bar"],
        ["foo.bar", "arg", "pw", 2, "number", "foo.foo > foo.bar"],
        ["foo.Baz.call", "return", null, 2, "number", "foo.foo > foo.Baz.call"],
        ["foo.buzz", "arg", "val", 2, "number", "foo.foo > foo.buzz"],
      ],
    );
    for (const m of traces["2"]) {
      assert.equal(m.target, 2);
      assert.equal(m.matcher_type, "equals");
      assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    // Each match names its call in the tree (pre-order: foo 0, buzz 1, bar 2, constructor 3…).
    assert.deepEqual(traces["2"].map((m) => m.call), [1, 2, 2, 4, 5]);
    const times = traces["2"].map((m) => m.timestamp);
    assert.deepEqual([...times].sort(), times, "in the order they happened");
    // The text form, one line a match.
    const text = await tph(t, ["find", "last"], { cwd });
    assert.equal(text.stdout.split("\n")[1], "foo.bar  arg val = 2  ← foo.foo ← <root>");
    // -o writes the same JSON.
    assertCode(await tph(t, ["find", "last", "-o", "traces.json"], { cwd }), 0, "find -o");
    assert.deepEqual(JSON.parse(readFileSync(join(cwd, "traces.json"), "utf8")), traces);
  });

  Deno.test(`tph run --find: past the limits, inside values, errors, regex (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    const r = await tph(t, [
      "run",
      "--max-calls",
      "1000",
      "--find",
      "NEEDLE-42",
      "--find",
      "bad code",
      "--find",
      "^B\\d$",
      "--find-type",
      "string",
      "--find-type",
      "RangeError",
      "--find-type",
      "string",
      "--find-match",
      "equals",
      "--find-match",
      "contains",
      "--find-match",
      "regex",
      "-e",
      "hay.run(20000)",
    ], { cwd });
    assertCode(r, 0, "tph run --find on hay.run(20000)");
    assert.match(r.stderr, /limited by max_calls/);
    assert.match(r.stderr, /^tph: 4 matches of NEEDLE-42, bad code, \^B\\d\$: tph find last$/m);
    const traces: Record<string, Trace[]> = JSON.parse(
      (await tph(t, ["find", "last", "--json"], { cwd })).stdout,
    );
    // The needle, in a call the limit left out of the tree, inside its argument.
    const [needle] = traces["NEEDLE-42"];
    assert.deepEqual(
      [needle.func, needle.where, needle.arg_name, needle.path, needle.value, needle.call],
      ["hay.step", "arg", "order", ".items[2].sku", "NEEDLE-42", null],
    );
    assert.deepEqual(needle.stack, ["hay.run", "hay.step"]);
    const [error] = traces["bad code"];
    assert.deepEqual([error.func, error.where, error.type], ["hay.check", "throw", "RangeError"]);
    // A regex on strings: B3 as an argument and as the value check returned.
    assert.deepEqual(
      traces["^B\\d$"].map((m) => [m.where, m.value]),
      [["arg", "B3"], ["return", "B3"]],
    );
    // Where: only some kinds.
    const args = await tph(t, ["find", "last", "--where", "return", "--json"], { cwd });
    assert.deepEqual(JSON.parse(args.stdout)["^B\\d$"].length, 1);

    // A string by `contains`, deep in an argument.
    const part = await tph(t, [
      "run",
      "--find",
      "EEDLE",
      "--find-match",
      "contains",
      "-e",
      "hay.run(50)",
    ], { cwd });
    assertCode(part, 0, "tph run --find EEDLE --find-match contains");
    const parts: Trace[] = JSON.parse((await tph(t, ["find", "last", "--json"], { cwd })).stdout)[
      "EEDLE"
    ];
    assert.deepEqual(parts.map((m) => [m.func, m.arg_name, m.path, m.value, m.matcher_type]), [
      ["hay.step", "order", ".items[2].sku", "NEEDLE-42", "contains"],
    ]);

    // What an external call returns (JSON.parse, called by decode) is looked at too.
    const ext = await tph(t, [
      "run",
      "--find",
      "NEEDLE-42",
      "-e",
      `hay.decode('{"k":"NEEDLE-42"}')`,
    ], {
      cwd,
    });
    assertCode(ext, 0, "tph run -e hay.decode(…) --find NEEDLE-42");
    const found: Trace[] = JSON.parse((await tph(t, ["find", "last", "--json"], { cwd })).stdout)[
      "NEEDLE-42"
    ];
    assert.deepEqual(found.map((m) => [m.func, m.where, m.path]), [
      ["global.JSON.parse", "return", ".k"],
      ["hay.decode", "return", ".k"],
    ]);
    // A run whose find section is damaged is read (its calls are sound), but tph find says what
    // is wrong there, by the format's table, in one line.
    assertCode(await tph(t, ["export", "last", "-o", "run.json"], { cwd }), 0, "export");
    const run = JSON.parse(readFileSync(join(cwd, "run.json"), "utf8"));
    for (
      const [damage, why] of [
        [
          (f: Any) => f.matches[1].where = "arg2",
          `"find.matches[1].where" is "arg2", not "arg" or "return" or "throw"`,
        ],
        [(f: Any) => f.matches[0].target = 3, `"find.matches[0].target" names no target`],
        [(f: Any) => f.count = "2", `"find.count" is string, not number`],
      ] as const
    ) {
      const copy = structuredClone(run);
      damage(copy.find);
      writeFileSync(join(cwd, "damaged.json"), JSON.stringify(copy));
      const r = await tph(t, ["find", "damaged.json"], { cwd });
      assert.notEqual(r.code, 0);
      assert.equal(
        r.stderr,
        `tph: Cannot read run "damaged.json": not a tph run (its find section is damaged: ${why})\n`,
      );
      assertCode(await tph(t, ["tree", "damaged.json"], { cwd }), 0, "tph tree of it");
    }
  });

  Deno.test(`tph find searches recorded calls; exit codes as grep (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    assertCode(await tph(t, ["run", "-e", "foo.foo(-2)"], { cwd }), 0, "tph run -e");
    // No --find: no live matches to list.
    const none = await tph(t, ["find", "last"], { cwd });
    assertCode(none, 2, "tph find last of a run without --find");
    assert.match(none.stderr, /looked for no value/);
    // On the stored texts: numbers as digits, strings as stored.
    const two = await tph(t, ["find", "last", "2", "--json"], { cwd });
    assertCode(two, 0, "tph find last 2");
    assert.deepEqual(
      JSON.parse(two.stdout)["2"].map((m: Trace) => `${m.func} ${m.where} ${m.arg_name}`),
      [
        "foo.buzz return null",
        "foo.bar arg val",
        "foo.bar arg pw",
        "foo.Baz.call return null",
        "foo.buzz arg val",
      ],
    );
    assertCode(await tph(t, ["find", "last", "12345"], { cwd }), 1, "nothing found");
    // A JSON run given as a path is searched the same way.
    assertCode(await tph(t, ["export", "last", "-o", "run.json"], { cwd }), 0, "export");
    const fromJSON = await tph(t, ["find", "run.json", "2", "--where", "arg"], { cwd });
    assert.deepEqual(fromJSON.stdout.trim().split("\n"), [
      "foo.bar  arg val = 2  ← foo.foo ← <root>",
      "foo.bar  arg pw = 2  ← foo.foo ← <root>",
      "foo.buzz  arg val = 2  ← foo.foo ← <root>",
    ]);
    assertCode(await tph(t, ["find", "last", "-", "--match", "contains"], { cwd }), 0, "contains");
    for (
      const args of [
        ["find", "last", "--match", "nope", "2"],
        ["find", "last", "--where", "up", "2"],
        ["find", "last", "(", "--match", "regex"],
        ["find", "no-such-run"],
        ["run", "--find-type", "number", "-e", "1"],
        ["run", "--find", "1", "--find-match", "fuzzy", "-e", "1"],
        [
          "run",
          "--find",
          "1",
          "--find",
          "2",
          "--find-type",
          "a",
          "--find-type",
          "b",
          "--find-type",
          "c",
          "-e",
          "1",
        ],
      ]
    ) {
      const bad = await tph(t, args, { cwd });
      assertCode(bad, 2, `tph ${args.join(" ")}`);
      assert.equal(bad.stdout, "");
    }
  });
}
