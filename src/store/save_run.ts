import {
  exists,
  FileReader,
  link,
  randomHex,
  remove,
  rename,
  writeOutputSync,
  writeWhole,
} from "../platform/files.ts";
import { isRunFormat } from "../run_file/run_kind.ts";
import { RUN_EXTENSION } from "../run_file/format.ts";
import { join } from "node:path";
import type { RunJSON } from "../types.ts";
import { ensureCacheDir } from "./cache_dir.ts";
import { Date, isNaN, JSON, String, Uint8Array } from "../platform/globals.ts";

/** Options of {@linkcode saveRun}. */
export interface SaveRunOptions {
  /** The cache folder; created (with a `.gitignore`) on first use. */
  cacheDir: string;
}

// Runs above this many calls are written without indentation: a third of the size, and nobody
// reads them by eye.
const INDENT_UP_TO = 10_000;

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}` +
    `_${p(d.getUTCMilliseconds(), 3)}`;
}

function slug(label: string | null): string {
  if (!label) return "";
  const s = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return s ? `_${s.slice(0, 40).replace(/-+$/, "")}` : "";
}

/**
 * The file name a run is saved under: `run_<UTC time>_<ms>[_<label>]_<random>.json`. Names sort
 * by start time; the label is reduced to `[a-z0-9-]`; the random part keeps two runs started in
 * the same millisecond apart.
 *
 * @param run The run (its `timestamp` and `label` are used).
 * @returns A file name such as `run_20261122T081502_123_my-label_3fa2c1.json`.
 *
 * @example
 * ```ts
 * import { runFileName } from "./src/store/save_run.ts";
 * // e.g. run_20261122T081502_123_checkout_3fa2c1.json
 * console.log(runFileName({ timestamp: "2026-11-22T08:15:02.123Z", label: "Checkout" } as never));
 * ```
 */
export function runFileName(
  run: Pick<RunJSON, "timestamp" | "label">,
  extension = ".json",
): string {
  const when = new Date(run.timestamp);
  const time = stamp(isNaN(when.getTime()) ? new Date() : when);
  return `run_${time}${slug(run.label)}_${randomHex(3)}${extension}`;
}

/**
 * Write a run to a path atomically: a temporary file in the same folder, then a rename, so a
 * reader never sees half a file.
 *
 * @param path Where to write.
 * @param run The run.
 *
 * @example
 * ```ts
 * import { writeRunFile } from "./src/store/save_run.ts";
 * declare const run: import("./src/types.ts").RunJSON;
 * writeRunFile("/tmp/run.json", run);
 * ```
 */
export function writeRunFile(path: string, run: RunJSON): void {
  // Through a dot name ending in .tmp: listRuns never picks it up, even if tph dies before the
  // rename.
  writeWhole(path, JSON.stringify(run, null, run.call_count > INDENT_UP_TO ? undefined : 2) + "\n");
}

/**
 * Save a run into the cache folder under a new {@linkcode runFileName}. Synchronous: it runs
 * once, at the end of `tph run`, when nothing else is waiting.
 *
 * @param run The run.
 * @param options The cache folder.
 * @returns The path of the saved file.
 *
 * @example
 * ```ts
 * import { saveRun } from "./src/store/save_run.ts";
 * declare const run: import("./src/types.ts").RunJSON;
 * const path = saveRun(run, { cacheDir: ".tracepatch_cache" });
 * console.log(`saved ${path}`);
 * ```
 */
export function saveRun(run: RunJSON, options: SaveRunOptions): string {
  ensureCacheDir(options.cacheDir);
  let path = join(options.cacheDir, runFileName(run));
  // 24 random bits per millisecond make a clash unlikely; this makes it harmless.
  while (exists(path)) path = join(options.cacheDir, runFileName(run));
  writeRunFile(path, run);
  return path;
}

/**
 * Store a run file that was written in the cache folder under a dot name (as `tph run` has the
 * traced program do) as a new run: a hard link under a new {@linkcode runFileName}, then the dot
 * name removed. A link never replaces a file, so two runs ending at once keep both.
 *
 * @param file The finished run file, in the cache folder.
 * @param run Its `timestamp` and `label`, for the name.
 * @param options The cache folder.
 * @param extension The run file's ending (default: found from the file's first bytes).
 * @returns The path of the stored run.
 *
 * @example
 * ```ts
 * import { storeRunFile } from "./src/store/save_run.ts";
 * const path = storeRunFile(".tracepatch_cache/.run.tmp", {
 *   timestamp: new Date().toISOString(),
 *   label: null,
 * }, { cacheDir: ".tracepatch_cache" });
 * console.log(`saved ${path}`);
 * ```
 */
export function storeRunFile(
  file: string,
  run: Pick<RunJSON, "timestamp" | "label">,
  options: SaveRunOptions,
  extension: string = isRunFormat(file) ? RUN_EXTENSION : ".json",
): string {
  for (;;) {
    const path = join(options.cacheDir, runFileName(run, extension));
    try {
      link(file, path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EEXIST") continue;
      // A file system without hard links: a rename, after a check.
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw e;
      if (exists(path)) continue;
      rename(file, path);
      return path;
    }
    remove(file);
    return path;
  }
}

/**
 * Copy a run file to `path` (see openOutput: a file is replaced whole, a device written into).
 *
 * @param file The run file.
 * @param path Where the copy goes.
 *
 * @example
 * ```ts
 * import { copyRunFile } from "./src/store/save_run.ts";
 * copyRunFile(".tracepatch_cache/run_20261122T081502_123_3fa2c1.json", "/tmp/run.json");
 * ```
 */
export function copyRunFile(file: string, path: string): void {
  const reader = new FileReader(file);
  try {
    writeOutputSync(path, (out) => {
      const buf = new Uint8Array(1 << 20);
      for (let at = 0, n = reader.read(buf, 0); n > 0; at += n, n = reader.read(buf, at)) {
        out.write(buf, n);
      }
    });
  } finally {
    reader.close();
  }
}
