// trace() limits: maxDepth, maxCalls, maxRepr, and their defaults.

import assert from "node:assert/strict";
import { allNodes, body, call, type CallNodeJSON, observe, outline, RUNTIMES } from "./_observe.ts";

const withDropped = (n: CallNodeJSON) =>
  n.dropped === undefined ? n.name : `${n.name}-${n.dropped}`;

for (const rt of RUNTIMES) {
  Deno.test(`trace({ maxDepth }) counts the calls it cuts on the node where it cut (${rt})`, () => {
    const { json, callCount, wasLimited, limitReason } = observe(rt, "limits").out.depth;
    // The callback itself is hidden (level 0): down(6) is level 1, down(4) level 3, and
    // down(3)…down(0) are cut.
    assert.equal(outline(body(json), withDropped), "down(down(down-4))");
    assert.equal(call(json.trace, "down", ["n", "5"]).return_value, "5");
    assert.equal(call(json.trace, "down", ["n", "6"]).return_value, "6");
    assert.equal(callCount, 3);
    assert.equal(json.call_count, 3);
    assert.equal(json.dropped_calls, 4);
    assert.equal(wasLimited, true);
    assert.equal(json.was_limited, true);
    assert.equal(limitReason, "max_depth");
    assert.equal(json.limit_reason, "max_depth");
    assert.equal(json.config.max_depth, 3);
  });

  Deno.test(`trace({ maxCalls }) closes open calls with their real result and time (${rt})`, () => {
    const { json, callCount, wasLimited, limitReason } = observe(rt, "limits").out.calls;
    // outer() calls many(10) (leaf × 10) and spin(3): the 5th call is leaf(2); the hidden
    // callback does not count.
    assert.equal(outline(body(json), withDropped), "outer-1(many-7(leaf, leaf, leaf))");
    const outer = call(json.trace, "outer");
    assert.equal(outer.return_value, '"outer-done"');
    assert.ok(outer.elapsed_ms! >= 2.99, `outer took ${outer.elapsed_ms} ms, spin(3) 3 ms`);
    assert.equal(call(json.trace, "many").return_value, "45");
    assert.equal(callCount, 5);
    assert.equal(json.dropped_calls, 8);
    assert.equal(wasLimited, true);
    assert.equal(limitReason, "max_calls");
    assert.equal(json.config.max_calls, 5);
  });

  Deno.test(`trace() reports both limits when both cut calls (${rt})`, () => {
    const { json, limitReason } = observe(rt, "limits").out.both;
    assert.equal(outline(body(json), withDropped), "down(down(down-3)), many-2(leaf)");
    assert.equal(limitReason, "max_depth, max_calls");
    assert.equal(json.dropped_calls, 5);
  });

  Deno.test(`trace({ maxRepr }) cuts long args, return values and errors (${rt})`, () => {
    const { json, wasLimited } = observe(rt, "limits").out.repr;
    const [echo, fail] = body(json);
    assert.equal(echo.args.s, '"' + "x".repeat(18) + "…");
    assert.equal(echo.return_value, '"' + "x".repeat(18) + "…");
    assert.equal(fail.exception, "Error: " + "y".repeat(12) + "…");
    assert.equal(wasLimited, false, "a cut repr is not a limited trace");
    assert.equal(json.config.max_repr, 20);
  });

  Deno.test(`trace() defaults to maxDepth 30, maxCalls 100000, maxRepr 120, details 20 (${rt})`, () => {
    const { DEFAULT_LIMITS, defaults: { json, limitReason } } = observe(rt, "limits").out;
    assert.deepEqual(DEFAULT_LIMITS, { maxDepth: 30, maxCalls: 100000, maxRepr: 120, details: 20 });
    assert.deepEqual(json.config, {
      max_depth: 30,
      max_calls: 100000,
      max_repr: 120,
      details: 20,
      ignore_modules: [],
      include: [],
      exclude: [],
    });
    const nodes: CallNodeJSON[] = allNodes(json.trace);
    const [echo] = body(json);
    assert.equal(echo.args.s, '"' + "z".repeat(118) + "…");
    assert.equal(echo.return_value!.length, 120);
    // The callback is hidden (level 0): down(40) … down(11) are levels 1 … 30.
    const downs = nodes.filter((n) => n.name === "down");
    assert.equal(downs.length, 30);
    assert.equal(downs.at(-1)!.args.n, "11");
    assert.equal(downs.at(-1)!.dropped, 11);
    assert.equal(json.call_count, 100000);
    assert.equal(nodes.length, 100000);
    // Recorded: echo, 30 × down, many and 99968 of its 100100 leaf calls.
    assert.equal(call(json.trace, "many").dropped, 100100 - 99968);
    // The second echo() came after the 100000th call: left out at the root level.
    assert.equal(nodes.filter((n) => n.name === "echo").length, 1);
    assert.equal(json.dropped_calls, 11 + 132 + 1);
    assert.equal(limitReason, "max_depth, max_calls");
  });
}
