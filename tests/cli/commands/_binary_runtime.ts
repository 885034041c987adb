// The standalone binary runs a program as the `bun` CLI with its preload, which it puts on disk in
// a folder of the user's own: made private, reused, and never taken from a folder others can write.

import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { assertCode, FIXTURES, plain, type Target, tempDir, tph } from "./_cli.ts";

const mode = (path: string) => statSync(path).mode & 0o777;
/** The echo fixture's output but its argv0, which is the binary's (docs/compatibility.md). */
const output = (stdout: string) => stdout.replace(/"argv0":"[^"]*",/, "");

export function binaryRuntimeTests(t: Target): void {
  Deno.test(`the binary asked for another runtime names a package one can install (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "program") });
    const cwd = join(dir.path, "p");
    const r = await tph(t, ["run", "--runtime", "node", "echo.ts"], { cwd });
    assertCode(r, 1, "--runtime node in the binary");
    assert.equal(r.stdout, "", "nothing ran");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    const line = lines[0];
    assert.match(
      line,
      /^tph: --runtime node: the standalone binary runs programs on its own Bun; /,
    );
    // tph is not on the npm registry: `npm i -g tph` would install someone else's package.
    assert.doesNotMatch(line, /npm i(nstall)? -g tph\b/);
    assert.match(line, /npm pack in a checkout of tph/);
  });

  Deno.test(`the binary keeps its preload in a private folder of the user's cache (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "program") });
    const cwd = join(dir.path, "p");
    const env = { XDG_CACHE_HOME: join(dir.path, "cache") };
    const home = join(dir.path, "cache/tph");
    // Another build's folder from two days ago goes when this build makes its own; a recent one
    // (another tph on the machine may use it) and the user's other files stay.
    const kept = ["runtime-recent-build", "notes.txt"];
    for (const name of ["runtime-old-build", ...kept]) {
      mkdirSync(join(home, name), { recursive: true });
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(home, "runtime-old-build"), twoDaysAgo, twoDaysAgo);
    utimesSync(join(home, "notes.txt"), twoDaysAgo, twoDaysAgo);
    chmodSync(home, 0o700);
    const first = await tph(t, ["run", "--no-cache", "echo.ts"], { cwd, env });
    assertCode(first, 0, "first run");
    assert.equal(mode(home), 0o700);
    // The program's transform cache is there too, as private.
    assert.equal(mode(join(home, "transforms")), 0o700);
    const runtimes = readdirSync(home).filter((n) => n.startsWith("runtime-") && !kept.includes(n));
    assert.ok(!runtimes.includes("runtime-old-build"), "the old build's folder is gone");
    assert.equal(runtimes.length, 1, `one runtime folder: ${runtimes}`);
    assert.match(runtimes[0], /^runtime-/);
    const runtime = join(home, runtimes[0]);
    assert.equal(mode(runtime), 0o700);
    // The preload with its bytecode and map (npm/compile.ts), and oxc's addon.
    assert.deepEqual(readdirSync(runtime).sort(), [
      "oxc-parser.node",
      "preload.js",
      "preload.js.jsc",
      "preload.js.map",
    ]);
    for (const file of readdirSync(runtime)) assert.equal(mode(join(runtime, file)), 0o600);
    const made = statSync(join(runtime, "preload.js")).mtimeMs;
    // A second run uses the same files, and sees what the plain run sees.
    const [second, p] = await Promise.all([
      tph(t, ["run", "--no-cache", "echo.ts"], { cwd, env }),
      plain(t, "echo.ts", [], { cwd, env }),
    ]);
    assertCode(second, 0, "second run");
    assert.equal(output(second.stdout), output(p.stdout));
    assert.deepEqual(readdirSync(home).sort(), [...kept, ...runtimes, "transforms"].sort());
    assert.equal(statSync(join(runtime, "preload.js")).mtimeMs, made);
  });

  Deno.test(`the binary never runs a preload from a folder others can write (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "program") });
    const cwd = join(dir.path, "p");
    // A cache folder another user could have planted files in.
    const shared = join(dir.path, "cache/tph");
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o777);
    const env = { XDG_CACHE_HOME: join(dir.path, "cache") };
    const [r, p] = await Promise.all([
      tph(t, ["run", "--no-cache", "echo.ts"], { cwd, env }),
      plain(t, "echo.ts", [], { cwd, env }),
    ]);
    assertCode(r, 0, "run with a world-writable cache folder");
    assert.equal(output(r.stdout), output(p.stdout));
    assert.match(r.stderr, /^tph: \d+ calls? recorded/m, "the program was traced");
    assert.deepEqual(readdirSync(shared), [], "nothing was written to or used from it");
  });
}
