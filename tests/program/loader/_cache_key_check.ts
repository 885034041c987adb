// Prints the transform cache keys of a few sources: the same on Deno and Bun (Bun hashes with
// its own hasher, Deno with node:crypto), so a file instrumented by one is found by the other.

import { cacheKey } from "../../../src/program/loader/transform.ts";

const keys = [
  cacheKey("const é = '😀';\n", { filename: "/a/b é.ts", module: "b é.ts", lang: "ts" }),
  cacheKey("a lone surrogate \ud800", { filename: "/x.js", module: "x.js" }),
  cacheKey("", { filename: "/y.mjs", module: "y.mjs", sourceType: "unambiguous" }),
  cacheKey("x", { filename: "/z.js", module: "z.js", externalCalls: false }),
];
console.log(JSON.stringify(keys));
