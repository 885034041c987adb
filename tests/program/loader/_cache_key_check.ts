// Prints the transform cache keys of a few sources: the same on Deno and Bun (Bun hashes with
// its own hasher, Deno small files in JavaScript and the rest with node:crypto), so a file
// instrumented by one is found by the other.

import { cacheKey } from "../../../src/program/loader/transform.ts";

const keys = [
  cacheKey("const é = '😀';\n", { filename: "/a/b é.ts", module: "b é.ts", lang: "ts" }),
  cacheKey("a lone surrogate \ud800", { filename: "/x.js", module: "x.js" }),
  cacheKey("", { filename: "/y.mjs", module: "y.mjs", sourceType: "unambiguous" }),
  cacheKey("x", { filename: "/z.js", module: "z.js", externalCalls: false }),
  // Past the budget hashed in JavaScript: node:crypto's, then for the small one after it too.
  cacheKey("const big = 1;\n".repeat(30_000), { filename: "/big.js", module: "big.js" }),
  cacheKey("y", { filename: "/z.js", module: "z.js" }),
];
console.log(JSON.stringify(keys));
