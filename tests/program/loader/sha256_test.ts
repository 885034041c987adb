import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../../src/platform/sha256.ts";

const native = (s: string) => createHash("sha256").update(s).digest("hex");

Deno.test("sha256Hex gives node:crypto's digest (padding at each block boundary, UTF-8, lone surrogates)", () => {
  const texts = ["", "abc", "é€😀", "a lone surrogate \ud800 and \udfff", "\0\0"];
  for (let n = 50; n <= 130; n++) texts.push("x".repeat(n));
  texts.push("ab".repeat(40_000));
  let seed = 7;
  for (let i = 0; i < 100; i++) {
    let s = "";
    for (let j = 0; j < i * 3; j++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      s += String.fromCharCode(seed & 0xffff);
    }
    texts.push(s);
  }
  for (const t of texts) assert.equal(sha256Hex(t), native(t), `length ${t.length}`);
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
