import assert from "node:assert/strict";
import { makeScope } from "../../src/loader/scope.ts";

Deno.test("makeScope() traces sources under the scope folders, not node_modules", () => {
  const inScope = makeScope({ scope: ["/app"] });
  assert.ok(inScope("/app/main.ts"));
  assert.ok(inScope("/app/src/deep/x.mjs"));
  assert.ok(inScope("/app/ui/view.tsx"));
  assert.ok(!inScope("/app/node_modules/lib/index.js"));
  assert.ok(!inScope("/application/main.ts"));
  assert.ok(!inScope("/app/data.json"));
});

Deno.test("makeScope() include globs add files, exclude globs win", () => {
  const inScope = makeScope({
    scope: ["/app"],
    include: ["node_modules/marked/**"],
    exclude: ["**/*.test.ts", "node_modules/marked/lib/cli.js"],
  });
  assert.ok(inScope("/app/node_modules/marked/lib/marked.esm.js"));
  assert.ok(!inScope("/app/node_modules/marked/lib/cli.js"));
  assert.ok(!inScope("/app/src/a.test.ts"));
  assert.ok(!inScope("/app/node_modules/yaml/index.js"));
});
