// The CLI's side of its process: arguments, folder, environment, standard streams, signals, and
// starting the traced program. On Deno through Deno's own API (loading node:process and
// node:child_process there costs ~11 ms of every command); elsewhere through Node's `process`
// global, which Bun and Node have without an import.

import { isExecutableFile, realPath } from "./files.ts";
import { Boolean, Number, Promise, TextDecoder, TextEncoder, Uint8Array } from "./globals.ts";

interface DenoStatus {
  code: number;
  signal: string | null;
}

interface DenoChild {
  status: Promise<DenoStatus>;
  kill(signal: string): void;
}

interface DenoApi {
  args: string[];
  build: { os: string };
  pid: number;
  exitCode: number;
  cwd(): string;
  execPath(): string;
  env: { toObject(): Record<string, string>; get(name: string): string | undefined };
  readFileSync(path: string): Uint8Array;
  stdin: { isTerminal(): boolean };
  stdout: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  stderr: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number; rows: number };
  addSignalListener(signal: string, fn: () => void): void;
  removeSignalListener(signal: string, fn: () => void): void;
  Command: new (cmd: string, options: {
    args: string[];
    cwd: string;
    env?: Record<string, string>;
    stdin: "inherit" | "null";
    stdout: "inherit" | "null";
    stderr: "inherit" | "null";
    detached?: boolean;
  }) => { spawn(): DenoChild & { unref(): void } };
  mainModule: string;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const deno: DenoApi | undefined = g.Deno;
const encoder = new TextEncoder();

/** The command-line arguments after the script. */
export function args(): string[] {
  return deno ? [...deno.args] : g.process.argv.slice(2);
}

/** The working folder. */
export function cwd(): string {
  return deno ? deno.cwd() : g.process.cwd();
}

/** The environment. */
export function env(): Record<string, string | undefined> {
  return deno ? deno.env.toObject() : g.process.env;
}

/** The operating system, as Node names it: "linux", "darwin", "win32"… */
export function osName(): string {
  return deno ? (deno.build.os === "windows" ? "win32" : deno.build.os) : g.process.platform;
}

/** Set the exit code the process ends with. */
export function setExitCode(code: number): void {
  if (deno) deno.exitCode = code;
  else g.process.exitCode = code;
}

/**
 * Whether file descriptor `fd` (0–2) is a terminal. On Bun, reading `process.stdout` (or loading
 * node:tty) makes Bun load its streams, 7–15 ms at the CLI's start while the program's process
 * loads beside it: Bun's own binding tells without them (the same answer: a TTY handle).
 */
function fdIsTerminal(fd: 0 | 1 | 2): boolean {
  if (g.Bun !== undefined) {
    try {
      const tty = g.process.binding("tty_wrap");
      if (typeof tty?.isTTY === "function") return Boolean(tty.isTTY(fd));
    } catch {
      // Not in this Bun: the stream's own answer below.
    }
  }
  const stream = fd === 0 ? g.process.stdin : fd === 1 ? g.process.stdout : g.process.stderr;
  return Boolean(stream.isTTY);
}

/** Whether stdin is a terminal. */
export function stdinIsTerminal(): boolean {
  return deno ? deno.stdin.isTerminal() : fdIsTerminal(0);
}

/** Whether stdout is a terminal. */
export function stdoutIsTerminal(): boolean {
  return deno ? deno.stdout.isTerminal() : fdIsTerminal(1);
}

/** Whether stderr is a terminal. */
export function stderrIsTerminal(): boolean {
  return deno ? deno.stderr.isTerminal() : fdIsTerminal(2);
}

/**
 * How many columns the terminal has: `COLUMNS` when it is set to a number (as shells set it, and
 * as a user narrows or widens output), else the terminal's own size; null when neither is known.
 */
export function terminalColumns(): number | null {
  const set = Number((deno ? deno.env.get("COLUMNS") : g.process.env.COLUMNS) ?? "");
  if (Number.isInteger(set) && set > 0) return set;
  try {
    const columns = deno
      ? deno.consoleSize().columns
      : g.process.stdout.columns ?? g.process.stderr.columns;
    return typeof columns === "number" && columns > 0 ? columns : null;
  } catch {
    return null;
  }
}

// Reused for every write: a tree of a million lines is written a batch at a time, and a new
// buffer for each batch cost a fifth of the time.
let writeBuffer = new Uint8Array(1 << 16);

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  // At most 3 bytes a UTF-16 unit.
  if (writeBuffer.length < text.length * 3) writeBuffer = new Uint8Array(text.length * 3);
  const length = encoder.encodeInto(text, writeBuffer).written;
  let done = 0;
  while (done < length) done += stream.writeSync(writeBuffer.subarray(done, length));
}

/** Whether a write failed because the reader of the pipe went away. */
function isPipeGone(e: unknown): boolean {
  const err = e as { code?: string; name?: string } | null;
  return err?.code === "EPIPE" || err?.name === "BrokenPipe";
}

/**
 * Writers for stdout and stderr. When the reader of stdout goes away (`tph tree last | head`),
 * writing stops quietly and the process ends as if all was read.
 */
export function standardStreams(): { out(text: string): void; err(text: string): void } {
  let closed = false;
  if (deno) {
    return {
      out: (t) => {
        if (closed) return;
        try {
          writeAll(deno.stdout, t + "\n");
        } catch (e) {
          if (!isPipeGone(e)) throw e;
          closed = true;
        }
      },
      err: (t) => writeAll(deno.stderr, t + "\n"),
    };
  }
  // Written synchronously, as on Deno: the binary ends with process.exit(), which would drop what
  // an asynchronous write to a pipe still holds (a large --json cut at 128 kB).
  const out = fdBytes(1), err = fdBytes(2);
  const line = (write: typeof out, t: string) => {
    const b = encoder.encode(t + "\n");
    return write(b, b.length);
  };
  return {
    out: (t) => {
      if (!closed && !line(out, t)) closed = true;
    },
    err: (t) => void line(err, t),
  };
}

/** A synchronous writer of bytes to a file descriptor (not Deno); false once the reader went. */
function fdBytes(fd: number): (bytes: Uint8Array, length: number) => boolean {
  // node:fs is fetched on the first write, not when a command starts.
  let fs: { writeSync(fd: number, b: Uint8Array, off: number, len: number): number } | null = null;
  return (bytes, length) => {
    fs ??= g.process.getBuiltinModule("node:fs");
    let done = 0;
    while (done < length) {
      try {
        done += fs!.writeSync(fd, bytes, done, length - done);
      } catch (e) {
        // A non-blocking pipe that is full: try again.
        if ((e as { code?: string }).code === "EAGAIN") continue;
        if (!isPipeGone(e)) throw e;
        return false;
      }
    }
    return true;
  };
}

/**
 * A writer of raw bytes to stdout (for output too large to hold as text); it returns false once
 * the reader went away (`| head`): writing then stops quietly, as for standardStreams.
 */
export function stdoutBytes(): (bytes: Uint8Array, length: number) => boolean {
  let closed = false;
  const gone = (e: unknown) => {
    if (!isPipeGone(e)) throw e;
    closed = true;
  };
  if (deno) {
    return (bytes, length) => {
      if (closed) return false;
      try {
        let done = 0;
        while (done < length) done += deno.stdout.writeSync(bytes.subarray(done, length));
      } catch (e) {
        gone(e);
      }
      return !closed;
    };
  }
  const write = fdBytes(1);
  return (bytes, length) => {
    if (closed) return false;
    if (!write(bytes, length)) closed = true;
    return !closed;
  };
}

/** Call `fn` on a signal to this process (instead of dying of it); returns the way to stop. */
export function onSignal(signal: "SIGINT" | "SIGTERM" | "SIGHUP", fn: () => void): () => void {
  if (deno) {
    deno.addSignalListener(signal, fn);
    return () => deno.removeSignalListener(signal, fn);
  }
  g.process.on(signal, fn);
  return () => g.process.off(signal, fn);
}

/** The runtime running tph, and its version. */
export function runtimeInfo(): { name: "deno" | "bun" | "node"; version: string } {
  if (deno) return { name: "deno", version: g.Deno.version.deno };
  if (g.Bun !== undefined) return { name: "bun", version: g.Bun.version };
  return { name: "node", version: g.process.versions.node };
}

// The platform a standalone binary was built for (npm/compile.ts: Bun's `--define` puts it here).
declare const TPH_BUILD_TARGET: string | undefined;

/**
 * The platform tph runs on, as its release files name them: `linux-x64`, `darwin-arm64`,
 * `windows-x64`…; a standalone binary says the one it was built for (`linux-x64-musl`…).
 */
export function platformName(): string {
  if (typeof TPH_BUILD_TARGET === "string") return TPH_BUILD_TARGET;
  const os: string = deno ? g.Deno.build.os : g.process.platform;
  const arch: string = deno ? g.Deno.build.arch : g.process.arch;
  const osName = os === "win32" ? "windows" : os;
  const archName = arch === "x86_64" ? "x64" : arch === "aarch64" ? "arm64" : arch;
  return `${osName}-${archName}`;
}

/** This process's id. */
export function pid(): number {
  return deno ? deno.pid : g.process.pid;
}

/** The runtime executable running tph. */
export function execPath(): string {
  return deno ? deno.execPath() : g.process.execPath;
}

/**
 * The runtime executable as it was invoked (`deno`, `node_modules/.bin/deno`), when that names
 * the one running tph (a command by that name, found on PATH, or that path); else its path. A
 * program started through it sees the `process.argv0` it sees when run directly.
 */
export function invokedAs(): string {
  const path = execPath();
  try {
    let name: string;
    if (deno) {
      const cmdline = new TextDecoder().decode(deno.readFileSync("/proc/self/cmdline"));
      name = cmdline.slice(0, cmdline.indexOf("\0"));
    } else name = g.process.argv0 ?? "";
    if (name === "" || name === path) return path;
    const real = realPath(path);
    const PATH: string = (deno ? deno.env.get("PATH") : g.process.env.PATH) ?? "";
    const candidates = name.includes("/")
      ? [name]
      : PATH.split(":").filter((d) => d !== "").map((d) => `${d}/${name}`);
    for (const candidate of candidates) {
      try {
        // The first executable of that name on PATH is the one a command by name runs.
        if (realPath(candidate) === real) return name;
        if (!name.includes("/")) return path;
      } catch {
        // Not there: the next folder of PATH.
      }
    }
  } catch {
    // No /proc (not Linux), or unreadable.
  }
  return path;
}

/**
 * The executable a command name runs: the first file of that name in a folder of PATH that can be
 * run; null when there is none.
 *
 * @param name The command's name.
 */
export function onPath(name: string): string | null {
  const PATH: string = (deno ? deno.env.get("PATH") : g.process.env.PATH) ?? "";
  for (const dir of PATH.split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${name}`;
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** A program started by {@linkcode spawnInherit}. */
export interface Child {
  /** How it ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  kill(signal: string): void;
}

/**
 * Start a program on this process's standard streams.
 *
 * @param argv The executable and its arguments.
 * @param options Its folder, and variables added to this process's environment.
 * @returns The running program.
 * @throws {Error} When it cannot be started.
 */
export function spawnInherit(
  argv: string[],
  options: { cwd: string; env: Record<string, string>; argv0?: string },
): Child {
  if (deno) {
    const child = new deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: options.cwd,
      env: options.env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    return {
      exited: child.status.then((s) => ({
        code: s.signal === null ? s.code : null,
        signal: s.signal,
      })),
      kill: (signal) => child.kill(signal),
    };
  }
  if (g.Bun !== undefined) {
    // Bun's own spawn: node:child_process takes 4–5 ms to load and 3–4 to spawn on Bun, where
    // the CLI is the side `tph run`'s program waits for. Throws when it cannot start (ENOENT).
    const proc = g.Bun.spawn({
      cmd: argv,
      cwd: options.cwd,
      env: { ...g.process.env, ...options.env },
      stdio: ["inherit", "inherit", "inherit"],
      ...(options.argv0 !== undefined ? { argv0: options.argv0 } : {}),
    });
    return {
      exited: proc.exited.then(() => {
        const signal: string | null = proc.signalCode ?? null;
        return { code: signal === null ? proc.exitCode : null, signal };
      }),
      kill: (signal) => proc.kill(signal),
    };
  }
  const { spawn } = g.process.getBuiltinModule("node:child_process");
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    stdio: "inherit",
    env: { ...g.process.env, ...options.env },
    ...(options.argv0 !== undefined ? { argv0: options.argv0 } : {}),
  });
  return {
    exited: new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code: number | null, signal: string | null) => resolve({ code, signal }));
    }),
    kill: (signal) => child.kill(signal),
  };
}

/**
 * Start a program that outlives this process: in a session of its own, no standard streams, not
 * waited for; nothing said when it cannot be started.
 *
 * @param argv The executable and its arguments.
 * @param cwd Its folder.
 */
export function spawnDetached(argv: string[], cwd: string): void {
  try {
    if (deno) {
      const child = new deno.Command(argv[0], {
        args: argv.slice(1),
        cwd,
        stdin: "null",
        stdout: "null",
        stderr: "null",
        detached: true,
      }).spawn();
      child.unref();
      // Its end is nobody's business: not an unhandled rejection either.
      child.status.catch(() => {});
      return;
    }
    const { spawn } = g.process.getBuiltinModule("node:child_process");
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // Not started: what it was for is done later or not at all.
  }
}

/**
 * The command line that runs this tph again (its runtime, the runtime's options, its entry): for
 * work it leaves to a process of its own. `binary`: tph is the standalone binary, its own entry.
 */
export function tphArgv(binary: boolean): string[] {
  if (deno) return [deno.execPath(), "run", "-A", deno.mainModule];
  const p = g.process;
  if (binary) return [p.execPath];
  return [p.execPath, ...(p.execArgv ?? []), p.argv[1]];
}

/**
 * Run a program to completion and take its stdout (the CLI's helpers: `git status`). Its stdin
 * is empty and its stderr dropped; it is killed when it outlives `timeoutMs`.
 *
 * @param argv The executable and its arguments.
 * @param options Its folder and time limit.
 * @returns Its exit code (null when it was killed) and stdout; null when it cannot be started
 *   (not installed).
 */
export function runCaptured(
  argv: string[],
  options: { cwd: string; timeoutMs: number },
): { code: number | null; stdout: Uint8Array } | null {
  const { spawnSync } = g.process.getBuiltinModule("node:child_process");
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "ignore"],
    timeout: options.timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 << 20,
  });
  if (r.error && (r.error as { code?: string }).code === "ENOENT") return null;
  return { code: r.status, stdout: r.stdout ?? new Uint8Array(0) };
}

/**
 * Read one line a user types on stdin (without its newline); null at the end of input or when
 * stdin cannot be read.
 */
export function readStdinLine(): string | null {
  const fs = g.process.getBuiltinModule("node:fs");
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, one, 0, 1, null);
    } catch (e) {
      if ((e as { code?: string }).code === "EAGAIN") continue;
      return null;
    }
    if (n === 0) return bytes.length > 0 ? new TextDecoder().decode(new Uint8Array(bytes)) : null;
    if (one[0] === 10) return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
    bytes.push(one[0]);
  }
}
