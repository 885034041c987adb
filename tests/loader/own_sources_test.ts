// Which files are tph's own (never instrumented, in any copy: own_sources.ts), and how a copy of
// the library finds the running tph's (trace.ts, LibraryABI in src/abi.ts). `tph run` on each
// target with the checkout, vendored and installed copies: tests/cli/_own_sources.ts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN, REPO } from "../_harness.ts";

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
