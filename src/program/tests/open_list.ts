// The tests whose blocks are open, kept by the runners' modules: arrays walked by index, since a
// program may have replaced the built-ins' methods and iterators.

/**
 * Take `item` from `list` (the last one takes its place); false when it was not there.
 *
 * @param list The open items.
 * @param item The one to take.
 */
export function takeOpen<T>(list: T[], item: T): boolean {
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== item) continue;
    list[i] = list[list.length - 1];
    list.length--;
    return true;
  }
  return false;
}
