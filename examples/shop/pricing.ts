const PRICES: Record<string, number> = { apple: 0.5, pear: 0.75, plum: 1.25 };

/** A price lookup that takes a while, like a call to another service would. */
export async function fetchPrice(sku: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  const price = PRICES[sku];
  if (price === undefined) throw new Error(`No price for ${sku}`);
  return price;
}

export function applyDiscount(total: number, code?: string): number {
  return code === "HALF" ? total / 2 : total;
}
