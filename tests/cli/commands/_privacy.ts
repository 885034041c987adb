// Where runs go and what they hold: a script in a folder every user can write (/tmp) keeps its
// runs in the user's cache folder, which the read commands find again from the same folder;
// arguments and return values with secret names, and values matching `redact_values`, are
// stored as "[redacted]" unless `--no-redact`.

import { isRunFileName } from "../../_run_file.ts";
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { REPO } from "../../_harness.ts";
import { perfettoText } from "../../_export_readers.ts";
import {
  assertCode,
  lines,
  readRun,
  splitStderr,
  summaryOf,
  type Target,
  tempDir,
  tph,
  viewJson,
} from "./_cli.ts";

const SCRIPT = "function add(a, b) { return a + b; }\nconsole.log(add(1, 2));\n";

export function sharedFolderTests(t: Target): void {
  for (const mode of [0o777, 0o1777]) {
    const shown = mode.toString(8);
    Deno.test(`tph run in a folder every user can write (${shown}) keeps runs in the user's cache folder (${t.name})`, async () => {
      await using dir = tempDir();
      // A folder like /tmp (without touching the real one), and a private cache home.
      const shared = join(dir.path, "shared");
      mkdirSync(shared);
      chmodSync(shared, mode);
      writeFileSync(join(shared, "x.js"), SCRIPT);
      const xdg = join(dir.path, "xdg");
      const env = { XDG_CACHE_HOME: xdg };
      const r = await tph(t, ["run", "x.js"], { cwd: shared, env });
      assertCode(r, 0, "tph run x.js");
      assert.equal(r.stdout, "3\n");
      assert.ok(!existsSync(join(shared, ".tracepatch_cache")), "nothing in the shared folder");
      const runsBase = join(xdg, "tph", "runs");
      const folders = readdirSync(runsBase);
      assert.equal(folders.length, 1, `one cache folder in ${runsBase}: ${folders}`);
      assert.match(folders[0], /^shared-[0-9a-f]{16}$/);
      const cache = join(runsBase, folders[0]);
      assert.equal(statSync(cache).mode & 0o777, 0o700);
      const runs = readdirSync(cache).filter(isRunFileName);
      assert.equal(runs.length, 1);
      // One line says where the runs went, and the summary points at `last`.
      const own = splitStderr(r.stderr).tph;
      assert.equal(own.length, 2, r.stderr);
      assert.equal(
        own[0],
        `tph: ${shared} is a folder every user can write: its runs are kept in ${cache}`,
      );
      const summary = summaryOf(r);
      assert.equal(summary.hint, "last");
      assert.equal(readRun(join(cache, runs[0])).call_count, 1);
      // logs, tree and view from the same folder find the run.
      const [logs, tree, view] = await Promise.all([
        tph(t, ["logs"], { cwd: shared, env }),
        tph(t, ["tree", "last"], { cwd: shared, env }),
        tph(t, ["view", "1", "--json"], { cwd: shared, env }),
      ]);
      assertCode(logs, 0, "tph logs");
      assert.equal(lines(logs.stdout).length, 2, logs.stdout);
      assert.match(lines(logs.stdout)[1], /^1\s+\S+\s.*x\.js\s+1\s+[\d.]+ k?B\s+no\s+ok/);
      assertCode(tree, 0, "tph tree last");
      assert.match(tree.stdout, /add\(a=1, b=2\) -> 3/);
      assertCode(view, 0, "tph view 1");
      assert.equal(JSON.parse(view.stdout).path, join(cache, runs[0]));
    });
  }

  Deno.test(`tph run refuses a cache folder every user can write (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), "{}");
    writeFileSync(join(dir.path, "x.js"), SCRIPT);
    const open = join(dir.path, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await tph(t, ["run", "--cache-dir", "open", "x.js"], { cwd: dir.path });
    assertCode(r, 2, "tph run --cache-dir open");
    assert.equal(r.stdout, "");
    assert.match(
      lines(r.stderr)[0],
      /^tph: Cannot use ".*\/open" as the run cache: it is a folder every user can write; /,
    );
    assert.deepEqual(readdirSync(open), []);
  });
}

/** A run's cache folder removed or replaced while the program runs. */
export function cacheSwapTests(t: Target): void {
  // The program removes its run's cache folder, replaces it with a file, or with a link to a
  // folder every user can write, and exits 7: one line says why the run was not stored, and the
  // exit code is the program's.
  const SWAP = `import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
function work(n) { return n + 1; }
work(1);
const how = process.argv[2];
rmSync(".tracepatch_cache", { recursive: true, force: true });
if (how === "file") writeFileSync(".tracepatch_cache", "not a folder");
if (how === "again") mkdirSync(".tracepatch_cache");
if (how === "shared") {
  mkdirSync("shared");
  chmodSync("shared", 0o1777);
  symlinkSync("shared", ".tracepatch_cache");
}
process.exit(7);
`;
  for (
    const [how, why] of [
      ["removed", "the folder was removed while the program ran"],
      ["file", "the folder was replaced by a file while the program ran"],
      ["shared", "it became a folder every user can write while the program ran"],
    ]
  ) {
    Deno.test(`tph run: a cache folder ${{ removed: "removed", file: "replaced by a file", shared: "swapped for a link to a shared folder" }[how]} while the program runs is one line, the exit code kept (${t.name})`, async () => {
      await using dir = tempDir();
      writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }');
      writeFileSync(join(dir.path, "swap.mjs"), SWAP);
      const r = await tph(t, ["run", "swap.mjs", how], { cwd: dir.path });
      assertCode(r, 7, `tph run swap.mjs ${how}`);
      assert.deepEqual(lines(r.stderr), [
        `tph: Cannot save the run in "${join(realpathSync(dir.path), ".tracepatch_cache")}": ` +
        `${why} (nothing was stored; the program's exit code is kept)`,
      ]);
      if (how === "shared") {
        // Nothing of the run is left in the shared folder, and nothing was stored through it.
        assert.deepEqual(readdirSync(join(dir.path, "shared")), []);
      }
    });
  }
  // The program's process writes its run when it ends: a folder removed and made again while
  // it ran gets the whole run, stored as any other.
  Deno.test(`tph run: a cache folder removed and made again while the program runs still stores the run (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }');
    writeFileSync(join(dir.path, "swap.mjs"), SWAP);
    const r = await tph(t, ["run", "swap.mjs", "again"], { cwd: dir.path });
    assertCode(r, 7, "tph run swap.mjs again");
    const { saved } = summaryOf(r);
    assert.equal(readRun(join(dir.path, saved)).call_count, 1);
  });
}

const LOGIN = `function login(user, password) {
  return { user, session: "s-" + password.length };
}
function request(url, options) {
  return options.headers.authorization.length;
}
function note(text) {
  return text.length;
}
login("ann", "hunter2");
request("https://api", { headers: { authorization: "Bearer abc.def", accept: "json" } });
note("paid with sk_live_0123456789abcdef");
`;

// Each value holds "hunter2": under a secret parameter, return value, field, Map entry, setter,
// inside a known secret, and in a call past max_calls (5).
const FIND_SECRETS = `function login(user, password) { return user; }
function getToken() { return "hunter2"; }
function request(url, options) { return 1; }
function note(text) { return text.length; }
class Vault { set password(value) {} }
function late(apiKey) { return 0; }
login("ann", "hunter2");
getToken();
request("https://api", { headers: { authorization: "hunter2" }, jar: new Map([["cookie", "hunter2"]]) });
note("paid with sk_live_hunter2abcdef");
new Vault().password = "hunter2";
late("hunter2");
`;

// A trace() block and the program end by errors that hold a known secret (the program is given
// one on its command line).
const THROWS = `import { trace } from ${JSON.stringify(join(REPO, "mod.ts"))};
function connect(url: string) { throw new Error("no access for sk_live_0123456789abcdef"); }
try {
  trace.run(() => connect("db"), { label: "block" });
} catch {
  // the block's run keeps the error
}
connect("api");
`;

export function redactTests(t: Target): void {
  Deno.test(`tph run stores the error that ended the program or a block redacted as the tree shows it (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir.path, "main.ts"), THROWS);
    const key = "sk_live_0123456789abcdef";
    const r = await tph(t, ["run", "main.ts", "--key", key], { cwd: dir.path });
    assertCode(r, 1, "tph run main.ts (an uncaught error)");
    const [block, program] = [
      await viewJson(t, "1", { cwd: dir.path }),
      await viewJson(t, "2", { cwd: dir.path }),
    ];
    assert.equal(block.run?.block, true);
    assert.equal(block.run?.error, "Error: no access for [redacted]");
    assert.equal(program.run?.ended, "exception");
    assert.equal(program.run?.error, "Error: no access for [redacted]");
    // The command line too: shown by tph logs and view, exported (OTLP's process.command_line).
    assert.deepEqual(program.run?.command, ["main.ts", "--key", "[redacted]"]);
    assert.deepEqual(block.run?.command, ["main.ts", "--key", "[redacted]"]);
    for (const format of ["otlp", "perfetto", "json"]) {
      const out = await tph(t, ["export", "2", "--format", format, "-o", `run.${format}`], {
        cwd: dir.path,
      });
      assertCode(out, 0, `tph export --format ${format}`);
    }
    assertCode(
      await tph(t, ["view", "2", "--html", "-o", "run.html"], { cwd: dir.path }),
      0,
      "html",
    );
    const logs = await tph(t, ["logs"], { cwd: dir.path });
    for (const written of ["run.otlp", "run.perfetto", "run.json", "run.html"]) {
      // The perfetto export's packets are deflated in bundles: searched inflated.
      const text = written === "run.perfetto"
        ? await perfettoText(readFileSync(join(dir.path, written)))
        : readFileSync(join(dir.path, written), "latin1");
      assert.ok(!text.includes("sk_live_"), written);
    }
    assert.ok(!logs.stdout.includes("sk_live_"), logs.stdout);
    // Nothing tph stored holds the secret (the program's own report of its error does).
    const cache = join(dir.path, ".tracepatch_cache");
    const runs = readdirSync(cache).filter(isRunFileName);
    assert.equal(runs.length, 2);
    for (const run of runs) {
      assert.ok(!readFileSync(join(cache, run), "utf8").includes("sk_live_"), run);
    }
    assert.ok(!splitStderr(r.stderr).tph.join("\n").includes("sk_live_"), r.stderr);
    // --no-redact keeps it.
    const plain = await tph(t, ["run", "--no-redact", "main.ts", "--key", key], { cwd: dir.path });
    assertCode(plain, 1, "tph run --no-redact main.ts");
    const [block2, program2] = [
      await viewJson(t, "1", { cwd: dir.path }),
      await viewJson(t, "2", { cwd: dir.path }),
    ];
    assert.equal(block2.run?.error, "Error: no access for sk_live_0123456789abcdef");
    assert.equal(program2.run?.error, "Error: no access for sk_live_0123456789abcdef");
    assert.deepEqual(program2.run?.command, ["main.ts", "--key", key]);
  });

  Deno.test(`tph run stores secret arguments as "[redacted]"; --no-redact keeps them (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), "{}");
    writeFileSync(join(dir.path, "main.js"), LOGIN);
    writeFileSync(join(dir.path, "tracepatch.toml"), 'redact_values = ["sk_live_\\\\w+"]\n');
    const r = await tph(t, ["run", "--tree", "-o", "out.json", "main.js"], { cwd: dir.path });
    assertCode(r, 0, "tph run main.js");
    const run = readRun(join(dir.path, "out.json"));
    const [login, request, note] = run.trace;
    assert.deepEqual(login.args, { user: '"ann"', password: "[redacted]" });
    assert.equal(login.return_value, '{ user: "ann", session: "s-7" }');
    assert.deepEqual(request.args, {
      url: '"https://api"',
      options: '{ headers: { authorization: [redacted], accept: "json" } }',
    });
    assert.deepEqual(note.args, { text: '"paid with [redacted]"' });
    assert.match(r.stderr, /login\(user="ann", password=\[redacted\]\)/);
    // Not in the stored run either, nor anywhere tph wrote.
    const stored = readFileSync(join(dir.path, summaryOf(r).saved), "utf8");
    for (const text of [stored, readFileSync(join(dir.path, "out.json"), "utf8"), r.stderr]) {
      for (const secret of ["hunter2", "abc.def", "sk_live_0"]) assert.ok(!text.includes(secret));
    }
    const plain = await tph(t, ["run", "--no-redact", "-o", "plain.json", "main.js"], {
      cwd: dir.path,
    });
    assertCode(plain, 0, "tph run --no-redact main.js");
    const [login2, request2, note2] = readRun(join(dir.path, "plain.json")).trace;
    assert.equal(login2.args.password, '"hunter2"');
    assert.match(request2.args.options, /authorization: "Bearer abc\.def"/);
    assert.equal(note2.args.text, '"paid with sk_live_0123456789abcdef"');
  });

  Deno.test(`tph run --find shows and stores what it finds as the tree does: secrets as "[redacted]" (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), "{}");
    writeFileSync(join(dir.path, "main.js"), FIND_SECRETS);
    // Looked for by a part of the secret: the target itself does not hold it.
    const find = ["--find", "unter", "--find-match", "contains", "--max-calls", "5"];
    const r = await tph(t, ["run", "--tree", ...find, "-o", "out.json", "main.js"], {
      cwd: dir.path,
    });
    assertCode(r, 0, "tph run --find unter main.js");
    assert.match(r.stderr, /^tph: 7 matches of unter: tph find last$/m);
    assert.match(r.stderr, /login\(user="ann", password=\[redacted\]\)/);
    const [text, json] = await Promise.all([
      tph(t, ["find", "last"], { cwd: dir.path }),
      tph(t, ["find", "last", "--json"], { cwd: dir.path }),
    ]);
    assertCode(text, 0, "tph find last");
    assert.deepEqual(lines(text.stdout), [
      "main.login  arg password = [redacted]  ← <root>",
      "main.getToken  return = [redacted]  ← <root>",
      "main.request  arg options.headers.authorization = [redacted]  ← <root>",
      'main.request  arg options.jar["cookie"] = [redacted]  ← <root>',
      'main.note  arg text = "paid with [redacted]"  ← <root>',
      "main.set Vault.password  arg value = [redacted]  ← <root>",
      // Past max_calls, out of the tree: its function's first call, looked at when it matched.
      "main.late  arg apiKey = [redacted]  ← <root>",
    ]);
    assertCode(json, 0, "tph find last --json");
    assert.deepEqual(
      JSON.parse(json.stdout).unter.map((m: { value: unknown }) => m.value),
      [...Array(4).fill("[redacted]"), "paid with [redacted]", "[redacted]", "[redacted]"],
    );
    // Nothing tph wrote or printed holds a secret: the run, its JSON, the matches.
    const saved = /saved (\S+\.tph) /.exec(r.stderr)![1];
    const stored = readFileSync(join(dir.path, saved), "utf8");
    const out = readFileSync(join(dir.path, "out.json"), "utf8");
    for (const written of [stored, out, r.stderr, text.stdout, json.stdout]) {
      for (const secret of ["hunter2", "sk_live_"]) assert.ok(!written.includes(secret), written);
    }
    // --no-redact keeps them.
    const plain = await tph(t, ["run", "--no-redact", ...find, "main.js"], { cwd: dir.path });
    assertCode(plain, 0, "tph run --no-redact --find unter main.js");
    const clear = await tph(t, ["find", "last"], { cwd: dir.path });
    assert.deepEqual(lines(clear.stdout).map((l) => l.replace(/^.* = (.*) {2}← .*$/, "$1")), [
      '"hunter2"',
      '"hunter2"',
      '"hunter2"',
      '"hunter2"',
      '"paid with sk_live_hunter2abcdef"',
      '"hunter2"',
      '"hunter2"',
    ]);
  });

  Deno.test(`tph run: redact adds names, redact = false turns it off, a bad regex is one line (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), "{}");
    writeFileSync(
      join(dir.path, "main.js"),
      "function enter(pinCode, password) {}\nenter('1234', 'pw');\n",
    );
    const toml = join(dir.path, "tracepatch.toml");
    writeFileSync(toml, 'redact = ["pin"]\n');
    const r = await tph(t, ["run", "-o", "a.json", "main.js"], { cwd: dir.path });
    assertCode(r, 0, 'tph run (redact = ["pin"])');
    assert.deepEqual(readRun(join(dir.path, "a.json")).trace[0].args, {
      pinCode: "[redacted]",
      password: "[redacted]",
    });
    writeFileSync(toml, "redact = false\n");
    const off = await tph(t, ["run", "-o", "b.json", "main.js"], { cwd: dir.path });
    assertCode(off, 0, "tph run (redact = false)");
    assert.deepEqual(readRun(join(dir.path, "b.json")).trace[0].args, {
      pinCode: '"1234"',
      password: '"pw"',
    });
    writeFileSync(toml, 'redact_values = ["sk_("]\n');
    const bad = await tph(t, ["run", "main.js"], { cwd: dir.path });
    assertCode(bad, 1, "tph run (a bad regex)");
    assert.equal(bad.stdout, "");
    assert.equal(lines(bad.stderr).length, 1, bad.stderr);
    assert.match(
      bad.stderr,
      /^tph: Invalid config in tracepatch\.toml: "redact_values": regular expression "sk_\(" cannot be used: /,
    );
    // Nothing ran: no third run was stored.
    const runs = readdirSync(join(dir.path, ".tracepatch_cache")).filter(isRunFileName);
    assert.equal(runs.length, 2);
  });
}
