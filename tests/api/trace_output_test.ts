// What a trace hands back (tree text, JSON document, save) and when recording is on at all.

import assert from "node:assert/strict";
import { SCHEMA_VERSION } from "../../src/types.ts";
import { VERSION } from "../../src/version.ts";
import {
  allNodes,
  body,
  observe,
  outline,
  type RunJSON,
  RUNTIMES,
  splitTimes,
} from "./_observe.ts";

const TOP_KEYS = [
  "schema",
  "tracepatch_version",
  "timestamp",
  "label",
  "call_count",
  "was_limited",
  "limit_reason",
  "config",
  "trace",
];
// Keys tph adds to tracepatch's format (see src/types.ts).
const EXTRA_TOP_KEYS = [
  "dropped_at_root",
  "dropped_calls",
  "summarised",
  "run",
  "ending",
];
const NODE_KEYS = [
  "name",
  "module",
  "file",
  "line",
  "args",
  "return_value",
  "exception",
  "start_ms",
  "elapsed_ms",
  "children",
];
const EXTRA_NODE_KEYS = ["kind", "async", "unfinished", "external", "dropped"];

/** `keys` without the extras tph may add, in order; fails on any unknown key. */
function standardKeys(keys: string[], standard: string[], extra: string[]): string[] {
  for (const k of keys) assert.ok(standard.includes(k) || extra.includes(k), `unknown key ${k}`);
  return keys.filter((k) => standard.includes(k));
}

for (const rt of RUNTIMES) {
  Deno.test(`t.toJSON() has the keys of the tracepatch format (${rt})`, () => {
    const json: RunJSON = observe(rt, "output").out.json;
    assert.deepEqual(standardKeys(Object.keys(json), TOP_KEYS, EXTRA_TOP_KEYS), TOP_KEYS);
    assert.equal(json.schema, SCHEMA_VERSION);
    assert.equal(json.tracepatch_version, VERSION);
    assert.match(json.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(json.timestamp) - Date.now()) < 60_000);
    assert.equal(json.label, "checkout");
    assert.equal(json.call_count, 5);
    assert.equal(json.was_limited, false);
    assert.equal(json.limit_reason, null);
    assert.deepEqual(Object.keys(json.config), [
      "max_depth",
      "max_calls",
      "max_repr",
      "details",
      "ignore_modules",
      "include",
      "exclude",
    ]);
    assert.equal(outline(json.trace), "handleRequest(fetchUser, audit), failing(audit)");
    for (const node of allNodes(json.trace)) {
      const keys = standardKeys(Object.keys(node), NODE_KEYS, EXTRA_NODE_KEYS);
      const expected = NODE_KEYS.filter((k) => k !== "exception" || node.exception !== undefined);
      assert.deepEqual(keys.toSorted(), expected.toSorted(), node.name);
    }
    const [handle, failing] = json.trace;
    assert.ok(!("exception" in handle));
    assert.equal(failing.exception, "RangeError: bad id -1");
    assert.equal(failing.return_value, null);
  });

  Deno.test(`t.tree() draws one line per call with args, result and time (${rt})`, () => {
    const { tree, json } = observe(rt, "output").out;
    const { shape, times } = splitTimes(tree);
    assert.equal(
      shape,
      [
        '├── handleRequest() -> { id: 42, name: "Alice" }  [T]',
        '│   ├── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [T]',
        '│   └── audit(user={ id: 42, name: "Alice" }) -> undefined  [T]',
        "└── failing() !! RangeError: bad id -1  [T]",
        "    └── audit(user={ id: -1 }) !! RangeError: bad id -1  [T]",
      ].join("\n"),
    );
    // Times are the elapsed_ms of the calls, in tree order, to the µs or 10 µs.
    const elapsed = allNodes(json.trace).map((n) => n.elapsed_ms!);
    assert.equal(times.length, elapsed.length);
    times.forEach((t, i) => assert.ok(Math.abs(t - elapsed[i]) <= 0.006, `${t} vs ${elapsed[i]}`));
  });

  Deno.test(`t.tree() options hide args and results, or draw ASCII connectors (${rt})`, () => {
    const { treePlain, treeAscii } = observe(rt, "output").out;
    assert.equal(
      splitTimes(treePlain).shape,
      [
        "├── handleRequest()  [T]",
        "│   ├── fetchUser()  [T]",
        "│   └── audit()  [T]",
        "└── failing() !! RangeError: bad id -1  [T]",
        "    └── audit() !! RangeError: bad id -1  [T]",
      ].join("\n"),
    );
    assert.equal(
      splitTimes(treeAscii).shape,
      [
        '|-- handleRequest() -> { id: 42, name: "Alice" }  [T]',
        '|   |-- fetchUser(userId=42) -> { id: 42, name: "Alice" }  [T]',
        '|   `-- audit(user={ id: 42, name: "Alice" }) -> undefined  [T]',
        "`-- failing() !! RangeError: bad id -1  [T]",
        "    `-- audit(user={ id: -1 }) !! RangeError: bad id -1  [T]",
      ].join("\n"),
    );
  });

  Deno.test(`t.roots is the trace of t.toJSON() (${rt})`, () => {
    const { roots, json } = observe(rt, "output").out;
    assert.deepEqual(roots, json.trace);
  });

  Deno.test(`t.save() writes the JSON document to a path or a writable (${rt})`, () => {
    const { savedFile, chunks, json } = observe(rt, "output").out;
    assert.deepEqual(JSON.parse(savedFile), json);
    assert.ok(savedFile.endsWith("}\n"));
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0], savedFile);
  });

  Deno.test(`using t = trace() records a sync block and stops at its end (${rt})`, () => {
    const out = observe(rt, "sync_api").out;
    assert.equal(out.usingActiveInside, true);
    assert.equal(out.onInside, true);
    assert.equal(out.onAfterUsing, false);
    assert.equal(outline(out.usingHandle.trace), "fetchUser");
  });

  Deno.test(`trace.run() with a sync callback returns the stopped trace (${rt})`, () => {
    const out = observe(rt, "sync_api").out;
    assert.equal(out.runIsPromise, false);
    assert.deepEqual(out.runResult, { id: 7, name: "Alice" });
    assert.equal(out.runActive, false);
    assert.equal(outline(body(out.runJSON)), "fetchUser");
    assert.equal(out.stopTwice, true);
    assert.deepEqual(out.asyncResult, { id: 9, name: "Alice" });
  });

  Deno.test(`trace.run() rethrows the callback's error and stops the trace (${rt})`, () => {
    const out = observe(rt, "sync_api").out;
    assert.equal(out.syncThrow, "TypeError: nope");
    assert.equal(out.syncThrowSameClass, true);
    assert.equal(out.onAfterSyncThrow, false);
    assert.equal(out.asyncThrowSame, true);
    assert.equal(out.onAfterAsyncThrow, false);
    assert.equal(out.onAtEnd, false);
  });

  Deno.test(`instrumented code records nothing while no trace is active (${rt})`, () => {
    const { out, run } = observe(rt, "off");
    assert.equal(out.onBefore, false);
    assert.equal(out.onInside, true);
    assert.equal(out.onAfter, false);
    assert.equal(out.countAfter, 3);
    assert.equal(outline(out.json.trace), "work(work(work))");
    // The harness's process-wide trace, turned off before any call, saw nothing either.
    assert.equal(run.trace?.call_count, 0);
  });
}
