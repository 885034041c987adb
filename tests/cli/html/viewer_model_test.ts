// The page's model (viewer/model.ts) without a browser: the function table counts the calls of one
// function as one row, however many call sites it has; the flame chart's axis steps are round.

import assert from "node:assert/strict";
import { Model, type PageData, tickStep } from "../../../viewer/model.ts";
import { FN_ASYNC, FN_EXTERNAL, RETURNED } from "../../../src/run_file/call_state.ts";
import type { CallRow, FrameRow } from "../../../src/run_file/page_data.ts";

function page(frames: FrameRow[], calls: CallRow[]): PageData {
  return { frames, calls } as unknown as PageData;
}

const call = (frame: number, depth: number, start: number, length: number): CallRow => [
  frame,
  depth,
  start,
  length,
  RETURNED,
  0,
  [],
  "undefined",
  0,
];

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
  const byName = rows.map((r) => [m.data.frames[r.frame][0], r.calls, r.total, r.self]);
  assert.deepEqual(byName, [
    ["main", 1, 100, 75],
    ["console.log", 3, 12, 12],
    ["helper", 1, 10, 7],
    ["helper", 1, 10, 6],
  ]);
  // Every call site's frame belongs to the first one's function.
  assert.deepEqual([...m.fnOf], [0, 1, 1, 1, 4, 5]);
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
