// Text kept per track while a run is read in stored order, for formats that must write each
// track's events together (speedscope's profiles). Past a bound in memory, what is held goes to a
// temporary file; it is read back, track by track, when the export is put together.

import { FileReader, FileWriter, remove } from "../../platform/files.ts";

/** Bytes held in memory, all tracks together, before they go to the file. */
const HELD = 8 << 20;

export class TrackSpill {
  readonly #bufs: Uint8Array[] = [];
  readonly #used: number[] = [];
  #held = 0;
  #writer: FileWriter | null = null;
  #written = 0;
  /** Per track: its chunks in the file, as [offset, length] pairs. */
  readonly #chunks: number[][] = [];

  readonly path: string;
  /** @param path The temporary file, made when needed and removed by close(). */
  constructor(path: string) {
    this.path = path;
  }

  /** Add ASCII text (each character one byte) to a track's. */
  ascii(track: number, text: string): void {
    let buf = this.#bufs[track];
    const used = this.#used[track] ?? 0;
    const n = text.length;
    if (buf === undefined || used + n > buf.length) {
      const grown = new Uint8Array(Math.max(256, (used + n) * 2));
      if (buf !== undefined) grown.set(buf.subarray(0, used));
      this.#bufs[track] = buf = grown;
    }
    for (let i = 0; i < n; i++) buf[used + i] = text.charCodeAt(i);
    this.#used[track] = used + n;
    this.#held += n;
    if (this.#held > HELD) this.#spill();
  }

  #spill(): void {
    this.#writer ??= new FileWriter(this.path);
    for (let t = 0; t < this.#bufs.length; t++) {
      const used = this.#used[t] ?? 0;
      if (used === 0) continue;
      this.#writer.write(this.#bufs[t], used);
      (this.#chunks[t] ??= []).push(this.#written, used);
      this.#written += used;
      this.#used[t] = 0;
      // A track that held much gives its memory back; the others keep theirs for what comes.
      if (this.#bufs[t].length > 1 << 16) this.#bufs[t] = new Uint8Array(1 << 12);
    }
    this.#held = 0;
  }

  /** Hand a track's text, in the order added, to `write` (in pieces). */
  drain(track: number, write: (bytes: Uint8Array) => void): void {
    const chunks = this.#chunks[track];
    if (chunks !== undefined && chunks.length > 0) {
      this.#writer?.close();
      this.#writer = null;
      const reader = new FileReader(this.path);
      try {
        for (let k = 0; k < chunks.length; k += 2) {
          const b = new Uint8Array(chunks[k + 1]);
          reader.read(b, chunks[k]);
          write(b);
        }
      } finally {
        reader.close();
      }
    }
    const used = this.#used[track] ?? 0;
    if (used > 0) write(this.#bufs[track].subarray(0, used));
  }

  /** Remove the temporary file. */
  close(): void {
    this.#writer?.close();
    this.#writer = null;
    if (this.#written > 0) {
      try {
        remove(this.path);
      } catch {
        // Gone already.
      }
    }
  }
}
