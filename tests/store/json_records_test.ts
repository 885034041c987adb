// A JSON run read as records: the same calls, fields and filter as its tree, at the JSON's own
// precision, so that every reader (tree, export, find, diff) reads one shape.

import assert from "node:assert/strict";
import { join } from "node:path";
import { openRun } from "../../src/run_file/decode.ts";
import { walkCalls } from "../../src/cli/export/calls.ts";
import {
  markFilter,
  nodeCalls,
  shownOf,
  SHOWS_RETURN,
  SHOWS_THROW,
  SHOWS_UNFINISHED,
} from "../../src/run_file/call_records.ts";
import { renderTree } from "../../src/render/tree.ts";
import type { CallNodeJSON } from "../../src/types.ts";

const RUN = join(
  import.meta.dirname!,
  "../fixtures/runs/run_20261120T091500_042_checkout_a1b2c3.json",
);

/** The calls of a tree in pre-order, with depths. */
function preOrder(roots: CallNodeJSON[]): [CallNodeJSON, number][] {
  const out: [CallNodeJSON, number][] = [];
  const todo: [CallNodeJSON, number][] = roots.map((r): [CallNodeJSON, number] => [r, 0]).reverse();
  while (todo.length > 0) {
    const [n, d] = todo.pop()!;
    out.push([n, d]);
    for (let k = n.children.length - 1; k >= 0; k--) todo.push([n.children[k], d + 1]);
  }
  return out;
}

Deno.test("a JSON run scans as records that say what its tree says", () => {
  const file = openRun(RUN);
  try {
    const roots = file.tree().roots;
    const want = preOrder(roots);
    const got: string[] = [];
    file.scan((r, depth) => {
      const f = file.functions[r.fn];
      const values = Array.from({ length: r.values }, (_, k) => r.text(k));
      got.push(JSON.stringify([f[0], depth, r.descendants, r.elapsedMs, r.argNames, values]));
      return true;
    });
    assert.equal(file.records, want.length);
    assert.deepEqual(
      got,
      want.map(([n, d]) =>
        JSON.stringify([
          n.name,
          d,
          preOrder(n.children).length,
          n.elapsed_ms ?? 0,
          Object.keys(n.args),
          [...Object.values(n.args), n.exception ?? n.return_value ?? ""],
        ])
      ),
    );
    // A call found again by its position is the JSON's node, every field kept.
    const third = file.nodeAt(2, 0);
    assert.deepEqual({ ...third, children: [] }, { ...want[2][0], children: [] });
  } finally {
    file.close();
  }
});

Deno.test("records keep what a hand-written JSON call says, finer than a µs", () => {
  const node = (over: Partial<CallNodeJSON>): CallNodeJSON => ({
    name: "f",
    module: "m.ts",
    file: "/m.ts",
    line: 1,
    args: { a: "1" },
    return_value: "2",
    start_ms: 0.0004,
    elapsed_ms: 0.0016,
    children: [],
    ...over,
  });
  const roots = [
    node({}),
    node({ exception: "boom", return_value: null }),
    node({ elapsed_ms: null, return_value: null }),
    // Fields that disagree (another tool's file): the line shows each as renderTree always did.
    node({ unfinished: true, exception: "late" }),
    node({ return_value: null }),
  ];
  const shows: number[] = [];
  const times: number[] = [];
  nodeCalls(roots).scan((r) => {
    shows.push(shownOf(r));
    times.push(r.elapsedMs);
    return true;
  });
  assert.deepEqual(shows, [
    SHOWS_RETURN,
    SHOWS_THROW,
    SHOWS_UNFINISHED,
    SHOWS_THROW | SHOWS_UNFINISHED,
    0,
  ]);
  assert.deepEqual(times, [0.0016, 0.0016, 0, 0.0016, 0.0016]);
  assert.equal(
    renderTree(roots),
    [
      "├── f(a=1) -> 2  [2µs]",
      "├── f(a=1) !! boom  [2µs]",
      "├── f(a=1)  [unfinished]",
      "├── f(a=1) !! late  [unfinished]",
      "└── f(a=1)  [2µs]",
    ].join("\n"),
  );
});

Deno.test("the name filter keeps the same calls of a JSON run for the tree and the export", () => {
  const file = openRun(RUN);
  try {
    const marks = markFilter(file, "Card");
    assert.ok(marks.any);
    const opened: string[] = [];
    const result = walkCalls(file, { filter: "Card" }, { open: (c) => opened.push(c.fn.name) });
    // The match, with the calls that lead to it, and nothing else.
    assert.deepEqual(opened, ["main", "priceOrder", "chargeCard"]);
    assert.equal(result.calls, 3);
    assert.equal(
      renderTree(file.tree().roots, { filter: "Card", showArgs: false, showReturn: false }),
      "└── async main() !! RangeError: bad amount -1  [4.81ms]\n" +
        "    └── async priceOrder() !! RangeError: bad amount -1  [3.88ms]\n" +
        "        └── async chargeCard() !! RangeError: bad amount -1  [3.60ms]",
    );
  } finally {
    file.close();
  }
});
