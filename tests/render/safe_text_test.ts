import assert from "node:assert/strict";
import { safeOutput, safeText } from "../../src/render/safe_text.ts";

Deno.test("safeText() escapes controls, C1, separators and bidi overrides, and keeps the rest", () => {
  assert.equal(safeText("plain ✓ text\twith tab"), "plain ✓ text\twith tab");
  assert.equal(safeText("a\u001b[2Jb"), "a\\u001b[2Jb");
  assert.equal(safeText("t\u001b]0;x\u0007"), "t\\u001b]0;x\\u0007");
  assert.equal(safeText("csi\u009b31m"), "csi\\u009b31m");
  assert.equal(safeText("l\nr\r"), "l\\nr\\r");
  assert.equal(safeText("\u202eevil\u2066\u2028"), "\\u202eevil\\u2066\\u2028");
  assert.equal(safeText("del\u007f"), "del\\u007f");
});

Deno.test("safeOutput() keeps line breaks and colour sequences, escapes any other escape", () => {
  const coloured = "\u001b[36mname\u001b[0m(x=1)\n\u001b[2m[ext]\u001b[0m\n";
  assert.equal(safeOutput(coloured), coloured);
  assert.equal(safeOutput("clear\u001b[2J\n"), "clear\\u001b[2J\n");
  assert.equal(safeOutput("title\u001b]0;x\u0007"), "title\\u001b]0;x\\u0007");
  assert.equal(safeOutput("cr\r\u009b\u202e"), "cr\\r\\u009b\\u202e");
});
