// Which files the previous run of a program instrumented, with their size and modification time:
// when none of them changed, the run will most likely find every file in the transform cache,
// and the program's process skips loading the parser (~15 ms on Deno; parser_worker.ts covers a
// wrong guess). Kept in the transform cache folder, one small JSON file per program and settings.

import { createHash } from "node:crypto";
import { join } from "node:path";
import process from "node:process";
import { ABI_VERSION } from "../abi.ts";
import { makeDir, readText, rename, stat as fileStat, writeText } from "../runtime/_files.ts";
import { VERSION } from "../version.ts";

/** A file as the manifest remembers it: path, size and modification time (ms). */
export type FileStamp = [path: string, size: number, mtimeMs: number];

/** The manifest of one program under one set of loader settings. */
export class Manifest {
  readonly #path: string;
  readonly #previous: FileStamp[] | null;
  readonly #seen = new Map<string, FileStamp>();

  /**
   * @param cacheDir The transform cache folder.
   * @param key What identifies the program's runs: its main module and the loader settings.
   */
  constructor(cacheDir: string, key: string) {
    const hash = createHash("sha256").update(`${VERSION}\0${ABI_VERSION}\0${key}`).digest("hex");
    this.#path = join(cacheDir, "manifests", hash.slice(0, 32) + ".json");
    let previous: FileStamp[] | null = null;
    try {
      const files = JSON.parse(readText(this.#path)).files;
      if (Array.isArray(files)) previous = files;
    } catch {
      // No previous run (or an unreadable manifest): nothing is known.
    }
    this.#previous = previous;
  }

  /** Whether a previous run is known and none of its files changed since. */
  unchanged(): boolean {
    if (this.#previous === null || this.#previous.length === 0) return false;
    for (const [path, size, mtimeMs] of this.#previous) {
      const now = stamp(path);
      if (now === null || now[1] !== size || now[2] !== mtimeMs) return false;
    }
    return true;
  }

  /** Note a file this run instrumented. */
  saw(path: string): void {
    const s = stamp(path);
    if (s !== null) this.#seen.set(path, s);
  }

  /** Write this run's files, when they differ from the previous run's. Never throws. */
  save(): void {
    const files = [...this.#seen.values()];
    const prev = this.#previous;
    if (
      prev !== null && prev.length === files.length &&
      prev.every(([p, s, m]) => {
        const f = this.#seen.get(p);
        return f !== undefined && f[1] === s && f[2] === m;
      })
    ) return;
    try {
      makeDir(join(this.#path, ".."));
      const tmp = `${this.#path}.${process.pid}.tmp`;
      writeText(tmp, JSON.stringify({ files }));
      rename(tmp, this.#path);
    } catch {
      // A read-only cache only costs the next run the parser's load.
    }
  }
}

function stamp(path: string): FileStamp | null {
  try {
    const st = fileStat(path);
    return [path, st.size, st.mtimeMs];
  } catch {
    return null;
  }
}
