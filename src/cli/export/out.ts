// The byte side of the text exports: JSON pieces written into the run writer's buffered Sink.

import { type ByteSink, bytesOf, Sink } from "../../run_file/json_sink.ts";

/** "0123456789abcdef" as bytes. */
const HEX_DIGITS = bytesOf("0123456789abcdef");

/** JSON written piece by piece. */
export class JsonOut {
  readonly sink: Sink;
  readonly #ascii = new Map<string, Uint8Array>();
  constructor(target: ByteSink) {
    this.sink = new Sink(target);
  }

  /** Text written as it is (JSON syntax, keys); encoded once per distinct text. */
  raw(text: string): this {
    let b = this.#ascii.get(text);
    if (b === undefined) {
      b = bytesOf(text);
      if (this.#ascii.size < 4096) this.#ascii.set(text, b);
    }
    this.sink.bytes(b);
    return this;
  }

  /** ASCII text made for this one write (numbers, ids): written as it is, not kept. */
  ascii(text: string): this {
    const sink = this.sink;
    const n = text.length;
    if (!sink.reserve(n)) {
      this.sink.bytes(bytesOf(text));
      return this;
    }
    const buf = sink.buf;
    let pos = sink.pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    sink.pos = pos;
    return this;
  }

  /** 8 lowercase hex digits of an unsigned 32-bit number (ids), written as bytes. */
  hex32(n: number): this {
    const sink = this.sink;
    sink.reserve(8);
    const buf = sink.buf;
    let pos = sink.pos;
    for (let shift = 28; shift >= 0; shift -= 4) buf[pos++] = HEX_DIGITS[(n >>> shift) & 15];
    sink.pos = pos;
    return this;
  }

  /** A JSON string. */
  str(text: string): this {
    this.sink.json(text, 0, text.length);
    return this;
  }

  /** A number as JSON writes it. */
  num(n: number): this {
    if (n >= 0 && n < 2147483648 && n === Math.floor(n)) {
      this.sink.room();
      this.sink.int(n);
    } else this.sink.bytes(bytesOf(JSON.stringify(n)));
    return this;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): this {
    this.sink.bytes(b);
    return this;
  }

  flush(): void {
    this.sink.flush();
  }
}

/** `file:line`, or the name alone for a call with no place (external code). */
export function placeOf(file: string, line: number): string {
  return file === "" ? "" : line > 0 ? `${file}:${line}` : file;
}
