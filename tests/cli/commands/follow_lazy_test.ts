// On Node, tph patches child_process and worker_threads when the program first loads one of them
// (follow.ts's followWhenLoaded), not before every program: each way a program can load them
// finds them patched, and a program that loads none of them runs with none of them loaded.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunJSON } from "../../../src/types.ts";
import { assertCode, NODE_TARGET as t, plain, tempDir, tph } from "./_cli.ts";

type Row = RunJSON & { id: string; parent?: unknown };

const CHILD = `function triple(x) { return x * 3; }
console.log("child", process.argv[2], triple(3));
`;

/** Each way: the program, and what it starts (the child's argument). */
const WAYS: Record<string, string> = {
  // A named ES import: Node's facade of the built-in copies its exports when first made.
  "named.mjs": `import { spawnSync } from "node:child_process";
console.log(String(spawnSync(process.execPath, ["child.cjs", "named"]).stdout).trim());
`,
  "require.cjs": `const { execFileSync } = require("child_process");
console.log(String(execFileSync(process.execPath, ["child.cjs", "require"])).trim());
`,
  "builtin.cjs": `const g = process.getBuiltinModule;
console.log(g.name, g.length, String(g), Object.getOwnPropertyDescriptor(process, "getBuiltinModule").enumerable);
const cp = g("node:child_process");
console.log(String(cp.spawnSync(process.execPath, ["child.cjs", "builtin"]).stdout).trim());
`,
  "dynamic.mjs": `const { spawnSync } = await import("node:child_process");
console.log(String(spawnSync(process.execPath, ["child.cjs", "dynamic"]).stdout).trim());
`,
  "worker.mjs": `import { Worker } from "node:worker_threads";
new Worker("function quad(x) { return x * 4; } console.log('worker', quad(2));", { eval: true });
`,
  // Patched as the program runs: what it changed in another built-in's exports stays out of the
  // ES modules that imported that built-in before (no syncBuiltinESMExports then).
  "exports.mjs": `import { existsSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
require("fs").existsSync = () => "changed";
require("child_process");
console.log("existsSync", String(existsSync("/")));
`,
  // Nothing of theirs: neither is loaded (a plain run loads neither).
  "none.cjs": `function f() { return 1; }
f();
const loaded = process.moduleLoadList.filter((m) => /^NativeModule (child_process|worker_threads)$/.test(m));
console.log("loaded", JSON.stringify(loaded));
`,
};

Deno.test("tph run on Node follows children however the program loads child_process and worker_threads, and loads them only then", async () => {
  await using dir = tempDir();
  writeFileSync(join(dir.path, "child.cjs"), CHILD);
  for (const [file, text] of Object.entries(WAYS)) writeFileSync(join(dir.path, file), text);
  for (const file of Object.keys(WAYS)) {
    const [p, r] = await Promise.all([
      plain(t, file, [], { cwd: dir.path }),
      tph(t, ["run", "--cache-dir", join(dir.path, "cache"), file], { cwd: dir.path }),
    ]);
    assertCode(r, 0, `tph run ${file}`);
    assert.equal(r.stdout, p.stdout, file);
    const rows = JSON.parse(
      (await tph(t, ["logs", "--json", "--cache-dir", join(dir.path, "cache")], { cwd: dir.path }))
        .stdout,
    ) as Row[];
    const children = rows.filter((row) => row.parent !== undefined);
    const starts = file === "none.cjs" || file === "exports.mjs" ? 0 : 1;
    assert.equal(children.length, starts, `${file}: ${r.stderr}`);
    if (file === "none.cjs") assert.match(p.stdout, /^loaded \[\]$/m);
    if (file === "exports.mjs") assert.equal(p.stdout, "existsSync true\n");
    await Deno.remove(join(dir.path, "cache"), { recursive: true });
  }
});
