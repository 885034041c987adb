// The command line of the traced program's process. No node: imports (each costs Deno ~4 ms the
// first time): `tph run` builds it before the rest of the CLI has loaded (early_start.ts).

import { env, execPath, invokedAs } from "../platform/process.ts";
import { exists, readText } from "../platform/files.ts";
import { BE_BUN_ENV, JSC_ADDED_ENV } from "./settings.ts";
import { JSC_STACK_ENV, parseStackLimit, type StackLimit, stackRoom } from "./stack_room.ts";

// A file URL's path, as fileURLToPath gives it on POSIX systems (node:url would load Node's layer).
const PRELOAD_URL = new URL("./preload.ts", import.meta.url);
const PRELOAD = decodeURIComponent(PRELOAD_URL.pathname);

/**
 * A script's path as the program's process is given it: absolute, so that no runtime reads it as
 * a package name or URL (`npm:x`); the runtimes resolve `.` and `..` in it as they do for a
 * script given to them.
 *
 * @param script The script as given.
 * @param cwd The folder a relative `script` is in.
 */
export function scriptPath(script: string, cwd: string): string {
  return script.startsWith("/") ? script : `${cwd.replace(/\/$/, "")}/${script}`;
}

let binaryPreload: (() => string) | null = null;

/**
 * In the standalone binary: where its preload is on disk, asked for when a program is started
 * (the binary puts it there first: binary_runtime.ts).
 *
 * @param preload Gives the preload's path.
 */
export function useBinaryPreload(preload: () => string): void {
  binaryPreload = preload;
}

/**
 * The command line that runs `script` under tracing, on the runtime tph itself runs on.
 *
 * @param script The script as given.
 * @param args Its arguments.
 * @param cwd The folder the process starts in, which a relative `script` is in.
 * @returns The executable and its arguments, environment variables to add, and (on Bun) the
 *   `argv[0]` to give it.
 */
export function childCommand(
  script: string,
  args: string[],
  cwd: string,
): { argv: string[]; env: Record<string, string>; argv0?: string } {
  script = scriptPath(script, cwd);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const runtime = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
  // Node runs V8 as Deno does: the same stack room.
  const room = stackRoom(runtime === "bun" ? "bun" : "deno", stackLimit(), exists(SH));
  let command: { argv: string[]; env: Record<string, string>; argv0?: string };
  if (runtime === "deno") {
    const v8 = room.v8KiB === null ? [] : [`--v8-flags=--stack-size=${room.v8KiB}`];
    command = {
      // Run as tph's runtime was invoked, so that the program's process.argv0 is what it is
      // when run directly (Deno takes it from how it was started).
      argv: [invokedAs(), "run", "-A", ...v8, "--preload", PRELOAD, script, ...args],
      env: {},
    };
  } else if (runtime === "node") {
    // `--import` takes a module specifier: the preload's file URL, whatever its path holds.
    const v8 = room.v8KiB === null ? [] : [`--stack-size=${room.v8KiB}`];
    command = {
      argv: [execPath(), ...v8, "--import", PRELOAD_URL.href, script, ...args],
      env: {},
      argv0: invokedAs(),
    };
  } else if (binaryPreload !== null) {
    // The standalone binary is its own runtime: started as the `bun` CLI, it runs the program.
    command = {
      argv: [execPath(), "--preload", binaryPreload(), script, ...args],
      env: { [BE_BUN_ENV]: "1" },
    };
  } else {
    command = {
      argv: [execPath(), "--preload", PRELOAD, script, ...args],
      env: {},
      argv0: invokedAs(),
    };
  }
  // A value of the user's own stays, as the program sees it plainly.
  if (room.jscBytes !== null && env()[JSC_STACK_ENV] === undefined) {
    command.env[JSC_STACK_ENV] = String(room.jscBytes);
    command.env[JSC_ADDED_ENV] = "1";
  }
  if (room.ulimitKiB === null) return command;
  // The shell raises the soft limit and becomes the runtime (same process); `2>&-`: a limit it
  // cannot set leaves the one there, silently. The runtime's argv[0] is the word exec is given.
  const argv = command.argv0 !== undefined
    ? [command.argv0, ...command.argv.slice(1)]
    : command.argv;
  return {
    argv: [SH, "-c", `ulimit -S -s ${room.ulimitKiB} 2>&-; exec "$@"`, "sh", ...argv],
    env: command.env,
  };
}

const SH = "/bin/sh";

/** tph's own stack limit, which the program's process inherits; null when unknown (no /proc). */
function stackLimit(): StackLimit | null {
  try {
    return parseStackLimit(readText("/proc/self/limits"));
  } catch {
    return null;
  }
}

/**
 * The runtime's options without tph's own, as the program would see them when run directly (Bun
 * lists `--preload <file>` in `process.execArgv`, Node `--import <url>` and the V8 stack size tph
 * gave it just before; `fork()` passes them on).
 *
 * @param execArgv The runtime's options.
 * @param preload The preload's path, or its file URL, as the runtime was given it.
 */
export function withoutPreload(execArgv: string[], preload: string): string[] {
  const url = preload.startsWith("file:") ? preload : null;
  const at = execArgv.findIndex((a, i) =>
    (url === null ? a === "--preload" : a === "--import") && execArgv[i + 1] === preload
  );
  if (at < 0) return execArgv;
  const from = url !== null && at > 0 && execArgv[at - 1].startsWith("--stack-size=") ? at - 1 : at;
  return [...execArgv.slice(0, from), ...execArgv.slice(at + 2)];
}
