import assert from "node:assert/strict";
import { scriptOf } from "../../../src/cli/launch/early_start.ts";

Deno.test("scriptOf() finds the script of a plain `tph run` command line", () => {
  assert.deepEqual(scriptOf(["main.ts"]), { script: "main.ts", args: [], runtime: undefined });
  assert.deepEqual(scriptOf(["main.ts", "--tree", "-o", "x"]), {
    script: "main.ts",
    args: ["--tree", "-o", "x"],
    runtime: undefined,
  });
  // Options with a value, separate or inline, and boolean ones.
  assert.deepEqual(
    scriptOf(["--label", "a b", "--include=x/**", "-o", "out.json", "--tree", "app.ts", "1"]),
    { script: "app.ts", args: ["1"], runtime: undefined },
  );
  assert.deepEqual(scriptOf(["--", "--odd-name.ts", "a"]), {
    script: "--odd-name.ts",
    args: ["a"],
    runtime: undefined,
  });
  // The runtime to run it on, when one tph knows; another is for the full parse to refuse.
  assert.deepEqual(scriptOf(["--runtime", "node", "main.ts"]), {
    script: "main.ts",
    args: [],
    runtime: "node",
  });
  assert.equal(scriptOf(["--runtime", "nodejs", "main.ts"]), null);
  assert.deepEqual(scriptOf(["-", "a"]), { script: "-", args: ["a"], runtime: undefined });
  // `-ot` is `--output t`, as the CLI's parse reads it (the same parser).
  assert.deepEqual(scriptOf(["-ot", "main.ts"]), {
    script: "main.ts",
    args: [],
    runtime: undefined,
  });
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
