// The detail budget through the CLI: `tph run` shows the objects of the first calls of each
// function in full and later ones as summaries, says so on stderr (as `tph tree` and `tph view`
// do), `--details all` and the config's `details` change it, and a bad value is one line.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, type Target, tempDir, tph } from "./_cli.ts";

const PROGRAM = `class Token {
  constructor(kind, text) { this.kind = kind; this.text = text; }
}
function use(t, list) {
  if (t.text === "boom") throw new Error("bad " + t.text);
  return list.length;
}
for (let i = 0; i < 25; i++) use(new Token("word", "w" + i), [1, 2, 3]);
try { use(new Token("x", "boom"), [9]); } catch {}
console.log("done");
`;

export function detailsTests(t: Target): void {
  Deno.test(`tph run: objects past the first 20 calls of a function read as summaries (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "main.mjs"), PROGRAM);
    const run = await tph(t, ["run", "--tree", "main.mjs"], { cwd });
    assertCode(run, 0, "tph run");
    assert.equal(run.stdout.split("\n")[0], "done");
    // The tree is on stderr, beside the program's own output.
    const uses = run.stderr.split("\n").filter((l) => l.includes("use("));
    assert.equal(uses.length, 26);
    assert.match(uses[19], /use\(t=Token \{ kind: "word", text: "w19" \}, list=\[1, 2, 3\]\) -> 3/);
    assert.match(uses[20], /use\(t=Token \{…\}, list=Array\(3\)\) -> 3/);
    // The call that threw: in full.
    assert.match(
      uses[25],
      /use\(t=Token \{ kind: "x", text: "boom" \}, list=\[9\]\) !! Error: bad boom/,
    );
    const note =
      /tph: 10 objects shown as summaries \(\{…\} after their class name\) past the first 20 calls of each function \(tph run --details all shows every value\)/;
    assert.match(run.stderr, note);
    const tree = await tph(t, ["tree", "last"], { cwd });
    assertCode(tree, 0, "tph tree");
    assert.match(tree.stdout, /use\(t=Token \{…\}, list=Array\(3\)\)/);
    assert.match(tree.stderr, note);
    const view = await tph(t, ["view", "last"], { cwd });
    assert.match(view.stdout, /^Summaries +10 objects shown as summaries/m);
    assert.match(view.stdout, /details=20/);
    const json = await tph(t, ["view", "last", "--json"], { cwd });
    const meta = JSON.parse(json.stdout);
    assert.equal(meta.summarised, 10);
    assert.equal(meta.config.details, 20);
  });

  Deno.test(`tph run --details all / N and the config's details (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "main.mjs"), PROGRAM);
    const all = await tph(t, ["run", "--tree", "--details", "all", "main.mjs"], { cwd });
    assertCode(all, 0, "--details all");
    assert.match(all.stderr, /use\(t=Token \{ kind: "word", text: "w24" \}/);
    assert.doesNotMatch(all.stderr, /\{…\}|Array\(3\)/);
    assert.doesNotMatch(all.stderr, /shown as summaries/);
    const logs = await tph(t, ["logs"], { cwd });
    assert.match(logs.stdout, /details=all/);
    const two = await tph(t, ["run", "--tree", "--details", "2", "main.mjs"], { cwd });
    assert.equal(two.stderr.split("\n").filter((l) => l.includes("use(t=Token {…}")).length, 23);
    writeFileSync(join(cwd, "tracepatch.toml"), 'details = "all"\n');
    const configured = await tph(t, ["run", "--tree", "main.mjs"], { cwd });
    assert.match(configured.stderr, /text: "w24"/);
    assert.doesNotMatch(configured.stderr, /\{…\}/);
    for (const bad of ["-1", "x", "1.5"]) {
      const r = await tph(t, ["run", "--details", bad, "main.mjs"], { cwd });
      assertCode(r, 2, `--details ${bad}`);
      assert.match(
        r.stderr,
        new RegExp(
          `^tph: --details must be a whole number or "all", got "${bad.replace(".", "\\.")}"\\n`,
        ),
      );
      assert.doesNotMatch(r.stdout, /done/);
    }
    writeFileSync(join(cwd, "tracepatch.toml"), "details = -3\n");
    const config = await tph(t, ["run", "main.mjs"], { cwd });
    assertCode(config, 1, "details = -3");
    assert.match(
      config.stderr,
      /^tph: Invalid config in tracepatch.toml: "details" must be a whole number or "all", got -3\n/,
    );
  });

  Deno.test(`tph diff: a summary and the same object in full compare alike (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "main.mjs"), PROGRAM);
    const a = await tph(t, ["run", "main.mjs"], { cwd });
    assertCode(a, 0, "run A");
    // One call more at the start: each later call of use() is one further, so the call that is
    // the 21st (summarised) in B is the 20th (in full) in A.
    writeFileSync(
      join(cwd, "main.mjs"),
      PROGRAM.replace("for (let i", 'use(new Token("early", "e"), [0]);\nfor (let i'),
    );
    const b = await tph(t, ["run", "main.mjs"], { cwd });
    assertCode(b, 0, "run B");
    const diff = await tph(t, ["diff", "2", "1", "--json"], { cwd });
    assertCode(diff, 1, "tph diff");
    const changes = JSON.parse(diff.stdout).changes as { kind: string }[];
    // The new call and the Token it is given: nothing changed.
    assert.deepEqual(changes.map((c) => c.kind), ["added", "added"]);
    const exact = await tph(t, ["diff", "2", "1", "--json", "--exact"], { cwd });
    assert.ok(
      (JSON.parse(exact.stdout).changes as { kind: string }[]).some((c) => c.kind === "changed"),
      "--exact tells a summary from the value",
    );
  });
}
