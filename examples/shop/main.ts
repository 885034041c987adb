// A small shop: `tph run examples/shop/main.ts --tree` shows each order's calls, the two
// concurrent orders each under their own call, and the order that fails.
import { Inventory } from "./inventory.ts";
import { applyDiscount, fetchPrice } from "./pricing.ts";

interface Line {
  sku: string;
  count: number;
}

async function priceOrder(lines: Line[], code?: string): Promise<number> {
  const prices = await Promise.all(lines.map((line) => fetchPrice(line.sku)));
  const total = lines.reduce((sum, line, i) => sum + line.count * prices[i], 0);
  return applyDiscount(total, code);
}

async function placeOrder(inventory: Inventory, id: string, lines: Line[], code?: string) {
  for (const line of lines) inventory.reserve(line.sku, line.count);
  const total = await priceOrder(lines, code);
  return { id, total };
}

async function main() {
  const inventory = new Inventory({ apple: 10, pear: 4, plum: 2 });
  const orders = await Promise.all([
    placeOrder(inventory, "A-1", [{ sku: "apple", count: 3 }, { sku: "pear", count: 2 }]),
    placeOrder(inventory, "A-2", [{ sku: "plum", count: 1 }], "HALF"),
  ]);
  console.log("placed:", orders);
  try {
    await placeOrder(inventory, "A-3", [{ sku: "plum", count: 5 }]);
  } catch (e) {
    console.log("refused:", (e as Error).message);
  }
}

await main();
