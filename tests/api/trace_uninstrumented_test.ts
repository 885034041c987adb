// trace() where nothing is instrumented (the program run by its runtime, not by `tph run`): it is
// never silent about recording nothing — one warning line on stderr, however many blocks; a
// `strict` block throws; TPH_DISABLE=1 makes every block a no-op, without a word. Under `tph run`
// (the harness's preload) no such line.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runPlain, type RuntimeName, runTraced } from "../_harness.ts";
import { UNINSTRUMENTED } from "../../src/program/trace.ts";

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const WARNING = `tph: warning: ${UNINSTRUMENTED}\n`;

const dir = mkdtempSync(join(tmpdir(), "tph-uninstrumented-"));
globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
const MOD = JSON.stringify(join(REPO, "mod.ts"));

const BLOCKS = join(dir, "blocks.ts");
writeFileSync(
  BLOCKS,
  `import { trace } from ${MOD};
function fetchUser(id: number) { return { id, name: "Alice" }; }
const a = trace.run(() => fetchUser(1));
const b = await trace.run(async () => fetchUser(2));
{
  using t = trace({ label: "block" });
  fetchUser(3);
  console.log(JSON.stringify([a.callCount, a.result, b.callCount, b.result, t.active]));
}
`,
);

const STRICT = join(dir, "strict.ts");
writeFileSync(
  STRICT,
  `import { trace } from ${MOD};
try {
  trace.run(() => 1, { strict: true });
  console.log("no error");
} catch (e) {
  console.log((e as Error).message);
}
`,
);

for (const rt of RUNTIMES) {
  Deno.test(`trace() with nothing instrumented says so once (${rt})`, () => {
    const r = runPlain(rt, BLOCKS, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[0,{"id":1,"name":"Alice"},0,{"id":2,"name":"Alice"},true]\n');
    assert.equal(r.stderr, WARNING, "one line, for three blocks");
  });

  Deno.test(`trace({ strict: true }) with nothing instrumented throws (${rt})`, () => {
    const r = runPlain(rt, STRICT, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `tph: ${UNINSTRUMENTED}\n`);
    assert.equal(r.stderr, "");
  });

  Deno.test(`TPH_DISABLE=1 makes every block a no-op, without a word (${rt})`, () => {
    const plain = runPlain(rt, BLOCKS, { cwd: dir, env: { TPH_DISABLE: "1" } });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, '[0,{"id":1,"name":"Alice"},0,{"id":2,"name":"Alice"},false]\n');
    assert.equal(plain.stderr, "");
    // Under tph run too: the blocks record nothing.
    const traced = runTraced(rt, BLOCKS, { cwd: dir, env: { TPH_DISABLE: "1" } });
    assert.equal(traced.stdout, plain.stdout);
    assert.equal(traced.stderr, "");
  });

  Deno.test(`trace() under tph run: no warning, the blocks record (${rt})`, () => {
    const r = runTraced(rt, BLOCKS, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[1,{"id":1,"name":"Alice"},1,{"id":2,"name":"Alice"},true]\n');
    assert.equal(r.stderr, "");
  });
}
