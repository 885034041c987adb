// tph test finds the project's runner, and the arguments its test script gives it, from the
// nearest folder that says (package.json's test script or dependencies, deno.json, bunfig.toml),
// else from what the test files import.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { detectRunner } from "../../../src/cli/commands/test_command.ts";
import { LOOK, runnerFromImports } from "../../../src/cli/commands/runner_from_imports.ts";

/** The runner detected in a folder holding these files. */
function detected(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "tph-detect-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = detectRunner(dir);
    return r === null ? null : { name: r.name, args: r.args, script: r.script };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const script = (test: string) => ({ "package.json": JSON.stringify({ scripts: { test } }) });

Deno.test("detectRunner: a test script's runner and its arguments, through a package manager too", () => {
  assert.deepEqual(detected(script("jest --ci")), {
    name: "jest",
    args: ["--ci"],
    script: undefined,
  });
  assert.deepEqual(detected(script("yarn jest")), { name: "jest", args: [], script: undefined });
  assert.deepEqual(detected(script("pnpm exec jest -i")), {
    name: "jest",
    args: ["-i"],
    script: undefined,
  });
  assert.deepEqual(detected(script("npx vitest run --project unit")), {
    name: "vitest",
    args: ["run", "--project", "unit"],
    script: undefined,
  });
  assert.deepEqual(detected(script("node --conditions dev --test test/")), {
    name: "node",
    args: ["--conditions", "dev", "test/"],
    script: undefined,
  });
  // More than one plain command: the runner, without the script's arguments (tph warns).
  assert.deepEqual(detected(script("eslint . && jest --ci")), {
    name: "jest",
    args: undefined,
    script: "eslint . && jest --ci",
  });
  assert.equal(detected(script("bun test"))?.name, "bun");
  assert.equal(detected(script("deno test -A"))?.name, "deno");
});

Deno.test("detectRunner: dependencies, deno.json, bunfig.toml, else Node's for a package.json", () => {
  assert.equal(
    detected({ "package.json": '{ "devDependencies": { "jest": "30" } }' })?.name,
    "jest",
  );
  assert.equal(
    detected({ "package.json": '{ "devDependencies": { "vitest": "5" } }' })?.name,
    "vitest",
  );
  assert.equal(detected({ "deno.json": "{}" })?.name, "deno");
  assert.equal(detected({ "bunfig.toml": "" })?.name, "bun");
  assert.equal(detected({ "package.json": "{}" })?.name, "node");
});

/** The runner the test files in a folder holding these files import (folders made as needed). */
function imported(files: Record<string, string>, own: "deno" | "bun" | "node" = "deno") {
  const dir = mkdtempSync(join(tmpdir(), "tph-imports-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return runnerFromImports(dir, own);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

Deno.test("runnerFromImports: the runner most test files import, a tie to tph's runtime", () => {
  assert.deepEqual(
    imported({
      "a.test.ts": 'import { test, expect } from "bun:test";\n',
      "src/b.spec.ts": "import { it } from 'bun:test'",
      "test/c.ts": 'const { test } = require("node:test");\n',
      "lib.ts": 'import "vitest";\n', // not a test file
      "node_modules/x/x.test.js": 'import "vitest";\n',
    }),
    { name: "bun", why: "2 of 3 test files import bun:test" },
  );
  assert.deepEqual(imported({ "x_test.ts": 'Deno.test("x", () => {});\n' }), {
    name: "deno",
    why: "1 of 1 test file calls Deno.test",
  });
  assert.equal(imported({ "__tests__/x.js": 'import { vi } from "vitest";\n' })?.name, "vitest");
  assert.equal(imported({ "x.test.js": 'import { jest } from "@jest/globals";\n' })?.name, "jest");
  const tie = {
    "a.test.ts": 'import { test } from "bun:test";\n',
    "b.test.js": 'import test from "node:test";\n',
  };
  assert.deepEqual(imported(tie, "node"), {
    name: "node",
    why: "1 of 2 test files import node:test, as many for bun (tph runs on node)",
  });
  assert.equal(imported(tie, "bun")?.name, "bun");
  assert.equal(imported(tie, "deno")?.name, "bun");
  // Nothing to go by: the runner is not guessed from imports.
  assert.equal(imported({ "a.test.js": "test('x', () => {});\n", "main.ts": "" }), null);
});

Deno.test("runnerFromImports: reads so many test files, and the start of each", () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < LOOK.files + 20; i++) {
    files[`t${String(i).padStart(3, "0")}.test.js`] = 'import test from "node:test";\n';
  }
  files["zz/big.test.js"] = " ".repeat(LOOK.bytes) + 'import { test } from "bun:test";\n';
  assert.deepEqual(imported(files), {
    name: "node",
    why: `${LOOK.files} of ${LOOK.files} test files import node:test`,
  });
  assert.equal(
    imported({ "big.test.js": " ".repeat(LOOK.bytes) + 'import { test } from "bun:test";\n' }),
    null,
  );
});
