// Every way a program ends saves the run with how it ended: run.ended, exit_code, signal, error,
// and calls still open marked unfinished.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readChrome } from "../../_export_readers.ts";
import {
  assertCode,
  callNamed,
  exec,
  finish,
  FIXTURES,
  lines,
  plain,
  readRun,
  type Result,
  splitStderr,
  start,
  summaryOf,
  type Target,
  tempDir,
  tph,
  viewJson,
  waitForFile,
} from "./_cli.ts";

export function endingTests(t: Target): void {
  Deno.test(`tph run saves how each program ended: completed, exit, uncaught error (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const scripts = ["completed.ts", "exit3.ts", "throw.ts", "exit_no_code5.ts"];
    if (t.runtime === "deno") scripts.push("deno_exit4.ts");
    // Each in its own cache folder, so that `last` is that run.
    const runs = await Promise.all(scripts.map(async (script) => {
      const cache = `cache_${script.replace(".ts", "")}`;
      const r = await tph(t, ["run", "--cache-dir", cache, script], { cwd });
      summaryOf(r);
      const [view, tree] = await Promise.all([
        tph(t, ["view", "last", "--json", "--cache-dir", cache], { cwd }),
        tph(t, ["tree", "last", "--cache-dir", cache], { cwd }),
      ]);
      assertCode(view, 0, `tph view last --json (${script})`);
      assertCode(tree, 0, `tph tree last (${script})`);
      const meta = JSON.parse(view.stdout);
      return { script, r, meta, run: readRun(meta.path), tree: tree.stdout };
    }));
    const by = Object.fromEntries(runs.map((x) => [x.script, x]));

    const ok = by["completed.ts"];
    assertCode(ok.r, 0, "tph run completed.ts");
    assert.equal(ok.meta.run.ended, "completed");
    assert.equal(ok.meta.run.exit_code, 0);
    assert.equal(ok.meta.run.signal, null);
    assert.equal(ok.meta.run.error, undefined);
    assert.equal(ok.meta.call_count, 1);
    assert.match(ok.tree, /^└── work\(n=21\) -> 42 {2}\[[\d.]+(µs|ms)\]$/m);

    const exit = by["exit3.ts"];
    assertCode(exit.r, 3, "tph run exit3.ts");
    assert.equal(exit.meta.run.ended, "exit");
    assert.equal(exit.meta.run.exit_code, 3);
    assert.equal(exit.meta.run.signal, null);
    // leave() never returned: process.exit() ended the program inside it.
    assert.equal(callNamed(exit.run.trace, "leave").unfinished, true);
    assert.match(exit.tree, /leave\(code=3\) {2}\[unfinished\]/);

    // exit() with no argument keeps the code the program set.
    const noCode = by["exit_no_code5.ts"];
    assertCode(noCode.r, 5, "tph run exit_no_code5.ts");
    assert.equal(noCode.meta.run.ended, "exit");
    assert.equal(noCode.meta.run.exit_code, 5);

    const thrown = by["throw.ts"];
    assertCode(thrown.r, 1, "tph run throw.ts");
    assert.equal(thrown.meta.run.ended, "exception");
    assert.equal(thrown.meta.run.exit_code, 1);
    assert.match(thrown.meta.run.error ?? "", /^RangeError: negative value: -7/);
    assert.match(thrown.tree, /validate\(value=-7\) !! RangeError: negative value: -7/);
    assert.match(thrown.tree, /main\(\) !! RangeError: negative value: -7/);

    if (t.runtime === "deno") {
      const denoExit = by["deno_exit4.ts"];
      assertCode(denoExit.r, 4, "tph run deno_exit4.ts");
      assert.equal(denoExit.meta.run.ended, "exit");
      assert.equal(denoExit.meta.run.exit_code, 4);
    }
  });

  Deno.test(
    `tph run tells a normal end with a failing exit code from an uncaught error (${t.name})`,
    async () => {
      await using dir = tempDir({ e: join(FIXTURES, "endings") });
      const cwd = join(dir.path, "e");
      const scripts = ["exit_code3.ts", "exit_code_reject.ts"];
      if (t.runtime === "deno") scripts.push("deno_exit_code4.ts");
      const runs = await Promise.all(scripts.map(async (script) => {
        const cache = `cache_${script.replace(".ts", "")}`;
        const r = await tph(t, ["run", "--cache-dir", cache, script], { cwd });
        summaryOf(r);
        const opts = { cwd };
        const [meta, view, logs, chrome, otlp] = await Promise.all([
          tph(t, ["view", "last", "--json", "--cache-dir", cache], opts),
          tph(t, ["view", "last", "--cache-dir", cache], opts),
          tph(t, ["logs", "--cache-dir", cache], opts),
          tph(t, [
            "export",
            "last",
            "--format",
            "chrome",
            "-o",
            `${cache}.chrome.json`,
            "--cache-dir",
            cache,
          ], opts),
          tph(t, [
            "export",
            "last",
            "--format",
            "otlp",
            "-o",
            `${cache}.otlp.json`,
            "--cache-dir",
            cache,
          ], opts),
        ]);
        for (
          const [x, what] of [[meta, "view --json"], [view, "view"], [logs, "logs"], [
            chrome,
            "export chrome",
          ], [otlp, "export otlp"]] as const
        ) {
          assertCode(x, 0, `tph ${what} (${script})`);
        }
        const other = readChrome(readFileSync(join(cwd, `${cache}.chrome.json`), "utf8")).other;
        const resource = JSON.parse(readFileSync(join(cwd, `${cache}.otlp.json`), "utf8"))
          .resourceSpans[0].resource.attributes as {
            key: string;
            value: Record<string, unknown>;
          }[];
        const attr = (key: string) => {
          const v = resource.find((a) => a.key === key)?.value;
          return v === undefined ? undefined : String(Object.values(v)[0]);
        };
        return {
          r,
          run: JSON.parse(meta.stdout).run,
          view: view.stdout,
          logs: logs.stdout,
          other,
          attr,
        };
      }));
      const [set, rejected, denoSet] = runs;
      // process.exitCode = 3, then the program's last line: a normal end, with code 3.
      assertCode(set.r, 3, "tph run exit_code3.ts");
      assert.equal(set.r.stdout, "checked\n");
      assert.equal(set.run.ended, "completed");
      assert.equal(set.run.exit_code, 3);
      assert.equal(set.run.error, undefined);
      assert.match(set.view, /^Ended +completed with exit code 3 \(no uncaught error\)$/m);
      assert.doesNotMatch(set.view, /exception/);
      assert.match(lines(set.logs)[1], / exit 3 +-$/);
      assert.equal(set.other.ended, "completed");
      assert.equal(set.other.exit_code, 3);
      assert.equal(set.attr("tph.ended"), "completed");
      assert.equal(set.attr("process.exit.code"), "3");
      // The same code set, then an unhandled rejection: the process exits with 1, an error.
      assertCode(rejected.r, 1, "tph run exit_code_reject.ts");
      assert.equal(rejected.run.ended, "exception");
      assert.equal(rejected.run.exit_code, 1);
      assert.match(rejected.view, /^Ended +uncaught exception/m);
      assert.match(lines(rejected.logs)[1], / exception +-$/);
      assert.equal(rejected.other.ended, "exception");
      assert.equal(rejected.attr("tph.ended"), "exception");
      if (denoSet !== undefined) {
        assertCode(denoSet.r, 4, "tph run deno_exit_code4.ts");
        assert.equal(denoSet.run.ended, "completed");
        assert.equal(denoSet.run.exit_code, 4);
        assert.match(denoSet.view, /^Ended +completed with exit code 4 \(no uncaught error\)$/m);
      }
    },
  );

  Deno.test(`tph run saves an unhandled rejection as an error (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const r = await tph(t, ["run", "reject.ts"], { cwd });
    assertCode(r, 1, "tph run reject.ts");
    summaryOf(r);
    const [meta, tree] = await Promise.all([
      viewJson(t, "last", { cwd }),
      tph(t, ["tree", "last"], { cwd }),
    ]);
    assert.match(tree.stdout, /async load\(name="settings"\) !! TypeError: cannot load settings/);
    assert.match(tree.stdout, /async main\(\) !! TypeError: cannot load settings/);
    assert.equal(meta.run!.exit_code, 1);
    assert.ok(
      ["exception", "rejection"].includes(meta.run!.ended),
      `saved as an error, got ended ${JSON.stringify(meta.run!.ended)}`,
    );
    // Bun tells a program's listeners nothing of an unhandled rejection (no
    // "uncaughtExceptionMonitor", exit code 0 in "exit"): tph sees the failing exit code but
    // not the error (README, JSON format). Deno reports it.
    if (t.name === "deno" || meta.run!.error !== undefined) {
      assert.match(meta.run!.error ?? "", /^TypeError: cannot load settings/);
    }
  });

  for (
    const [signal, to] of [
      ["SIGTERM", "program"],
      ["SIGINT", "program"],
      // Sent to tph alone (kill, timeout -s INT): passed on to the program.
      ["SIGTERM", "tph"],
      ["SIGINT", "tph"],
    ] as const
  ) {
    Deno.test(
      `tph run saves the run when ${signal} sent to ${
        to === "tph" ? "tph" : "the program"
      } kills the program (${t.name})`,
      async () => {
        await using dir = tempDir({ e: join(FIXTURES, "endings") });
        const cwd = join(dir.path, "e");
        const pidFile = join(dir.path, "program.pid");
        const child = start([...t.tph, "run", "wait.ts", pidFile], { cwd });
        const done = finish(child);
        let pid: number;
        try {
          pid = Number(await waitForFile(pidFile));
        } catch (e) {
          child.kill("SIGKILL");
          throw new Error(`${(e as Error).message}\n${JSON.stringify(await done)}`);
        }
        assert.notEqual(pid, child.pid, "the program runs in a child process of tph");
        // The program is at its timer once the pid file is written; a moment more for good measure.
        await new Promise((r) => setTimeout(r, 50));
        Deno.kill(to === "program" ? pid : child.pid, signal);
        // Should the signal not end it, do not wait for the program's 60 s timer.
        const watchdog = setTimeout(() => Deno.kill(pid, "SIGKILL"), 20_000);
        const r = await done.finally(() => clearTimeout(watchdog));
        assertCode(r, 128 + (signal === "SIGTERM" ? 15 : 2), `tph run wait.ts, ${signal}`);
        assert.equal(r.stdout, "ready\n");
        summaryOf(r);
        const [meta, tree] = await Promise.all([
          viewJson(t, "last", { cwd }),
          tph(t, ["tree", "last"], { cwd }),
        ]);
        assert.equal(meta.run!.ended, "signal");
        assert.equal(meta.run!.signal, signal);
        assert.equal(meta.run!.exit_code, null);
        const run = readRun(meta.path);
        for (const name of ["main", "waitForever"]) {
          const call = callNamed(run.trace, name);
          assert.equal(call.unfinished, true, `${name} is unfinished`);
          assert.equal(call.elapsed_ms, null);
        }
        assert.equal(callNamed(run.trace, "sleep").unfinished, undefined, "sleep() returned");
        assert.match(tree.stdout, /async main\(\) {2}\[unfinished\]/);
        assert.match(tree.stdout, /async waitForever\(\) {2}\[unfinished\]/);
        assert.deepEqual(splitStderr(r.stderr).program, "");
      },
    );
  }
}

/** The lines of a program's stderr (tph's own left out) that name a place in a file. */
function frames(stderr: string, runtime: Target["runtime"]): string[] {
  // Frames only: Node names the place of its excerpt above them too.
  const places = splitStderr(stderr).program.split("\n").filter((l) =>
    /\.ts:\d+/.test(l) && (runtime !== "node" || /^\s+at /.test(l))
  );
  // Bun reads no source map from a plugin: the columns of instrumented code differ, lines do not.
  return runtime === "deno" ? places : places.map((l) => l.replace(/(\.ts:\d+):\d+/, "$1"));
}

export function overflowTests(t: Target): void {
  Deno.test(`a stack overflow is reported at the program's frame, as without tph (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const [base, traced] = await Promise.all([
      plain(t, join(cwd, "overflow.ts"), [], { cwd }),
      tph(t, ["run", "overflow.ts"], { cwd }),
    ]);
    assert.equal(traced.code, base.code, "the exit code of the plain run");
    assert.equal(traced.stdout, "start\n");
    const want = frames(base.stderr, t.runtime);
    const got = frames(traced.stderr, t.runtime);
    assert.ok(want.length > 0, `frames in the plain run's error:\n${base.stderr}`);
    assert.match(base.stderr, /Maximum call stack size exceeded/);
    assert.match(traced.stderr, /Maximum call stack size exceeded/);
    assert.ok(
      !got.some((l) => l.includes("/src/")),
      `no frame of tph's in the error:\n${traced.stderr}`,
    );
    // The top frame (where the stack ran out) is the program's function: where in it depends on
    // the engine's tier even without tph (the entry, line 2, or the statement, line 3). The
    // frames below it are the plain run's.
    assert.match(got[0], /at down \(.*overflow\.ts:[23]\b/, traced.stderr);
    assert.deepEqual(got.slice(1, 3), want.slice(1, 3), traced.stderr);
    summaryOf(traced);
  });

  Deno.test(`a recursion reaches under tph at least the depth it reaches plainly (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    const deepest = (r: Result) => JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    const base = await plain(t, join(cwd, "depth.ts"), [], { cwd });
    assertCode(base, 0, "plain depth.ts");
    const want = deepest(base);
    // The same single descent: the engine's tiers make its depth vary from run to run plainly
    // (on Deno 10,805 or 18,231 frames); tph's room is measured against the deepest of them.
    const traced = await tph(t, ["run", "depth.ts"], { cwd });
    assertCode(traced, 0, "tph run depth.ts");
    const got = deepest(traced);
    assert.ok(got.deepest >= want.deepest, `${got.deepest} traced, ${want.deepest} plain`);
    // A program that overflows on purpose still gets its RangeError.
    assert.equal(got.error, want.error);
    assert.match(got.error, /^RangeError: Maximum call stack size exceeded/);
    // And a recursion as deep as the plain run reached completes, recorded.
    const n = String(want.deepest);
    const exact = await tph(t, ["run", "--max-calls", "3", "depth.ts", n], { cwd });
    assertCode(exact, 0, `tph run depth.ts ${n}`);
    assert.equal(deepest(exact).reached, want.deepest);
    summaryOf(exact);
    // Every level recorded, the run written and its tree drawn, then read again: no part of tph
    // recurses by the depth of the calls (issue 74: Deno's CLI path overflowed).
    const whole = await tph(t, ["run", "--max-depth", "100000", "--tree", "depth.ts", n], { cwd });
    assertCode(whole, 0, `tph run --max-depth 100000 --tree depth.ts ${n}`);
    assert.equal(deepest(whole).reached, want.deepest);
    assert.equal(summaryOf(whole).calls, want.deepest);
    assert.ok(whole.stderr.includes(`down(n=${want.deepest}) -> 0`), "the deepest call drawn");
    const tree = await tph(t, ["tree", "last"], { cwd });
    assertCode(tree, 0, "tph tree last");
    assert.ok(tree.stdout.includes(`down(n=${want.deepest}) -> 0`), "the deepest call drawn");
  });

  // Each level's promise is awaited by the level above, so a program that catches the overflow
  // at the top ends normally: under tph too, where a recorder call between a callee's promise and
  // its await could find the stack full (on Deno, the promise was then an unhandled rejection).
  for (const shape of ["down", "guarded"]) {
    Deno.test(
      `an async recursion${
        shape === "guarded" ? " in try/catch" : ""
      } that overflows ends as it does plainly, and one that fits completes (${t.name})`,
      async () => {
        await using dir = tempDir({ e: join(FIXTURES, "endings") });
        const cwd = join(dir.path, "e");
        const last = (r: Result) => JSON.parse(r.stdout.trim().split("\n").at(-1)!);
        const base = await plain(t, join(cwd, "async_depth.ts"), ["-", shape], { cwd });
        assertCode(base, 0, "plain async_depth.ts");
        const want = last(base);
        const traced = await tph(t, ["run", "async_depth.ts", "-", shape], { cwd });
        assertCode(traced, 0, `tph run async_depth.ts:\n${traced.stderr.slice(0, 2000)}`);
        const got = last(traced);
        assert.equal(got.error, want.error);
        assert.match(got.error, /^RangeError: Maximum call stack size exceeded/);
        assert.ok(got.deepest >= want.deepest, `${got.deepest} traced, ${want.deepest} plain`);
        const n = String(want.deepest);
        const exact = await tph(t, ["run", "--max-calls", "3", "async_depth.ts", n, shape], {
          cwd,
        });
        assertCode(exact, 0, `tph run async_depth.ts ${n}`);
        assert.equal(last(exact).reached, want.deepest);
      },
    );
  }

  Deno.test(`under a small stack limit, tph raises it for the program to reach the plain depth (${t.name})`, async () => {
    await using dir = tempDir({ e: join(FIXTURES, "endings") });
    const cwd = join(dir.path, "e");
    // 3.5 MiB instead of the usual 8: room for the engine's default stack, not for tph's.
    const small = (argv: string[]) =>
      exec(["/bin/sh", "-c", 'ulimit -S -s 3584 && exec "$@"', "sh", ...argv], { cwd });
    const deepest = (r: Result) => JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    const base = await small([...t.plain(join(cwd, "depth.ts"))]);
    assertCode(base, 0, "plain depth.ts");
    const traced = await small([...t.tph, "run", "depth.ts"]);
    assertCode(traced, 0, "tph run depth.ts");
    const [want, got] = [deepest(base), deepest(traced)];
    assert.ok(got.deepest >= want.deepest, `${got.deepest} traced, ${want.deepest} plain`);
    assert.equal(got.error, want.error);
  });
}
