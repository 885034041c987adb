// Names that survive edits: functions without a name of their own are named by their place
// (`priceOrder › map callback`, `fetchPrice › Promise executor`), never by line and column, so
// `tph diff` of the shop example before and after a line is inserted at the top of every file
// finds no difference, and still finds a changed value.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../_harness.ts";
import { assertCode, type Target, tempDir, tph } from "./_cli.ts";

const FILES = ["main.ts", "inventory.ts", "pricing.ts"];

export function editDiffTests(t: Target): void {
  Deno.test(`tph diff: a line inserted at the top of every file changes no call (${t.name})`, async () => {
    await using dir = tempDir({ shop: join(REPO, "examples/shop") });
    const cwd = join(dir.path, "shop");
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    const run = async () => assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run");
    await run();
    const tree = await tph(t, ["tree", "last"], { cwd });
    assert.doesNotMatch(tree.stdout, /@\d+:\d+/, "no call is named by line and column");
    assert.match(tree.stdout, /priceOrder › map callback\(/);
    assert.match(tree.stdout, /fetchPrice › Promise executor\(/);
    for (const f of FILES) {
      const path = join(cwd, f);
      writeFileSync(path, "// a comment line\n" + readFileSync(path, "utf8"));
    }
    await run();
    const same = await tph(t, ["diff", "2", "1"], { cwd });
    assertCode(same, 0, "tph diff after the edit");
    assert.match(
      same.stdout,
      /^No differences: 0 changed, 0 added, 0 removed; \d+ calls the same$/m,
    );
    // A changed value is still found.
    const pricing = join(cwd, "pricing.ts");
    writeFileSync(pricing, readFileSync(pricing, "utf8").replace("apple: 0.5", "apple: 0.6"));
    await run();
    const changed = await tph(t, ["diff", "2", "1"], { cwd });
    assertCode(changed, 1, "tph diff after a price changed");
    assert.match(changed.stdout, /applyDiscount\(total=3 → 3\.3, code=undefined\) -> 3 → 3\.3/);
  });
}
