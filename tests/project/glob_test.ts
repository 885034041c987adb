import assert from "node:assert/strict";
import { globToRegExp } from "../../src/project/glob.ts";

Deno.test("globToRegExp() matches ** across folders and * within one", () => {
  const re = globToRegExp("node_modules/marked/**");
  assert.ok(re.test("/app/node_modules/marked/lib/marked.esm.js"));
  assert.ok(!re.test("/app/node_modules/markedx/lib.js"));
  const star = globToRegExp("src/*.ts");
  assert.ok(star.test("/repo/src/a.ts"));
  assert.ok(!star.test("/repo/src/sub/a.ts"));
});

Deno.test("globToRegExp() supports ?, {a,b} and escapes regex characters", () => {
  assert.ok(globToRegExp("a?.ts").test("ab.ts"));
  assert.ok(globToRegExp("*.{ts,js}").test("x.js"));
  assert.ok(!globToRegExp("*.{ts,js}").test("x.tsx"));
  assert.ok(globToRegExp("a+b.ts").test("a+b.ts"));
  assert.ok(!globToRegExp("a.ts").test("abts"));
});

Deno.test("globToRegExp() anchors absolute patterns at the start", () => {
  assert.ok(globToRegExp("/app/**").test("/app/x.ts"));
  assert.ok(!globToRegExp("/app/**").test("/other/app/x.ts"));
});

Deno.test("globToRegExp() matches bare names, as for function filters", () => {
  assert.ok(globToRegExp("fetch*").test("fetchUser"));
  assert.ok(!globToRegExp("fetch*").test("prefetch"));
});
