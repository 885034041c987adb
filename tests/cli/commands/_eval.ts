// `tph run -e EXPR`: the value tracer's example module, an async expression, a package, an
// expression that throws (as the runtime reports it), a module that is not there, --import.

import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, FIXTURES, type Target, tempDir, tph } from "./_cli.ts";

export function evalTests(t: Target): void {
  const setup = () => {
    const dir = tempDir({
      e: join(FIXTURES, "eval"),
      "e/node_modules": join(FIXTURES, "packages/modules"),
    });
    return { dir, cwd: join(dir.path, "e") };
  };
  /** No entry module is left behind. */
  const clean = (cwd: string) =>
    assert.deepEqual(readdirSync(cwd).filter((n) => n.startsWith(".tph-e")), []);

  Deno.test(`tph run -e runs an expression on the modules it names (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    const r = await tph(t, ["run", "-e", "foo.foo(-2)"], { cwd });
    assertCode(r, 0, 'tph run -e "foo.foo(-2)"');
    assert.equal(r.stdout, "-2\n");
    const tree = await tph(t, ["tree", "last"], { cwd });
    assert.deepEqual(
      tree.stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(/\s+\[.*\]$/, "")),
      [
        "└── foo(val=-2) -> -2",
        "    ├── buzz(val=-2) -> 2",
        "    ├── bar(val=2, pw=2) -> 4",
        "    ├── Baz.constructor(pw=0.5) -> undefined",
        "    ├── Baz.call(val=4) -> 2",
        "    └── buzz(val=2) -> -2",
      ],
    );
    const view = JSON.parse((await tph(t, ["view", "last", "--json"], { cwd })).stdout);
    assert.deepEqual(view.run.command, ["-e", "foo.foo(-2)"]);
    clean(cwd);

    // Awaited when it gives a promise; printed as the runtime's inspector shows it.
    const later = await tph(t, ["run", "-e", "foo.later(3)"], { cwd });
    assertCode(later, 0, "tph run -e foo.later(3)");
    assert.equal(later.stdout, "{ val: 3, twice: 6 }\n");

    // A package, and --import under another name.
    const pkg = await tph(t, ["run", "-e", "greeter.greet('tph')"], { cwd });
    assertCode(pkg, 0, "tph run -e with a package");
    assert.match(pkg.stdout, /hello tph/);
    const named = await tph(t, ["run", "--import", "./foo.ts=F", "-e", "F.buzz(4)"], { cwd });
    assertCode(named, 0, "--import ./foo.ts=F");
    assert.equal(named.stdout, "-4\n");
    // Statements run as a module's code; nothing is printed for them.
    const stmts = await tph(
      t,
      ["run", "-e", "const v: number = foo.buzz(5);\nconsole.log('got', v)"],
      { cwd },
    );
    assertCode(stmts, 0, "statements");
    assert.equal(stmts.stdout, "got -5\n");
    // A file of that name already there is left alone: the entry module takes another.
    writeFileSync(join(cwd, ".tph-e.ts"), "// mine\n");
    const beside = await tph(t, ["run", "-e", "foo.buzz(6)"], { cwd });
    assertCode(beside, 0, "with .tph-e.ts taken");
    assert.equal(beside.stdout, "-6\n");
    assert.equal(readFileSync(join(cwd, ".tph-e.ts"), "utf8"), "// mine\n");
    assert.deepEqual(readdirSync(cwd).filter((n) => n.startsWith(".tph-e")), [".tph-e.ts"]);
    Deno.removeSync(join(cwd, ".tph-e.ts"));
    // Names bound inside the expression are its own.
    const bound = await tph(t, ["run", "-e", "[1, 2].map((x) => foo.buzz(x))"], { cwd });
    assertCode(bound, 0, "an arrow's parameter");
    assert.equal(bound.stdout, "[ -1, -2 ]\n");
    clean(cwd);
  });

  Deno.test(`tph run -e: a CommonJS package is its value, as its users import it (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    // Names no static look at the code finds (Node's and Deno's namespace of it lacks them).
    const pkg = join(cwd, "node_modules", "chunky");
    mkdirSync(pkg);
    writeFileSync(join(pkg, "package.json"), '{ "name": "chunky", "main": "index.js" }\n');
    writeFileSync(
      join(pkg, "index.js"),
      [
        "function chunky(list) { return list.length; }",
        'const name = ["chu", "nk"].join("");',
        "chunky[name] = function (list, size) {",
        "  const out = [];",
        "  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));",
        "  return out;",
        "};",
        "module.exports = chunky;",
        "",
      ].join("\n"),
    );
    for (
      const [args, out] of [
        [["-e", "chunky.chunk([1, 2, 3], 2)"], "[ [ 1, 2 ], [ 3 ] ]\n"],
        [["-e", "chunky([1, 2])"], "2\n"],
        [["--import", "chunky=C", "-e", "C.chunk([1, 2, 3], 3)"], "[ [ 1, 2, 3 ] ]\n"],
        // An ES module package stays a namespace.
        [["-e", "typeof greeter.greet"], "'function'\n"],
      ] as [string[], string][]
    ) {
      const r = await tph(t, ["run", ...args], { cwd });
      assertCode(r, 0, `tph run ${args.join(" ")}`);
      assert.equal(r.stdout, out, args.join(" "));
    }
    clean(cwd);
  });

  Deno.test(`tph run -e: errors as the runtime gives them, and bad input (${t.name})`, async () => {
    const { dir, cwd } = setup();
    await using _ = dir;
    // Thrown: the runtime reports it and exits 1; the run is still stored.
    const thrown = await tph(t, ["run", "-e", "foo.fails('input')"], { cwd });
    assertCode(thrown, 1, "an expression that throws");
    assert.match(thrown.stderr, /RangeError: bad input/);
    assert.match(thrown.stderr, /1 call recorded/);
    const rejected = await tph(t, ["run", "-e", "foo.later(undefined).then(() => foo.nope())"], {
      cwd,
    });
    assertCode(rejected, 1, "a promise that rejects");
    assert.match(rejected.stderr, /foo\.nope is not a function/);
    // A module that is not there: one line, before anything runs.
    const missing = await tph(t, ["run", "-e", "nosuch.thing(1)"], { cwd });
    assertCode(missing, 1, "a module that is not there");
    assert.equal(
      missing.stderr,
      `tph: Cannot run -e: "nosuch" is no module in ${cwd} (nosuch.ts, nosuch.js, ` +
        "nosuch/index.ts…) nor an installed package; import one with --import SPEC=nosuch\n",
    );
    // Neither an expression nor statements: one line with the place in the code, nothing run.
    const syntax = await tph(t, ["run", "-e", "foo.foo(1"], { cwd });
    assertCode(syntax, 1, "a syntax error");
    assert.match(
      syntax.stderr,
      /^tph: -e: Expected `[),]` but found `EOF` at 1:10 \(the code is an expression, whose value is printed, or statements\)\n$/,
    );
    assert.doesNotMatch((await tph(t, ["logs"], { cwd })).stdout, /-e foo\.foo\(1\b/);
    // An error at run time points into the code at its own line and column (statements), or one
    // line down (an expression, after the line that awaits it), in .tph-e.ts.
    const runtime = await tph(t, ["run", "-e", "const k = 1;\nconst j = k + nope;"], { cwd });
    assertCode(runtime, 1, "statements that throw");
    assert.match(runtime.stderr, /nope is not defined/);
    // deno-lint-ignore no-control-regex -- ANSI sequences
    assert.match(runtime.stderr, /\.tph-e\.ts(?:\x1b\[0m)?:(?:\x1b\[33m)?2(?:\x1b\[0m)?:/);
    const inExpr = await tph(t, ["run", "-e", "foo.buzz(1) + nope"], { cwd });
    assertCode(inExpr, 1, "an expression that throws");
    // deno-lint-ignore no-control-regex -- ANSI sequences
    assert.match(inExpr.stderr, /\.tph-e\.ts(?:\x1b\[0m)?:(?:\x1b\[33m)?2(?:\x1b\[0m)?:/);
    clean(cwd);
    for (
      const [args, message] of [
        [["-e", ""], /^tph: -e needs an expression to run$/m],
        [["-e", "1", "main.ts"], /unexpected argument "main.ts"/],
        [["--import", "./foo.ts", "main.ts"], /--import goes with -e/],
        [["--import", "./gone.ts", "-e", "1"], /"\.\/gone\.ts" not found/],
        [["--import", "./foo.ts=no-name", "-e", "1"], /"no-name" is not a name/],
      ] as [string[], RegExp][]
    ) {
      const bad = await tph(t, ["run", ...args], { cwd });
      assertCode(bad, 2, `tph run ${args.join(" ")}`);
      assert.match(bad.stderr, message);
    }
    clean(cwd);
  });
}
