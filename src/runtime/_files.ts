// The few file operations that run inside a traced program (the loader's caches, the trace file).
// On Deno they use Deno's own API: its node:fs takes ~6 ms to load (on top of node:module, which
// the loader hook needs anyway), a twentieth of a short program's whole run under tph. Elsewhere
// node:fs, fetched on first use.

import type * as NodeFs from "node:fs";

interface DenoFile {
  writeSync(p: Uint8Array): number;
  close(): void;
}

interface DenoFiles {
  readTextFileSync(path: string): string;
  writeTextFileSync(path: string, text: string): void;
  mkdirSync(path: string, options: { recursive: boolean }): void;
  renameSync(from: string, to: string): void;
  statSync(path: string): { size: number; mtime: Date | null };
  openSync(path: string, options: { write: true; create: true; truncate: true }): DenoFile;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const deno: DenoFiles | undefined = g.Deno;
let nodeFs: typeof NodeFs | null = null;

function fs(): typeof NodeFs {
  return nodeFs ??= g.process.getBuiltinModule("node:fs");
}

/** A file's text (UTF-8). Throws when it cannot be read. */
export function readText(path: string): string {
  return deno ? deno.readTextFileSync(path) : fs().readFileSync(path, "utf8");
}

/** Write a file's text (UTF-8), replacing it. */
export function writeText(path: string, text: string): void {
  if (deno) deno.writeTextFileSync(path, text);
  else fs().writeFileSync(path, text);
}

/** Create a folder and its parents. */
export function makeDir(path: string): void {
  if (deno) deno.mkdirSync(path, { recursive: true });
  else fs().mkdirSync(path, { recursive: true });
}

/** Rename a file (atomic within a file system). */
export function rename(from: string, to: string): void {
  if (deno) deno.renameSync(from, to);
  else fs().renameSync(from, to);
}

/** Size and modification time (ms) of a file. Throws when it does not exist. */
export function stat(path: string): { size: number; mtimeMs: number } {
  if (deno) {
    const st = deno.statSync(path);
    return { size: st.size, mtimeMs: st.mtime?.getTime() ?? 0 };
  }
  const st = fs().statSync(path);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/** A file opened for writing from its start (created or truncated). */
export class FileWriter {
  readonly #file: DenoFile | null = null;
  readonly #fd: number = -1;

  constructor(path: string) {
    if (deno) this.#file = deno.openSync(path, { write: true, create: true, truncate: true });
    else this.#fd = fs().openSync(path, "w");
  }

  /** Write the first `length` bytes of `bytes`, all of them. */
  write(bytes: Uint8Array, length: number): void {
    let done = 0;
    if (this.#file) {
      while (done < length) done += this.#file.writeSync(bytes.subarray(done, length));
    } else {
      while (done < length) done += fs().writeSync(this.#fd, bytes, done, length - done);
    }
  }

  close(): void {
    if (this.#file) this.#file.close();
    else fs().closeSync(this.#fd);
  }
}
