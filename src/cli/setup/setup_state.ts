// `.tracepatch_cache/setup_state.json`: what `tph setup` wrote, so that `tph disable` can undo
// exactly that. Written before the files it lists (a setup cut short still leaves a state that
// names them); each file's SHA-256 as tph wrote it tells an untouched file from one the user
// edited since; a file that was there before keeps its original bytes here, to be restored.

import { join } from "node:path";
import { lstatEntry, readText, remove, replaceFile, writeText } from "../../platform/files.ts";

/** The state file's name in the run cache. */
export const STATE_FILE_NAME = "setup_state.json";

/** One file `tph setup` wrote. */
export interface StateFile {
  /** Absolute path. */
  path: string;
  /** `created`: there was no file; `modified`: there was one, kept in `original`. */
  action: "created" | "modified";
  /** SHA-256 (hex) of what tph wrote. */
  sha256: string;
  /** The file's bytes before, base64, for `modified`. */
  original?: string;
  /** Its permission bits before, for `modified`. */
  mode?: number;
}

/** The whole state. */
export interface SetupState {
  tool: "tph";
  kind: "setup_state";
  version: 1;
  /** The project folder the files are in. */
  root: string;
  /** When setup last wrote (ISO). */
  written_at: string;
  files: StateFile[];
}

/** Largest state file read: setup keeps one file's original there (a source file). */
const MAX_STATE_BYTES = 64 << 20;

/** A state file tph cannot use: one line naming it and what to do. */
export class StateError extends Error {
  override name = "StateError";
}

/** SHA-256 of bytes, in hex. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes as base64, and back. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** See {@linkcode toBase64}. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function isStateFile(f: unknown): f is StateFile {
  const x = f as StateFile;
  return x !== null && typeof x === "object" && typeof x.path === "string" &&
    (x.action === "created" || x.action === "modified") && typeof x.sha256 === "string" &&
    (x.action === "created" || typeof x.original === "string");
}

/**
 * Read the state.
 *
 * @param cacheDir The run cache.
 * @param shown How messages name the state file.
 * @returns The state, or null when there is none.
 * @throws {StateError} When it is not a tph setup state (corrupt, or another tool's).
 */
export function readState(cacheDir: string, shown: string): SetupState | null {
  const path = join(cacheDir, STATE_FILE_NAME);
  const entry = lstatEntry(path);
  if (entry === null) return null;
  // Never a link, a FIFO or a device (a read that never ends), nor a file no setup writes.
  if (entry.kind !== "file") {
    throw new StateError(`${shown} is not a regular file: remove it`);
  }
  if (entry.size > MAX_STATE_BYTES) {
    throw new StateError(`${shown} is ${entry.size} bytes, more than tph setup writes: remove it`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readText(path));
  } catch (e) {
    throw new StateError(
      `Cannot read ${shown}: ${
        e instanceof SyntaxError ? "not valid JSON" : (e as Error).message
      }; remove the files tph setup wrote by hand, then delete it`,
    );
  }
  const s = data as SetupState;
  if (
    s === null || typeof s !== "object" || s.tool !== "tph" || s.kind !== "setup_state" ||
    !Array.isArray(s.files) || !s.files.every(isStateFile) || typeof s.root !== "string"
  ) {
    throw new StateError(
      `${shown} is not a tph setup state (written by another tool, or damaged): undo that ` +
        "setup with the tool that made it, or delete the file",
    );
  }
  if (s.version !== 1) {
    throw new StateError(`${shown} was written by a newer tph (version ${s.version}): use it`);
  }
  return s;
}

/**
 * Write the state whole (a temporary file renamed over it: never half written).
 *
 * @param cacheDir The run cache (it exists).
 * @param state The state.
 */
export function writeState(cacheDir: string, state: SetupState): void {
  // Only the user reads it: it may hold a copy of their file.
  const text = JSON.stringify(state, null, 2) + "\n";
  replaceFile(
    join(cacheDir, STATE_FILE_NAME),
    (t) => writeText(t, text, { exclusive: true, mode: 0o600 }),
  );
}

/** Remove the state file. */
export function removeState(cacheDir: string): void {
  remove(join(cacheDir, STATE_FILE_NAME));
}
