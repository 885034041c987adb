// Node prints an uncaught error's stack as it was captured: a frame more or less shows what ran
// the program. Under `tph run` the entry must run as Node runs it plainly, with nothing of tph's
// left waiting in Node's queues when it starts: an ES module entry, evaluated from the loader's
// promises, would otherwise start from `processTicksAndRejections` and its error would show that
// frame. Node creates `process.stdin` lazily, and on a file (stdin redirected from one) doing so
// queues such a tick: the programs here run with stdin from a file, on Node 24 and 22, with and
// without --enable-source-maps, and their whole stderr (less tph's own lines) must be the plain one.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec, NODE, NODE22, REPO, splitStderr, tempDir } from "./_cli.ts";

const PROGRAMS: Record<string, string> = {
  "entry.cjs": 'function f() {\n  throw new Error("boom");\n}\nf();\n',
  "entry.mjs": 'function f() {\n  throw new Error("boom");\n}\nf();\n',
  "entry.ts": 'function f(n: number): never {\n  throw new Error("boom " + n);\n}\nf(1);\n',
  // An ES module importing another, which fails after an await.
  "main.mjs": 'import { g } from "./lib.mjs";\nawait null;\ng();\n',
  "lib.mjs": 'export function g() {\n  throw new TypeError("bad");\n}\n',
};
const ENTRIES = ["entry.cjs", "entry.mjs", "entry.ts", "main.mjs"];

for (const [name, node] of [["node 24", NODE], ["node 22", NODE22]]) {
  for (const sourceMaps of [false, true]) {
    Deno.test(
      `tph run: an uncaught error's stack is Node's own, stdin a file (${name}${
        sourceMaps ? ", --enable-source-maps" : ""
      })`,
      async () => {
        await using dir = tempDir();
        for (const [file, text] of Object.entries(PROGRAMS)) {
          writeFileSync(join(dir.path, file), text);
        }
        writeFileSync(join(dir.path, "package.json"), '{ "name": "stacks" }\n');
        const stdin = join(dir.path, "stdin.txt");
        writeFileSync(stdin, "input\n");
        // Stdin from the file, as the shell's `<` gives it.
        const fromFile = (argv: string[]) => ["/bin/sh", "-c", 'exec "$@" < "$0"', stdin, ...argv];
        const env: Record<string, string> = sourceMaps
          ? { NODE_OPTIONS: "--enable-source-maps" }
          : {};
        for (const entry of ENTRIES) {
          const options = { cwd: dir.path, env, timeoutMs: 60_000 };
          const plain = await exec(fromFile([node, entry]), options);
          const traced = await exec(
            fromFile([node, join(REPO, "cli.ts"), "run", "--include", "*", entry]),
            options,
          );
          const context =
            `${entry}\n--- plain ---\n${plain.stderr}\n--- traced ---\n${traced.stderr}`;
          assert.match(plain.stderr, /Error/, `the plain run fails: ${context}`);
          assert.equal(splitStderr(traced.stderr).program, plain.stderr, `stderr: ${context}`);
          assert.equal(traced.stdout, plain.stdout, `stdout: ${context}`);
          assert.equal(traced.code, plain.code, `exit code: ${context}`);
        }
      },
    );
  }
}
