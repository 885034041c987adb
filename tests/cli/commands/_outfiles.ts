// Output files the user names (`-o` of run, export, view --html, find): a device or a FIFO is
// written into, never replaced; a link is followed (but not one another user put in a folder others
// can write); an existing file keeps its mode and owner; a new one gets the umask. Device nodes are
// made with mknod in a temporary folder (never the machine's /dev), which needs root.

import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  exec,
  finish,
  lines,
  type Result,
  start,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** A project with one run stored; `fn` gets its folder. */
async function withRun(t: Target, fn: (cwd: string) => Promise<void>): Promise<void> {
  await using dir = tempDir();
  const cwd = dir.path;
  writeFileSync(join(cwd, "package.json"), "{}");
  writeFileSync(
    join(cwd, "main.js"),
    "function f(i) { return 'v' + i; }\nfor (let i = 0; i < 50; i++) f(i);\n",
  );
  assertCode(await tph(t, ["run", "main.js"], { cwd }), 0, "tph run main.js");
  await fn(cwd);
}

function mknod(path: string, major: number, minor: number): void {
  const r = spawnSync("mknod", [path, "c", String(major), String(minor)], {
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(r.status, 0, `mknod ${path}: ${r.stderr}`);
}

function mkfifo(path: string): void {
  const r = spawnSync("mkfifo", [path], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.status, 0, `mkfifo ${path}: ${r.stderr}`);
}

/** The commands that write `-o FILE`. */
function writers(file: string): string[][] {
  return [
    ["run", "-o", file, "main.js"],
    ["export", "last", "-o", file],
    ["export", "last", "--format", "chrome", "-o", file],
    ["export", "last", "--format", "speedscope", "-o", file],
    ["export", "last", "--format", "perfetto", "-o", file],
    ["view", "last", "--html", "-o", file],
    ["find", "last", '"v1"', "-o", file],
  ];
}

/** tph run with a umask of the test's choosing. */
function tphUmask(t: Target, umask: string, args: string[], cwd: string): Promise<Result> {
  return exec(["sh", "-c", `umask ${umask} && exec "$@"`, "sh", ...t.tph, ...args], { cwd });
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o7777;
}

export function outputFileTests(t: Target): void {
  Deno.test({
    name: `tph -o into a device writes into it and leaves it a device (${t.name})`,
    ignore: !ROOT,
    fn: () =>
      withRun(t, async (cwd) => {
        mknod(join(cwd, "null"), 1, 3);
        mknod(join(cwd, "full"), 1, 7);
        const before = readdirSync(cwd).sort();
        for (const args of writers("null")) {
          const r = await tph(t, args, { cwd });
          assertCode(r, 0, `tph ${args.join(" ")}`);
          assert.ok(lstatSync(join(cwd, "null")).isCharacterDevice(), `${args[0]}: still a device`);
          assert.deepEqual(readdirSync(cwd).sort(), before, `${args[0]}: nothing beside it`);
        }
        for (const args of writers("full")) {
          const r = await tph(t, args, { cwd });
          const what = `tph ${args.join(" ")}`;
          // tph run keeps the program's exit code and says it in its summary line too.
          if (args[0] === "run") assertCode(r, 0, what);
          else assertCode(r, args[0] === "find" ? 2 : 1, what);
          const said = lines(r.stderr).filter((l) => l.includes("Cannot write"));
          assert.equal(said.length, 1, `${what}: one line\n${r.stderr}`);
          assert.match(said[0], /^tph: Cannot write "full": no space left on the device$/);
          if (args[0] !== "run") assert.equal(lines(r.stderr).length, 1, r.stderr);
          assert.ok(lstatSync(join(cwd, "full")).isCharacterDevice(), `${what}: still a device`);
          assert.deepEqual(readdirSync(cwd).sort(), before, `${what}: nothing beside it`);
        }
      }),
  });

  Deno.test(`tph -o into a FIFO: its reader gets the output; no reader is one line (${t.name})`, () =>
    withRun(t, async (cwd) => {
      mkfifo(join(cwd, "fifo"));
      for (const args of [["export", "last", "-o", "fifo"], ["run", "-o", "fifo", "main.js"]]) {
        const r = await tph(t, args, { cwd, timeoutMs: 60_000 });
        assertCode(r, args[0] === "run" ? 0 : 1, `tph ${args.join(" ")} without a reader`);
        const said = lines(r.stderr).filter((l) => l.includes("Cannot write"));
        assert.deepEqual(said, [
          'tph: Cannot write "fifo": it is a FIFO that no process reads (start its reader first)',
        ]);
        assert.ok(lstatSync(join(cwd, "fifo")).isFIFO());
      }
      assertCode(await tph(t, ["export", "last", "-o", "plain.json"], { cwd }), 0, "export");
      const reader = start(["sh", "-c", "cat fifo > got.json"], { cwd });
      try {
        // The reader opens the FIFO when it starts: wait until it is there.
        let r: Result | null = null;
        for (let i = 0; i < 100 && r === null; i++) {
          const tried = await tph(t, ["export", "last", "-o", "fifo"], { cwd, timeoutMs: 60_000 });
          if (tried.code === 0) r = tried;
          else await new Promise((done) => setTimeout(done, 50));
        }
        assert.ok(r !== null, "the export reached the reader");
      } finally {
        await finish(reader, "", 30_000, "cat fifo");
      }
      assert.equal(
        readFileSync(join(cwd, "got.json"), "utf8"),
        readFileSync(join(cwd, "plain.json"), "utf8"),
      );
      assert.ok(lstatSync(join(cwd, "fifo")).isFIFO(), "still a FIFO");
    }));

  Deno.test(`tph -o through a link writes the file it leads to (${t.name})`, () =>
    withRun(t, async (cwd) => {
      for (const args of writers("link")) {
        const what = `tph ${args.join(" ")}`;
        writeFileSync(join(cwd, "target"), "old\n", { mode: 0o640 });
        chmodSync(join(cwd, "target"), 0o640);
        symlinkSync("target", join(cwd, "link"));
        symlinkSync("made", join(cwd, "dangling"));
        try {
          assertCode(await tph(t, args, { cwd }), 0, what);
          assert.ok(lstatSync(join(cwd, "link")).isSymbolicLink(), `${what}: the link stays`);
          assert.notEqual(readFileSync(join(cwd, "target"), "utf8"), "old\n", `${what}: written`);
          assert.equal(modeOf(join(cwd, "target")), 0o640, `${what}: mode kept`);
          const dangling = args.map((a) => a === "link" ? "dangling" : a);
          assertCode(await tph(t, dangling, { cwd }), 0, `${what} (a dangling link)`);
          assert.ok(lstatSync(join(cwd, "dangling")).isSymbolicLink());
          assert.ok(statSync(join(cwd, "made")).size > 0, `${what}: the link's file is made`);
        } finally {
          for (const f of ["link", "dangling", "made", "target"]) Deno.removeSync(join(cwd, f));
        }
      }
    }));

  Deno.test({
    name: `tph -o refuses a link another user put in a shared folder (${t.name})`,
    ignore: !ROOT,
    fn: () =>
      withRun(t, async (cwd) => {
        const shared = join(cwd, "shared");
        mkdirSync(shared);
        chmodSync(shared, 0o1777);
        writeFileSync(join(cwd, "victim"), "keep\n");
        symlinkSync("../victim", join(shared, "planted"));
        lchownSync(join(shared, "planted"), NOBODY, NOBODY);
        assert.equal(lstatSync(join(shared, "planted")).uid, NOBODY);
        for (const args of writers("shared/planted")) {
          const r = await tph(t, args, { cwd });
          const what = `tph ${args.join(" ")}`;
          assertCode(r, args[0] === "run" ? 0 : args[0] === "find" ? 2 : 1, what);
          const said = lines(r.stderr).filter((l) => l.includes("Cannot write"));
          assert.equal(said.length, 1, `${what}\n${r.stderr}`);
          assert.match(
            said[0],
            /^tph: Cannot write "shared\/planted": it is a link that another user \(uid 65534\) made in .*shared, a folder others can write: remove it or write elsewhere$/,
          );
          assert.equal(readFileSync(join(cwd, "victim"), "utf8"), "keep\n", `${what}: untouched`);
        }
        // The user's own link there is followed.
        symlinkSync("../victim", join(shared, "mine"));
        assertCode(await tph(t, ["export", "last", "-o", "shared/mine"], { cwd }), 0, "own link");
        assert.match(readFileSync(join(cwd, "victim"), "utf8"), /^\{"schema"/);
      }),
  });

  Deno.test(`tph -o keeps an existing file's mode and gives a new one the umask (${t.name})`, () =>
    withRun(t, async (cwd) => {
      const umasks = [["027", 0o640], ["022", 0o644], ["077", 0o600]] as const;
      for (const [k, args] of writers("out").entries()) {
        const what = `tph ${args.join(" ")}`;
        const out = join(cwd, "out");
        // One umask a writer, in turn (they share one way of writing: each umask meets two or
        // three of them).
        for (const [umask, mode] of [umasks[k % umasks.length]]) {
          assertCode(await tphUmask(t, umask, args, cwd), 0, `${what} (umask ${umask})`);
          assert.equal(modeOf(out), mode, `${what}: a new file with umask ${umask}`);
          Deno.removeSync(out);
        }
        writeFileSync(out, "old\n");
        chmodSync(out, 0o664);
        assertCode(await tphUmask(t, "077", args, cwd), 0, `${what} (an existing file)`);
        assert.notEqual(readFileSync(out, "utf8"), "old\n", `${what}: written`);
        assert.equal(modeOf(out), 0o664, `${what}: its mode kept`);
        if (ROOT) {
          chownSync(out, NOBODY, NOBODY);
          chmodSync(out, 0o604);
          assertCode(await tph(t, args, { cwd }), 0, `${what} (a file of another user's)`);
          const st = statSync(out);
          assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [NOBODY, NOBODY, 0o604], what);
        }
        // A file with another name (a hard link) sees the new content too.
        writeFileSync(out, "old\n");
        linkSync(out, join(cwd, "other"));
        assertCode(await tph(t, args, { cwd }), 0, `${what} (a file with two names)`);
        assert.equal(readFileSync(join(cwd, "other"), "utf8"), readFileSync(out, "utf8"), what);
        assert.notEqual(readFileSync(out, "utf8"), "old\n", `${what}: written in place`);
        Deno.removeSync(join(cwd, "other"));
        Deno.removeSync(out);
        assert.deepEqual(
          readdirSync(cwd).filter((n) => n.endsWith(".tmp")),
          [],
          `${what}: no temporary file left`,
        );
      }
      // Beside the run, an export is the cache's: private whatever the umask.
      const r = await tphUmask(t, "022", ["export", "last", "--format", "chrome"], cwd);
      assertCode(r, 0, "tph export last --format chrome");
      const cache = join(cwd, ".tracepatch_cache");
      const exported = readdirSync(cache).filter((n) => n.endsWith(".chrome.json"));
      assert.equal(exported.length, 1);
      assert.equal(modeOf(join(cache, exported[0])), 0o600);
    }));

  Deno.test({
    name:
      `tph -o as another user: a file they may not write is refused, one of root's written in place (${t.name})`,
    ignore: !ROOT,
    async fn() {
      await using dir = tempDir();
      // A folder of nobody's, and tph as nobody (its binary's folder opened to them).
      chmodSync(dir.path, 0o755);
      if (t.name === "binary") chmodSync(dirname(t.tph[0]), 0o755);
      const cwd = join(dir.path, "p");
      mkdirSync(cwd);
      writeFileSync(join(cwd, "package.json"), "{}");
      writeFileSync(join(cwd, "main.js"), "function f() { return 1; }\nf();\n");
      chownSync(cwd, NOBODY, NOBODY);
      const asNobody = (args: string[]) =>
        exec([
          "setpriv",
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          "--clear-groups",
          ...t.tph,
          ...args,
        ], {
          cwd,
          env: { HOME: cwd },
        });
      assertCode(await asNobody(["run", "main.js"]), 0, "tph run as nobody");
      // Their own file, read-only: a redirect would fail; so does tph, rather than replace it.
      const ro = join(cwd, "ro.json");
      writeFileSync(ro, "keep\n");
      chownSync(ro, NOBODY, NOBODY);
      chmodSync(ro, 0o444);
      for (
        const args of [["export", "last", "-o", "ro.json"], [
          "view",
          "last",
          "--html",
          "-o",
          "ro.json",
        ]]
      ) {
        const r = await asNobody(args);
        assertCode(r, 1, `tph ${args.join(" ")} as nobody`);
        assert.deepEqual(lines(r.stderr), ['tph: Cannot write "ro.json": permission denied']);
        assert.equal(readFileSync(ro, "utf8"), "keep\n");
      }
      // Root's file that others may write: written in place, root's it stays.
      const theirs = join(cwd, "theirs.json");
      writeFileSync(theirs, "old\n");
      chmodSync(theirs, 0o666);
      assertCode(await asNobody(["export", "last", "-o", "theirs.json"]), 0, "export as nobody");
      const st = statSync(theirs);
      assert.deepEqual([st.uid, st.mode & 0o7777], [0, 0o666]);
      assert.match(readFileSync(theirs, "utf8"), /^\{"schema"/);
    },
  });
}
