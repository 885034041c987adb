// What the previous run of a program instrumented: each file with its size, modification time and
// transform cache key, plus the configuration files that shape how Deno transpiles them. When none
// of these changed, the run will most likely find every file in the transform cache under the same
// keys: the program's process then loads neither the parser (~15 ms on Deno; parser_worker.ts
// covers a wrong guess) nor the hash (node:crypto, 2–7 ms). Kept in the transform cache folder,
// one small JSON file per program and settings.
// On Node (`perFile`) each file's key is taken on its own, and only for a source that is the
// file's own bytes (node.ts checks, through `fileNow`): Node's load hook gets its source from the
// next hook, which can change what it gives while the file's size and time stay the same.

import { join } from "node:path";
import { ABI_VERSION } from "../../abi.ts";
import { fileStamp, makeDir, readText, stat, writeWhole } from "../../platform/files.ts";
import { VERSION } from "../../version.ts";
import { shortHash } from "../../platform/hash.ts";
import { ownArray, plainJSON, SafeMap } from "../../platform/intrinsics.ts";
import { JSON, Map } from "../../platform/globals.ts";

/** A file as the manifest remembers it: path, size and modification time (-1, -1: absent). */
type Stamp = [path: string, size: number, mtimeMs: number];
/**
 * An instrumented file: its stamp and its transform cache key (on Node also what the key took of
 * a map file beside it, own_map.ts).
 */
type Entry = [path: string, size: number, mtimeMs: number, key: string, mapStamp?: string | null];

/** A file as it is now (Node: {@linkcode Manifest.fileNow}). */
export interface ManifestFile {
  /** Its size now, in bytes. */
  size: number;
  /** The last run's key of it, when it had this size, time and map stamp then. */
  key(mapStamp: string | null): string | undefined;
  /** Note its key in this run (with the size and time taken by fileNow). */
  saw(key: string, mapStamp: string | null): void;
}

interface Saved {
  identity: string;
  files: Entry[];
  watched: Stamp[];
}

/** The manifest of one program under one set of loader settings. */
export class Manifest {
  readonly #path: string;
  readonly #identity: string;
  /** The watched files as they were when the program started. */
  readonly #watched: Stamp[];
  readonly #previous: Saved | null;
  readonly #unchanged: boolean;
  readonly #perFile: boolean;
  readonly #dir: string;
  // The program runs while these fill, and save() runs when it ends: built-ins it may have
  // patched are not used (see platform/intrinsics.ts).
  readonly #known: Map<string, Entry> = new SafeMap<string, Entry>();
  readonly #seen: Map<string, Entry> = new SafeMap<string, Entry>();
  /** The stamps `keyFor` just took, for `saw` to record without a second look at the file. */
  readonly #checked: Map<string, Stamp> = new SafeMap<string, Stamp>();

  /**
   * @param cacheDir The transform cache folder.
   * @param identity What identifies the program's runs: its main module, the loader settings and
   *   the runtime's version.
   * @param watched Files whose change (or appearance) may change how sources are transpiled.
   * @param perFile Each file's key is known while that file is unchanged, whatever the others
   *   did (Node, through fileNow); unchanged() is then false.
   */
  constructor(cacheDir: string, identity: string, watched: string[], perFile = false) {
    this.#perFile = perFile;
    this.#identity = `${VERSION}\0${ABI_VERSION}\0${identity}`;
    // Joined now: node:path's join calls the program's Array.prototype.push on Node, and save()
    // runs when the program ends.
    this.#dir = join(cacheDir, "manifests");
    this.#path = join(this.#dir, nameOf(this.#identity) + ".json");
    // Stamped now, before the program runs: a look at a missing file at save would go through
    // built-ins the program may have patched (Deno builds its NotFound error with them).
    this.#watched = watched.map(stamp);
    let previous: Saved | null = null;
    try {
      const saved = JSON.parse(readText(this.#path)) as Saved;
      // The name is a short hash: the identity inside tells a clash apart.
      if (saved.identity === this.#identity) previous = saved;
    } catch {
      // No previous run (or an unreadable manifest): nothing is known.
    }
    this.#previous = previous;
    if (perFile) {
      this.#unchanged = false;
      if (previous !== null) {
        for (const entry of previous.files) this.#known.set(entry[0], entry);
      }
      return;
    }
    this.#unchanged = previous !== null && previous.files.length > 0 &&
      sameWatched(previous.watched, this.#watched) &&
      previous.files.every(([p, size, mtimeMs]) => same(stamp(p), size, mtimeMs));
    if (this.#unchanged) { for (const entry of previous!.files) this.#known.set(entry[0], entry); }
  }

  /** Whether a previous run is known and none of its files (nor the watched ones) changed. */
  unchanged(): boolean {
    return this.#unchanged;
  }

  /**
   * The cache key the previous run used for a file, if known and the file is still unchanged
   * (checked again now: a program may rewrite a module before it imports it).
   */
  keyFor(path: string): string | undefined {
    const entry = this.#known.get(path);
    if (entry === undefined) return undefined;
    const now = stamp(path);
    this.#checked.set(path, now);
    return same(now, entry[1], entry[2]) ? entry[3] : undefined;
  }

  /**
   * A regular file's size and time taken now, before the caller reads it (so that what it reads
   * is at least as new as the stamp kept), with the last run's key under that stamp; null when the
   * path is no regular file.
   */
  fileNow(path: string): ManifestFile | null {
    const st = fileStamp(path);
    if (st === null) return null;
    const entry = this.#known.get(path), seen = this.#seen;
    const size = st.size, mtimeMs = st.mtimeMs;
    return {
      size,
      key: (mapStamp) =>
        entry !== undefined && entry[1] === size && entry[2] === mtimeMs &&
          (entry[4] ?? null) === mapStamp
          ? entry[3]
          : undefined,
      saw: (key, mapStamp) => void seen.set(path, [path, size, mtimeMs, key, mapStamp]),
    };
  }

  /** Note a file this run instrumented, and its cache key. */
  saw(path: string, key: string): void {
    const [, size, mtimeMs] = this.#checked.get(path) ?? stamp(path);
    this.#checked.delete(path);
    if (size >= 0) this.#seen.set(path, [path, size, mtimeMs, key]);
  }

  /** Write this run's files, when they differ from the previous run's. Never throws. */
  save(): void {
    const files: Entry[] = ownArray([]);
    this.#seen.forEach((entry) => files[files.length] = entry);
    const prev = this.#previous;
    // Node's: a run that instrumented nothing (a process whose files come by another loader)
    // leaves the last one's.
    if (this.#perFile && files.length === 0) return;
    // Node's: the files this run did not load keep their keys (each is checked again when used):
    // a worker thread of the program, whose argv is its parent's, keeps the same manifest.
    if (this.#perFile && prev !== null) {
      for (let i = 0; i < prev.files.length; i++) {
        if (!this.#seen.has(prev.files[i][0])) files[files.length] = prev.files[i];
      }
    }
    if ((this.#unchanged || this.#perFile) && prev !== null && prev.files.length === files.length) {
      let same = true;
      for (let i = 0; i < prev.files.length && same; i++) {
        const e = prev.files[i], f = this.#seen.get(e[0]) ?? (this.#perFile ? e : undefined);
        same = f !== undefined && f[1] === e[1] && f[2] === e[2] && f[3] === e[3] &&
          (f[4] ?? null) === (e[4] ?? null);
      }
      if (same) return;
    }
    const saved: Saved = { identity: this.#identity, files, watched: this.#watched };
    try {
      makeDir(this.#dir);
      writeWhole(this.#path, plainJSON(saved));
    } catch {
      // A read-only cache only costs the next run the parser's load.
    }
  }
}

function stamp(path: string): Stamp {
  try {
    const st = stat(path);
    return [path, st.size, st.mtimeMs];
  } catch {
    return [path, -1, -1];
  }
}

function same(s: Stamp, size: number, mtimeMs: number): boolean {
  return s[1] === size && s[2] === mtimeMs;
}

function sameWatched(previous: Stamp[], watched: Stamp[]): boolean {
  if (previous.length !== watched.length) return false;
  return previous.every(([p, size, mtimeMs], i) =>
    p === watched[i][0] && same(watched[i], size, mtimeMs)
  );
}

/** A short name for a manifest file: a clash is caught by the identity inside. */
const nameOf = shortHash;
