// Nothing of the program's (names, values, arguments, errors), of the configuration (labels) or
// of file names reaches the terminal as control characters or bidi overrides: tph escapes them.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, FIXTURES, type Target, tempDir, tph } from "./_cli.ts";

// C0 controls but tab and line feed, DEL, C1, line separators, bidi overrides and isolates.
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertNoRaw(text: string, what: string): void {
  const m = RAW.exec(text);
  assert.ok(
    m === null,
    `${what}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} in:\n${
      JSON.stringify(text)
    }`,
  );
}

export function escapeTests(t: Target): void {
  Deno.test(`tph prints no control characters of the program's (${t.name})`, async () => {
    await using dir = tempDir({ p: join(FIXTURES, "escapes") });
    const cwd = join(dir.path, "p");
    const label = "lbl\u001b]0;title\u0007\u202e";
    const arg = "arg\u001b[2J\u009b";
    const run = await tph(t, ["run", "--tree", "--label", label, "hostile.js", arg], { cwd });
    assertCode(run, 0, "tph run hostile.js");
    assert.equal(run.stdout, "4\n", "the program's own output is its own");
    assertNoRaw(run.stderr, "tph run --tree");
    assert.match(run.stderr, /\(x="arg\\u001b\[2J\\u009b"\) -> "arg\\u001b\[2J\\u009b\\u001b\]0;/);
    // A file in the cache with a hostile name.
    writeFileSync(join(cwd, ".tracepatch_cache", "run_x\u001b[2J.json"), "not json");
    for (
      const args of [["logs"], ["view", "last"], ["tree", "last"], ["view", "last", "--json"]]
    ) {
      const r = await tph(t, args, { cwd });
      assertCode(r, 0, `tph ${args.join(" ")}`);
      assertNoRaw(r.stdout, `tph ${args.join(" ")} stdout`);
      assertNoRaw(r.stderr, `tph ${args.join(" ")} stderr`);
    }
    const missing = await tph(t, ["tree", "nope\u001b[2J"], { cwd });
    assertCode(missing, 1, "tph tree of a hostile ref");
    assertNoRaw(missing.stderr, "error naming a hostile ref");
  });

  Deno.test(`tph export to stdout escapes C1, separators and bidi in every text format (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), "{}");
    // Names and values with what JSON leaves raw in its strings: DEL, C1 (NEL, CSI), U+2028/2029,
    // a bidi override and an isolate.
    const odd = "\\u007f\\u0085\\u009b31m\\u2028\\u2029\\u202e\\u2066";
    writeFileSync(
      join(cwd, "main.js"),
      `const o = { ["f${odd}"](x) { return x + "${odd}"; } };\n` +
        `function main() { return o["f${odd}"]("v${odd}"); }\nmain();\n`,
    );
    assertCode(await tph(t, ["run", "main.js"], { cwd }), 0, "tph run main.js");
    for (const format of ["json", "chrome", "speedscope", "otlp"]) {
      const file = await tph(t, ["export", "last", "--format", format, "-o", `out.${format}`], {
        cwd,
      });
      assertCode(file, 0, `tph export --format ${format} -o FILE`);
      const written = readFileSync(join(cwd, `out.${format}`), "utf8");
      // The file holds the characters as recorded: the test has something to escape.
      assert.ok(written.includes("\u202e"), `${format}: the file holds the raw characters`);
      const args = format === "json"
        ? ["export", "last"]
        : ["export", "last", "--format", format, "-o", "-"];
      const r = await tph(t, args, { cwd });
      assertCode(r, 0, `tph ${args.join(" ")}`);
      assertNoRaw(r.stdout, `tph ${args.join(" ")} stdout`);
      assert.ok(r.stdout.includes("\\u202e"), `${format}: escaped, not dropped`);
      assert.deepEqual(JSON.parse(r.stdout), JSON.parse(written), `${format}: the same JSON`);
    }
  });
}
