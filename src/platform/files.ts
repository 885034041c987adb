// The file operations of tph's processes: the traced program's (the loader's caches, the trace
// file) and the CLI's (configuration, run cache). On Deno they use Deno's own API: its node:fs
// takes 6–12 ms to load, a tenth of what `tph run` adds to a short program. Elsewhere node:fs,
// fetched on first use. Errors carry Node's `code` (`ENOENT`, `EEXIST`…) on both.

import type * as NodeFs from "node:fs";
import {
  apply,
  bytesSub,
  dateGetTime,
  strLastIndexOf,
  strSlice,
  uncurry,
  utf8,
} from "./intrinsics.ts";
import { Date, Error, Math, Object, Promise, Uint8Array } from "./globals.ts";

interface DenoFile {
  writeSync(p: Uint8Array): number;
  readSync(p: Uint8Array): number | null;
  seekSync(offset: number, whence: 0): number;
  close(): void;
}

interface DenoFiles {
  readTextFileSync(path: string): string;
  writeFileSync(
    path: string,
    data: Uint8Array,
    options?: { createNew?: boolean; mode?: number; append?: boolean },
  ): void;
  mkdirSync(path: string, options: { recursive: boolean; mode?: number }): void;
  renameSync(from: string, to: string): void;
  statSync(
    path: string,
  ): {
    size: number;
    mtime: Date | null;
    isDirectory: boolean;
    isFile: boolean;
    uid: number | null;
    mode: number | null;
  };
  openSync(
    path: string,
    options: {
      read?: boolean;
      write?: boolean;
      create?: boolean;
      truncate?: boolean;
      mode?: number;
    },
  ): DenoFile;
  readDirSync(path: string): Iterable<{ name: string; isDirectory: boolean; isFile: boolean }>;
  removeSync(path: string, options: { recursive: boolean }): void;
  linkSync(from: string, to: string): void;
  symlinkSync(target: string, path: string): void;
  makeTempDirSync(options: { prefix: string }): string;
  makeTempFileSync(options: { prefix: string }): string;
  lstatSync(path: string): {
    isFile: boolean;
    isDirectory: boolean;
    isSymlink: boolean;
    uid: number | null;
    gid: number | null;
    mode: number | null;
    size: number;
    atime: Date | null;
    mtime: Date | null;
  };
  readLinkSync(path: string): string;
  realPathSync(path: string): string;
  uid(): number | null;
  truncateSync(path: string, length: number): void;
  chmodSync(path: string, mode: number): void;
  env: { get(name: string): string | undefined };
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
// Deno's functions as they are when tph loads (in the traced program's process, before it runs:
// the program may replace `Deno.openSync`). Node's fs is fetched on first use (loading it early
// changes the order of Bun's nextTick queue): a program that patches node:fs before tph saves
// can reach tph's writes on Bun.
const DENO_FUNCTIONS = [
  "readTextFileSync",
  "writeFileSync",
  "mkdirSync",
  "renameSync",
  "statSync",
  "openSync",
  "readDirSync",
  "removeSync",
  "linkSync",
  "symlinkSync",
  "makeTempDirSync",
  "makeTempFileSync",
  "lstatSync",
  "readLinkSync",
  "realPathSync",
  "uid",
  "truncateSync",
  "chmodSync",
] as const;
const deno: DenoFiles | undefined = g.Deno === undefined ? undefined : (() => {
  // deno-lint-ignore no-explicit-any
  const d: any = { env: g.Deno.env };
  for (let i = 0; i < DENO_FUNCTIONS.length; i++) d[DENO_FUNCTIONS[i]] = g.Deno[DENO_FUNCTIONS[i]];
  return d;
})();
// An open file's methods, as they are now.
const FS_FILE = g.Deno?.FsFile?.prototype;
const fileWrite = FS_FILE
  ? uncurry(FS_FILE.writeSync) as (f: DenoFile, b: Uint8Array) => number
  : null;
const fileClose = FS_FILE ? uncurry(FS_FILE.close) as (f: DenoFile) => void : null;
let nodeFs: typeof NodeFs | null = null;

function fs(): typeof NodeFs {
  return nodeFs ??= g.process.getBuiltinModule("node:fs");
}

/** A file's text (UTF-8). Throws when it cannot be read. */
export function readText(path: string): string {
  return deno ? deno.readTextFileSync(path) : fs().readFileSync(path, "utf8");
}

/**
 * Write a file's text (UTF-8), replacing it; with `exclusive`, only create it (an existing file
 * is an `EEXIST` error).
 */
export function writeText(
  path: string,
  text: string,
  options: { exclusive?: boolean; mode?: number } = {},
): void {
  const mode = options.mode ?? 0o666;
  // Encoded here: Deno's writeTextFileSync goes through TextEncoder.prototype.encode, which the
  // program may have replaced.
  if (deno) deno.writeFileSync(path, utf8(text), { createNew: options.exclusive === true, mode });
  else fs().writeFileSync(path, text, { flag: options.exclusive ? "wx" : "w", mode });
}

/** Write bytes to a new file (an existing one is an `EEXIST` error). */
export function writeNewBytes(path: string, bytes: Uint8Array, mode = 0o666): void {
  if (deno) deno.writeFileSync(path, bytes, { createNew: true, mode });
  else fs().writeFileSync(path, bytes, { flag: "wx", mode });
}

/** Add text (UTF-8) to the end of a file, creating it. */
export function appendText(path: string, text: string): void {
  if (deno) deno.writeFileSync(path, utf8(text), { append: true });
  else fs().appendFileSync(path, text);
}

/** Set a file's permission bits. */
export function chmod(path: string, mode: number): void {
  if (deno) deno.chmodSync(path, mode);
  else fs().chmodSync(path, mode);
}

/** A whole file's bytes. Throws when it cannot be read. */
export function readBytes(path: string): Uint8Array {
  return readAt(path, 0, stat(path).size);
}

/** Whether a path exists (a file or a folder). */
export function exists(path: string): boolean {
  try {
    if (deno) deno.statSync(path);
    else fs().statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a path is a regular file (links followed) with an execute bit set. */
export function isExecutableFile(path: string): boolean {
  if (kindOf(path, true) !== "file") return false;
  const mode = ownerAndMode(path)?.mode;
  return mode === null || mode === undefined || (mode & 0o111) !== 0;
}

/**
 * What a path is: a regular file, a folder, a link (only when not following links), something
 * else (a FIFO, a device, a socket), or null when it does not exist.
 */
function kindOf(path: string, follow: boolean): "file" | "dir" | "link" | "other" | null {
  try {
    if (deno) {
      const st = follow ? deno.statSync(path) : deno.lstatSync(path);
      if ("isSymlink" in st && st.isSymlink) return "link";
      return st.isFile ? "file" : st.isDirectory ? "dir" : "other";
    }
    const st = follow ? fs().statSync(path) : fs().lstatSync(path);
    if (st.isSymbolicLink()) return "link";
    return st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  } catch {
    return null;
  }
}

/**
 * The size and modification time of a regular file, links followed; null when the path is
 * missing or not a regular file (a folder, a FIFO, a device: nothing tph should read).
 */
export function fileStamp(path: string): { size: number; mtimeMs: number } | null {
  try {
    if (deno) {
      const st = deno.statSync(path);
      if (!st.isFile) return null;
      return { size: st.size, mtimeMs: st.mtime === null ? 0 : dateGetTime(st.mtime) };
    }
    const st = fs().statSync(path);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
}

/** Whether a path is a folder (false when it does not exist). */
export function isDirectory(path: string): boolean {
  return kindOf(path, true) === "dir";
}

/** Whether a path is a regular file itself (not a link to one, nor a folder). */
export function isPlainFile(path: string): boolean {
  return kindOf(path, false) === "file";
}

/**
 * Whether a path exists but is neither a regular file nor a folder, links followed (a FIFO, a
 * device, a socket): nothing tph should read.
 */
export function isSpecialFile(path: string): boolean {
  return kindOf(path, true) === "other";
}

/** The names in a folder. */
export function readDir(path: string): string[] {
  if (!deno) return fs().readdirSync(path);
  const names: string[] = [];
  for (const entry of deno.readDirSync(path)) names.push(entry.name);
  return names;
}

/** The entries of a folder, each a folder, a regular file, or something else (links not followed). */
export function readDirKinds(path: string): { name: string; kind: "dir" | "file" | "other" }[] {
  const out: { name: string; kind: "dir" | "file" | "other" }[] = [];
  if (!deno) {
    for (const e of fs().readdirSync(path, { withFileTypes: true })) {
      out.push({ name: e.name, kind: e.isDirectory() ? "dir" : e.isFile() ? "file" : "other" });
    }
    return out;
  }
  for (const e of deno.readDirSync(path)) {
    out.push({ name: e.name, kind: e.isDirectory ? "dir" : e.isFile ? "file" : "other" });
  }
  return out;
}

/** Remove a file, or a folder with everything in it; nothing when it does not exist. */
export function remove(path: string): void {
  if (!deno) return fs().rmSync(path, { recursive: true, force: true });
  try {
    deno.removeSync(path, { recursive: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
}

/** Remove a folder only if it is empty (else an error, and nothing removed). */
export function removeEmptyDir(path: string): void {
  if (deno) deno.removeSync(path, { recursive: false });
  else fs().rmdirSync(path);
}

/**
 * The temporary file `replaceFile` writes `path`'s new content to: a dot name beside it,
 * `.<name>.<8 hex>.tmp`, which no reader of the folder takes for a file of its own.
 */
export function tempBeside(path: string): string {
  const cut = strLastIndexOf(path, "/") + 1;
  return `${strSlice(path, 0, cut)}.${strSlice(path, cut)}.${randomHex(4)}.tmp`;
}

/**
 * Replace a file whole: `write` makes a new temporary file beside it (tempBeside), which is then
 * renamed over it, so readers see the old file or the new one, never a part. On failure the
 * temporary file is removed and the error thrown.
 *
 * @param path The file.
 * @param write Writes the new content to the temporary file it is given (creating it).
 * @param temp The temporary file (default: tempBeside).
 */
export function replaceFile(
  path: string,
  write: (temp: string) => void,
  temp: string = tempBeside(path),
): void {
  try {
    write(temp);
    rename(temp, path);
  } catch (e) {
    // A file that was there already (EEXIST) is not tph's to remove.
    if ((e as { code?: string }).code !== "EEXIST") {
      try {
        remove(temp);
      } catch {
        // The error that counts is the write's.
      }
    }
    throw e;
  }
}

/**
 * Replace a file's text whole (see replaceFile); the temporary file is created exclusively.
 *
 * @param path The file.
 * @param text Its new text (UTF-8).
 * @param temp The temporary file (default: tempBeside).
 */
export function writeWhole(path: string, text: string, temp?: string): void {
  replaceFile(path, (t) => writeText(t, text, { exclusive: true }), temp);
}

/** A hard link `to` of `from` (an existing `to` is an `EEXIST` error). */
export function link(from: string, to: string): void {
  if (deno) deno.linkSync(from, to);
  else fs().linkSync(from, to);
}

/** A symbolic link at `path` to `target` (an existing `path` is an `EEXIST` error). */
export function makeSymlink(target: string, path: string): void {
  if (deno) deno.symlinkSync(target, path);
  else fs().symlinkSync(target, path);
}

/** A new, empty folder in the OS temporary folder. */
export function makeTempDir(prefix: string): string {
  if (deno) return deno.makeTempDirSync({ prefix });
  const os = g.process.getBuiltinModule("node:os");
  return fs().mkdtempSync(`${os.tmpdir()}/${prefix}`);
}

/** Create a new, empty file in the system's temporary folder; returns its path. */
export function makeTempFile(prefix: string): string {
  if (deno) return deno.makeTempFileSync({ prefix });
  const os = g.process.getBuiltinModule("node:os");
  for (;;) {
    const path = `${os.tmpdir()}/${prefix}${randomHex(8)}`;
    try {
      writeText(path, "", { exclusive: true });
      return path;
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
    }
  }
}

/** Create a folder and its parents (with `mode` for those it creates, less the umask). */
export function makeDir(path: string, mode = 0o777): void {
  if (deno) deno.mkdirSync(path, { recursive: true, mode });
  else {
    try {
      fs().mkdirSync(path, { recursive: true, mode });
    } catch (e) {
      throw (e as { code?: string }).code === "ENOENT" ? whyNoFolder(path, mode, e) : e;
    }
  }
}

/**
 * Node's recursive mkdir says ENOENT for a folder it cannot make on a read-only file system (or
 * in a folder it may not write): the first folder missing, made alone, gives the real reason.
 */
function whyNoFolder(path: string, mode: number, error: unknown): unknown {
  let missing = path.replace(/\/+$/, "");
  for (let up = parentOf(missing); up !== missing && !exists(up); up = parentOf(up)) missing = up;
  try {
    fs().mkdirSync(missing, { mode });
    // Made now: the ENOENT was true of a deeper one (removed meanwhile, say).
    fs().rmdirSync(missing);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") return e;
  }
  return error;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
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
    return { size: st.size, mtimeMs: st.mtime === null ? 0 : dateGetTime(st.mtime) };
  }
  const st = fs().statSync(path);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/** A file opened for reading at any position (the run reader's). */
export class FileReader {
  readonly #file: DenoFile | null = null;
  readonly #fd: number = -1;

  constructor(path: string) {
    if (deno) this.#file = deno.openSync(path, { read: true });
    else this.#fd = fs().openSync(path, "r");
  }

  /** Fill `into` from `position` on, as far as the file goes; returns the bytes read. */
  read(into: Uint8Array, position: number): number {
    let got = 0;
    const length = into.length;
    if (this.#file) {
      const file = this.#file;
      file.seekSync(position, 0);
      for (
        let n = file.readSync(into);
        n !== null && n > 0;
        n = file.readSync(into.subarray(got))
      ) {
        got += n;
        if (got === length) break;
      }
    } else {
      for (let n = -1; n !== 0 && got < length; got += n) {
        n = fs().readSync(this.#fd, into, got, length - got, position + got);
      }
    }
    return got;
  }

  close(): void {
    if (this.#file) this.#file.close();
    else fs().closeSync(this.#fd);
  }
}

/** Up to `length` bytes of a file from `position` (fewer at its end). */
export function readAt(path: string, position: number, length: number): Uint8Array {
  const reader = new FileReader(path);
  try {
    const buf = new Uint8Array(length);
    return buf.subarray(0, reader.read(buf, position));
  } finally {
    reader.close();
  }
}

/** Cut a file to `length` bytes. */
export function truncateFile(path: string, length: number): void {
  if (deno) deno.truncateSync(path, length);
  else fs().truncateSync(path, length);
}

/** Write bytes into an existing file at `position`, keeping the rest of it. */
export function writeAt(path: string, position: number, bytes: Uint8Array): void {
  if (deno) {
    const file = deno.openSync(path, { write: true });
    try {
      file.seekSync(position, 0);
      let done = 0;
      while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
    } finally {
      file.close();
    }
  } else {
    const fd = fs().openSync(path, "r+");
    try {
      let done = 0;
      while (done < bytes.length) {
        done += fs().writeSync(fd, bytes, done, bytes.length - done, position + done);
      }
    } finally {
      fs().closeSync(fd);
    }
  }
}

/**
 * A file opened for writing from its start (created or truncated). A file it creates is 0600:
 * runs hold the program's argument values, which may be secrets.
 */
export class FileWriter {
  readonly #file: DenoFile | null = null;
  readonly #fd: number = -1;

  /** @param path The file, or a descriptor node:fs opened for writing (close() closes it). */
  constructor(path: string | number) {
    if (typeof path === "number") this.#fd = path;
    else if (deno) {
      this.#file = deno.openSync(path, { write: true, create: true, truncate: true, mode: 0o600 });
    } else this.#fd = fs().openSync(path, "w", 0o600);
  }

  /** Write the first `length` bytes of `bytes`, all of them. */
  write(bytes: Uint8Array, length: number): void {
    let done = 0;
    if (this.#file) {
      const file = this.#file;
      while (done < length) done += fileWrite!(file, bytesSub(bytes, done, length));
    } else {
      while (done < length) done += fs().writeSync(this.#fd, bytes, done, length - done);
    }
  }

  close(): void {
    if (this.#file) fileClose!(this.#file);
    else fs().closeSync(this.#fd);
  }
}

/**
 * Why a file operation failed, in a few words: the common error codes by name, else the
 * error's message.
 *
 * @param e The error.
 * @param missing What to say for `ENOENT`.
 */
export function fileProblem(e: unknown, missing = "file not found"): string {
  const code = (e as { code?: string })?.code;
  return code === "ENOENT"
    ? missing
    : code === "EISDIR"
    ? "it is a folder"
    : code === "EACCES" || code === "EPERM"
    ? "permission denied"
    : code === "EROFS"
    ? "read-only file system"
    : code === "ENOSPC"
    ? "no space left on the device"
    : code === "EDQUOT"
    ? "disk quota exceeded"
    : code === "EBUSY"
    ? "device or resource busy"
    : code === "EPIPE"
    ? "its reader closed it"
    : code === "ENXIO"
    ? "no such device"
    : code === "ELOOP"
    ? "a link that leads nowhere it can (or too many links)"
    : (e as Error).message;
}

/** `bytes` random bytes as hex, for file names (Web Crypto: no module to load). */
export function randomHex(bytes: number): string {
  // In the program's process too (temporary names when it ends): no method the program could
  // have replaced.
  const b = randomBytes(bytes);
  let hex = "";
  for (let i = 0; i < b.length; i++) hex += HEX_DIGITS[b[i] >> 4] + HEX_DIGITS[b[i] & 15];
  return hex;
}
const HEX_DIGITS = "0123456789abcdef";

/**
 * `n` random bytes (Web Crypto's, or on Node the system's random device), from no method the
 * program could have replaced.
 *
 * @param n How many.
 */
export function randomBytes(n: number): Uint8Array {
  randomValues ??= webCryptoRandom();
  return randomValues(new Uint8Array(n));
}
type RandomValues = <T extends Uint8Array>(a: T) => T;
let randomValues: RandomValues | null = null;

// Node's `crypto` is a getter that loads its Web Crypto layer when first read, and its `Crypto` a
// lazy property that loads it when even its descriptor is read (4–9 ms of every start on Node 24,
// the CLI's and the program's process's). On Node the bytes come from the system's random device
// through node:fs when a name is first needed (~0.2 ms; no Web Crypto), and only without one
// (Windows) from the getter, taken now as it is: the instance it gives is Node's own, whatever
// `globalThis.crypto` then is. Elsewhere (Deno, Bun) the method itself is taken now from the
// class (a plain value there, loading nothing): called when the program may have replaced
// Function.prototype.bind or the method on its class; Deno's `crypto` is a getter too, called
// when a name is first needed.
const CRYPTO = Object.getOwnPropertyDescriptor(globalThis, "crypto");
const cryptoGetter = CRYPTO?.get;
const onNode = g.Deno === undefined && g.Bun === undefined;
const GET_RANDOM_VALUES: unknown = onNode ? undefined : Object.getOwnPropertyDescriptor(
  Object.getOwnPropertyDescriptor(globalThis, "Crypto")?.value?.prototype ?? {},
  "getRandomValues",
)?.value;
const RANDOM_DEVICE = "/dev/urandom";
if (cryptoGetter === undefined) randomValues = webCryptoRandom();

function webCryptoRandom(): RandomValues {
  if (onNode) {
    const device = deviceRandom();
    if (device !== null) return device;
  }
  const c = (cryptoGetter !== undefined ? apply(cryptoGetter, globalThis, []) : crypto) as Crypto;
  const get = typeof GET_RANDOM_VALUES === "function" ? GET_RANDOM_VALUES : c.getRandomValues;
  return (<T extends Uint8Array>(a: T): T => apply(get, c, [a]) as T) as RandomValues;
}

/** Random bytes read from the system's random device (Node); null where it cannot be read. */
function deviceRandom(): RandomValues | null {
  const f = fs();
  const fill = <T extends Uint8Array>(a: T): T => {
    const fd = f.openSync(RANDOM_DEVICE, "r");
    try {
      let done = 0;
      while (done < a.length) {
        const n = f.readSync(fd, a, done, a.length - done, null);
        if (n <= 0) throw new Error(`${RANDOM_DEVICE} gave no bytes`);
        done += n;
      }
    } finally {
      f.closeSync(fd);
    }
    return a;
  };
  try {
    fill(new Uint8Array(1));
    return fill as RandomValues;
  } catch {
    return null;
  }
}

/**
 * The owner and permission bits of a path, links followed; null when it does not exist. Both are
 * null where the system has none (Windows).
 */
export function ownerAndMode(path: string): { uid: number | null; mode: number | null } | null {
  try {
    const st = deno ? deno.statSync(path) : fs().statSync(path);
    return { uid: st.uid, mode: st.mode };
  } catch {
    return null;
  }
}

/** This process's user id (null where there is none, as on Windows). */
export function currentUid(): number | null {
  if (deno) return deno.uid();
  return typeof g.process.getuid === "function" ? g.process.getuid() : null;
}

/**
 * Make a folder (and its parents) that only this user can write, or check the one that is there:
 * a real folder, not a link, owned by this user, writable by nobody else. tph reads code and
 * settings from such folders, and writes what it keeps of the user's sources there.
 *
 * @param path The folder.
 * @throws {Error} Naming the folder and what is wrong with it.
 */
export function privateDir(path: string): void {
  makeDir(path, 0o700);
  const problem = privateDirProblem(path);
  if (problem !== null) throw new Error(problem);
}

/**
 * What keeps an existing folder from being one only this user can write (see privateDir), or
 * null when it is one. Nothing is made.
 *
 * @param path The folder.
 * @returns One phrase naming the folder and what is wrong, or null.
 * @throws {Error} When the folder cannot be looked at (it does not exist, say).
 */
export function privateDirProblem(path: string): string | null {
  let st: { dir: boolean; link: boolean; uid: number | null; mode: number | null };
  if (deno) {
    const d = deno.lstatSync(path);
    st = { dir: d.isDirectory, link: d.isSymlink, uid: d.uid, mode: d.mode };
  } else {
    const d = fs().lstatSync(path);
    st = { dir: d.isDirectory(), link: d.isSymbolicLink(), uid: d.uid, mode: d.mode };
  }
  if (st.link || !st.dir) return `${path} is not a folder (a link or a file)`;
  const uid = currentUid();
  if (uid !== null && st.uid !== null && st.uid !== uid) {
    return `${path} belongs to another user (uid ${st.uid})`;
  }
  // Others may have put files in it already: it is not used, whoever owns it.
  if (st.mode !== null && (st.mode & 0o022) !== 0) return `${path} can be written by other users`;
  return null;
}

/** Who owns an entry and who may change it: see {@linkcode entryOwner}. */
export interface EntryOwner {
  uid: number;
  gid: number;
  /** The mode bits, with set-id and sticky bits (`0o1777` for /tmp). */
  mode: number;
  link: boolean;
  dir: boolean;
}

/**
 * A path's owner, group and mode as it is (a link itself, not what it points at). Null when it
 * does not exist or the system has no owners (Windows).
 */
export function entryOwner(path: string): EntryOwner | null {
  try {
    if (deno) {
      const st = deno.lstatSync(path);
      if (st.uid === null || st.gid === null || st.mode === null) return null;
      return {
        uid: st.uid,
        gid: st.gid,
        mode: st.mode & 0o7777,
        link: st.isSymlink,
        dir: st.isDirectory,
      };
    }
    const st = fs().lstatSync(path);
    return {
      uid: st.uid,
      gid: st.gid,
      mode: st.mode & 0o7777,
      link: st.isSymbolicLink(),
      dir: st.isDirectory(),
    };
  } catch {
    return null;
  }
}

/** Where a link points, as written in it. Throws when it is not a link. */
export function readLink(path: string): string {
  return deno ? deno.readLinkSync(path) : fs().readlinkSync(path, "utf8");
}

/** A path with every link resolved (it must exist). Throws when it does not. */
export function realPath(path: string): string {
  return deno ? deno.realPathSync(path) : fs().realpathSync(path);
}

/**
 * A path as it is, links not followed: what it is, its size, and when it was last used (the later
 * of its access and modification times, in ms). Null when it does not exist.
 */
export function lstatEntry(
  path: string,
): { kind: "file" | "dir" | "other"; size: number; usedMs: number } | null {
  try {
    if (deno) {
      const st = deno.lstatSync(path);
      const kind = st.isSymlink ? "other" : st.isFile ? "file" : st.isDirectory ? "dir" : "other";
      const usedMs = Math.max(st.atime?.getTime() ?? 0, st.mtime?.getTime() ?? 0);
      return { kind, size: st.size, usedMs };
    }
    const st = fs().lstatSync(path);
    const kind = st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
    return { kind, size: st.size, usedMs: Math.max(st.atimeMs, st.mtimeMs) };
  } catch {
    return null;
  }
}

/**
 * What is at a path, without following a link: "file", "dir", "link" or "other" (a FIFO, a
 * device, a socket); null when nothing is. Reads no time (lstatEntry's Date may be the program's).
 */
export function entryKind(path: string): "file" | "dir" | "link" | "other" | null {
  try {
    if (deno) {
      const st = deno.lstatSync(path);
      return st.isSymlink ? "link" : st.isFile ? "file" : st.isDirectory ? "dir" : "other";
    }
    const st = fs().lstatSync(path);
    return st.isSymbolicLink() ? "link" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  } catch {
    return null;
  }
}

/**
 * Remove one file (a link itself, never what it points at); never a folder with anything in it.
 * Nothing when it is gone already.
 */
export function unlinkFile(path: string): void {
  try {
    if (deno) deno.removeSync(path, { recursive: false });
    else fs().unlinkSync(path);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
}

/**
 * The user's cache folder for tph, made private (see privateDir): `$XDG_CACHE_HOME/tph`, else
 * `~/.cache/tph`.
 *
 * @throws {Error} When there is no home folder, or the folder is not private.
 */
export function userCacheDir(): string {
  const dir = userCachePath();
  privateDir(dir);
  return dir;
}

/**
 * Where the user's cache folder for tph is ({@linkcode userCacheDir}), without making or checking
 * it.
 *
 * @throws {Error} When there is no home folder.
 */
export function userCachePath(): string {
  const env = (name: string) => deno ? deno.env.get(name) : g.process.env[name];
  const xdg = env("XDG_CACHE_HOME");
  const home = env("HOME");
  let base: string;
  if (xdg !== undefined && xdg.startsWith("/")) base = xdg;
  else if (home !== undefined && home.startsWith("/")) base = `${home.replace(/\/$/, "")}/.cache`;
  else throw new Error("no home folder (HOME is not set)");
  return `${base}/tph`;
}

/** Options of {@linkcode openOutput}. */
export interface OutputOptions {
  /**
   * A file of the cache's own (an export beside its run): made 0600, as runs are. Else a new file
   * is made 0666 less the user's umask, as a shell redirect makes it.
   */
  private?: boolean;
}

/** An output file being written: see {@linkcode openOutput}. */
interface Output {
  /** Where the bytes go. */
  readonly out: FileWriter;
  /** The file the bytes reach: the path asked for, or where its links lead. */
  readonly target: string;
  /**
   * A path for a temporary file of the writer's own (removed by the writer); never beside a
   * device or a FIFO, whose folder (`/dev`) is not tph's to write in.
   */
  scratch(): string;
  /** Close the output, and put the new file in place when it was written beside. */
  finish(): void;
  /** Close the output and remove what was written beside it. */
  abort(): void;
}

/** An error whose message says it all (fileProblem shows the message). */
function refused(message: string): Error {
  return new Error(message);
}

/**
 * Follow `path`'s links to the file they lead to (which may not exist). A link that another user
 * put in a folder others can write (`/tmp`) is refused, as the kernel's `protected_symlinks` does:
 * it could point a root `tph` at any file of the system.
 */
function followOutputLinks(path: string): { path: string; st: NodeFs.Stats | null } {
  const f = fs();
  const me = currentUid();
  for (let hops = 0;; hops++) {
    let st: NodeFs.Stats;
    try {
      st = f.lstatSync(path);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return { path, st: null };
      throw e;
    }
    if (!st.isSymbolicLink()) return { path, st };
    if (hops === 40) throw refused("it is a chain of more than 40 links");
    const cut = strLastIndexOf(path, "/");
    const dir = cut <= 0 ? "/" : strSlice(path, 0, cut);
    const dirSt = f.statSync(dir);
    if (
      me !== null && (dirSt.mode & 0o022) !== 0 && st.uid !== me && st.uid !== dirSt.uid
    ) {
      throw refused(
        `it is a link that another user (uid ${st.uid}) made in ${dir}, a folder others can ` +
          "write: remove it or write elsewhere",
      );
    }
    const to = f.readlinkSync(path);
    path = to.startsWith("/") ? to : `${dir === "/" ? "" : dir}/${to}`;
  }
}

/**
 * Open an output file the user named (`-o FILE`) for writing, harming nothing that stands there:
 *
 * - a new file, or a regular file of the user's, is written beside it and renamed over it (readers
 *   see the old file or the new one); an existing file keeps its mode (and, as root, its owner);
 *   a new one gets 0666 less the umask (0600 with `private`);
 * - a regular file that cannot be replaced keeping its owner or its other hard links, or in a
 *   folder the user cannot write, is written in place, as a shell redirect does;
 * - a device or a FIFO is written into, never replaced (`-o /dev/null` stays a device); a FIFO
 *   that no process reads is an error rather than a wait;
 * - a link is followed to the file it leads to (the link stays), except one that another user
 *   put in a folder others can write (see followOutputLinks).
 *
 * Uses node:fs on every runtime: Deno's own API cannot open a FIFO without blocking.
 *
 * @throws {Error} With a `code` (`EISDIR`, `ENOENT`, `EACCES`…) or a message for fileProblem.
 */
function openOutput(path: string, options: OutputOptions = {}): Output {
  const { path: target, st } = followOutputLinks(path);
  if (st !== null && st.isDirectory()) {
    throw Object.assign(new Error("it is a folder"), { code: "EISDIR" });
  }
  if (st !== null && st.isSocket()) throw refused("it is a socket");
  const opened = st === null
    ? openNewOutput(target, options)
    : st.isFile()
    ? openOverFile(target, st)
    : { fd: openDevice(target, st), temp: null };
  return outputOf(opened.fd, target, opened.temp);
}

/**
 * Flags that open an output for writing. The links were followed (followOutputLinks): a link put
 * at the target since is not followed (ELOOP).
 */
function writeFlags(extra: number): number {
  const c = fs().constants;
  return c.O_WRONLY | extra | c.O_NOCTTY | (c.O_NOFOLLOW ?? 0);
}

/**
 * A device or a FIFO: written into. The first open does not wait for a FIFO's reader (ENXIO
 * when there is none); the second, blocking (writes then wait for a slow reader rather than
 * fail), returns at once while the reader is there.
 */
function openDevice(target: string, st: NodeFs.Stats): number {
  const f = fs();
  let probe: number;
  try {
    probe = f.openSync(target, writeFlags(f.constants.O_NONBLOCK));
  } catch (e) {
    if ((e as { code?: string }).code === "ENXIO" && st.isFIFO()) {
      throw refused("it is a FIFO that no process reads (start its reader first)");
    }
    throw e;
  }
  try {
    return f.openSync(target, writeFlags(0));
  } finally {
    f.closeSync(probe);
  }
}

/** A new file: written beside where it goes, then renamed there. */
function openNewOutput(target: string, options: OutputOptions): { fd: number; temp: string } {
  const temp = tempBeside(target);
  return { fd: fs().openSync(temp, "wx", options.private ? 0o600 : 0o666), temp };
}

/**
 * A regular file: replaced by a file written beside it that takes its mode and owner, or, when
 * that cannot keep its owner or its other hard links, written in place.
 */
function openOverFile(target: string, st: NodeFs.Stats): { fd: number; temp: string | null } {
  const f = fs();
  let fd = -1;
  let temp: string | null = null;
  // A file the user may not write is not replaced either (a redirect would fail the same way).
  // Opened, not accessSync'd: Deno's accessSync reads the mode bits, and refuses root.
  f.closeSync(f.openSync(target, writeFlags(0)));
  const me = currentUid();
  const ownerKept = me === null || me === 0 || st.uid === me;
  if (ownerKept && st.nlink === 1) {
    const t = tempBeside(target);
    try {
      fd = f.openSync(t, "wx", 0o600);
      temp = t;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "EACCES" && code !== "EPERM") throw e;
    }
    if (temp !== null) {
      try {
        const made = f.fstatSync(fd);
        if (me === 0 && (st.uid !== made.uid || st.gid !== made.gid)) {
          f.fchownSync(fd, st.uid, st.gid);
        } else if (st.gid !== made.gid) {
          try {
            f.fchownSync(fd, -1, st.gid);
          } catch {
            // Not one of the user's groups: the file gets the user's.
          }
        }
        f.fchmodSync(fd, st.mode & 0o7777);
      } catch (e) {
        f.closeSync(fd);
        remove(temp);
        throw e;
      }
    }
  }
  if (temp === null) fd = f.openSync(target, writeFlags(f.constants.O_TRUNC));
  return { fd, temp };
}

/** The opened output: `finish` renames a file written beside its target into place. */
function outputOf(fd: number, target: string, temp: string | null): Output {
  const out = new FileWriter(fd);
  let scratchDir: string | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    out.close();
  };
  const cleanUp = () => {
    if (scratchDir !== null) remove(scratchDir);
    scratchDir = null;
  };
  return {
    out,
    target,
    scratch() {
      if (temp !== null) return tempBeside(target);
      scratchDir ??= makeTempDir("tph-out-");
      return `${scratchDir}/spill`;
    },
    finish() {
      try {
        close();
        if (temp !== null) rename(temp, target);
      } catch (e) {
        this.abort();
        throw e;
      } finally {
        cleanUp();
      }
    },
    abort() {
      try {
        close();
      } catch {
        // The error that counts is the one that made the writer give up.
      }
      if (temp !== null) {
        try {
          remove(temp);
        } catch {
          // As above.
        }
      }
      cleanUp();
    },
  };
}

/**
 * Write an output file the user named (see {@linkcode openOutput}): `write` streams to it.
 *
 * @returns What `write` returned.
 */
export async function writeOutput<T>(
  path: string,
  write: (out: FileWriter, scratch: () => string) => T | Promise<T>,
  options: OutputOptions = {},
): Promise<T> {
  const output = openOutput(path, options);
  let result: T;
  try {
    result = await write(output.out, () => output.scratch());
  } catch (e) {
    output.abort();
    throw e;
  }
  output.finish();
  return result;
}

/** {@linkcode writeOutput}, for a `write` that is synchronous. */
export function writeOutputSync<T>(
  path: string,
  write: (out: FileWriter, scratch: () => string) => T,
  options: OutputOptions = {},
): T {
  const output = openOutput(path, options);
  let result: T;
  try {
    result = write(output.out, () => output.scratch());
  } catch (e) {
    output.abort();
    throw e;
  }
  output.finish();
  return result;
}
