// JSON text (UTF-8) streamed to stdout with what JSON leaves raw in its strings but a terminal
// acts on written as \u escapes: DEL, the C1 controls (U+0080–U+009F), U+2028/U+2029 and the bidi
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the characters safeText
// escapes (`tph view --json` prints its JSON through it). A \u escape parses back to the same
// character: the JSON means the same, byte for byte once parsed. Raw C0 controls (which valid
// JSON only holds as whitespace: tab, line feed, carriage return) are escaped too.

const HEX = "0123456789abcdef";

/** Writes UTF-8 JSON text on, escaped; a character split between two writes is kept whole. */
export class SafeJsonBytes {
  /** The last bytes of the previous write when they may start a character to escape. */
  readonly #held = new Uint8Array(2);
  #heldLength = 0;
  #out = new Uint8Array(0);

  readonly sink: (bytes: Uint8Array, length: number) => void;
  /** @param sink Where the escaped bytes go. */
  constructor(sink: (bytes: Uint8Array, length: number) => void) {
    this.sink = sink;
  }

  /** Escape and pass on the first `length` bytes of `bytes`. */
  write(bytes: Uint8Array, length: number): void {
    let input = bytes;
    let n = length;
    if (this.#heldLength > 0) {
      input = new Uint8Array(this.#heldLength + length);
      input.set(this.#held.subarray(0, this.#heldLength));
      input.set(bytes.subarray(0, length), this.#heldLength);
      n = input.length;
      this.#heldLength = 0;
    }
    // An escape is at most three times the bytes it replaces (two bytes become six).
    if (this.#out.length < n * 3) this.#out = new Uint8Array(Math.max(n * 3, 1 << 16));
    const out = this.#out;
    let o = 0;
    let i = 0;
    for (; i < n; i++) {
      const b = input[i];
      let code = -1;
      let width = 1;
      if (b < 0x20) {
        if (b !== 0x09 && b !== 0x0a && b !== 0x0d) code = b;
      } else if (b === 0x7f) code = b;
      else if (b === 0xc2 || b === 0xe2) {
        width = b === 0xc2 ? 2 : 3;
        if (i + width > n) break; // Held for the next write.
        const b1 = input[i + 1];
        if (b === 0xc2) {
          if (b1 >= 0x80 && b1 <= 0x9f) code = b1;
        } else {
          const b2 = input[i + 2];
          if (
            (b1 === 0x80 && b2 >= 0xa8 && b2 <= 0xae) || (b1 === 0x81 && b2 >= 0xa6 && b2 <= 0xa9)
          ) code = 0x2000 + ((b1 & 0x3f) << 6) + (b2 & 0x3f);
        }
      }
      if (code < 0) {
        out[o++] = b;
        continue;
      }
      out[o++] = 0x5c; // \
      out[o++] = 0x75; // u
      for (let shift = 12; shift >= 0; shift -= 4) out[o++] = HEX.charCodeAt((code >> shift) & 15);
      i += width - 1;
    }
    if (i < n) {
      this.#held.set(input.subarray(i, n));
      this.#heldLength = n - i;
    }
    if (o > 0) this.sink(out, o);
  }

  /** Pass on what was held back (a character cut off at the end). */
  end(): void {
    if (this.#heldLength === 0) return;
    const held = this.#held.slice(0, this.#heldLength);
    this.#heldLength = 0;
    this.sink(held, held.length);
  }
}
