// trace({ find }): values found in arguments (inside them too), return values, a RegExp on
// strings, an object by identity, and calls past the trace's limit.

import assert from "node:assert/strict";
import { observe, RUNTIMES } from "./_observe.ts";
import type { FindMatchJSON } from "../../src/types.ts";

const SPECIAL = '{ id: "o-2", items: [{ sku: "SKU-7", qty: 7 }] }';

for (const rt of RUNTIMES) {
  Deno.test(`trace({ find }) reports where each value went (${rt})`, () => {
    const { matches, calls } = observe(rt, "find").out as {
      matches: FindMatchJSON[];
      calls: number;
    };
    assert.equal(calls, 6);
    // (An arrow's name holds its place in the file.)
    const func = (m: FindMatchJSON) => m.func.replace(/@\d+:\d+$/, "");
    assert.deepEqual(
      matches.map((m) => [m.target, func(m), m.where, m.arg_name, m.path, m.value, m.call]),
      [
        // total(special), the 5th call: the 7 inside it, the object itself (target 2)…
        [0, "find.total", "arg", "order", ".items[0].qty", "7", 4],
        [2, "find.total", "arg", "order", "", SPECIAL, 4],
        // … the reduce callback it calls (the 6th and last recorded call), its return value.
        [0, "find.total › reduce callback", "arg", "i", ".qty", "7", 5],
        [0, "find.total › reduce callback", "return", null, "", "7", 5],
        [0, "find.total", "return", null, "", "7", 4],
        // ship(special, "Paris"), past the trace's limit: found, not in the tree (call null).
        [0, "find.ship", "arg", "order", ".items[0].qty", "7", null],
        [2, "find.ship", "arg", "order", "", SPECIAL, null],
        // The RegExp on the string it returned; "o-1 to Lyon" before it did not match.
        [1, "find.ship", "return", null, "", '"o-2 to Paris"', null],
        [0, "find.label", "arg", "n", "", "7", null],
      ],
    );
  });
}
