// Which files are tph's own (never instrumented, in any copy: own_sources.ts), and how a copy of
// the library finds the running tph's (trace.ts, LibraryABI in src/abi.ts). `tph run` on each
// target with the checkout, vendored and installed copies: tests/cli/commands/_own_sources.ts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ownSources, tphCopy } from "../../../src/program/loader/own_sources.ts";
import { BIN, REPO } from "../../_harness.ts";

const ABI = readFileSync(join(REPO, "src/abi.ts"), "utf8");

/** A folder laid out with these files (path → text). */
function tree(files: Record<string, string>): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), "tph-own-"));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(path, f, ".."), { recursive: true });
    writeFileSync(join(path, f), text);
  }
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

Deno.test("tph's checkout is a copy of tph, its src/ and entry points its own files", () => {
  assert.deepEqual(tphCopy(REPO), { root: REPO, library: true });
  const own = ownSources();
  for (const f of ["mod.ts", "cli.ts", "bin.ts", "src/program/trace.ts", "src/abi.ts"]) {
    assert.ok(own(join(REPO, f)), f);
  }
  for (const f of ["examples/quickstart_async.ts", "tests/_harness.ts", "bench/run_all.ts"]) {
    assert.equal(own(join(REPO, f)), null, f);
  }
});

Deno.test("copies of tph are known wherever they are, nested ones too; look-alikes are not", () => {
  using dir = tree({
    "vendor/tph/src/abi.ts": ABI,
    "vendor/tph/src/program/trace.ts": "",
    "vendor/tph/mod.ts": "",
    "vendor/tph/examples/demo.ts": "",
    // The project's own src/abi.ts, not tph's.
    "src/abi.ts": 'export const RUNTIME_GLOBAL = "app";\n',
    "src/main.ts": "",
    "mod.ts": "",
    // tph's src/ holding a copy of an older tph (no library contract) in a src folder of its own.
    "node_modules/tph/src/abi.ts": ABI,
    "node_modules/tph/src/vendor/old/src/abi.ts": 'export const RUNTIME_GLOBAL = "__tph";\n',
    "node_modules/tph/src/vendor/old/mod.ts": "",
  });
  const own = ownSources();
  const at = (f: string) => own(join(dir.path, f));
  assert.deepEqual(at("vendor/tph/src/program/trace.ts"), {
    root: join(dir.path, "vendor/tph"),
    library: true,
  });
  assert.equal(at("vendor/tph/mod.ts")?.root, join(dir.path, "vendor/tph"));
  assert.equal(at("vendor/tph/examples/demo.ts"), null);
  assert.equal(at("src/main.ts"), null);
  assert.equal(at("mod.ts"), null);
  assert.deepEqual(at("node_modules/tph/src/vendor/old/mod.ts"), {
    root: join(dir.path, "node_modules/tph/src/vendor/old"),
    library: false,
  });
  assert.equal(at("node_modules/tph/src/x.ts")?.root, join(dir.path, "node_modules/tph"));
  assert.equal(own("/src/x.ts"), tphCopy("/"));
  assert.equal(own("relative.ts"), null);
});

/**
 * Run a script on Deno in which `globalThis.__tph` is `recorder` before a copy of tph's library
 * (the checkout's mod.ts) loads; what it prints.
 */
function withRecorder(recorder: string, body: string) {
  const code = `globalThis.__tph = ${recorder};\n` +
    `const { trace } = await import(${
      JSON.stringify(pathToFileURL(join(REPO, "mod.ts")).href)
    });\n` +
    body;
  const r = spawnSync(BIN.deno, ["eval", "--ext=ts", code], {
    encoding: "utf8",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

Deno.test("a copy of tph's library hands trace() and trace.run() to the installed tph's", () => {
  const lib = "{ version: 1, tph: 'x', trace: (o) => ({ from: 'lib', o }), " +
    "run: (fn, o) => ({ ran: fn(), o }), own: (...f) => { globalThis.owned = f.length; } }";
  const r = withRecorder(
    `{ on: false, lib: ${lib} }`,
    "console.log(JSON.stringify([trace({ label: 'a' }), trace.run(() => 7, { maxDepth: 2 }), " +
      "globalThis.owned]));\n",
  );
  assert.equal(r.stdout, '[{"from":"lib","o":{"label":"a"}},{"ran":7,"o":{"maxDepth":2}},2]\n');
  assert.equal(r.stderr, "");
});

Deno.test("a copy of tph's library says in one line that the installed tph's is of another version", () => {
  const lib = "{ version: 99, tph: '9.9.9', trace: () => 'h', run: () => 'r', own() {} }";
  const r = withRecorder(
    `{ on: false, lib: ${lib} }`,
    "console.log(trace(), trace(), trace.run(() => 1));\n",
  );
  assert.equal(r.stdout, "h h r\n");
  const line = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(line.length, 1, r.stderr);
  assert.match(
    line[0],
    /^tph: warning: the tph running this program \(9\.9\.9, library 99\) and the copy of tph's library it imports \(.+, library \d+\) differ: trace\(\) gives the running tph's trace handles; /,
  );
});

Deno.test("under an older tph's recorder a copy's trace() records nothing, says so once, and the program goes on", () => {
  // A recorder without a library, and without what this copy's handles call.
  const r = withRecorder(
    "{ on: false, attach() {} }",
    "function f() { return 1; }\n" +
      "const t = trace();\nf();\nt.stop();\n" +
      "const u = trace.run(() => f());\n" +
      "console.log(t.callCount, t.tree() === '', u.result, u.callCount, globalThis.__tph.on);\n",
  );
  assert.equal(r.stdout, "0 true 1 0 false\n");
  const line = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(line.length, 1, r.stderr);
  assert.match(
    line[0],
    /\(older, without a library version\) .* differ: trace\(\) records nothing; /,
  );
});
