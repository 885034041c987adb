// `tph run --runtime`: the program runs, and is traced, on the runtime named, whichever runtime
// runs tph; the run says which.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertCode,
  BUN_TARGET,
  DENO_TARGET,
  lines,
  NODE_TARGET,
  splitStderr,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

const PROGRAM = `class Counter {
  count = 0;
  add(n: number): number {
    this.count += n;
    return this.count;
  }
}
const c = new Counter();
for (const n of [1, 2, 3]) c.add(n);
const g = globalThis as { Deno?: unknown; Bun?: unknown };
console.log(g.Deno ? "deno" : g.Bun ? "bun" : "node", c.count);
`;

const CASES: [Target, "deno" | "bun" | "node"][] = [
  [DENO_TARGET, "node"],
  [DENO_TARGET, "bun"],
  [NODE_TARGET, "deno"],
  [NODE_TARGET, "bun"],
  [BUN_TARGET, "node"],
];

for (const [t, runtime] of CASES) {
  Deno.test(`tph run --runtime ${runtime} traces on ${runtime} (tph on ${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "main.ts"), PROGRAM);
    const r = await tph(t, ["run", "--runtime", runtime, "main.ts"], { cwd: dir.path });
    assertCode(r, 0, `tph run --runtime ${runtime}`);
    assert.equal(r.stdout, `${runtime} 6\n`);
    assert.equal(splitStderr(r.stderr).program, "");
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    const [run] = JSON.parse(logs.stdout);
    assert.equal(run.run.runtime, runtime);
    assert.match(run.run.runtime_version, /^\d+\.\d+\.\d+/);
    assert.equal(run.call_count, 3, "the three adds");
    const tree = await tph(t, ["tree", "last"], { cwd: dir.path });
    assert.ok(lines(tree.stdout).some((l) => /Counter\.add\(n=3\) -> 6/.test(l)), tree.stdout);
  });
}

Deno.test("tph run --runtime with a runtime tph does not know: a usage error", async () => {
  await using dir = tempDir();
  writeFileSync(join(dir.path, "main.ts"), PROGRAM);
  const r = await tph(DENO_TARGET, ["run", "--runtime", "nodejs", "main.ts"], { cwd: dir.path });
  assertCode(r, 2, "an unknown runtime");
  assert.equal(lines(r.stderr)[0], 'tph: --runtime takes deno, bun, node, got "nodejs"');
  assert.equal(r.stdout, "", "the program did not run");
});
