// What tph leaves on disk is the run, redacted and compact (issue 74): every byte of every file tph
// writes — the run as written at the program's end and as it stays, its children's and workers'
// runs, a server's request runs, temporary files — is scanned for a secret the program passed, with
// the run never read; and a run of many calls stays in the cache as a run file (at most 40 bytes a
// call), without a command reading it first.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, summaryOf, type Target, tempDir, tph } from "./_cli.ts";
import { RUNNERS_PATH } from "./_test_runs.ts";

/** The program: the secret is made as it runs (its sources never hold it). */
const MAIN = `import cp from "node:child_process";
import fs from "node:fs";
import wt from "node:worker_threads";
import http from "node:http";
const S = ["sk", "live", "Q9x" + "7Zp".repeat(4)].join("_");
function echo(s) { return s; }
function wrap(o) { return { ...o, more: [o.token, new Map([[o.token, o.token]])] }; }
function fail(s) { throw new Error("denied for " + s); }
async function later(s) { await null; return { s, list: [s, s] }; }
class Box { constructor(v) { this.v = v; } get() { return this.v; } }
function inChild() { return String(cp.spawnSync(process.execPath, ["child.js", S]).stdout).trim(); }
function inWorker() {
  return new Promise((resolve) => {
    const w = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: S, execArgv: [] });
    w.on("message", (m) => { resolve(m); });
  });
}
function handle(req, res) { res.end(echo(req.url)); }
async function serve() {
  const server = http.createServer(handle);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const text = await (await fetch("http://127.0.0.1:" + server.address().port + "/pay?key=" + S)).text();
  await new Promise((r) => server.close(r));
  return text.length;
}
const n = Number(process.argv[2]);
for (let i = 0; i < n; i++) echo(i % 2 ? S : "note " + S + " here");
wrap({ token: S, password: "hunter2hunter2" });
try { fail(S); } catch {}
await later(S);
new Box(S).get();
// With a child process, a worker and a request: the run is written whole at the end (not raw).
console.log(process.argv[3] === "family" ? [inChild(), await inWorker(), await serve()].join(" ") : "alone");
// What tph keeps in its temporary folder while the program runs (its settings for the program and
// its children among them), read as it is: no secret in it either.
function holding(dir) {
  const found = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const path = dir + "/" + e.name;
    if (e.isDirectory()) found.push(...holding(path));
    else if (e.isFile() && /Q9x7Zp7Zp|hunter2hunter2/.test(fs.readFileSync(path, "latin1"))) found.push(path);
  }
  return found;
}
console.log("while running:", JSON.stringify(holding(process.env.TMPDIR)));
fail(S + " at the end");
`;
const CHILD = `function child(s) { return s + "!"; }
console.log(child(process.argv[2]).length);
`;
const WORKER = `import wt from "node:worker_threads";
function inWorker(s) { return s.length; }
wt.parentPort.postMessage(inWorker(wt.workerData));
`;
/** The secret's distinctive part, and the field-name secret: neither may be in any file. */
const SECRETS = ["Q9x7Zp7Zp", "hunter2hunter2"];
/** A secret of the same form given on the command line: the program's argument, a --find target. */
const SECRET_ARG = "sk_live_Q9x7Zp7Zp7Zp7ZpARG";

/** Every file under `dir` (recursively), but the program's own sources. */
function filesUnder(dir: string, skip: Set<string>): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) found.push(...filesUnder(path, skip));
    else if (!skip.has(path)) found.push(path);
  }
  return found;
}

/** Asserts that no file under `dir` but the sources holds a secret; returns the files scanned. */
function assertNoSecret(dir: string, sources: Set<string>, when: string): string[] {
  const files = filesUnder(dir, sources);
  for (const file of files) {
    const text = readFileSync(file).toString("latin1");
    for (const secret of SECRETS) {
      assert.ok(!text.includes(secret), `${when}: ${file} holds "${secret}"`);
    }
  }
  return files;
}

/** Whether run file `path` is a raw run (its 8th byte: run_file/format.ts, isRaw). */
function isRawRun(path: string): boolean {
  const head = readFileSync(path).subarray(0, 8);
  return head.length === 8 && head[7] >= 0x80;
}

/**
 * Waits until the cache holds no raw run and no temporary file (what `tph run` leaves to a process
 * of its own is done), at most `seconds`; returns the run files.
 */
async function settled(cacheDir: string, seconds = 90): Promise<string[]> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const names = readdirSync(cacheDir);
    const runs = names.filter((n) => n.endsWith(".tph") && !n.startsWith("."));
    const busy = names.some((n) => n.endsWith(".tmp")) ||
      runs.some((n) => existsSync(join(cacheDir, n)) && isRawRun(join(cacheDir, n)));
    if (!busy) return runs.map((n) => join(cacheDir, n));
    if (Date.now() > end) assert.fail(`the cache still holds a raw run after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function onDiskTests(t: Target): void {
  for (const [calls, family] of [[60_000, false], [10, true], [60_000, true]] as const) {
    const what = family ? " with a child process, a worker and a request" : "";
    Deno.test(`tph run of ${calls} calls${what} leaves no secret in any file it writes, the run never read (${t.name})`, async () => {
      await using dir = tempDir();
      const sources = new Set(["main.js", "child.js", "worker.js", "package.json", "tph.toml"]
        .map((f) => join(dir.path, f)));
      writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }');
      writeFileSync(join(dir.path, "main.js"), MAIN);
      writeFileSync(join(dir.path, "child.js"), CHILD);
      writeFileSync(join(dir.path, "worker.js"), WORKER);
      writeFileSync(join(dir.path, "tph.toml"), 'redact_values = ["sk_live_\\\\w+"]\n');
      // tph's temporary files, and the program's, in a folder scanned with the rest.
      const tmp = join(dir.path, "tmp");
      mkdirSync(tmp);
      const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp };
      // The secret looked for, and passed to the program, too.
      const find = ["--find", SECRET_ARG];
      const args = [
        "run",
        "--max-calls",
        "200000",
        ...(family ? find : []),
        "main.js",
        String(calls),
        family ? "family" : "",
        SECRET_ARG,
      ];
      const r = await tph(t, args, { cwd: dir.path, env });
      assertCode(r, 1, `tph ${args.join(" ")}`);
      assert.match(r.stdout, family ? /^24 23 \d+\n/ : /^alone\n/);
      assert.match(r.stdout, /\nwhile running: \[\]\n$/);
      const cache = join(dir.path, ".tracepatch_cache");
      // As tph run left it, then once what it left to do apart is done.
      const first = assertNoSecret(dir.path, sources, "as tph run ended");
      const runs = await settled(cache);
      const scanned = assertNoSecret(dir.path, sources, "once settled");
      // The program's run, and the child's, the worker's and the request's.
      assert.equal(runs.length, family ? 4 : 1, `runs stored: ${runs.join(", ")}`);
      assert.ok(first.length >= runs.length && scanned.length >= runs.length);
      // Read now: the tree shows the secret's place redacted (what was stored was the run).
      // (With --find, its line comes after the summary.)
      const saved = /; saved (\S+\.tph);/.exec(r.stderr)![1];
      const tree = await tph(t, ["tree", saved], { cwd: dir.path, env });
      assertCode(tree, 0, "tph tree");
      assert.match(tree.stdout, /wrap\(o=\{ token: \[redacted\], password: \[redacted\] \}\)/);
      assertNoSecret(dir.path, sources, "once read");
    });
  }

  Deno.test(`tph test leaves no secret in any file it writes, its tests' runs never read (${t.name})`, async () => {
    await using dir = tempDir();
    const sources = new Set(
      ["a.test.js", "package.json", "tph.toml"].map((f) => join(dir.path, f)),
    );
    // The runtime's own runner (the binary's is Bun's).
    const runner = t.runtime;
    const head = runner === "deno"
      ? "const test = Deno.test;\n"
      : runner === "bun"
      ? 'import { test } from "bun:test";\n'
      : 'import test from "node:test";\n';
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }');
    writeFileSync(
      join(dir.path, "a.test.js"),
      head + 'const S = ["sk", "live", "Q9x" + "7Zp".repeat(4)].join("_");\n' +
        "function echo(s) { return s; }\n" +
        'function login(user, password) { return user + "/" + password.length; }\n' +
        'test("passes", () => { echo(S); login("ann", "hunter2hunter2"); });\n' +
        'test("fails", () => { echo(S); throw new Error("denied for " + S); });\n',
    );
    writeFileSync(join(dir.path, "tph.toml"), 'redact_values = ["sk_live_\\\\w+"]\n');
    const tmp = join(dir.path, "tmp");
    mkdirSync(tmp);
    const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp, PATH: RUNNERS_PATH.PATH };
    const r = await tph(t, ["test", "--runner", runner, "--", "a.test.js"], { cwd: dir.path, env });
    assertCode(r, 1, "tph test a.test.js");
    const runs = await settled(join(dir.path, ".tracepatch_cache"));
    assert.equal(runs.length, 2, `runs stored: ${runs.join(", ")}`);
    assertNoSecret(dir.path, sources, "as tph test ended");
  });

  Deno.test(`what makes raw runs run files apart (tph __settle) ends at once on a FIFO, a folder, a missing or damaged run, changing nothing (${t.name})`, async () => {
    await using dir = tempDir();
    const fifo = join(dir.path, "run_fifo.tph");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0, "mkfifo");
    mkdirSync(join(dir.path, "run_folder.tph"));
    // A raw run's first bytes, then nothing that adds up.
    const damaged = join(dir.path, "run_damaged.tph");
    const bytes = new Uint8Array(64).fill(7);
    bytes.set(new TextEncoder().encode("TPHRUN\0"), 0);
    bytes[7] = 0x85;
    writeFileSync(damaged, bytes);
    const paths = [fifo, join(dir.path, "run_folder.tph"), join(dir.path, "missing.tph"), damaged];
    const r = await tph(t, ["__settle", ...paths], { cwd: dir.path, timeoutMs: 60_000 });
    assertCode(r, 0, "tph __settle");
    assert.equal(r.stdout + r.stderr, "");
    assert.deepEqual(readFileSync(damaged), Buffer.from(bytes));
    assert.deepEqual(readdirSync(dir.path).sort(), [
      "run_damaged.tph",
      "run_fifo.tph",
      "run_folder.tph",
    ]);
  });

  Deno.test(`tph run of many calls keeps a compact run file in the cache, made before anything reads it (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }');
    writeFileSync(
      join(dir.path, "main.js"),
      `function leaf(i, s) { return s.length + i; }
function mid(i) { return leaf(i, "item" + (i % 100)) + leaf(i + 1, "x"); }
function main() { let t = 0; for (let i = 0; i < 40000; i++) t += mid(i); return t; }
console.log(main());
`,
    );
    const r = await tph(t, ["run", "--max-calls", "200000", "main.js"], { cwd: dir.path });
    assertCode(r, 0, "tph run main.js");
    const { calls } = summaryOf(r);
    assert.equal(calls, 120_001);
    const [run, ...others] = await settled(join(dir.path, ".tracepatch_cache"));
    assert.deepEqual(others, []);
    const perCall = statSync(run).size / calls;
    assert.ok(perCall <= 40, `${perCall.toFixed(1)} bytes a call stored`);
    // A run file as any other: read as it is (not made again: its bytes stay).
    const before = readFileSync(run);
    const view = await tph(t, ["view", "last"], { cwd: dir.path });
    assertCode(view, 0, "tph view last");
    assert.match(view.stdout, /main\(\).*120001 calls/);
    assert.deepEqual(readFileSync(run), before);
  });
}
