// `tph setup` / `tph disable` in a temporary git repository: setup → run → disable leaves git
// clean and the runs in the cache; configured inputs, kwargs and construct; arguments built from
// types; a class method, a static one, an async function, one that throws; JavaScript with
// JSDoc and CommonJS; staged changes without --yes; no config, no [[test.files]], a function
// that does not exist; an edited generated file; a user's file of that name; a symlink there;
// a damaged state file; a setup cut short.

import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { assertCode, exec, FIXTURES, lines, type Target, tempDir, tph } from "./_cli.ts";

const FILE = "_tracepatch_filetotest.ts";
const STATE = ".tracepatch_cache/setup_state.json";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await exec(
    [
      "git",
      "-c",
      "user.email=t@example.com",
      "-c",
      "user.name=t",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    { cwd, timeoutMs: 30_000 },
  );
  assertCode(r, 0, `git ${args.join(" ")}`);
  return r.stdout;
}

// Functions whose results hold secrets: by the function's name, by field and Map entry names,
// and known secrets in a string and in an error.
const VAULT = `export function getToken(user) { return "hunter2-" + user; }
export function session(user) {
  return {
    user,
    auth: { token: "hunter2" },
    jar: new Map([["cookie", "hunter2"]]),
    items: [{ password: "hunter2" }],
  };
}
export function note(n) { return "key sk_live_0123456789abcdef"; }
export function check(n) { throw new Error("denied for sk_live_0123456789abcdef"); }
`;

/** The shop project in a new git repository with one commit. */
async function project() {
  const dir = tempDir({ p: join(FIXTURES, "setup") });
  const cwd = join(dir.path, "p");
  await git(cwd, "init", "-q");
  await git(cwd, "add", "-A");
  await git(cwd, "commit", "-qm", "start");
  return { dir, cwd };
}

/** The program's ✓/✗ lines and headings, in order. */
function programLines(stdout: string): string[] {
  return lines(stdout).filter((l) => l.trim() !== "");
}

export function setupTests(t: Target): void {
  Deno.test(`tph setup → run → disable: calls, results, tree, git clean (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    const setup = await tph(t, ["setup"], { cwd });
    assertCode(setup, 0, "tph setup");
    assert.equal(setup.stderr, "");
    assert.match(
      setup.stdout,
      /^Wrote _tracepatch_filetotest\.ts from tracepatch\.toml: 14 calls of 13 functions in 3 files\n/,
    );
    assert.match(setup.stdout, /\nRun it: {3}tph run _tracepatch_filetotest\.ts\n/);
    assert.ok(existsSync(join(cwd, FILE)) && existsSync(join(cwd, STATE)));
    // Only the generated file is new to git (the cache ignores itself).
    assert.equal(await git(cwd, "status", "--porcelain"), `?? ${FILE}\n`);

    // Short and readable: a few lines of header, then per module an import and per call a comment
    // and one line, the machinery in tph's harness.
    const text = readFileSync(join(cwd, FILE), "utf8").split("\n");
    const callLines = text.filter((l) => /^ {2}try \{ t\.(?:ok|yielded)\(/.test(l));
    assert.equal(callLines.length, 14, text.join("\n"));
    assert.ok(text.length <= 12 + 2 * 14 + 4 * 3, `${text.length} lines`);
    assert.ok(!text.some((l) => /inspect|process\.|console\./.test(l)), "no machinery in the file");
    // Run plainly, it says in one line what it needs.
    const plainRun = await exec(t.plain(FILE), { cwd });
    assert.notEqual(plainRun.code, 0);
    assert.match(plainRun.stderr, /Run this file with tph: tph run _tracepatch_filetotest\.ts/);

    // A terminal and locale that show ✓ and ✗ (TERM=dumb or an ASCII locale would show ok/FAIL).
    const run = await tph(t, ["run", FILE], {
      cwd,
      env: { NO_COLOR: "", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm" },
    });
    assertCode(run, 1, "tph run of the generated file (one call throws)");
    const untyped = t.runtime === "bun"
      ? "TypeError: undefined is not an object (evaluating 'x.length')"
      : "TypeError: Cannot read properties of undefined (reading 'length')";
    // Node refuses the enum and the parameter properties of the fixture's TypeScript (strip-only
    // mode): the generated file says so and goes on with the other files.
    const shop = t.runtime === "node"
      ? [
        "  ✗ cannot import src/types.ts (for arguments): SyntaxError " +
        "[ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX]: TypeScript enum is not supported in strip-only mode",
        "Testing functions from src/shop.ts:",
        "  ✗ cannot import src/shop.ts: SyntaxError [ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX]: " +
        "TypeScript parameter property is not supported in strip-only mode",
      ]
      : null;
    assert.deepEqual(programLines(run.stdout), [
      "Testing functions from tracepatch configuration...",
      ...shop ?? [
        "Testing functions from src/shop.ts:",
        "  ✓ total returned: 54",
        "  ✓ ship returned: 'city eur 2026-01-01'",
        "  ✗ refund raised: RangeError: order orderId cannot be refunded",
        "  ✓ register returned: 'u-42:pro'",
        "  ✓ Cart.add returned: 120",
        "  ✓ Cart.add returned: 30",
        "  ✓ Cart.empty returned: Cart { owner: 'owner', lines: [] }",
        `  ✓ kinds returned: '[1,"s",true,"1","fast",[1],[1,"pair"],{"a":1},null,7]'`,
        `  ✗ untyped raised: ${untyped} (x (any) could not be built from its type: edit the call ` +
        `in ${FILE})`,
        "  ✓ batches yielded: [ [ 'a', 'b' ], [ 'c' ] ]",
        "  ✓ pay returned: 'paid 1'",
      ],
      "Testing functions from src/legacy.js:",
      "  ✓ greet returned: 'HELLO NAME'",
      "  ✓ repeat returned: ' '",
      "Testing functions from src/common.cjs:",
      "  ✓ mul returned: 1",
    ]);
    const err = lines(run.stderr);
    const at = err.indexOf("TRACE RESULTS");
    assert.ok(at > 0, run.stderr);
    if (shop === null) traceResults(err, at, run.stderr);
    const logs = await tph(t, ["logs", "--json"], { cwd });
    const runs = JSON.parse(logs.stdout);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].label, "setup");
    // A failed check sets the exit code; the file itself ends normally, not of an error.
    assert.equal(runs[0].run.ended, "completed");
    assert.equal(runs[0].run.exit_code, 1);

    const disable = await tph(t, ["disable"], { cwd });
    assertCode(disable, 0, "tph disable");
    assert.match(
      disable.stdout,
      /^removed _tracepatch_filetotest\.ts; the runs stay in \.tracepatch_cache/,
    );
    assert.equal(await git(cwd, "status", "--porcelain"), "");
    assert.ok(!existsSync(join(cwd, STATE)));
    assert.equal(
      readdirSync(join(cwd, ".tracepatch_cache")).filter((n) => n.endsWith(".tph")).length,
      1,
      "the run is kept",
    );
    // Nothing left to undo: said, not an error.
    const again = await tph(t, ["disable"], { cwd });
    assertCode(again, 0, "a second disable");
    assert.match(again.stdout, /^Nothing to disable: no setup state in \.tracepatch_cache/);
  });

  Deno.test(`tph setup: staged changes stop it unless --yes; nothing written (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    writeFileSync(join(cwd, "src/types.ts"), "export const changed = 1;\n", { flag: "a" });
    await git(cwd, "add", "src/types.ts");
    writeFileSync(join(cwd, "notes.txt"), "mine\n");
    const refused = await tph(t, ["setup"], { cwd });
    assertCode(refused, 1, "setup with staged changes");
    assert.equal(
      lines(refused.stderr).at(-1),
      "tph: git has staged changes (src/types.ts): tph setup would mix with them; commit or " +
        "unstage them first, or pass --yes",
    );
    assert.match(refused.stderr, /^tph: note: git shows 1 changed or new file \(notes\.txt\)/);
    assert.ok(!existsSync(join(cwd, FILE)), "no file written");
    assert.ok(!existsSync(join(cwd, STATE)), "no state written");
    const yes = await tph(t, ["setup", "--yes"], { cwd });
    assertCode(yes, 0, "setup --yes");
    assert.match(
      yes.stderr,
      /tph: warning: git has staged changes \(src\/types\.ts\).*going on \(--yes\)/,
    );
    assert.ok(existsSync(join(cwd, FILE)));
    // disable stops likewise, then goes on with -y.
    const stopped = await tph(t, ["disable"], { cwd });
    assertCode(stopped, 1, "disable with staged changes");
    assert.ok(existsSync(join(cwd, FILE)), "still there");
    assertCode(await tph(t, ["disable", "-y"], { cwd }), 0, "disable -y");
    assert.ok(!existsSync(join(cwd, FILE)));
  });

  Deno.test({
    name: `tph setup on a terminal asks before going on with staged changes (${t.name})`,
    ignore: SCRIPT === undefined,
    async fn() {
      const { dir, cwd } = await project();
      await using _ = dir;
      writeFileSync(join(cwd, "src/types.ts"), "// staged\n", { flag: "a" });
      await git(cwd, "add", "src/types.ts");
      const command = [...t.tph, "setup"].map((w) => `'${w}'`).join(" ");
      const ask = (answer: string) =>
        exec([SCRIPT!, "-qec", command, "/dev/null"], { cwd, input: answer, timeoutMs: 60_000 });
      const no = await ask("n\n");
      assert.match(no.stdout, /Go on anyway\? \[y\/N\]/);
      assert.match(no.stdout, /tph: stopped: nothing was changed/);
      assert.ok(!existsSync(join(cwd, FILE)), "nothing written after no");
      const yes = await ask("y\n");
      assert.match(yes.stdout, /Run it: {3}tph run _tracepatch_filetotest\.ts/);
      assert.ok(existsSync(join(cwd, FILE)), "written after yes");
    },
  });

  Deno.test(`tph setup: no config, no [[test.files]], names that are not there (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = join(dir.path, "empty");
    mkdirSync(join(cwd, "src"), { recursive: true });
    writeFileSync(join(cwd, "package.json"), "{}\n");
    writeFileSync(join(cwd, "src/app.ts"), "export const x = 1;\n");
    const none = await tph(t, ["setup"], { cwd });
    assertCode(none, 1, "setup without a config");
    assert.match(none.stderr, /^tph: no configuration found: tph setup reads \[\[test\.files\]\]/);
    // The example names a file of this project.
    assert.match(none.stderr, /\n {2}path = "src\/app\.ts" /);
    assert.ok(!existsSync(join(cwd, FILE)));

    writeFileSync(join(cwd, "tracepatch.toml"), "max_depth = 10\n");
    const empty = await tph(t, ["setup"], { cwd });
    assertCode(empty, 1, "setup without [[test.files]]");
    assert.equal(
      lines(empty.stderr)[0],
      "tph: no test files configured: the config loaded from tracepatch.toml has no " +
        "[[test.files]].",
    );
    assert.match(empty.stderr, /\[\[test\.files\]\]\n {2}path = "src\/app\.ts"/);

    // package.json's "tracepatch" key: the example is JSON.
    writeFileSync(join(cwd, "package.json"), '{ "tracepatch": { "max_depth": 5 } }\n');
    rmFile(join(cwd, "tracepatch.toml"));
    const json = await tph(t, ["setup"], { cwd });
    assertCode(json, 1, "setup with a JSON config without test files");
    assert.match(json.stderr, /package\.json \("tracepatch" key\) has no \[\[test\.files\]\]/);
    assert.match(json.stderr, /"files": \[\{ "path": "src\/app\.ts"/);

    writeFileSync(
      join(cwd, "tracepatch.toml"),
      [
        "[[test.files]]",
        'path = "src/app.ts"',
        'functions = ["x", "nope", "Thing.go"]',
        "[[test.files]]",
        'path = "src/gone.ts"',
        'functions = ["f"]',
        "[[test.inputs]]",
        'function = "other"',
      ].join("\n"),
    );
    const bad = await tph(t, ["setup"], { cwd });
    assertCode(bad, 1, "setup naming what is not there");
    assert.deepEqual(lines(bad.stderr), [
      'tph: test.files[1]: src/app.ts: "x" is not a function',
      'tph: test.files[1]: src/app.ts: no exported function "nope"',
      'tph: test.files[1]: src/app.ts: no exported class or object "Thing"',
      `tph: test.files[2]: "src/gone.ts" not found (paths are relative to ${realpathSync(cwd)})`,
      'tph: test.inputs[1]: "other" is not among the functions of any [[test.files]]: add it ' +
      "to one, or fix the name",
      "tph: nothing written: fix these 5 problems in tracepatch.toml",
    ]);
    assert.ok(!existsSync(join(cwd, FILE)));
    assert.ok(!existsSync(join(cwd, ".tracepatch_cache")), "no cache made for nothing");

    // A file outside the project folder runs, but tph run would not record it: said.
    writeFileSync(join(dir.path, "outside.ts"), "export function f(a: number) { return a; }\n");
    writeFileSync(
      join(cwd, "tracepatch.toml"),
      '[[test.files]]\npath = "../outside.ts"\nfunctions = ["f"]\n',
    );
    const outside = await tph(t, ["setup"], { cwd });
    assertCode(outside, 0, "setup of a file outside the project");
    assert.equal(
      outside.stderr,
      `tph: warning: test.files[1]: "../outside.ts" is outside what tph run traces ` +
        `(${realpathSync(cwd)}): its calls will run unrecorded; add its folder to scope\n`,
    );
  });

  Deno.test(`tph setup: the generated file prints what calls return redacted as the tree shows it (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    mkdirSync(join(cwd, "src"));
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(cwd, "src/vault.js"), VAULT);
    writeFileSync(
      join(cwd, "tracepatch.toml"),
      '[[test.files]]\npath = "src/vault.js"\nfunctions = ["getToken", "session", "note", "check"]\n' +
        '\n[[test.inputs]]\nfunction = "getToken"\nargs = ["ann"]\n',
    );
    assertCode(await tph(t, ["setup"], { cwd }), 0, "tph setup");
    const env = { NO_COLOR: "", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm" };
    const run = await tph(t, ["run", FILE], { cwd, env });
    assertCode(run, 1, "tph run of the generated file (check throws)");
    assert.deepEqual(programLines(run.stdout).slice(2, 5), [
      "  ✓ getToken returned: [redacted]",
      "  ✓ session returned: { user: undefined, auth: { token: [redacted] }, jar: " +
      "Map(1) { 'cookie' => [redacted] }, items: [ { password: [redacted] } ] }",
      "  ✓ note returned: 'key [redacted]'",
    ]);
    assert.match(
      programLines(run.stdout)[5],
      /^ {2}✗ check raised: Error: denied for \[redacted\] /,
    );
    assert.ok(!run.stdout.includes("hunter2") && !run.stdout.includes("sk_live_"), run.stdout);
    // --no-redact shows them.
    const plain = await tph(t, ["run", "--no-redact", FILE], { cwd, env });
    assertCode(plain, 1, "tph run --no-redact of the generated file");
    assert.equal(programLines(plain.stdout)[2], "  ✓ getToken returned: 'hunter2-ann'");
    assert.match(plain.stdout, /denied for sk_live_0123456789abcdef/);
  });

  Deno.test(`tph setup: kwargs and construct checked against the parameters (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    const toml = readFileSync(join(cwd, "tracepatch.toml"), "utf8");
    writeFileSync(
      join(cwd, "tracepatch.toml"),
      toml + '\n[[test.inputs]]\nfunction = "register"\nkwargs = { user = "x" }\n' +
        '\n[[test.inputs]]\nfunction = "total"\nconstruct = [1]\n' +
        '\n[[test.inputs]]\nfunction = "Nope.go"\n',
    );
    const r = await tph(t, ["setup"], { cwd });
    assertCode(r, 1, "setup with a kwarg that matches nothing");
    assert.deepEqual(lines(r.stderr), [
      'tph: test.inputs[7].construct: "total" is not a method of a class built with new',
      'tph: test.inputs[6].kwargs: "user" matches no parameter of register (its parameters: ' +
      "{ userId, plan })",
      'tph: test.inputs[8]: "Nope.go" is not among the functions of any [[test.files]]: add it ' +
      "to one, or fix the name",
      "tph: nothing written: fix these 3 problems in tracepatch.toml",
    ]);
    assert.ok(!existsSync(join(cwd, FILE)));
  });

  Deno.test(`tph disable: edits kept unless --force; a user's file restored (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    // A file of the user's at the generated file's place: kept in the state, put back.
    const mine = "// my own scratch file\nconsole.log('mine');\n";
    writeFileSync(join(cwd, FILE), mine);
    await git(cwd, "add", FILE);
    await git(cwd, "commit", "-qm", "scratch");
    const setup = await tph(t, ["setup"], { cwd });
    assertCode(setup, 0, "setup over a user's file");
    assert.match(
      setup.stderr,
      /tph: note: _tracepatch_filetotest\.ts was there already: tph disable puts it back/,
    );
    assert.match(readFileSync(join(cwd, FILE), "utf8"), /^\/\/ Generated by tph setup/);
    // Setup again: the same file, still the user's original kept.
    assertCode(await tph(t, ["setup"], { cwd }), 0, "setup again");
    // Edited since: disable refuses, naming it, and changes nothing.
    writeFileSync(join(cwd, FILE), "\n// an edit\n", { flag: "a" });
    const edited = await tph(t, ["disable"], { cwd });
    assertCode(edited, 1, "disable of an edited file");
    assert.equal(
      edited.stderr,
      "tph: _tracepatch_filetotest.ts was edited since tph setup wrote it: copy your edits, " +
        "then pass --force\n",
    );
    assert.match(readFileSync(join(cwd, FILE), "utf8"), /an edit/);
    // setup refuses to overwrite it too.
    const over = await tph(t, ["setup"], { cwd });
    assertCode(over, 1, "setup over an edited generated file");
    assert.match(over.stderr, /was edited since tph setup wrote it: pass --force to overwrite it/);
    const forced = await tph(t, ["disable", "--force"], { cwd });
    assertCode(forced, 0, "disable --force");
    assert.match(forced.stdout, /^restored _tracepatch_filetotest\.ts;/);
    assert.equal(readFileSync(join(cwd, FILE), "utf8"), mine);
    assert.equal(await git(cwd, "status", "--porcelain"), "");
  });

  Deno.test(`tph setup/disable: a setup cut short, a symlink, a damaged state (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    assertCode(await tph(t, ["setup"], { cwd }), 0, "setup");
    // Cut short after the state was written: the file never came.
    rmFile(join(cwd, FILE));
    const partial = await tph(t, ["disable"], { cwd });
    assertCode(partial, 0, "disable after a partial setup");
    assert.match(partial.stdout, /^Nothing left to remove;/);
    assert.ok(!existsSync(join(cwd, STATE)));

    // A symlink at the file's place is never written through.
    const target = join(dir.path, "elsewhere.txt");
    writeFileSync(target, "keep\n");
    symlinkSync(target, join(cwd, FILE));
    const link = await tph(t, ["setup"], { cwd });
    assertCode(link, 1, "setup over a symlink");
    assert.equal(
      link.stderr,
      "tph: Cannot write _tracepatch_filetotest.ts: a symbolic link or special file is there; " +
        "move it away and run tph setup again\n",
    );
    assert.equal(readFileSync(target, "utf8"), "keep\n");
    rmFile(join(cwd, FILE));

    // A state file that is not tph's: one line, nothing touched.
    assertCode(await tph(t, ["setup"], { cwd }), 0, "setup");
    writeFileSync(join(cwd, STATE), '{"created_files": ["x.py"]}');
    const foreign = await tph(t, ["disable"], { cwd });
    assertCode(foreign, 1, "disable with a foreign state");
    assert.equal(
      foreign.stderr,
      "tph: .tracepatch_cache/setup_state.json is not a tph setup state (written by another " +
        "tool, or damaged): undo that setup with the tool that made it, or delete the file\n",
    );
    // A state that names other files (one that came with a cloned project): never followed.
    const victim = join(dir.path, "victim.txt");
    writeFileSync(victim, "precious\n");
    const hash = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("precious\n"))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    writeFileSync(
      join(cwd, STATE),
      JSON.stringify({
        tool: "tph",
        kind: "setup_state",
        version: 1,
        root: cwd,
        written_at: "",
        files: [{ path: victim, action: "created", sha256: hash }],
      }),
    );
    const planted = await tph(t, ["disable", "--force"], { cwd });
    assertCode(planted, 1, "disable with a state naming another file");
    assert.match(
      planted.stderr,
      /names files tph setup never writes .*victim\.txt\): nothing was changed/,
    );
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    writeFileSync(join(cwd, STATE), "{ not json");
    const corrupt = await tph(t, ["disable"], { cwd });
    assertCode(corrupt, 1, "disable with a corrupt state");
    assert.match(
      corrupt.stderr,
      /^tph: Cannot read \.tracepatch_cache\/setup_state\.json: not valid JSON;/,
    );
    assert.ok(existsSync(join(cwd, FILE)));
    // Without a state, the file that says it is tph's goes with --force only.
    rmFile(join(cwd, STATE));
    const lost = await tph(t, ["disable"], { cwd });
    assertCode(lost, 1, "disable without a state");
    assert.match(
      lost.stderr,
      /its state \(.*\) is gone, so edits to it cannot be told: pass --force/,
    );
    assertCode(await tph(t, ["disable", "--force"], { cwd }), 0, "disable --force");
    assert.ok(!existsSync(join(cwd, FILE)));
  });
}

/** Permission bits of a file. */
function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

export function setupSafetyTests(t: Target): void {
  Deno.test(`tph setup/disable: a lock, modes, another folder's state, a folder, a FIFO (${t.name})`, async () => {
    const { dir, cwd } = await project();
    await using _ = dir;
    // The user's own file of that name, private: two setups at once still keep it.
    writeFileSync(join(cwd, FILE), "// mine\n", { mode: 0o600 });
    chmodSync(join(cwd, FILE), 0o600);
    await git(cwd, "add", FILE);
    await git(cwd, "commit", "-qm", "mine");
    const both = await Promise.all([tph(t, ["setup"], { cwd }), tph(t, ["setup"], { cwd })]);
    const codes = both.map((r) => r.code).sort();
    assert.ok(
      codes[0] === 0,
      `one setup at least succeeds: ${both.map((r) => r.stderr).join("\n")}`,
    );
    for (const r of both) {
      if (r.code !== 0) assert.match(r.stderr, /another tph setup or disable is at work on /);
    }
    assert.equal(modeOf(join(cwd, FILE)), 0o644);
    assert.equal(modeOf(join(cwd, STATE)), 0o600, "the state holds a copy of the user's file");
    // A lock left behind: said, nothing done.
    writeFileSync(join(cwd, ".tracepatch_cache/setup.lock"), "1 x\n");
    const locked = await tph(t, ["disable"], { cwd });
    assertCode(locked, 1, "disable while locked");
    assert.match(
      locked.stderr,
      /another tph setup or disable is at work on .*; if none is, remove that file\n$/,
    );
    rmFile(join(cwd, ".tracepatch_cache/setup.lock"));
    // tph logs lists runs, and says nothing of setup's state beside them.
    const logs = await tph(t, ["logs"], { cwd });
    assert.equal(logs.stderr, "");
    assertCode(await tph(t, ["disable"], { cwd }), 0, "disable");
    assert.equal(readFileSync(join(cwd, FILE), "utf8"), "// mine\n");
    assert.equal(modeOf(join(cwd, FILE)), 0o600, "its mode is put back too");
    assert.equal(await git(cwd, "status", "--porcelain"), "");

    // Two folders of one project share its run cache: one's setup is never taken for the other's.
    for (const sub of ["a", "b"]) {
      mkdirSync(join(cwd, sub));
      writeFileSync(join(cwd, sub, "f.ts"), "export function f(n: number) { return n; }\n");
      writeFileSync(
        join(cwd, sub, "tracepatch.toml"),
        '[[test.files]]\npath = "f.ts"\nfunctions = ["f"]\n',
      );
    }
    await git(cwd, "add", "-A");
    await git(cwd, "commit", "-qm", "two folders");
    assertCode(await tph(t, ["setup"], { cwd: join(cwd, "a") }), 0, "setup in a");
    const other = await tph(t, ["setup"], { cwd: join(cwd, "b") });
    assertCode(other, 1, "setup in b while a's is there");
    assert.match(
      other.stderr,
      /setup_state\.json holds the setup of .*\/a: run tph disable there first/,
    );
    const wrong = await tph(t, ["disable"], { cwd: join(cwd, "b") });
    assertCode(wrong, 1, "disable in b");
    assert.match(wrong.stderr, /holds the setup of .*\/a: run tph disable there/);
    assert.ok(existsSync(join(cwd, "a", FILE)));

    // A folder where the file was: never removed, with --force neither.
    rmFile(join(cwd, "a", FILE));
    mkdirSync(join(cwd, "a", FILE));
    writeFileSync(join(cwd, "a", FILE, "notes.txt"), "keep\n");
    const folder = await tph(t, ["disable", "--force"], { cwd: join(cwd, "a") });
    assertCode(folder, 1, "disable --force with a folder there");
    assert.match(folder.stderr, /is not a file \(a folder\): tph setup did not make it/);
    assert.equal(readFileSync(join(cwd, "a", FILE, "notes.txt"), "utf8"), "keep\n");
    Deno.removeSync(join(cwd, "a", FILE), { recursive: true });
    assertCode(await tph(t, ["disable"], { cwd: join(cwd, "a") }), 0, "disable in a");

    // tph's file whose state is gone, edited: setup does not overwrite it without --force.
    assertCode(await tph(t, ["setup"], { cwd: join(cwd, "a") }), 0, "setup in a again");
    writeFileSync(join(cwd, "a", FILE), "// edit\n", { flag: "a" });
    rmFile(join(cwd, STATE));
    const lost = await tph(t, ["setup"], { cwd: join(cwd, "a") });
    assertCode(lost, 1, "setup over an edited file without state");
    assert.match(lost.stderr, /its state .* is gone, so edits to it cannot be told: pass --force/);
    assert.match(readFileSync(join(cwd, "a", FILE), "utf8"), /\/\/ edit\n$/);
    assertCode(await tph(t, ["disable", "--force"], { cwd: join(cwd, "a") }), 0, "disable --force");

    // A state that is a FIFO: one line, no wait.
    const fifo = await exec(["mkfifo", join(cwd, STATE)], { cwd, timeoutMs: 10_000 });
    assertCode(fifo, 0, "mkfifo");
    const stuck = await tph(t, ["setup"], { cwd: join(cwd, "a"), timeoutMs: 60_000 });
    assertCode(stuck, 1, "setup with a FIFO as state");
    assert.equal(
      stuck.stderr,
      `tph: ${cwd}/.tracepatch_cache/setup_state.json is not a regular file: remove it\n`,
    );
  });
}

/** `script` (util-linux) runs a command on a pseudo-terminal: how a test answers a prompt. */
const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

function rmFile(path: string): void {
  Deno.removeSync(path);
}

/** The trace results the generated file prints, with every configured call a root. */
function traceResults(err: string[], at: number, stderr: string): void {
  // Deno records the IIFE TypeScript makes of an enum (docs/compatibility.md), Bun does not.
  const iifes = err.filter((l) => /^[├└]── IIFE\b/.test(l)).length;
  assert.equal(err[at + 2], `Total calls: ${29 + iifes}`);
  assert.match(err[at + 3], /^Trace saved to: \.tracepatch_cache\/run_\S+_setup_\w+\.tph$/);
  assert.equal(err[at + 4], "View with: tph tree last");
  // Each configured call is a root of the tree (the harness around it is not recorded).
  const roots = err.slice(at + 6).filter((l) => /^[├└]── (?!IIFE\b)/.test(l)).map((l) =>
    l.replace(/^[├└]── (async )?/, "").replace(/\(.*$/, "")
  );
  assert.deepEqual(roots, [
    "total",
    "ship",
    "refund",
    "register",
    "Cart.constructor",
    "Cart.add",
    "Cart.constructor",
    "Cart.add",
    "Cart.empty",
    "kinds",
    "untyped",
    "batches",
    "Money.constructor",
    "pay",
    "greet",
    "repeat",
    "mul",
  ]);
  assert.ok(
    err.some((l) => l.startsWith('│       └── price(sku="pen") -> 30  [')),
    `callees under their call:\n${stderr}`,
  );
}
