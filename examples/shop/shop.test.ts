// The shop's tests, one of them failing on purpose: `tph test --runner node -- examples/shop/
// shop.test.ts` prints node --test's report as it is, then a line naming the failing test's run,
// whose tree (`tph tree <id>`) shows what the test called, down to the error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Inventory } from "./inventory.ts";
import { applyDiscount, fetchPrice } from "./pricing.ts";

test("a discount code halves the total", () => {
  assert.equal(applyDiscount(3, "HALF"), 1.5);
});

test("a plum costs 1.25", async () => {
  assert.equal(await fetchPrice("plum"), 1.25);
});

test("five plums can be reserved", () => {
  const inventory = new Inventory({ plum: 1 });
  assert.equal(inventory.reserve("plum", 5), 0);
});
