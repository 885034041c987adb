// The top-level fields of a run in the JSON format, read a chunk at a time without keeping its
// trace: what `tph logs` needs of a large JSON run, in bounded memory. The trace is skipped by its
// brackets and strings (its calls are checked when a command reads them); every other field is
// parsed, and may take at most FIELD_MAX bytes. A file that stops being JSON (a NUL byte, a
// sparse file's hole) is given up at once, whatever its size.

import { FileReader } from "../platform/files.ts";
import { Error, JSON, TextDecoder, Uint8Array } from "../platform/globals.ts";

const CHUNK = 1 << 20;
/** The most bytes a top-level field other than the trace may take. */
const FIELD_MAX = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Why a file is not a JSON run, in the words loadRun uses. */
export class JsonMetaError extends Error {}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * The top-level fields of the JSON object in `path`, `trace` given as `[]` when it is an array.
 *
 * @throws {JsonMetaError} `invalid JSON (at byte N)` (or `(not JSON)`, `(the file is empty)`),
 * `a field is larger than 1 MB`.
 */
export function readJsonMeta(path: string): Record<string, unknown> {
  const reader = new FileReader(path);
  try {
    return new MetaScanner(reader).read();
  } finally {
    reader.close();
  }
}

class MetaScanner {
  readonly #buf = new Uint8Array(CHUNK);
  /** File offset of buf[0], and how many bytes buf holds. */
  #start = 0;
  #length = 0;
  /** Index in buf of the next byte. */
  #at = 0;
  #eof = false;
  /** Bytes of the value being captured. */
  #capture: Uint8Array = new Uint8Array(256);
  #captured = 0;
  #capturing = false;

  readonly reader: FileReader;
  constructor(reader: FileReader) {
    this.reader = reader;
  }

  /** The file offset of the next byte. */
  get offset(): number {
    return this.#start + this.#at;
  }

  invalid(at = this.offset): JsonMetaError {
    return new JsonMetaError(at === 0 ? "invalid JSON (not JSON)" : `invalid JSON (at byte ${at})`);
  }

  /** Make sure buf holds a byte at #at; false at the end of the file. */
  #fill(): boolean {
    if (this.#at < this.#length) return true;
    if (this.#eof) return false;
    this.#start += this.#length;
    this.#length = this.reader.read(this.#buf, this.#start);
    this.#at = 0;
    if (this.#length === 0) this.#eof = true;
    return this.#length > 0;
  }

  /** The next byte, consumed; -1 at the end. */
  #next(): number {
    if (!this.#fill()) return -1;
    const b = this.#buf[this.#at++];
    if (this.#capturing) this.#keep(b);
    return b;
  }

  /** The next byte that is not white space, not consumed; -1 at the end. */
  #peekPastSpace(): number {
    for (;;) {
      if (!this.#fill()) return -1;
      const b = this.#buf[this.#at];
      if (!isSpace(b)) return b;
      this.#at++;
    }
  }

  #keep(b: number): void {
    if (this.#captured === this.#capture.length) {
      if (this.#captured >= FIELD_MAX) throw new JsonMetaError("a field is larger than 1 MB");
      const grown = new Uint8Array(this.#capture.length * 2);
      grown.set(this.#capture);
      this.#capture = grown;
    }
    this.#capture[this.#captured++] = b;
  }

  #expect(byte: number): void {
    const at = this.offset;
    if (this.#peekPastSpace() !== byte) throw this.invalid(at);
    this.#at++;
  }

  read(): Record<string, unknown> {
    const first = this.#peekPastSpace();
    if (first === -1) {
      if (this.offset === 0) throw new JsonMetaError("invalid JSON (the file is empty)");
      throw this.invalid();
    }
    // Not an object: what loadRun says of it needs the value, which is small or not JSON.
    if (first !== 0x7b) throw this.invalid(this.offset);
    this.#at++;
    const fields: Record<string, unknown> = {};
    const decoder = new TextDecoder();
    const parse = (at: number) => {
      try {
        return JSON.parse(decoder.decode(this.#capture.subarray(0, this.#captured)));
      } catch {
        throw this.invalid(at);
      }
    };
    if (this.#peekPastSpace() === 0x7d) this.#at++;
    else {
      for (;;) {
        // The key.
        const keyAt = this.offset;
        if (this.#peekPastSpace() !== QUOTE) throw this.invalid(keyAt);
        this.#captured = 0;
        this.#capturing = true;
        this.#skipValue();
        this.#capturing = false;
        const key = parse(keyAt) as string;
        this.#expect(0x3a);
        const b = this.#peekPastSpace();
        const valueAt = this.offset;
        if (b === -1) throw this.invalid();
        if (key === "trace" && b === 0x5b) {
          this.#skipValue();
          fields[key] = [];
        } else {
          this.#captured = 0;
          this.#capturing = true;
          this.#skipValue();
          this.#capturing = false;
          fields[key] = parse(valueAt);
        }
        const sep = this.#peekPastSpace();
        const sepAt = this.offset;
        this.#at++;
        if (sep === 0x7d) break;
        if (sep !== 0x2c) throw this.invalid(sepAt);
      }
    }
    if (this.#peekPastSpace() !== -1) throw this.invalid();
    return fields;
  }

  /**
   * Pass one JSON value (a string, an array or object by its brackets, or a literal), which
   * starts at the next byte. Raw control characters, other than white space between tokens, are
   * invalid JSON: a NUL byte ends the scan there.
   */
  #skipValue(): void {
    const first = this.#next();
    if (first === QUOTE) return this.#skipString();
    if (first !== 0x5b && first !== 0x7b) {
      // A literal (number, true, false, null): up to the next delimiter, checked when parsed.
      for (;;) {
        if (!this.#fill()) return;
        const b = this.#buf[this.#at];
        if (b === 0x2c || b === 0x7d || b === 0x5d || isSpace(b)) return;
        if (b < 0x20 || b === QUOTE || b === 0x5b || b === 0x7b) throw this.invalid();
        this.#next();
      }
    }
    // Brackets: a stack of what each open one needs to close.
    let stack: Uint8Array = new Uint8Array(64);
    let depth = 1;
    stack[0] = first + 2; // "[" + 2 = "]", "{" + 2 = "}"
    while (depth > 0) {
      if (!this.#fill()) throw this.invalid();
      if (depth === stack.length) stack = grow(stack);
      if (this.#capturing) {
        depth = this.#step(this.#next(), stack, depth);
        continue;
      }
      // Not kept: a tight loop over what buf holds, left at a string or the value's end.
      const buf = this.#buf;
      const end = this.#length;
      let i = this.#at;
      let string = false;
      for (; i < end; i++) {
        const b = buf[i];
        if (b === QUOTE) {
          string = true;
          i++;
          break;
        }
        if (b < 0x20 && !isSpace(b)) {
          this.#at = i;
          throw this.invalid();
        }
        if (b === 0x5b || b === 0x7b) {
          if (depth === stack.length) stack = grow(stack);
          stack[depth++] = b + 2;
        } else if (b === 0x5d || b === 0x7d) {
          if (stack[--depth] !== b) {
            this.#at = i;
            throw this.invalid();
          }
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
      this.#at = i;
      if (string) this.#skipString();
    }
  }

  /** One byte of a bracketed value, kept: the new depth. */
  #step(b: number, stack: Uint8Array, depth: number): number {
    if (b === QUOTE) {
      this.#skipString();
      return depth;
    }
    if (b < 0x20 && !isSpace(b)) throw this.invalid(this.offset - 1);
    if (b === 0x5b || b === 0x7b) {
      stack[depth] = b + 2;
      return depth + 1;
    }
    if (b === 0x5d || b === 0x7d) {
      if (stack[depth - 1] !== b) throw this.invalid(this.offset - 1);
      return depth - 1;
    }
    return depth;
  }

  /** Pass the rest of a string, whose opening quote was read. */
  #skipString(): void {
    let escaped = false;
    for (;;) {
      if (!this.#fill()) throw this.invalid();
      if (this.#capturing) {
        const b = this.#next();
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) return;
        else if (b < 0x20) throw this.invalid(this.offset - 1);
        continue;
      }
      const buf = this.#buf;
      const end = this.#length;
      for (let i = this.#at; i < end; i++) {
        const b = buf[i];
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          this.#at = i + 1;
          return;
        } else if (b < 0x20) {
          this.#at = i;
          throw this.invalid();
        }
      }
      this.#at = end;
    }
  }
}

function grow(stack: Uint8Array): Uint8Array {
  const grown = new Uint8Array(stack.length * 2);
  grown.set(stack);
  return grown;
}
