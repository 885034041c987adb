// docs/cli.md and the README's command list are written from the command table (`deno task
// docs`): these tests fail when either is stale, or when a command has no section.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "../../../docs/generate.ts";
import { COMMANDS } from "../../../src/cli/commands/commands.ts";
import { beginMarker, END_MARKER, updateParts } from "../../../src/cli/commands/reference.ts";
import { REPO } from "./_cli.ts";

for (const [file, parts] of GENERATED) {
  Deno.test(`${file} holds what the command table gives (deno task docs writes it)`, () => {
    const text = readFileSync(join(REPO, file), "utf8");
    assert.equal(
      updateParts(text, COMMANDS, parts),
      text,
      `${file} is stale: run "deno task docs"`,
    );
  });
}

Deno.test("docs/cli.md has each command's usage and every option of the table", () => {
  const text = readFileSync(join(REPO, "docs/cli.md"), "utf8");
  for (const c of COMMANDS) {
    assert.ok(text.includes(`tph ${c.usage}`), c.name);
    for (const [name, o] of Object.entries(c.options)) {
      assert.ok(text.includes(`--${name}`), `${c.name} --${name}`);
      assert.ok(text.includes(o.help.replaceAll("|", "\\|")), `${c.name} --${name}: its help`);
    }
  }
});

Deno.test("a stale or missing part is found", () => {
  const stale = [beginMarker("tph logs"), "old text", END_MARKER].join("\n");
  assert.notEqual(updateParts(stale, COMMANDS, ["tph logs"]), stale);
  assert.throws(() => updateParts("", COMMANDS, ["tph logs"]), /no generated part for tph logs/);
  assert.throws(
    () => updateParts(beginMarker("tph nope") + "\n" + END_MARKER, COMMANDS, []),
    /names no command/,
  );
  assert.throws(() => updateParts(beginMarker("tph logs"), COMMANDS, []), /no end marker/);
});
