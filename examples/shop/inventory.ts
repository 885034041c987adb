/** Stock levels, kept in memory. */
export class Inventory {
  #stock = new Map<string, number>();

  constructor(initial: Record<string, number>) {
    for (const [sku, count] of Object.entries(initial)) this.#stock.set(sku, count);
  }

  /** Take `count` items out of stock; throws when there are not enough. */
  reserve(sku: string, count: number): number {
    const have = this.#stock.get(sku) ?? 0;
    if (count > have) {
      throw new RangeError(`Not enough ${sku}: wanted ${count}, have ${have}`);
    }
    this.#stock.set(sku, have - count);
    return have - count;
  }

  get skus(): string[] {
    return [...this.#stock.keys()];
  }
}
