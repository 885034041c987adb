// Hand-made run files that lie (tests/_hostile_runs.ts) read by the real tph as a subprocess:
// every reading command says one line naming the file, or reads what it can, in bounded time
// and memory. tests/store/hostile_runs_test.ts runs the whole set in-process on Deno and Bun;
// this runs a part of it per target (the standalone binary above all).

import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  check,
  HOSTILE_PROGRAM,
  hostileJsonRuns,
  hostileRuns,
  type Outcome,
  READING_COMMANDS,
} from "../../_hostile_runs.ts";
import { assertCode, exec, type Target, tempDir, tph } from "./_cli.ts";

/** The files run here: one of each kind of lie. */
const PICKED = [
  "trailer-skipAt-NaN",
  "trailer-functionsAt-8.5",
  "trailer-metaAt-35184372088832",
  "skip-records-35184372088832",
  'functions-field-5-"x"',
  "record-0-desc-35184372088832",
  "record-1-value-escaped-bad",
  "table-count-huge",
  "meta-deep-field",
  "json-deep-trace",
  "json-call-args-null",
  "chain-100000-deep",
  "skip-offset-shifted--2",
];

export function hostileRunTests(t: Target): void {
  Deno.test(`every reading command on hand-made run files that lie: one line naming the file (${t.name})`, async () => {
    await using dir = tempDir();
    const root = dir.path;
    writeFileSync(join(root, "package.json"), '{ "name": "hostile", "type": "module" }\n');
    writeFileSync(join(root, "prog.ts"), HOSTILE_PROGRAM);
    // With --tree, stored as a run file at once (a plain `tph run` of many calls stores a raw run
    // first, made a run file after: its own lies are tests/program/recorder/raw_run_test.ts's).
    const made = await tph(t, ["run", "--tree", "--cache-dir", "valid", "prog.ts"], { cwd: root });
    assertCode(made, 0, "tph run prog.ts");
    const good = join(
      root,
      "valid",
      readdirSync(join(root, "valid")).find((n) => n.endsWith(".tph"))!,
    );
    const all = [...hostileRuns(new Uint8Array(readFileSync(good)), 0), ...hostileJsonRuns()];
    const files = PICKED.map((name) => {
      const f = all.find((h) => h.name === name);
      assert.ok(f, `a hostile file named ${name}`);
      return f;
    });
    const cache = join(root, ".tracepatch_cache");
    const problems: string[] = [];
    // Each file with a third of the reading commands, in turn, so that every command meets four
    // or five kinds of lie (the whole set runs in-process in tests/store/hostile_runs_test.ts):
    // each command here is a process of the binary's, and the whole product took minutes.
    for (const [i, f] of files.entries()) {
      const name = `run_${f.name.replace(/[^\w.-]/g, "_")}.${f.json ? "json" : "tph"}`;
      rmSync(cache, { recursive: true, force: true });
      rmSync(join(root, "out"), { recursive: true, force: true });
      mkdirSync(cache, { mode: 0o700 });
      mkdirSync(join(root, "out"));
      writeFileSync(join(cache, name), f.bytes);
      for (const command of READING_COMMANDS.filter((_, j) => (i + j) % 3 === 0)) {
        const argv = command.map((a) =>
          a === "R" ? `.tracepatch_cache/${name}` : a === "G" ? good : a
        );
        const started = Date.now();
        const r = await exec(["/usr/bin/time", "-f", "peak-kb %M", ...t.tph, ...argv], {
          cwd: root,
          env: { TZ: "UTC" },
          timeoutMs: 60_000,
        });
        const err = r.stderr.split("\n").filter((l) =>
          l !== "" && !l.startsWith("peak-kb ") &&
          !l.startsWith("Command exited with non-zero status")
        );
        const peak = Number(/peak-kb (\d+)/.exec(r.stderr)?.[1]);
        const o: Outcome = {
          file: name,
          argv,
          code: r.code,
          err,
          outLines: 0,
          bytes: 0,
          ms: Date.now() - started,
        };
        const problem = check(o);
        if (problem !== null) problems.push(problem);
        // A few kB of file (the deep ones 2 MB): never a large part of the machine's memory.
        if (!(peak < 1_000_000)) problems.push(`${argv.join(" ")}: peak memory ${peak} kB`);
      }
    }
    assert.deepEqual(problems, []);
  });
}
