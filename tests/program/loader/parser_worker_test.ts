import assert from "node:assert/strict";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { instrumentInWorker } from "../../../src/program/loader/parser_worker.ts";

Deno.test("instrumentInWorker() gives what instrument() gives, request after request", () => {
  const sources = [
    "export function add(a, b) { return a + b }\n",
    "const s = 'é ✓ 😀'; export const f = async (x) => await x;\n",
    "function (\n", // does not parse: returned untouched
  ];
  for (const source of sources) {
    const options = { filename: "/x/mod.js", module: "mod.js" };
    assert.equal(instrumentInWorker(source, options), instrument(source, options).code);
  }
  const big = "export function f(x) { return x }\n".repeat(5000);
  assert.equal(
    instrumentInWorker(big, { filename: "/x/big.js" }),
    instrument(big, { filename: "/x/big.js" }).code,
  );
});
