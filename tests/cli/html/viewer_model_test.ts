// The page's model (viewer/model.ts) without a browser: the function table counts the calls of one
// function as one row, however many call sites it has; the flame chart's axis steps are round.

import assert from "node:assert/strict";
import { Model, type PageData, tickStep } from "../../../viewer/model.ts";
import { FN_ASYNC, FN_EXTERNAL, RETURNED } from "../../../src/run_file/call_state.ts";
import type { CallRow, FrameRow } from "../../../src/run_file/page_data.ts";

function page(frames: FrameRow[], calls: CallRow[]): PageData {
  return { frames, calls } as unknown as PageData;
}

const call = (
  frame: number,
  depth: number,
  start: number,
  length: number,
  awaited = 0,
): CallRow => [frame, depth, start, length, RETURNED, 0, [], "undefined", 0, awaited];

Deno.test("the page's function table: one row per function, call sites of an external one together", () => {
  const m = new Model(page(
    [
      ["main", "main.ts", 1, FN_ASYNC, []],
      ["console.log", "main.ts", 3, FN_EXTERNAL, ["0"]],
      ["console.log", "main.ts", 5, FN_EXTERNAL, ["0"]],
      ["console.log", "lib.ts", 9, FN_EXTERNAL, ["0"]],
      // Two functions of the same name in two files stay apart.
      ["helper", "main.ts", 7, 0, []],
      ["helper", "lib.ts", 2, 0, []],
    ],
    [
      call(0, 0, 0, 100),
      call(1, 1, 10, 5),
      call(4, 1, 20, 10),
      call(2, 2, 22, 3),
      call(5, 1, 40, 10),
      call(3, 2, 42, 4),
    ],
  ));
  const rows = m.functionTable();
  const byName = rows.map((r) => [m.data.frames[r.frame][0], r.calls, r.total, r.self, r.awaiting]);
  assert.deepEqual(byName, [
    ["main", 1, 100, 75, 0],
    ["console.log", 3, 12, 12, 0],
    ["helper", 1, 10, 7, 0],
    ["helper", 1, 10, 6, 0],
  ]);
  // Every call site's frame belongs to the first one's function.
  assert.deepEqual([...m.fnOf], [0, 1, 1, 1, 4, 5]);
});

Deno.test("the page's function table: an async call's time awaiting is not its self time", () => {
  // handle (60 ms) awaits 55 ms, during which fetch (50 ms, 48 of them awaiting) runs.
  const m = new Model(page(
    [["handle", "a.ts", 1, FN_ASYNC, []], ["fetch", "a.ts", 9, FN_ASYNC, []]],
    [call(0, 0, 0, 60_000, 55_000), call(1, 1, 1_000, 50_000, 48_000)],
  ));
  const rows = m.functionTable().map((r) => [r.calls, r.total, r.self, r.awaiting]);
  assert.deepEqual(rows, [[1, 60_000, 5_000, 55_000], [1, 50_000, 2_000, 48_000]]);
  // A page written before the column reads as no time awaiting.
  const old = new Model(
    page([["f", "a.ts", 1, 0, []]], [call(0, 0, 0, 10).slice(0, 9) as CallRow]),
  );
  assert.deepEqual(old.functionTable().map((r) => [r.self, r.awaiting]), [[10, 0]]);
});

Deno.test("the flame chart's axis steps are 1, 2 or 5 times a power of ten, at least the target", () => {
  assert.equal(tickStep(0.7), 1);
  assert.equal(tickStep(1), 1);
  assert.equal(tickStep(1.2), 2);
  assert.equal(tickStep(3), 5);
  assert.equal(tickStep(7), 10);
  assert.equal(tickStep(120), 200);
  assert.equal(tickStep(4_000_000), 5_000_000);
});
