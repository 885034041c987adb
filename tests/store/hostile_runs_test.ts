// Hand-made run files that lie (tests/_hostile_runs.ts): every command that reads runs, on Deno
// and on Bun, says one line naming the file and exits 1 (2 for diff and find, as diff(1) and
// grep) — or reads what it can — never an internal error, never a stack trace, never a message
// blaming an output file, in bounded time and memory.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, DENO, exec, REPO, storedRunOf } from "../cli/commands/_cli.ts";
import {
  check,
  type Hostile,
  HOSTILE_PROGRAM,
  hostileJsonRuns,
  hostileRuns,
  type Outcome,
  READING_COMMANDS,
} from "../_hostile_runs.ts";
import { tempDir } from "./_cache.ts";
import { main } from "../../src/cli/commands/main.ts";

/** A valid run in tph's format, written by tph run (calls left out by max_depth, a skip index). */
async function validRun(root: string): Promise<string> {
  return await storedRunOf(root, HOSTILE_PROGRAM, "valid_cache");
}

/** Write the files, run the driver on a runtime, and check every outcome. */
async function runAll(
  runtime: "deno" | "bun",
  files: Hostile[],
  good: string,
  root: string,
): Promise<Outcome[]> {
  const folder = join(root, `hostile-${runtime}`);
  mkdirSync(folder);
  files.forEach((f, k) => {
    // Numbered: names that differ in punctuation alone stay apart.
    const name = `run_${k}_${f.name.replace(/[^\w.-]/g, "_")}.${f.json ? "json" : "tph"}`;
    writeFileSync(join(folder, name), f.bytes);
  });
  const driver = join(REPO, "tests/store/_hostile_driver.ts");
  // A small heap: an allocation that follows a count in the file fails the run.
  const argv = runtime === "deno"
    ? [DENO, "run", "-A", "--v8-flags=--max-old-space-size=512", driver]
    : [BUN, "--smol", driver];
  const r = await exec(["/usr/bin/time", "-f", "peak-kb %M", ...argv, root, folder, good], {
    cwd: root,
    timeoutMs: 900_000,
  });
  const peak = Number(/peak-kb (\d+)/.exec(r.stderr)?.[1]);
  assert.equal(r.code, 0, `the driver on ${runtime} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  const outcomes: Outcome[] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(
    outcomes.length,
    files.length * READING_COMMANDS.length,
    "every command ran on every file",
  );
  // Each file is a few kB (the deep ones 1–2 MB): reading any of them needs little memory.
  assert.ok(peak < 2_000_000, `peak memory on ${runtime}: ${peak} kB`);
  return outcomes;
}

const valid = { root: "", file: "" };
async function setup(): Promise<{ root: string; file: string; bytes: Uint8Array }> {
  if (valid.file === "") {
    valid.root = tempDir("tph_hostile_");
    valid.file = await validRun(valid.root);
  }
  return { ...valid, bytes: new Uint8Array(readFileSync(valid.file)) };
}

for (const runtime of ["deno", "bun"] as const) {
  Deno.test(`every reading command on hostile run files: one line naming the file, bounded (${runtime})`, async () => {
    const { root, file, bytes } = await setup();
    const files = [...hostileRuns(bytes), ...hostileJsonRuns()];
    const outcomes = await runAll(runtime, files, file, root);
    const problems = outcomes.map(check).filter((p) => p !== null);
    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problems`);
    // What must be refused (not read as something else): the structure does not add up.
    const refused = (name: string) =>
      outcomes.filter((o) => o.file.includes(name) && o.argv[0] === "tree" && o.argv.length === 2);
    for (
      const name of [
        "trailer-skipAt-NaN",
        "trailer-functionsAt-8.5",
        "trailer-metaAt-35184372088832",
        "skip-records-35184372088832",
        "functions-field-5-_x_",
        "functions-field-0-null",
        "record-0-desc-35184372088832",
        "record-0-fn-35184372088832",
        "child-beyond-parent",
        "cut-at-9",
      ]
    ) {
      const found = refused(name);
      assert.ok(found.length > 0, `a file named ${name}`);
      for (const o of found) assert.notEqual(o.code, 0, `tree refuses ${o.file}`);
    }
  });
}

Deno.test("tph find on a run 100,000 calls deep keeps 10,000 matches and cuts their stacks", async () => {
  const root = tempDir("tph_hostile_find_");
  writeFileSync(join(root, "package.json"), '{ "name": "deep" }\n');
  const file = join(root, "deep.json");
  writeFileSync(file, hostileJsonRuns().find((h) => h.name === "json-deep-trace")!.bytes);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["find", file, "1", "--where", "return"], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    cwd: root,
    isTerminal: false,
    env: {},
  });
  assert.equal(code, 0, err.join("\n"));
  const lines = out.join("\n").split("\n");
  assert.equal(lines.length, 10_001);
  assert.equal(lines.at(-1), "… 90000 more matches were counted, not kept");
  // The 10,000th call is 9,999 calls deep: 100 names each side of the cut.
  const last = lines[9_999].split(" ← ");
  assert.equal(last.length, 202, "the call, 99 callers, the cut, 100 callers and <root>");
  assert.ok(last.includes("… 9800 calls …"), lines[9_999].slice(0, 300));
});
