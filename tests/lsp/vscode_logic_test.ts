// The VS Code client's decisions, without the editor (editors/vscode/client_logic.js): how `tph
// lsp` is started from the settings, the run picker's items, and a call's tree as a document.

import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const logic = require("../../editors/vscode/client_logic.js");

Deno.test("vscode client: the server's command and options from the settings", () => {
  assert.deepEqual(logic.serverOptions({ path: " /opt/tph/bin/tph " }, "/w"), {
    command: "/opt/tph/bin/tph",
    args: ["lsp"],
    options: { cwd: "/w" },
  });
  for (const path of [undefined, "", "  ", 3]) {
    assert.equal(logic.serverOptions({ path }, "/w").command, "tph");
  }
  assert.deepEqual(logic.initializationOptions({ hintWidth: 80.7 }), { hintWidth: 80 });
  for (const hintWidth of [undefined, 3, "x", NaN]) {
    assert.deepEqual(logic.initializationOptions({ hintWidth }), { hintWidth: 60 });
  }
});

Deno.test("vscode client: the run picker and a tree's document", () => {
  const items = logic.runPickItems([
    {
      n: 1,
      id: "a",
      label: null,
      timestamp: "t1",
      calls: 5,
      test: { name: "adds", outcome: "failed" },
      shown: true,
    },
    { n: 2, id: "b", label: "nightly", timestamp: "t2", calls: 9, test: null, shown: false },
    { n: 3, id: "c", label: null, timestamp: "t3", calls: 1, test: null, shown: false },
  ]);
  assert.deepEqual(items.map((i: { label: string }) => i.label), [
    "$(eye) #1 adds",
    "#2 nightly",
    "#3 c",
  ]);
  assert.deepEqual(items.map((i: { description: string }) => i.description), [
    "failed · 5 calls",
    "9 calls",
    "1 call",
  ]);
  assert.deepEqual(items.map((i: { ref: number }) => i.ref), [1, 2, 3]);
  assert.deepEqual(logic.treeDocument({ title: "tph tree · f", text: "└── f() -> 1" }), {
    content: "tph tree · f\n\n└── f() -> 1\n",
    language: "plaintext",
  });
  assert.equal(logic.treeDocument(null).content, "tph: no tree for that call");
  assert.deepEqual(
    ["tph.showTree", "tph.compareRuns", "tph.openPage", "tph.useRun"].map(logic.opensDocument),
    [true, true, false, false],
  );
});
