import assert from "node:assert/strict";
import { formatSize } from "../../src/render/size.ts";

Deno.test("formatSize() writes sizes in decimal units, as rounded when shown", () => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [5422, "5.4 kB"],
    [99_949, "99.9 kB"],
    [99_950, "100 kB"],
    [999_499, "999 kB"],
    [999_500, "1.0 MB"],
    [1_234_567, "1.2 MB"],
    [640_000_000, "640 MB"],
    [2_500_000_000, "2.5 GB"],
  ];
  for (const [bytes, text] of cases) assert.equal(formatSize(bytes), text, String(bytes));
});
