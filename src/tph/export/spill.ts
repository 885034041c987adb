// Text kept per track while a run is read in stored order, for formats that must write each
// track's events together (speedscope's profiles). Past a bound in memory, what is held goes to a
// temporary file; it is read back, track by track, when the export is put together.

import { FileReader, FileWriter, remove } from "../../host/files.ts";
import { bytesOf } from "../../program/recorder/json_sink.ts";

/** Characters held in memory, all tracks together, before they go to the file. */
const HELD = 8 << 20;

export class TrackSpill {
  readonly #parts: string[][] = [];
  #held = 0;
  #writer: FileWriter | null = null;
  #written = 0;
  /** Per track: its chunks in the file, as [offset, length] pairs. */
  readonly #chunks: number[][] = [];

  /** @param path The temporary file, made when needed and removed by close(). */
  constructor(readonly path: string) {}

  add(track: number, text: string): void {
    (this.#parts[track] ??= []).push(text);
    this.#held += text.length;
    if (this.#held > HELD) this.#spill();
  }

  #spill(): void {
    this.#writer ??= new FileWriter(this.path);
    for (let t = 0; t < this.#parts.length; t++) {
      const parts = this.#parts[t];
      if (parts === undefined || parts.length === 0) continue;
      const bytes = bytesOf(parts.join(""));
      this.#writer.write(bytes, bytes.length);
      (this.#chunks[t] ??= []).push(this.#written, bytes.length);
      this.#written += bytes.length;
      parts.length = 0;
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
    const parts = this.#parts[track];
    if (parts !== undefined && parts.length > 0) write(bytesOf(parts.join("")));
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
