// The quick start examples, run traced: they print the call tree of one request.

import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runTraced } from "../_harness.ts";
import { RUNTIMES, splitTimes } from "./_observe.ts";

const EXAMPLES = join(REPO, "examples");

for (const rt of RUNTIMES) {
  Deno.test(`examples/quickstart_sync.ts prints the request's call tree (${rt})`, () => {
    const r = runTraced(rt, join(EXAMPLES, "quickstart_sync.ts"));
    assert.equal(r.code, 0, r.stderr);
    const { shape, times } = splitTimes(r.stdout.trimEnd());
    assert.equal(
      shape,
      [
        '└── handleRequest() -> { id: 42, name: "Alice" }  [T]',
        '    └── fetchUser(userId=42) -> { id: 42, name: "Alice" }  [T]',
      ].join("\n"),
    );
    assert.ok(times[0] >= times[1], "the caller's time includes its callee's");
  });

  Deno.test(`examples/quickstart_async.ts prints the request's call tree (${rt})`, () => {
    const r = runTraced(rt, join(EXAMPLES, "quickstart_async.ts"));
    assert.equal(r.code, 0, r.stderr);
    const { shape, times } = splitTimes(r.stdout.trimEnd());
    assert.equal(
      shape,
      [
        '└── async handleRequest() -> { id: 42, name: "Alice" }  [T]',
        '    └── async fetchUser(userId=42) -> { id: 42, name: "Alice" }  [T]',
        "        └── sleep(10) -> Promise {} [ext]  [T]",
      ].join("\n"),
    );
    // fetchUser lasts until its promise settles, after the 10 ms query.
    assert.ok(times[1] >= 9, `fetchUser took ${times[1]} ms`);
    assert.ok(times[0] >= times[1]);
  });
}
