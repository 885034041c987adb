// Lines that fit the terminal: on a terminal, `tph tree` and `tph run --tree` cut values (with
// `…`) so that every line fits its width (COLUMNS when set); `--wide` keeps whole lines, and a
// pipe gets whole lines. Run under script(1) for a terminal, where the machine has it.

import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../_harness.ts";
import { assertCode, exec, type Target, tempDir, tph } from "./_cli.ts";

const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

/** The widest line of a terminal's output, colours left out; and whether any value was cut. */
function widest(text: string, skip: RegExp): { width: number; cut: boolean } {
  let width = 0, cut = false;
  for (const raw of text.split(/\r?\n/)) {
    // deno-lint-ignore no-control-regex -- ANSI colour codes
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    if (skip.test(line)) continue;
    width = Math.max(width, [...line].length);
    if (line.includes("…")) cut = true;
  }
  return { width, cut };
}

export function widthTests(t: Target): void {
  Deno.test({
    name:
      `tph tree and run --tree fit a terminal's width; --wide and pipes keep whole lines (${t.name})`,
    ignore: SCRIPT === undefined,
    async fn() {
      await using dir = tempDir({ shop: join(REPO, "examples/shop") });
      const cwd = join(dir.path, "shop");
      writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
      const onTerminal = (args: string[], env: Record<string, string>) =>
        exec(
          [SCRIPT!, "-qec", [...t.tph, ...args].map((w) => `'${w}'`).join(" "), "/dev/null"],
          { cwd, env, timeoutMs: 120_000 },
        );
      const program = /^(placed|refused|tph:)/;
      const run = await onTerminal(["run", "--tree", "main.ts"], { COLUMNS: "100" });
      assertCode(run, 0, "tph run --tree on a terminal");
      const drawn = widest(run.stdout, program);
      assert.ok(drawn.width <= 100 && drawn.width > 80, `run --tree: ${drawn.width} columns`);
      assert.ok(drawn.cut, "values were cut to fit");
      const tree = await onTerminal(["tree", "last"], { COLUMNS: "100" });
      assert.equal(widest(tree.stdout, program).width, drawn.width);
      const wide = await onTerminal(["tree", "last", "--wide"], { COLUMNS: "100" });
      const whole = widest(wide.stdout, program);
      assert.ok(whole.width > 120 && !whole.cut, `--wide: ${whole.width} columns`);
      // Through a pipe: whole lines, COLUMNS or not.
      const piped = await tph(t, ["tree", "last"], { cwd, env: { COLUMNS: "100" } });
      assert.equal(widest(piped.stdout, program).width, whole.width);
    },
  });
}
