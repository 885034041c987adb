// referencedNames(): the names an `-e` expression uses, outside strings, templates and comments,
// properties left out, and whether each is used only as `name.x` (as a module is).

import assert from "node:assert/strict";
import { referencedNames } from "../../../src/cli/launch/eval_entry.ts";

Deno.test("referencedNames() finds the names an expression uses", () => {
  const names = (e: string) => referencedNames(e).map((r) => `${r.name}${r.member ? "." : ""}`);
  assert.deepEqual(names("foo.foo(-2)"), ["foo."]);
  assert.deepEqual(names("a.b.c(d, e?.f) + g"), ["a.", "d", "e.", "g"]);
  assert.deepEqual(names(`x("str.y", 'q.z', \`t \${w.v} \`) // c.d`), ["x", "w."]);
  assert.deepEqual(names("/* m.n */ p.q"), ["p."]);
  assert.deepEqual(names("[1].map((x) => x.toFixed())"), ["x"]);
  assert.deepEqual(names("await lib.run({ k: v }) ?? typeof u"), ["lib.", "k", "v", "u"]);
  assert.deepEqual(names("'unterminated"), []);
  assert.deepEqual(names("a.b && a"), ["a"]);
});
