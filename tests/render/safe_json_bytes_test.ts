import assert from "node:assert/strict";
import { SafeJsonBytes } from "../../src/render/safe_json_bytes.ts";
import { safeText } from "../../src/render/safe_text.ts";

/** `text`'s UTF-8 written in pieces cut at `cuts`, escaped; what came out, decoded. */
function escapeInPieces(text: string, cuts: number[]): string {
  const bytes = new TextEncoder().encode(text);
  const got: number[] = [];
  const esc = new SafeJsonBytes((b, n) => got.push(...b.subarray(0, n)));
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = bytes.slice(at, cut);
    esc.write(piece, piece.length);
    at = cut;
  }
  esc.end();
  return new TextDecoder().decode(new Uint8Array(got));
}

Deno.test("SafeJsonBytes escapes what safeText does inside JSON strings, cut anywhere", () => {
  const value = "a\u007f\u0080\u0085\u009f\u00a0é\u2027\u2028\u2029\u202a\u202e\u202f\u2065" +
    "\u2066\u2069\u206a€😀z";
  const json = JSON.stringify({ [value]: [value, "\t"] }, null, 2);
  // safeText's escapes of the characters JSON.stringify leaves raw.
  // deno-lint-ignore no-control-regex
  const expected = json.replace(/[^\x00-\x7e]/g, (c) => safeText(c));
  const bytes = new TextEncoder().encode(json).length;
  for (let i = 0; i <= bytes; i++) {
    for (const j of [i, i + 1, i + 2]) {
      const out = escapeInPieces(json, j <= bytes ? [i, j] : [i]);
      assert.equal(out, expected, `cut at ${i} and ${j}`);
      assert.deepEqual(JSON.parse(out), JSON.parse(json));
    }
  }
});
