import assert from "node:assert/strict";
import { makeScope, outOfScope, scopeRegExp } from "../../src/project/scope.ts";

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

Deno.test("makeScope() include globs match only JavaScript and TypeScript sources", () => {
  const inScope = makeScope({ scope: ["/app"], include: ["node_modules/**"] });
  assert.ok(inScope("/app/node_modules/pkg/index.js"));
  assert.ok(inScope("/app/node_modules/pkg/lib/x.cjs"));
  assert.ok(!inScope("/app/node_modules/pkg/data.json"));
  assert.ok(!inScope("/app/node_modules/pkg/addon.node"));
  assert.ok(!inScope("/app/node_modules/pkg/README.md"));
});

Deno.test("scopeRegExp() is the same test as makeScope(), for Bun's native filter", () => {
  const options = {
    scope: ["/app", "/other/src/"],
    include: ["node_modules/marked/**", "/abs/*.ts"],
    exclude: ["**/*.test.ts", "node_modules/marked/lib/cli.js"],
  };
  const re = scopeRegExp(options);
  const inScope = makeScope(options);
  const paths = [
    "/app/main.ts",
    "/app/node_modules/x/index.js",
    "/app/node_modules/marked/lib/marked.esm.js",
    "/app/node_modules/marked/lib/cli.js",
    "/app/node_modules/marked/package.json",
    "/app/a.test.ts",
    "/other/src/b.mjs",
    "/other/b.mjs",
    "/abs/c.ts",
    "/abs/d/c.ts",
    "/apps/main.ts",
  ];
  const expected = [true, false, true, false, false, false, true, false, true, false, false];
  assert.deepEqual(paths.map((p) => re.test(p)), expected);
  assert.deepEqual(paths.map(inScope), expected);
  assert.ok(!scopeRegExp({ scope: [] }).test("/app/main.ts"));
});

Deno.test("makeScope() traces a scope file on its own, and a scope folder inside node_modules", () => {
  const options = {
    scope: ["/app/node_modules/pkg"],
    files: ["/app/lib/math.ts"],
    exclude: ["**/*.test.ts"],
  };
  const re = scopeRegExp(options);
  const inScope = makeScope(options);
  const paths = [
    "/app/lib/math.ts",
    "/app/lib/math.ts.bak",
    "/app/lib/math.tsx",
    "/app/lib/format.ts",
    "/app/node_modules/pkg/index.js",
    "/app/node_modules/pkg/node_modules/dep/index.js",
    "/app/node_modules/pkg/x.test.ts",
    "/app/node_modules/other/index.js",
  ];
  const expected = [true, false, false, false, true, false, false, false];
  assert.deepEqual(paths.map((p) => re.test(p)), expected);
  assert.deepEqual(paths.map(inScope), expected);
});

Deno.test("outOfScope() says why a file is not traced", () => {
  const options = { scope: ["/app/lib"], exclude: ["**/*.gen.ts"] };
  assert.equal(outOfScope("/app/lib/a.ts", options), null);
  assert.deepEqual(outOfScope("/app/main.ts", options), { kind: "outside" });
  assert.deepEqual(outOfScope("/app/lib/a.gen.ts", options), {
    kind: "excluded",
    glob: "**/*.gen.ts",
  });
  assert.deepEqual(outOfScope("/app/lib/run.sh", options), { kind: "not a source" });
  assert.deepEqual(outOfScope("/app/lib/node_modules/x/i.js", options), { kind: "node_modules" });
});

Deno.test("excludeFolders leaves out every file below each folder, its name taken literally", () => {
  const options = {
    scope: ["/app"],
    include: ["node_modules/**"],
    excludeFolders: ["/app/node_modules/p{a,b}*", "/opt/x/"],
  };
  const inScope = makeScope(options);
  assert.equal(inScope("/app/node_modules/p{a,b}*/index.js"), false);
  assert.equal(inScope("/app/node_modules/p{a,b}*/lib/deep.cjs"), false);
  // Not a glob: neither `pa` nor `pb*`, nor a folder whose name only starts the same.
  assert.equal(inScope("/app/node_modules/pa/index.js"), true);
  assert.equal(inScope("/app/node_modules/p{a,b}*x/index.js"), true);
  assert.equal(inScope("/opt/x/a.js"), false);
  assert.deepEqual(outOfScope("/opt/x/a.js", { ...options, include: ["**/*.js"] }), {
    kind: "excluded",
    glob: "/opt/x/**",
  });
});
