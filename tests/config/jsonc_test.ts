// deno.json(c) as Deno reads it: comments and trailing commas, also a trailing comma followed by
// a comment; strings that hold `//`, `/*` or `,}` stay as they are.

import assert from "node:assert/strict";
import { parseJsonc } from "../../src/config/_jsonc.ts";

Deno.test("parseJsonc reads comments and trailing commas, also a comma before a comment", () => {
  assert.deepEqual(parseJsonc('{ "a": 1, /* c */ }'), { a: 1 });
  assert.deepEqual(parseJsonc('{ "l": [1, 2, // two\n], }'), { l: [1, 2] });
  assert.deepEqual(parseJsonc('{ "s": "x//y,}", "t": "/* no */" }'), {
    s: "x//y,}",
    t: "/* no */",
  });
  assert.deepEqual(parseJsonc('{ "q": "a\\"b,]" }'), { q: 'a"b,]' });
  assert.throws(() => parseJsonc('{ "a": 1,, }'));
});
