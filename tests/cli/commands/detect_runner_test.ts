// tph test finds the project's runner, and the arguments its test script gives it, from the
// nearest folder that says (package.json's test script or dependencies, deno.json, bunfig.toml).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectRunner } from "../../../src/cli/commands/test_command.ts";

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
