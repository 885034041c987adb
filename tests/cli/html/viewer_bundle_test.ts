// The committed viewer bundle is what viewer/build.ts makes of viewer/ (deno task build-viewer
// after any change there), and it holds nothing that would end its <script> or <style> early.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildBundle, BUNDLE_FILE } from "../../../viewer/build.ts";
import { VIEWER_CSS, VIEWER_JS } from "../../../src/cli/html/viewer_bundle.ts";

Deno.test("the viewer bundle is built from viewer/ as committed", () => {
  assert.equal(
    readFileSync(BUNDLE_FILE, "utf8"),
    buildBundle(),
    "out of date: run deno task build-viewer",
  );
});

Deno.test("the viewer's code and styles cannot close their elements", () => {
  assert.ok(!/<\/script/i.test(VIEWER_JS));
  assert.ok(!/<\/style/i.test(VIEWER_CSS));
  assert.ok(VIEWER_JS.length < 300_000, `${VIEWER_JS.length} bytes (at most 300 KB)`);
});
