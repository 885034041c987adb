// npm/build.ts's asciiBundle: the CLI's bundle written in ASCII (V8 keeps a module's text with any
// other character as two bytes a character), each escape meaning what the character meant.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asciiBundle } from "../../npm/build.ts";

const ASCII = /^[^\u0080-\uffff]*$/;

Deno.test("asciiBundle: strings, untagged templates, regexes and comments as escapes, the same values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-ascii-"));
  try {
    const source = [
      'export const a = "…é\\…";',
      "/* ✓ */",
      'export const b = `x…${"→" + `›`}y`;',
      "export const c = /›[…]/u;",
      'export const d = "😀", e = "├── ";',
    ].join("\n");
    const before = join(dir, "before.mjs"), after = join(dir, "after.mjs");
    writeFileSync(before, source);
    writeFileSync(after, source);
    asciiBundle(after);
    const text = readFileSync(after, "utf8");
    assert.match(text, ASCII);
    const x = await import(before), y = await import(after);
    for (const k of ["a", "b", "d", "e"]) assert.equal(y[k], x[k], k);
    assert.ok(y.c.test("x›…") && !y.c.test("›x") && !y.c.test(">…"));
    assert.equal(x.c.test("x›…"), true);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("asciiBundle: a character a tag reads or in a name stops the build", () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-ascii-"));
  try {
    for (const source of ["export const t = String.raw`…`;", "export const café = 1;"]) {
      const file = join(dir, "m.mjs");
      writeFileSync(file, source);
      assert.throws(() => asciiBundle(file), /past ASCII outside a string/);
      assert.equal(readFileSync(file, "utf8"), source);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
