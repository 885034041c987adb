import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderLogTable, renderRunSummary } from "../../src/render/summary.ts";
import type { RunJSON } from "../../src/types.ts";

const FIXTURES = new URL("../fixtures/runs/", import.meta.url);
const load = (name: string): RunJSON =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as RunJSON;

const CHECKOUT = load("run_20261120T091500_042_checkout_a1b2c3.json");
const LIMITED = load("run_20261121T101500_250_3f9e7d.json");
const SIGNAL = load("run_20261122T081502_123_server_c0ffee.json");
const LIBRARY = load("trace_request.json");

Deno.test("renderRunSummary() describes a tph run that ended with an uncaught error", () => {
  assert.equal(
    renderRunSummary(CHECKOUT, {
      id: "20261120T091500_042_checkout_a1b2c3",
      path: ".tracepatch_cache/run_20261120T091500_042_checkout_a1b2c3.json",
      timeZone: "utc",
    }),
    [
      "Run       20261120T091500_042_checkout_a1b2c3",
      "File      .tracepatch_cache/run_20261120T091500_042_checkout_a1b2c3.json",
      "Time      2026-11-20 09:15:00 UTC",
      "Label     checkout",
      "Command   main.ts --order apple:3,plum:1",
      "Runtime   deno 2.9.6",
      "Cwd       /home/dev/shop",
      "Ended     uncaught exception: RangeError: bad amount -1 (exit code 1)",
      "Duration  61.70ms",
      "Calls     10",
      "Limited   no",
      "Config    max_depth=30 max_calls=100000 max_repr=120",
      "          ignore_modules=[]",
      "          include=[] exclude=[]",
      "",
      "Root calls (1):",
      "  async main()  [4.81ms, 10 calls, !! RangeError: bad amount -1]",
    ].join("\n"),
  );
});

Deno.test("renderRunSummary() says what limits left out and how a run was killed", () => {
  const limited = renderRunSummary(LIMITED, { timeZone: "utc" });
  assert.match(limited, /^Limited +yes, by max_calls: 11 calls left out$/m);
  assert.match(limited, /^Ended +completed \(exit code 0\)$/m);
  assert.match(limited, /^Label +-$/m);
  assert.match(limited, /max_calls=6/);
  const signal = renderRunSummary(SIGNAL, { timeZone: "utc" });
  assert.match(signal, /^Ended +killed by SIGINT$/m);
  assert.match(signal, /^ {2}async serve\(\) {2}\[unfinished, 3 calls\]$/m);
});

Deno.test("renderRunSummary() describes a trace() block saved by a program", () => {
  const text = renderRunSummary(LIBRARY, { timeZone: "utc" });
  assert.match(text, /^Source +a trace\(\) block saved by the program \(not tph run\)$/m);
  assert.doesNotMatch(text, /^Command/m);
  assert.match(text, /^ {2}handleRequest\(\) {2}\[30µs, 2 calls\]$/m);
});

Deno.test("a block stored as the program ended with it open says how the program ended", () => {
  const block = (ended: string, exitCode: number | null, signal: string | null = null) => ({
    ...CHECKOUT,
    run: { ...CHECKOUT.run!, block: true, ended, exit_code: exitCode, signal },
  });
  const exited = block("exit", 3);
  assert.match(
    renderRunSummary(exited),
    /^Ended +still open when the program ended: exited early \(exit code 3\)$/m,
  );
  const killed = block("signal", null, "SIGINT");
  assert.match(
    renderRunSummary(killed),
    /^Ended +still open when the program ended: killed by SIGINT$/m,
  );
  assert.match(renderRunSummary(block("completed", null)), /^Ended +completed$/m);
  const table = renderLogTable([
    { id: "a", run: exited, size: 1 },
    { id: "b", run: killed, size: 1 },
    { id: "c", run: block("completed", 7), size: 1 },
    { id: "d", run: block("completed", null), size: 1 },
    {
      id: "e",
      run: { ...block("exception", null), run: { ...block("exception", null).run, error: "E" } },
      size: 1,
    },
  ], { timeZone: "utc" });
  const ended = table.split("\n").slice(1).map((l) => l.match(/(block[^-]*?) +-$/)?.[1]);
  assert.deepEqual(ended, [
    "block, exit 3",
    "block, SIGINT",
    "block, exit 7",
    "block",
    "block threw",
  ]);
});

Deno.test("renderRunSummary() lists at most maxRoots root calls", () => {
  const many = { ...LIBRARY, trace: Array.from({ length: 5 }, () => LIBRARY.trace[0]) };
  const text = renderRunSummary(many, { maxRoots: 2 });
  assert.match(text, /Root calls \(5\):\n.*\n.*\n {2}… 3 more$/);
});

Deno.test("renderRunSummary() quotes command words a shell would split", () => {
  const run = { ...CHECKOUT, run: { ...CHECKOUT.run!, command: ["main.ts", "two words", "it's"] } };
  assert.match(renderRunSummary(run), /^Command +main\.ts 'two words' 'it'\\''s'$/m);
});

Deno.test("renderLogTable() aligns columns, newest first as given, numbered from 1", () => {
  const text = renderLogTable([
    { id: "20261122T081502_123_server_c0ffee", run: SIGNAL, size: 1782 },
    { id: "20261121T101500_250_3f9e7d", run: LIMITED, size: 3280 },
    { id: "20261120T091500_042_checkout_a1b2c3", run: CHECKOUT, size: 12_345_678 },
    { id: "trace_request", run: LIBRARY, size: 645 },
  ], { timeZone: "utc" });
  assert.equal(
    text,
    [
      "#  id                                   time                     label     command                         calls     size  limited    ended      options",
      "1  20261122T081502_123_server_c0ffee    2026-11-22 08:15:02 UTC  server    server.ts --port 8080               3   1.8 kB  no         SIGINT     -",
      "2  20261121T101500_250_3f9e7d           2026-11-21 10:15:00 UTC  -         fib.ts 5                            6   3.3 kB  max_calls  ok         max_calls=6",
      "3  20261120T091500_042_checkout_a1b2c3  2026-11-20 09:15:00 UTC  checkout  main.ts --order apple:3,plum:1     10  12.3 MB  no         exception  -",
      "4  trace_request                        2026-11-19 16:40:10 UTC  request   -                                   2    645 B  no         -          -",
    ].join("\n"),
  );
});

Deno.test("renderLogTable() shortens long commands and says how a run exited", () => {
  const long = {
    ...CHECKOUT,
    run: { ...CHECKOUT.run!, command: ["main.ts", "x".repeat(60)], ended: "exit", exit_code: 3 },
  };
  const row = renderLogTable([{ id: "a", run: long }]).split("\n")[1];
  assert.match(row, / main\.ts x{31}… /);
  // No size given: a dash.
  assert.match(row, / 10 +- +no +exit 3 +-$/);
  assert.match(row, / exit 3 +-$/);
});

Deno.test("renderRunSummary() tells a normal end with a failing exit code from an uncaught error", () => {
  const ended = (ended: string, code: number, error?: string) =>
    renderRunSummary({
      ...CHECKOUT,
      run: { ...CHECKOUT.run!, ended, exit_code: code, ...(error ? { error } : {}) },
    }).split("\n").find((l) => l.startsWith("Ended"));
  assert.equal(ended("completed", 0), "Ended     completed (exit code 0)");
  assert.equal(ended("completed", 3), "Ended     completed with exit code 3 (no uncaught error)");
  assert.equal(ended("exit", 3), "Ended     exited early (exit code 3)");
  assert.equal(
    ended("exception", 1, "Error: boom"),
    "Ended     uncaught exception: Error: boom (exit code 1)",
  );
  const row = renderLogTable([{
    id: "a",
    run: { ...CHECKOUT, run: { ...CHECKOUT.run!, ended: "completed", exit_code: 3 } },
  }]);
  assert.match(row.split("\n")[1], / exit 3 +-$/);
});
