// What `tph test` says once the runner has ended, after the runner's own report: how many tests
// were traced, and for each failing test the command that shows its calls.

import { basename, dirname, relative } from "node:path";
import { remove } from "../../platform/files.ts";
import { eachRun } from "../../run_file/decode.ts";
import { runIdOf } from "../../store/list_runs.ts";
import type { TestInfo } from "../../types.ts";
import { safeText } from "../../render/safe_text.ts";
import { shellWord } from "./shell_word.ts";
import type { RunProgramResult } from "../launch/run_program.ts";
import type { Context } from "./command.ts";

/** A test's stored run. */
interface TestRun {
  path: string;
  test: TestInfo;
  calls: number;
}

/** Whether a test failed: an error, or its runner's time limit. */
function testFailed(test: TestInfo): boolean {
  return test.outcome === "failed" || test.outcome === "timed out";
}

/** The stored runs of the tests (blocks of other trace() calls aside), in the order they ran. */
function testRuns(paths: readonly string[]): TestRun[] {
  const runs: TestRun[] = [];
  eachRun(paths, (file, path) => {
    const test = file.meta.run?.test;
    if (test !== undefined) runs.push({ path, test, calls: file.meta.call_count });
  });
  return runs;
}

/**
 * Say what the tests recorded: one line for all, then a line per failing test naming its run.
 * With `failedOnly`, the runs of tests that passed are removed.
 *
 * @returns The runner's exit code, which tph exits with.
 */
export function reportTests(
  // deno-lint-ignore no-explicit-any
  ctx: Context<any>,
  result: RunProgramResult,
  failedOnly: boolean,
): number {
  const runs = testRuns(result.testRuns);
  const failed = runs.filter((r) => testFailed(r.test));
  if (failedOnly) {
    for (const r of runs) {
      if (testFailed(r.test)) continue;
      try {
        remove(r.path);
      } catch {
        // Left in the cache: tph clean removes it.
      }
    }
  }
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  if (result.files === null) {
    // Killed (a signal): the tests that had ended have their runs.
    ctx.err(
      `tph: the test runner ended before its tests did${
        result.signal === null ? "" : ` (${result.signal})`
      }: a test still running then has no run`,
    );
    if (runs.length === 0) return result.exitCode;
  }
  const lost = result.testsNotStored;
  if (lost !== null) {
    // A full disk, say: the tests ran as they do, and their runs, or some, were lost.
    ctx.err(
      `tph: warning: ${
        runs.length === 0
          ? "no test's run"
          : `${lost.count} of ${lost.count + runs.length} tests' runs`
      } could ${runs.length === 0 ? "" : "not "}be stored in ${safeText(lost.problem)}`,
    );
    if (runs.length === 0) return result.exitCode;
  }
  if (runs.length === 0) {
    ctx.err(
      "tph: no test's run was stored: no test ran (see the runner's report), or none called a " +
        "function of the project's files (traced inside the project's scope: --scope, --include)",
    );
    return result.exitCode;
  }
  const calls = runs.reduce((sum, r) => sum + r.calls, 0);
  const kept = failedOnly ? `the ${n(failed.length, "failing test")}'s runs` : "each test's run";
  const count = (outcome: string) => runs.filter((r) => r.test.outcome === outcome).length;
  const others = (["skipped", "timed out"] as const).filter((o) => count(o) > 0)
    .map((o) => `, ${count(o)} ${o}`).join("");
  ctx.err(
    `tph: ${n(runs.length, "test")} traced (${count("passed")} passed, ` +
      `${count("failed")} failed${others}), ${n(calls, "call")}; stored ${kept} in ` +
      `${relative(ctx.cwd, dirname(runs[0].path)) || "."}`,
  );
  for (const r of failed) {
    const id = runIdOf(basename(r.path));
    const where = r.test.file === "" ? "" : `${r.test.file} › `;
    ctx.err(
      `tph: ${r.test.outcome === "failed" ? "FAILED" : "TIMED OUT"} ` +
        `${safeText(where + r.test.name)}: tph tree ${shellWord(id)}  ` +
        `(tph view ${shellWord(id)} --html)`,
    );
  }
  return result.exitCode;
}
