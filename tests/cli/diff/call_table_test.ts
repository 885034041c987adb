// How tph diff sees a value (maskValue): timer handles compared by their class alone, whatever
// form a runtime or an older tph recorded them in, unless --exact.

import assert from "node:assert/strict";
import { maskValue } from "../../../src/cli/diff/call_table.ts";

Deno.test("maskValue() compares timer handles by their class, as recorded before and now, unless exact", () => {
  const loose = { ignoreValues: null, exact: false };
  const masked = (t: string) => maskValue(t, loose);
  const same = masked("Timeout {…}");
  for (const t of ["Timeout(5 ms)", "Timeout", "Timeout { _idleTimeout: 5, _idleStart: 17 }"]) {
    assert.equal(masked(t), same, t);
  }
  assert.equal(masked("[Timeout(5 ms), 1]"), "[Timeout {…}, 1]");
  // A string that says Timeout is a string.
  assert.equal(masked('"Timeout"'), '"Timeout"');
  assert.equal(maskValue("Timeout(5 ms)", { ignoreValues: null, exact: true }), "Timeout(5 ms)");
});
