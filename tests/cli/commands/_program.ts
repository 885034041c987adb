// The program under `tph run` sees exactly what it sees when run directly: argv, cwd, env,
// stdin, stdout/stderr, exit codes and its own error messages.

import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  allCalls,
  assertCode,
  FIXTURES,
  lines,
  plain,
  readRun,
  REPO,
  type Result,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
  viewJson,
} from "./_cli.ts";
import { userCachePath } from "../../../src/platform/files.ts";

/** What the echo fixture prints on its first line. */
interface Seen {
  argv: string[];
  script: string;
  argv0: string;
  denoArgs: string[] | null;
  bunArgv: string[] | null;
  cwd: string;
  envVar: string | null;
  tphVars: string[];
  execArgv: string[];
  jscVars: string[];
  denoDir: string | null;
  stdin: string;
}

/** Stack locations without columns (tph may shift columns, never lines) and no caret lines. */
export function normalizeErrorOutput(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^\s*[\^~]+\s*$/.test(l))
    .join("\n")
    .replace(/(\.[cm]?[jt]sx?):(\d+):\d+/g, "$1:$2");
}

/** Run a script plainly and under tph (cached in the same temp folder) at the same time. */
async function both(
  t: Target,
  cwd: string,
  script: string,
  args: string[] = [],
  input = "",
): Promise<{ plain: Result; traced: Result }> {
  const [p, traced] = await Promise.all([
    plain(t, script, args, { cwd, input }),
    tph(t, ["run", script, ...args], { cwd, input }),
  ]);
  return { plain: p, traced };
}

/** Assert that a traced run behaved as the plain one: code, stdout, and stderr but tph's lines. */
function assertSameAsPlain(r: { plain: Result; traced: Result }, what: string): void {
  assertCode(r.traced, r.plain.code, `traced ${what} (plain exited ${r.plain.code})`);
  assert.equal(r.traced.stdout, r.plain.stdout, `${what}: same stdout`);
  assert.equal(
    normalizeErrorOutput(splitStderr(r.traced.stderr).program),
    normalizeErrorOutput(r.plain.stderr),
    `${what}: same stderr (columns aside)`,
  );
  summaryOf(r.traced);
}

export function programTests(t: Target): void {
  Deno.test(`tph run with the clock thread (TPH_CLOCK=thread): the same program, sane times (${t.name})`, async () => {
    // 5 × fib(22): 286,565 calls, past the 20,000 after which the clock thread starts.
    await using dir = tempDir();
    writeFileSync(
      join(dir.path, "fibs.ts"),
      "function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n" +
        "let sum = 0;\nfor (let i = 0; i < 5; i++) sum += fib(22);\nconsole.log(sum);\n",
    );
    const env = { TPH_CLOCK: "thread" };
    const p = await plain(t, "fibs.ts", [], { cwd: dir.path });
    const traced = await tph(t, ["run", "--max-calls", "500000", "fibs.ts"], {
      cwd: dir.path,
      env,
      // The clock thread must not keep the program's process alive.
      timeoutMs: 60_000,
    });
    assertCode(traced, 0, "tph run fibs.ts");
    assert.equal(traced.stdout, p.stdout);
    const run = await viewJson(t, "last", { cwd: dir.path });
    assert.equal(run.call_count, 286_565);
    const roots = readRun(run.path).trace;
    assert.equal(roots.length, 5);
    let previousStart = -1;
    for (const root of roots) {
      assert.ok(root.start_ms! >= previousStart, "roots in time order");
      previousStart = root.start_ms!;
      for (const call of allCalls([root])) {
        assert.ok(call.elapsed_ms! >= 0, `${call.name}: elapsed ${call.elapsed_ms}`);
        for (const child of call.children) {
          assert.ok(child.start_ms! >= call.start_ms! - 0.001, "a child starts after its parent");
          assert.ok(
            child.start_ms! + child.elapsed_ms! <= call.start_ms! + call.elapsed_ms! + 0.002,
            "a child ends before its parent",
          );
        }
      }
    }
  });

  Deno.test(`tph run passes the program's argv, cwd, env and stdin through (${t.name})`, async () => {
    await using dir = tempDir({ "app/echo.ts": join(FIXTURES, "program/echo.ts") });
    // The cwd is not the script's folder, and the arguments look like tph's own options.
    const args = ["a", "b c", "--tree", "-o", "out.json", "--", "ünïcode", ""];
    const input = "first line of stdin\nsecond ✓\n";
    const env = { CLI_TEST_ECHO_VAR: "value with spaces = ok" };
    const [p, traced] = await Promise.all([
      plain(t, "app/echo.ts", args, { cwd: dir.path, input, env }),
      tph(t, ["run", "app/echo.ts", ...args], { cwd: dir.path, input, env }),
    ]);
    assertCode(p, 0, "plain echo.ts");
    assertCode(traced, 0, "traced echo.ts");
    const seenPlain: Seen = JSON.parse(p.stdout.split("\n")[0]);
    const seenTraced: Seen = JSON.parse(traced.stdout.split("\n")[0]);
    assert.deepEqual(seenPlain.argv, args, "plain run sees the arguments");
    // The binary is the program's runtime: its argv0 is the binary's (docs/compatibility.md).
    if (t.name === "binary") seenTraced.argv0 = seenPlain.argv0;
    assert.deepEqual(seenTraced, seenPlain);
    assert.equal(seenTraced.script, join(dir.path, "app/echo.ts"));
    if (t.runtime === "deno") assert.deepEqual(seenTraced.denoArgs, args);
    if (t.runtime === "bun") assert.deepEqual(seenTraced.bunArgv, args);
    assert.equal(seenTraced.cwd, dir.path);
    assert.equal(seenTraced.envVar, env.CLI_TEST_ECHO_VAR);
    assert.deepEqual(seenTraced.tphVars, [], "no TPH_* variable is visible to the program");
    assert.deepEqual(seenTraced.jscVars, [], "nor the stack option tph gives JavaScriptCore");
    assert.equal(seenTraced.stdin, input);
    // Output and the files the program did not write.
    const rest = (out: string) => out.slice(out.indexOf("\n"));
    assert.equal(rest(traced.stdout), rest(p.stdout));
    assert.equal(splitStderr(traced.stderr).program, p.stderr);
    assert.equal(p.stderr, "stderr line 1\nstderr line 2\n");
  });

  if (t.runtime === "deno") {
    Deno.test(`tph run leaves DENO_DIR and what is in it the program's (${t.name})`, async () => {
      await using dir = tempDir();
      const denoDir = join(dir.path, "deno dir");
      // localStorage lives in DENO_DIR (location_data): each run sees the one before's count.
      writeFileSync(
        join(dir.path, "store.ts"),
        "const n = Number(localStorage.getItem('n') ?? 0);\n" +
          "localStorage.setItem('n', String(n + 1));\n" +
          "const c = new Deno.Command(Deno.execPath(), {\n" +
          "  args: ['eval', 'console.log(Deno.env.get(\"DENO_DIR\") ?? null)'],\n" +
          "}).outputSync();\n" +
          "console.log(JSON.stringify({ n, dir: Deno.env.get('DENO_DIR') ?? null,\n" +
          "  child: new TextDecoder().decode(c.stdout).trim(),\n" +
          "  tph: Object.keys(Deno.env.toObject()).filter((k) => k.startsWith('TPH')) }));\n",
      );
      const env = { DENO_DIR: denoDir };
      const seen: { n: number; dir: string | null; child: string; tph: string[] }[] = [];
      for (const traced of [false, true, false, true]) {
        const r = traced
          ? await tph(t, ["run", "store.ts"], { cwd: dir.path, env })
          : await plain(t, "store.ts", [], { cwd: dir.path, env });
        assertCode(r, 0, `${traced ? "traced" : "plain"} store.ts`);
        seen.push(JSON.parse(r.stdout.trim()));
      }
      assert.deepEqual(
        seen,
        [0, 1, 2, 3].map((n) => ({ n, dir: denoDir, child: denoDir, tph: [] })),
      );
      // tph's DENO_DIR for it: a link to each of its folders, its own V8 code cache.
      const base = join(userCachePath(), "deno");
      const own = readdirSync(base).map((d) => join(base, d)).find((d) => {
        try {
          return readlinkSync(join(d, "location_data")) === join(denoDir, "location_data");
        } catch {
          return false;
        }
      });
      assert.ok(own !== undefined, "tph's DENO_DIR for it is in the user's cache folder for tph");
      for (const name of ["npm", "remote", "gen", "registries"]) {
        assert.equal(readlinkSync(join(own, name)), join(denoDir, name));
      }
      assert.ok(existsSync(join(own, "v8_code_cache_v2")), "its own V8 code cache");
      assert.ok(lstatSync(join(own, "v8_code_cache_v2")).isFile());
    });
  }

  Deno.test(`tph run passes the program's exit codes through (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    // alarm.ts dies of SIGALRM: 128 + 14, as the shell reports it.
    const cases: [string, number][] = [
      ["completed.ts", 0],
      ["exit3.ts", 3],
      ["exit_code3.ts", 3],
      ["alarm.ts", 142],
    ];
    if (t.runtime === "deno") cases.push(["deno_exit4.ts", 4]);
    const results = await Promise.all(cases.map(([script]) => both(t, cwd, script)));
    cases.forEach(([script, code], i) => {
      assertCode(results[i].plain, code, `plain ${script}`);
      assertSameAsPlain(results[i], script);
    });
  });

  Deno.test(
    `tph run keeps an uncaught error's message and file:line as in a plain run (${t.name})`,
    async () => {
      await using dir = tempDir({ e: join(FIXTURES, "endings") });
      const cwd = join(dir.path, "e");
      const [thrown, rejected] = await Promise.all([
        both(t, cwd, "throw.ts"),
        both(t, cwd, "reject.ts"),
      ]);
      assertCode(thrown.plain, 1, "plain throw.ts");
      assertCode(rejected.plain, 1, "plain reject.ts");
      assertSameAsPlain(thrown, "throw.ts");
      assertSameAsPlain(rejected, "reject.ts");
      const program = splitStderr(thrown.traced.stderr).program;
      assert.match(program, /RangeError: negative value: -7/);
      assert.match(program, /throw\.ts:3:\d+/, "the throwing line is named");
      assert.match(
        splitStderr(rejected.traced.stderr).program,
        /TypeError: cannot load settings[\s\S]*reject\.ts:3:\d+/,
      );
    },
  );

  Deno.test(
    `tph run of a script with a syntax error shows the runtime's SyntaxError (${t.name})`,
    async () => {
      await using dir = tempDir({ e: join(FIXTURES, "endings") });
      const r = await both(t, join(dir.path, "e"), "syntax_error.ts");
      assert.notEqual(r.plain.code, 0);
      // The program never started: no run, one line that says so.
      assertCode(r.traced, r.plain.code, "traced syntax_error.ts");
      assert.equal(r.traced.stdout, r.plain.stdout);
      assert.equal(
        normalizeErrorOutput(splitStderr(r.traced.stderr).program),
        normalizeErrorOutput(r.plain.stderr),
      );
      assert.match(lines(r.traced.stderr).at(-1)!, /^tph: the program did not start /);
      // Node names the line alone above its excerpt.
      const place = t.runtime === "node" ? /syntax_error\.ts:6\b/ : /syntax_error\.ts:6:/;
      assert.match(splitStderr(r.traced.stderr).program, place);
      if (t.runtime === "deno") assert.match(r.traced.stderr, /SyntaxError/);
    },
  );

  Deno.test(`tph run: Function.prototype.toString gives the source as written (${t.name})`, async () => {
    // Node refuses the parameter properties of the TypeScript forms (strip-only mode).
    const forms = [
      ...(t.runtime === "node" ? [] : ["function_tostring_forms.ts"]),
      "function_tostring.js",
      "function_tostring_cjs.cjs",
    ];
    const copies = Object.fromEntries(
      forms.map((f) => [f, join(REPO, "tests/fixtures/instrument", f)]),
    );
    await using dir = tempDir(copies);
    for (const script of forms) {
      const r = await both(t, dir.path, script);
      assertCode(r.plain, 0, `plain ${script}`);
      assertSameAsPlain(r, script);
      assert.ok(!r.traced.stdout.includes("__tph"), `${script}: no rewritten code shown`);
    }
  });

  Deno.test(`tph run: a frame at a call of a package's function or a global has the plain column (${t.name})`, async () => {
    await using dir = tempDir();
    const ext = join(dir.path, "node_modules", "ext");
    mkdirSync(ext, { recursive: true });
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(ext, "package.json"),
      '{ "name": "ext", "type": "module", "main": "i.js" }\n',
    );
    writeFileSync(
      join(ext, "i.js"),
      'export function boom(x) { throw new Error("boom " + x); }\n' +
        'export function none() { throw new Error("none"); }\n',
    );
    // Calls a name (with arguments and without), a global function and a global's method, each
    // throwing: every frame of this file, columns included, is the plain run's.
    writeFileSync(
      join(dir.path, "ext_calls.js"),
      'import { boom, none } from "ext";\n' +
        "function show(f) { try { f(); } catch (e) { " +
        'console.log(e.stack.split("\\n").filter((l) => l.includes("ext_calls")).join("\\n")); } }\n' +
        "function one() { boom(1, { a: 1 }); }\nshow(one);\n" +
        "function two() {\n  none ();\n}\nshow(two);\n" +
        'show(function three() { decodeURIComponent("%"); });\n' +
        'show(function four() { JSON.parse("{"); });\n',
    );
    const r = await both(t, dir.path, "ext_calls.js");
    assertCode(r.plain, 0, "plain ext_calls.js");
    assert.match(r.plain.stdout, /ext_calls\.js:3:18\b/, "the plain run names the call's place");
    assertSameAsPlain(r, "ext_calls.js");
  });

  // On Deno, CommonJS modules keep shifted columns (docs/compatibility.md).
  Deno.test({
    name:
      `tph run: stack positions in CommonJS modules are the plain run's, columns too (${t.name})`,
    ignore: t.runtime === "deno",
    async fn() {
      const scripts = ["stack_columns_cjs.cjs", "stack_columns_cts.cts"];
      const copies = Object.fromEntries(
        [...scripts, "_util"].map((f) => [f, join(REPO, "tests/fixtures/instrument", f)]),
      );
      await using dir = tempDir(copies);
      for (const script of scripts) {
        const r = await both(t, dir.path, script);
        assertCode(r.plain, 1, `plain ${script}`);
        assertCode(r.traced, 1, `traced ${script}`);
        assert.match(r.plain.stdout, /:\d+:\d+\)/, `${script}: the plain run prints positions`);
        assert.equal(r.traced.stdout, r.plain.stdout, `${script}: same stdout`);
        assert.equal(
          splitStderr(r.traced.stderr).program,
          r.plain.stderr,
          `${script}: same stderr`,
        );
      }
    },
  });

  Deno.test(`tph run traces a copy of the shop example as it runs plainly (${t.name})`, async () => {
    await using dir = tempDir({ examples: join(REPO, "examples") });
    const cwd = join(dir.path, "examples");
    const r = await both(t, cwd, "shop/main.ts");
    assertCode(r.plain, 0, "plain shop/main.ts");
    assertSameAsPlain(r, "shop/main.ts");
    // The run is saved at the script's project root (shop/, as examples/ has no marker); the
    // summary line names it so that the suggested command works from here.
    const { saved, hint } = summaryOf(r.traced);
    assert.match(saved, /^shop\/\.tracepatch_cache\/run_.*\.tph$/);
    assert.equal(hint, saved);
    const [tree, last] = await Promise.all([
      tph(t, ["tree", hint, "--no-return"], { cwd }),
      tph(t, ["tree", "last", "--no-return"], { cwd: join(cwd, "shop") }),
    ]);
    assert.equal(last.stdout, tree.stdout);
    assertCode(tree, 0, "tph tree last");
    for (
      const text of [
        "async main()",
        'async placeOrder(inventory=Inventory {}, id="A-1"',
        'Inventory.reserve(sku="plum", count=5) !! RangeError: Not enough plum: wanted 5, have 1',
        'async fetchPrice(sku="pear")',
        'applyDiscount(total=1.25, code="HALF")',
      ]
    ) assert.ok(tree.stdout.includes(text), `tree has ${text}:\n${tree.stdout}`);
  });

  Deno.test(
    `tph run traces a file its previous run did not load, with files unchanged (${t.name})`,
    async () => {
      // The second run expects every file in the transform cache (nothing changed since the
      // first), so it does not load the parser up front: c.ts is instrumented on the side.
      await using dir = tempDir({ p: join(FIXTURES, "rerun") });
      const cwd = join(dir.path, "p");
      const env = { TPH_TRANSFORM_CACHE: join(dir.path, "transforms") };
      const first = await tph(t, ["run", "--tree", "main.ts"], { cwd, env });
      assertCode(first, 0, "first run");
      assert.equal(first.stdout, "double 42\n");
      for (let i = 0; i < 2; i++) {
        const r = await tph(t, ["run", "--tree", "main.ts"], { cwd, env: { ...env, EXTRA: "1" } });
        assertCode(r, 0, `run ${i + 2}`);
        assert.equal(r.stdout, "double 42\ntriple 15\n");
        assert.match(r.stderr, /double\(x=21\) -> 42/);
        assert.match(r.stderr, /triple\(x=5\) -> 15/, `run ${i + 2} traced c.ts:\n${r.stderr}`);
      }
    },
  );

  Deno.test(`tph run traces a module the program rewrites before importing it (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "rewrite") });
    const cwd = join(dir.path, "p");
    const env = { TPH_TRANSFORM_CACHE: join(dir.path, "transforms") };
    for (const value of ["1", "22", "333"]) {
      const r = await tph(t, ["run", "--tree", "main.ts"], { cwd, env: { ...env, VALUE: value } });
      assertCode(r, 0, `run with VALUE=${value}`);
      assert.equal(r.stdout, `value ${value}\n`);
      assert.match(r.stderr, new RegExp(`value\\(\\) -> ${value} `), r.stderr);
    }
  });

  Deno.test(`tph run keeps the transform cache bounded, once a day (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "p");
    const cache = join(dir.path, "transforms");
    mkdirSync(cache, { mode: 0o700 });
    // Ten entries of earlier runs, last used long ago, and a file that is not tph's.
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    const fake = (n: number) => {
      const key = n.toString(16).padStart(2, "0").repeat(32);
      const file = join(cache, key.slice(0, 2), `${key}.js`);
      mkdirSync(join(cache, key.slice(0, 2)), { recursive: true });
      writeFileSync(file, "// instrumented\n");
      utimesSync(file, old, old);
      return file;
    };
    const earlier = Array.from({ length: 10 }, (_, i) => fake(i + 1));
    writeFileSync(join(cache, "notes.txt"), "mine\n");
    const env = {
      TPH_TRANSFORM_CACHE: cache,
      TPH_TRANSFORM_CACHE_MAX_ENTRIES: "4",
    };
    const r = await tph(t, ["run", "completed.ts"], { cwd, env });
    assertCode(r, 0, "tph run completed.ts");
    assert.equal(r.stdout, "result 42\n");
    assert.ok(earlier.filter(existsSync).length <= 4, "the oldest entries were removed");
    assert.ok(existsSync(join(cache, "notes.txt")), "a file that is not tph's is kept");
    assert.ok(existsSync(join(cache, ".pruned")));
    // The same day, another run does not prune.
    const later = Array.from({ length: 10 }, (_, i) => fake(i + 20));
    const again = await tph(t, ["run", "completed.ts"], { cwd, env });
    assertCode(again, 0, "tph run completed.ts again");
    assert.equal(later.filter(existsSync).length, 10);
  });

  Deno.test(
    `tph run: a program with packages sees what it sees plainly, and so does its fork (${t.name})`,
    async () => {
      await using dir = tempDir({
        p: join(FIXTURES, "packages/app"),
        // Kept out of the repository's node_modules rules under another name.
        "p/node_modules": join(FIXTURES, "packages/modules"),
      });
      const cwd = join(dir.path, "p");
      const r = await both(t, cwd, "main.ts");
      assertCode(r.plain, 0, "plain main.ts");
      const seen = r.plain.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) =>
        JSON.parse(l)
      );
      // What the comparison rests on: packages and tsconfig paths resolved, the entry is main.
      assert.deepEqual(seen.map((s) => [s.role, s.greeting, s.main]), [
        ["parent", "[HELLO PARENT]!", true],
        ["child", "[HELLO CHILD]!", true],
      ]);
      assert.match(r.plain.stdout, /child exited 0\n$/);
      assertSameAsPlain(r, "main.ts");
    },
  );
}
