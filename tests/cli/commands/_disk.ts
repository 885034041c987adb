// A cache folder on a read-only or a full file system: tph says so in one line naming the
// folder, keeps the program's exit code, still writes -o where it can, and never stores a run
// that claims to be complete. Needs root to mount small file systems (CI runs as root).

import { isRunFileName } from "../../_run_file.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { assertCode, lines, readRun, type Target, tempDir, tph } from "./_cli.ts";

/** Whether small file systems can be mounted (CI runs as root). */
export const ROOT = process.getuid?.() === 0;

/** Mount a tmpfs with these options at `dir` (made if missing); undo with unmount. */
export function mountTmpfs(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], {
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(r.status, 0, `mount ${options}: ${r.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync("umount", ["-l", dir], { timeout: 10_000 });
}

/** A project folder holding one script, with a small file system mounted at `mount`. */
async function withMountedCache(
  options: string,
  script: string,
  fn: (cwd: string, cache: string) => Promise<void>,
): Promise<void> {
  await using dir = tempDir();
  writeFileSync(join(dir.path, "package.json"), "{}");
  writeFileSync(join(dir.path, "main.js"), script);
  const cache = join(dir.path, "cache");
  // A tmpfs is 1777 unless told otherwise, and tph refuses a cache every user can write.
  mountTmpfs(cache, `${options},mode=0700`);
  try {
    await fn(dir.path, cache);
  } finally {
    unmount(cache);
  }
}

export function diskTests(t: Target): void {
  Deno.test({
    name: `tph run with a read-only cache folder keeps the exit code and writes -o (${t.name})`,
    ignore: !ROOT,
    fn: () =>
      withMountedCache(
        "size=1m,ro",
        "function f() { return 1; }\nf();\nprocess.exitCode = 3;\n",
        async (cwd) => {
          const r = await tph(t, ["run", "--cache-dir", "cache", "-o", "out.json", "main.js"], {
            cwd,
          });
          assertCode(r, 3, "tph run with a read-only cache");
          const err = lines(r.stderr);
          assert.match(err[0], /^tph: Cannot save the run in ".*\/cache": read-only file system$/);
          assert.equal(err.length, 2, r.stderr);
          assert.equal(readRun(join(cwd, "out.json")).call_count, 1, "-o was written");
        },
      ),
  });

  Deno.test({
    name: `tph run with a full cache folder stores no run and says so (${t.name})`,
    ignore: !ROOT,
    fn: () =>
      withMountedCache(
        "size=64k",
        "function f(i) { return i; }\nfor (let i = 0; i < 100000; i++) f(i);\nprocess.exitCode = 4;\n",
        async (cwd, cache) => {
          const r = await tph(
            t,
            ["run", "--max-calls", "100000", "--cache-dir", "cache", "main.js"],
            { cwd },
          );
          assertCode(r, 4, "tph run with a full cache");
          const err = lines(r.stderr);
          assert.equal(err.length, 1, r.stderr);
          assert.match(err[0], /^tph: Cannot save the run in ".*\/cache": .*nothing was stored/);
          assert.deepEqual(readdirSync(cache).filter((n) => !n.startsWith(".gitignore")), []);
          const logs = await tph(t, ["logs", "--cache-dir", "cache"], { cwd });
          assert.ok(!/main\.js/.test(logs.stdout), "no run is listed");
        },
      ),
  });
}

/** A project on a read-only file system: tph says so, and `-e` still runs there. */
export function readOnlyProjectTests(t: Target): void {
  Deno.test({
    name: `tph run in a read-only project: "read-only file system", and -e still runs (${t.name})`,
    ignore: !ROOT,
    fn: async () => {
      await using dir = tempDir();
      const cwd = join(dir.path, "p");
      mountTmpfs(cwd, "size=1m,mode=0755");
      try {
        writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
        writeFileSync(
          join(cwd, "main.ts"),
          "function f(): number {\n  return 1;\n}\nconsole.log(f());\n",
        );
        writeFileSync(
          join(cwd, "foo.ts"),
          "export function neg(n: number): number {\n  return -n;\n}\n",
        );
        const pkg = join(cwd, "node_modules", "chunky");
        mkdirSync(pkg, { recursive: true });
        writeFileSync(join(pkg, "package.json"), '{ "name": "chunky", "main": "index.js" }\n');
        writeFileSync(join(pkg, "index.js"), "module.exports = { half: (n) => n / 2 };\n");
        const r = spawnSync("mount", ["-o", "remount,ro", cwd], {
          encoding: "utf8",
          timeout: 10_000,
        });
        assert.equal(r.status, 0, r.stderr);
        const cache = `tph: Cannot save the run in "${join(cwd, ".tracepatch_cache")}": ` +
          "read-only file system";
        const run = await tph(t, ["run", "main.ts"], { cwd });
        assertCode(run, 0, "tph run main.ts");
        assert.equal(run.stdout, "1\n");
        // Not Node's "ENOENT … mkdir", nor a runtime's own message.
        assert.equal(lines(run.stderr)[0], cache);
        // -e writes its entry module elsewhere; the folder's modules and packages still resolve,
        // and its functions are traced.
        const e = await tph(t, ["run", "--tree", "-e", "foo.neg(chunky.half(4))"], { cwd });
        assertCode(e, 0, "tph run -e in a read-only folder");
        assert.equal(e.stdout, "-2\n");
        assert.equal(lines(e.stderr)[0], cache);
        assert.match(e.stderr, /neg\(n=2\) -> -2/);
      } finally {
        unmount(cwd);
      }
    },
  });
}

/** Exports and pages written to a full or read-only folder: one line, nothing half-written. */
export function exportDiskTests(t: Target): void {
  Deno.test({
    name: `tph export and view --html to a full or read-only folder (${t.name})`,
    ignore: !ROOT,
    async fn() {
      await using dir = tempDir();
      writeFileSync(join(dir.path, "package.json"), "{}");
      writeFileSync(
        join(dir.path, "main.js"),
        "function f(i) { return 'x'.repeat(40) + i; }\nfor (let i = 0; i < 3000; i++) f(i);\n",
      );
      const cwd = dir.path;
      assertCode(await tph(t, ["run", "--max-calls", "5000", "main.js"], { cwd }), 0, "tph run");
      for (const [options, why] of [["size=32k", "no space left"], ["size=1m,ro", "read-only"]]) {
        const out = join(cwd, `out-${why.replaceAll(" ", "-")}`);
        mountTmpfs(out, `${options},mode=0700`);
        try {
          for (
            const args of [
              ["export", "last", "--format", "chrome", "-o", `${out}/t.json`],
              ["export", "last", "--format", "perfetto", "-o", `${out}/t.pftrace`],
              ["export", "last", "--format", "speedscope", "-o", `${out}/t.json`],
              ["view", "last", "--html", "-o", `${out}/t.html`],
            ]
          ) {
            const r = await tph(t, args, { cwd });
            assertCode(r, 1, `tph ${args.join(" ")} (${why})`);
            assert.equal(lines(r.stderr).length, 1, r.stderr);
            assert.match(r.stderr, new RegExp(`^tph: Cannot write ".*": ${why}`));
            assert.deepEqual(readdirSync(out), [], "nothing left behind");
          }
        } finally {
          unmount(out);
        }
      }
    },
  });
}

/** Modes of what a run writes: only its user can read the cache's runs (they hold argument values). */
export function modeTests(t: Target): void {
  Deno.test(`tph run writes runs 0600 in a cache folder it makes 0700, -o with the umask (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), "{}");
    writeFileSync(
      join(dir.path, "main.js"),
      "function login(password) { return password.length; }\nlogin('hunter2');\n",
    );
    const r = await tph(t, ["run", "-o", "out.json", "main.js"], { cwd: dir.path });
    assertCode(r, 0, "tph run main.js");
    const cache = join(dir.path, ".tracepatch_cache");
    const mode = (p: string) => statSync(p).mode & 0o777;
    assert.equal(mode(cache), 0o700);
    const runs = readdirSync(cache).filter(isRunFileName);
    assert.equal(runs.length, 1);
    assert.equal(mode(join(cache, runs[0])), 0o600);
    // -o is the user's file: 0666 less the umask, as a shell redirect makes it.
    assert.equal(mode(join(dir.path, "out.json")), 0o666 & ~process.umask());
  });
}
