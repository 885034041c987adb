// The run cache: one JSON file per run in `.tracepatch_cache/`, named so that names sort by
// time. Writes are atomic (temporary file, then rename) and names carry a random suffix, so two
// runs saving at once never overwrite each other.

import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join, resolve } from "node:path";
import { type RunJSON, SCHEMA_VERSION } from "../types.ts";

/** Folder name of the cache inside a project root. */
export const CACHE_DIR_NAME = ".tracepatch_cache";

/** A run in the cache, as `tph logs` lists it. */
export interface RunEntry {
  /** File name without `run_` and `.json`; what `tph view <id>` takes. */
  id: string;
  path: string;
  run: RunJSON;
}

/** A run file that cannot be used, with the reason. */
export class RunFileError extends Error {}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}` +
    `_${p(d.getUTCMilliseconds(), 3)}`;
}

function slug(label: string | null): string {
  if (!label) return "";
  const s = label.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return s ? `_${s.slice(0, 40)}` : "";
}

/** Create the cache folder with a .gitignore that ignores everything in it. */
export function ensureCacheDir(cacheDir: string): void {
  mkdirSync(cacheDir, { recursive: true });
  const ignore = join(cacheDir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# Written by tph: runs are local.\n*\n");
}

/**
 * Save a run into the cache folder, atomically.
 *
 * @param run The run document.
 * @param options The cache folder.
 * @returns The path of the saved file.
 */
export function saveRun(run: RunJSON, options: { cacheDir: string }): string {
  ensureCacheDir(options.cacheDir);
  const when = new Date(run.timestamp);
  const name = `run_${stamp(isNaN(when.getTime()) ? new Date() : when)}${slug(run.label)}_${
    randomBytes(3).toString("hex")
  }.json`;
  const path = join(options.cacheDir, name);
  writeRunFile(path, run);
  return path;
}

/**
 * Write a run document to a path atomically (temporary file in the same folder, then rename).
 *
 * @param path Where to write.
 * @param run The run document.
 */
export function writeRunFile(path: string, run: RunJSON): void {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  // Large runs stay compact; small ones are indented for people who open them.
  writeFileSync(tmp, JSON.stringify(run, null, run.call_count > 10000 ? undefined : 2) + "\n");
  renameSync(tmp, path);
}

/** Check that parsed JSON is a run this version can read; throws RunFileError if not. */
export function validateRun(data: unknown, name: string): RunJSON {
  const d = data as Partial<RunJSON> | null;
  if (
    d === null || typeof d !== "object" || typeof d.schema !== "number" ||
    !Array.isArray(d.trace) || typeof d.call_count !== "number"
  ) {
    throw new RunFileError(
      `Cannot read run "${name}": not a tph run (no schema, call_count, trace)`,
    );
  }
  if (d.schema > SCHEMA_VERSION) {
    throw new RunFileError(
      `Cannot read run "${name}": written by schema ${d.schema}, this tph reads up to ` +
        `${SCHEMA_VERSION}; upgrade tph`,
    );
  }
  return d as RunJSON;
}

/**
 * Load and check a run file.
 *
 * @param path The file.
 * @returns The run document.
 */
export function loadRun(path: string): RunJSON {
  const name = basename(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RunFileError(
      `Cannot read run "${name}": ${code === "ENOENT" ? "file not found" : (e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RunFileError(`Cannot read run "${name}": invalid JSON (${(e as Error).message})`);
  }
  return validateRun(data, name);
}

/**
 * The runs in a cache folder, newest first, and a warning for each file that is not a usable run.
 *
 * @param cacheDir The cache folder (may not exist yet).
 * @returns Entries and warnings.
 */
export function listRuns(cacheDir: string): { entries: RunEntry[]; warnings: string[] } {
  const entries: RunEntry[] = [];
  const warnings: string[] = [];
  let names: string[];
  try {
    names = readdirSync(cacheDir).filter((n) => n.endsWith(".json"));
  } catch {
    return { entries, warnings };
  }
  for (const name of names) {
    const path = join(cacheDir, name);
    try {
      entries.push({
        id: name.replace(/^run_/, "").replace(/\.json$/, ""),
        path,
        run: loadRun(path),
      });
    } catch (e) {
      warnings.push(
        `Skipping "${name}": ${(e as Error).message.replace(/^Cannot read run "[^"]*": /, "")}`,
      );
    }
  }
  entries.sort((a, b) =>
    b.run.timestamp.localeCompare(a.run.timestamp) || b.path.localeCompare(a.path)
  );
  return { entries, warnings };
}

/**
 * Resolve what a user typed for a run: a file path, `last`, N (1 = newest, as `tph logs` numbers
 * them), or a run id or unique prefix of one.
 *
 * @param ref What the user typed.
 * @param cacheDir The cache folder.
 * @returns The run file's path.
 */
export function resolveRunRef(ref: string, cacheDir: string): string {
  if (ref.endsWith(".json") || ref.includes("/")) {
    const path = resolve(ref);
    if (existsSync(path) && statSync(path).isFile()) return path;
    if (ref.includes("/")) throw new RunFileError(`Cannot read run "${ref}": file not found`);
  }
  const { entries } = listRuns(cacheDir);
  const where = `no such run in ${cacheDir}`;
  if (ref === "last" || ref === "latest") {
    if (entries.length === 0) {
      throw new RunFileError(`Cannot read run "${ref}": ${where} (it has no runs)`);
    }
    return entries[0].path;
  }
  if (/^\d+$/.test(ref) && ref.length < 6) {
    const n = Number(ref);
    if (n >= 1 && n <= entries.length) return entries[n - 1].path;
    throw new RunFileError(
      `Cannot read run "${ref}": ${where} (tph logs lists ${entries.length} run${
        entries.length === 1 ? "" : "s"
      })`,
    );
  }
  const matches = entries.filter((e) => e.id.startsWith(ref) || basename(e.path).startsWith(ref));
  if (matches.length === 1) return matches[0].path;
  if (matches.length > 1) {
    throw new RunFileError(
      `Cannot read run "${ref}": ${matches.length} runs start with it; type more of the id`,
    );
  }
  throw new RunFileError(`Cannot read run "${ref}": ${where}`);
}
