import assert from "node:assert/strict";
import { scriptOf } from "../../../src/cli/launch/early_start.ts";

Deno.test("scriptOf() finds the script of a plain `tph run` command line", () => {
  assert.deepEqual(scriptOf(["main.ts"]), { script: "main.ts", args: [] });
  assert.deepEqual(scriptOf(["main.ts", "--tree", "-o", "x"]), {
    script: "main.ts",
    args: ["--tree", "-o", "x"],
  });
  // Options with a value, separate or inline, and boolean ones.
  assert.deepEqual(
    scriptOf(["--label", "a b", "--include=x/**", "-o", "out.json", "--tree", "app.ts", "1"]),
    { script: "app.ts", args: ["1"] },
  );
  assert.deepEqual(scriptOf(["--", "--odd-name.ts", "a"]), {
    script: "--odd-name.ts",
    args: ["a"],
  });
  assert.deepEqual(scriptOf(["-", "a"]), { script: "-", args: ["a"] });
  // `-ot` is `--output t`, as the CLI's parse reads it (the same parser).
  assert.deepEqual(scriptOf(["-ot", "main.ts"]), { script: "main.ts", args: [] });
});

Deno.test("scriptOf() leaves anything unusual to the full parse", () => {
  for (
    const args of [
      [],
      ["--tree"],
      ["--label"],
      ["--"],
      ["-h", "main.ts"],
      ["--help", "main.ts"],
      ["--bogus", "main.ts"],
      ["--tree=yes", "main.ts"],
      ["-x", "main.ts"],
      ["--constructor", "main.ts"],
    ]
  ) assert.equal(scriptOf(args), null, JSON.stringify(args));
});
