// `tph test`, each test its own run as the runner counts it: a test whose process exits by its own
// call (node --test and bun test count its file as passed on exit(0)), an exit in a Deno test
// reported without a frame of tph's, Deno's steps (`t.step`, and BDD's describe/it built on them)
// and a Deno workspace's members; the runner chosen from the test files' imports when nothing else
// says; a runner's package cut short by an install told in one line.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  assertCode,
  BUN,
  DENO,
  exec,
  lines,
  NODE,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";
import type { LoggedRun } from "./_test_command.ts";

/** A temporary folder holding these files (folders made as needed). */
export function files(list: Record<string, string>): TempDir {
  const dir = tempDir();
  for (const [name, text] of Object.entries(list)) {
    mkdirSync(dirname(join(dir.path, name)), { recursive: true });
    writeFileSync(join(dir.path, name), text);
  }
  return dir;
}

/** Node 24 and Bun first on PATH: the runners tph test starts. */
export const RUNNERS_PATH = { PATH: `${dirname(NODE)}:${dirname(BUN)}:${process.env.PATH}` };

/** The stored tests' runs, oldest first: [label, outcome, runner]. */
export async function storedTests(t: Target, cwd: string): Promise<string[][]> {
  const logs = await tph(t, ["logs", "--json"], { cwd });
  assertCode(logs, 0, "tph logs --json");
  return (JSON.parse(logs.stdout) as LoggedRun[]).reverse().map((x) => [
    x.label ?? "",
    x.run?.test?.outcome ?? "",
    x.run?.test?.runner ?? "",
  ]);
}

/** The error a test's stored run says it failed with. */
async function testError(t: Target, cwd: string, label: string): Promise<string | undefined> {
  const logs = await tph(t, ["logs", "--json"], { cwd });
  const run = (JSON.parse(logs.stdout) as LoggedRun[]).find((x) => x.label === label)!;
  const view = await tph(t, ["view", run.id, "--json"], { cwd });
  return (JSON.parse(view.stdout) as { run?: { error?: string } }).run?.error;
}

/** deno test's report with its times and its type-check lines taken out. */
function denoReport(text: string): string {
  return lines(text)
    .filter((l) => !l.startsWith("Check ") && !l.startsWith("tph: "))
    .map((l) => l.replace(/\s*\(\d+(?:\.\d+)?(?:ms|s|µs)\)/g, ""))
    .join("\n");
}

export function testRunTests(t: Target): void {
  Deno.test(`tph test: a test whose process exits by its own call ends as node --test and bun test count it (${t.name})`, async () => {
    await using dir = files({
      "package.json": '{ "type": "module" }\n',
      "zero.test.js": 'import test from "node:test";\nfunction one() { return 1; }\n' +
        'test("exits 0 after passing", () => { one(); process.exit(0); });\n',
      "three.test.js": 'import test from "node:test";\nfunction one() { return 1; }\n' +
        'test("exits 3", () => { one(); process.exit(3); });\n',
    });
    for (const file of ["zero.test.js", "three.test.js"]) {
      const plain = await exec([NODE, "--test", file], { cwd: dir.path, env: RUNNERS_PATH });
      const r = await tph(t, ["test", "--runner", "node", "--", file], {
        cwd: dir.path,
        env: RUNNERS_PATH,
      });
      assertCode(r, plain.code, `tph test ${file}`);
    }
    assert.deepEqual(await storedTests(t, dir.path), [
      ["exits 0 after passing", "passed", "node"],
      ["exits 3", "failed", "node"],
    ]);
    assert.match(
      (await testError(t, dir.path, "exits 3")) ?? "",
      /the test's process called exit\(3\) before the test ended/,
    );

    await using bun = files({
      "bunfig.toml": "",
      "zero.test.ts": 'import { test } from "bun:test";\nfunction one() { return 1; }\n' +
        'test("exits 0 after passing", () => { one(); process.exit(0); });\n',
    });
    const plain = await exec([BUN, "test"], { cwd: bun.path, env: RUNNERS_PATH });
    const r = await tph(t, ["test"], { cwd: bun.path, env: RUNNERS_PATH });
    assertCode(r, plain.code, "tph test, bun");
    assert.deepEqual(await storedTests(t, bun.path), [["exits 0 after passing", "passed", "bun"]]);
  });

  Deno.test(`tph test: an exit in a Deno test is reported as deno test reports it, no frame of tph's (${t.name})`, async () => {
    await using dir = files({
      "deno.json": "{}\n",
      "exit_test.ts": "function one() { return 1; }\n" +
        'Deno.test("exits", () => { one(); Deno.exit(0); });\n' +
        'Deno.test("exits through process", async () => {\n' +
        '  const { default: process } = await import("node:process");\n' +
        "  one();\n  process.exit(0);\n});\n",
    });
    await exec([DENO, "test", "-A"], { cwd: dir.path });
    const plain = await exec([DENO, "test", "-A"], { cwd: dir.path });
    const r = await tph(t, ["test", "--", "-A"], { cwd: dir.path });
    assertCode(r, plain.code, "tph test");
    assert.match(plain.stdout + plain.stderr, /attempted to exit/);
    assert.doesNotMatch(r.stdout + r.stderr, /src\/program|child\.ts/);
    assert.equal(denoReport(r.stdout), denoReport(plain.stdout));
    assert.deepEqual(await storedTests(t, dir.path), [
      ["exits", "failed", "deno"],
      ["exits through process", "failed", "deno"],
    ]);
  });
}
