// What `tph run` traces: the project by default, packages and built-ins as external leaves,
// --no-external-calls, --include, --exclude, --scope; on Deno an import map project and the
// "type": "commonjs" warning.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallNodeJSON } from "../../../src/types.ts";
import {
  allCalls,
  assertCode,
  callNamed,
  FIXTURES,
  lines,
  plain,
  readRun,
  REPO,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

/** A copy of the project fixture with a fake package in node_modules/fakelib. */
function projectDir() {
  const dir = tempDir({ p: join(FIXTURES, "project") });
  const lib = join(dir.path, "p/node_modules/fakelib");
  mkdirSync(lib, { recursive: true });
  writeFileSync(
    join(lib, "package.json"),
    JSON.stringify({ name: "fakelib", version: "1.0.0", type: "module", main: "index.js" }),
  );
  writeFileSync(
    join(lib, "index.js"),
    [
      "function fakelibUpper(text) {",
      "  return text.toUpperCase();",
      "}",
      "export function shout(text) {",
      '  return fakelibUpper(text) + "!";',
      "}",
      "",
    ].join("\n"),
  );
  return dir;
}

/** `tph run -o <name>.json --no-cache [flags] main.ts` in the project; the run and its output. */
async function traced(t: Target, cwd: string, name: string, flags: string[]) {
  const r = await tph(t, ["run", "--no-cache", "-o", `${name}.json`, ...flags, "main.ts"], { cwd });
  assertCode(r, 0, `tph run ${flags.join(" ")} main.ts`);
  assert.equal(r.stdout, "TOTAL IS 5!\n", `the program's output with ${flags.join(" ")}`);
  const run = readRun(join(cwd, `${name}.json`));
  const tree = await tph(t, ["tree", `${name}.json`, "--no-return"], { cwd });
  assertCode(tree, 0, `tph tree ${name}.json`);
  return { r, run, calls: allCalls(run.trace), tree: tree.stdout };
}

const names = (calls: CallNodeJSON[]) => calls.map((c) => c.name);

export function scopeTests(t: Target): void {
  Deno.test(
    `tph run traces the project and records packages and built-ins as external leaves (${t.name})`,
    async () => {
      await using dir = projectDir();
      const cwd = join(dir.path, "p");
      const [p, d] = await Promise.all([
        plain(t, "main.ts", [], { cwd }),
        traced(t, cwd, "default", []),
      ]);
      assertCode(p, 0, "plain main.ts");
      assert.equal(d.r.stdout, p.stdout);
      // The project's own functions, from every folder of it.
      for (const name of ["main", "loadData", "add", "describe"]) {
        assert.equal(callNamed(d.run.trace, name).external, undefined, `${name} is traced`);
      }
      assert.equal(callNamed(d.run.trace, "add").module, "lib/math.ts");
      // The package's export is a leaf marked external; its internals are not seen.
      const shout = callNamed(d.run.trace, "shout");
      assert.equal(shout.external, true);
      assert.deepEqual(shout.children, []);
      assert.ok(!names(d.calls).includes("fakelibUpper"));
      assert.match(d.tree, /shout\("total is 5"\).* \[ext\]/);
      // Built-ins: JSON.parse and fs.readFileSync (imported from node:fs) are external leaves too.
      const loadData = callNamed(d.run.trace, "loadData");
      const inner = loadData.children.map((c) => [c.name, c.external]);
      assert.deepEqual(inner, [["readFileSync", true], ["JSON.parse", true]]);
      assert.match(d.tree, /readFileSync\(URL \{.*\}, "utf8"\).* \[ext\]/);
      assert.match(d.tree, /JSON\.parse\(.*\).* \[ext\]/);
      for (const c of d.calls.filter((c) => c.external)) {
        assert.deepEqual(c.children, [], `${c.name} is a leaf`);
      }
    },
  );

  Deno.test(`tph run --no-external-calls leaves external calls out (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    const r = await traced(t, cwd, "noext", ["--no-external-calls"]);
    assert.deepEqual(names(r.calls).sort(), ["add", "describe", "loadData", "main"]);
    assert.ok(!r.tree.includes("[ext]"), r.tree);
  });

  Deno.test(`tph run --include traces into a package (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    const r = await traced(t, cwd, "inc", ["--include", "node_modules/fakelib/**"]);
    const shout = callNamed(r.run.trace, "shout");
    assert.equal(shout.external, undefined, "shout is traced, not external");
    assert.deepEqual(shout.args, { text: '"total is 5"' });
    assert.deepEqual(names(shout.children), ["fakelibUpper"]);
    assert.match(r.tree, /shout\(text="total is 5"\)/);
    assert.match(r.tree, /fakelibUpper\(text="total is 5"\)/);
    assert.deepEqual(r.run.config.include, ["node_modules/fakelib/**"]);
  });

  Deno.test(`tph run --exclude and --scope choose the traced files (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    const [excluded, scoped] = await Promise.all([
      traced(t, cwd, "exc", ["--exclude", "lib/format.ts"]),
      traced(t, cwd, "scope", ["--scope", "lib"]),
    ]);
    // --exclude: describe() runs untraced, and is not an external call either (project code).
    assert.ok(!names(excluded.calls).includes("describe"), excluded.tree);
    for (const name of ["main", "loadData", "add"]) callNamed(excluded.run.trace, name);
    assert.deepEqual(excluded.run.config.exclude, ["lib/format.ts"]);
    // --scope lib: only lib/ is traced, so its functions are the roots.
    assert.deepEqual(names(scoped.run.trace), ["add", "describe"]);
    assert.deepEqual(names(scoped.calls), ["add", "describe"]);
  });

  Deno.test(`tph run --scope naming a file traces that file alone; inside node_modules, that package (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    const [file, pkg] = await Promise.all([
      traced(t, cwd, "file", ["--scope", "lib/math.ts"]),
      traced(t, cwd, "pkg", ["--scope", "node_modules/fakelib"]),
    ]);
    assert.deepEqual(names(file.calls), ["add"]);
    assert.deepEqual(names(pkg.calls), ["shout", "fakelibUpper"]);
    assert.equal(callNamed(pkg.run.trace, "shout").external, undefined);
  });

  Deno.test(`tph run refuses a --scope or scope that names nothing to trace, in one line (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    const flag = (scope: string) =>
      tph(t, ["run", "--no-cache", "--scope", scope, "main.ts"], { cwd });
    const [missing, data] = await Promise.all([flag("src"), flag("data.json")]);
    assertCode(missing, 2, "--scope src (no such folder)");
    assert.equal(missing.stdout, "", "the program did not run");
    assert.deepEqual(lines(missing.stderr), [
      `tph: --scope: "src" does not exist (${join(cwd, "src")}); give a folder or a source file`,
    ]);
    assertCode(data, 2, "--scope data.json");
    assert.deepEqual(lines(data.stderr), [
      'tph: --scope: "data.json" is not a folder nor a JavaScript or TypeScript source file',
    ]);
    writeFileSync(join(cwd, "tracepatch.toml"), 'scope = ["lib", "source"]\n');
    const config = await tph(t, ["run", "--no-cache", "main.ts"], { cwd });
    assertCode(config, 1, "scope naming a missing folder in tracepatch.toml");
    assert.equal(config.stdout, "");
    assert.deepEqual(lines(config.stderr), [
      `tph: "scope" in ${join(cwd, "tracepatch.toml")}: "source" does not exist ` +
      `(${join(cwd, "source")}); give a folder or a source file`,
    ]);
  });

  Deno.test(`tph run says in one line why a run recorded no call (${t.name})`, async () => {
    await using dir = projectDir();
    const cwd = join(dir.path, "p");
    writeFileSync(join(cwd, "top.ts"), 'console.log("TOTAL IS 5!");\n');
    writeFileSync(
      join(cwd, "blocks.ts"),
      [
        `import { trace } from ${JSON.stringify(join(REPO, "mod.ts"))};`,
        "function work(n: number): number {",
        "  return n + 1;",
        "}",
        "{",
        "  using _t = trace();",
        "  work(4);",
        "}",
        'console.log("TOTAL IS 5!");',
        "",
      ].join("\n"),
    );
    const run = async (flags: string[], script = "main.ts") => {
      const r = await tph(t, ["run", "--no-cache", ...flags, script], { cwd });
      assertCode(r, 0, `tph run ${flags.join(" ")} ${script}`);
      assert.equal(r.stdout, "TOTAL IS 5!\n");
      const tphLines = splitStderr(r.stderr).tph;
      // The summary stays last; the reason comes right before it.
      assert.match(tphLines.at(-1) ?? "", /^tph: 0 calls recorded in /, r.stderr);
      const why = tphLines.filter((l) => l.startsWith("tph: nothing recorded: "));
      assert.deepEqual(why, [tphLines.at(-2)], r.stderr);
      return why[0].slice("tph: nothing recorded: ".length);
    };
    const cases: [string[], string, string | RegExp][] = [
      [
        ["--scope", "lib", "--exclude", "lib/*.ts"],
        "main.ts",
        "main.ts is outside the scope (lib) and no file in it was loaded",
      ],
      [
        ["--exclude", "main.ts", "--exclude", "lib/**"],
        "main.ts",
        'main.ts is excluded by "main.ts" and no other traced file was loaded',
      ],
      [
        [],
        "top.ts",
        "1 traced file was loaded, but none of its functions was called (a module's top-level " +
        "code is not a call)",
      ],
    ];
    if (t.name !== "binary") {
      cases.push([
        [],
        "blocks.ts",
        "1 traced file was loaded; the calls made inside the program's own trace block went to " +
        "that block (the innermost trace records)",
      ]);
    }
    const got = await Promise.all(cases.map(([flags, script]) => run(flags, script)));
    cases.forEach(([flags, script, want], i) => {
      assert.equal(got[i], want, `${flags.join(" ")} ${script}`);
    });
    // A run that records calls says nothing of the kind.
    const r = await tph(t, ["run", "--no-cache", "main.ts"], { cwd });
    assert.ok(!r.stderr.includes("nothing recorded"), r.stderr);
  });

  if (t.runtime !== "deno") return;

  Deno.test(`tph run works in a project with a deno.json import map (${t.name})`, async () => {
    await using dir = tempDir({ m: join(FIXTURES, "import_map") });
    const cwd = join(dir.path, "m");
    const [p, r] = await Promise.all([
      plain(t, "main.ts", [], { cwd }),
      tph(t, ["run", "--tree", "main.ts"], { cwd }),
    ]);
    assertCode(p, 0, "plain main.ts");
    assertCode(r, 0, "tph run main.ts");
    assert.equal(r.stdout, "Hello, import map!\n");
    assert.equal(r.stdout, p.stdout);
    assert.match(r.stderr, /greet\(name="import map"\) -> "Hello, import map!"/);
    const run = readRun(join(cwd, summaryOf(r).saved));
    assert.equal(callNamed(run.trace, "greet").module, "lib/greet.ts");
  });

  Deno.test(`tph run warns under a package.json with "type": "commonjs" (${t.name})`, async () => {
    await using dir = tempDir({ c: join(FIXTURES, "commonjs") });
    const cwd = join(dir.path, "c");
    const r = await tph(t, ["run", "main.ts"], { cwd });
    assertCode(r, 0, "tph run main.ts");
    assert.equal(r.stdout, "hello from a commonjs package\n");
    const warnings = splitStderr(r.stderr).tph.filter((l) => l.startsWith("tph: warning: "));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /package\.json says "type": "commonjs"/);
    assert.equal(lines(r.stderr).length, 2, r.stderr);
    summaryOf(r);
  });
}
