import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonMetaError, readJsonMeta } from "../../src/run_file/json_meta.ts";

function withFile(content: string | Uint8Array, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-json-meta-"));
  try {
    const path = join(dir, "run.json");
    writeFileSync(path, content);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function problem(content: string | Uint8Array): string {
  let message = "";
  withFile(content, (path) => {
    try {
      readJsonMeta(path);
      message = "read";
    } catch (e) {
      assert.ok(e instanceof JsonMetaError, String(e));
      message = e.message;
    }
  });
  return message;
}

Deno.test("readJsonMeta reads every field but the trace, across chunks, as JSON.parse does", () => {
  // Strings that hold quotes, backslashes and brackets, in calls that span several 1 MB chunks.
  const call = (i: number) => ({
    name: `f${i}`,
    args: { s: `"]}\\[{${"x".repeat(i % 300)}`, u: "\u2028é😀" },
    children: i % 7 === 0 ? [{ name: "g", children: [] }] : [],
  });
  const trace = Array.from({ length: 20_000 }, (_, i) => call(i));
  const run = {
    schema: 1,
    label: 'a "label" [x]',
    trace,
    timestamp: "2026-11-24T00:00:00.000Z",
    call_count: 22_858,
    run: { command: ["main.js", "--x=[1]"], exit_code: null, duration_ms: 1.5e-3 },
    was_limited: false,
  };
  for (const indent of [undefined, 2]) {
    const text = JSON.stringify(run, null, indent);
    assert.ok(text.length > 3 << 20, `${text.length} bytes: more than a chunk`);
    withFile(text, (path) => {
      const { trace: _, ...meta } = run;
      assert.deepEqual(readJsonMeta(path), { ...meta, trace: [] });
    });
  }
});

Deno.test("readJsonMeta gives up where the file stops being JSON, not at its end", () => {
  assert.equal(problem(new Uint8Array(1 << 22)), "invalid JSON (not JSON)");
  assert.equal(problem(""), "invalid JSON (the file is empty)");
  const head = '{"schema": 1, "trace": [';
  const holed = new Uint8Array(1 << 22);
  holed.set(new TextEncoder().encode(head));
  assert.equal(problem(holed), `invalid JSON (at byte ${head.length})`);
  assert.equal(problem('{"trace": [1, {"a": [}]}'), "invalid JSON (at byte 21)");
  assert.equal(problem('{"trace": ["a\u0001"]}'), "invalid JSON (at byte 13)");
  assert.equal(problem('{"trace": [], "x": 1} 2'), "invalid JSON (at byte 22)");
  assert.equal(problem('{"trace": [], "x": tru}'), "invalid JSON (at byte 19)");
  assert.equal(problem('{"trace": [[[]]'), "invalid JSON (at byte 15)");
  assert.equal(problem('{"x": 1 "y": 2}'), "invalid JSON (at byte 8)");
  assert.equal(problem(`{"label": "${"x".repeat(2 << 20)}"}`), "a field is larger than 1 MB");
  assert.equal(problem("[1, 2]"), "invalid JSON (not JSON)");
  assert.equal(problem("  {}  \n"), "read");
});
