import assert from "node:assert/strict";
import { parseDuration } from "../../../src/cli/commands/duration.ts";

Deno.test("parseDuration() takes a whole number and m, h, d or w", () => {
  assert.equal(parseDuration("90m"), 90 * 60_000);
  assert.equal(parseDuration("12h"), 12 * 3_600_000);
  assert.equal(parseDuration("30d"), 30 * 86_400_000);
  assert.equal(parseDuration("2w"), 14 * 86_400_000);
});

Deno.test("parseDuration() refuses anything else", () => {
  for (
    const text of [
      "",
      "30",
      "d",
      "0d",
      "-1d",
      "+1d",
      "1.5d",
      "030d",
      "1D",
      "1y",
      "1mo",
      " 1d",
      "1d ",
      "1 d",
      "1e3m",
      "0x10h",
    ]
  ) assert.equal(parseDuration(text), null, JSON.stringify(text));
});
