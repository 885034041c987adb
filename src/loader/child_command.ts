// The command line of the traced program's process. No node: imports (each costs Deno ~4 ms the
// first time): `tph run` builds it before the rest of the CLI has loaded (early_start.ts).

import { execPath } from "../runtime/_host.ts";
import { CHILD_MAIN_ENV } from "./child_config.ts";

// A file URL's path, as fileURLToPath gives it on POSIX systems (node:url would load Node's layer).
const PRELOAD = decodeURIComponent(new URL("./preload.ts", import.meta.url).pathname);

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

/**
 * The command line that runs `script` under tracing, on the runtime tph itself runs on.
 *
 * @param script The script as given.
 * @param args Its arguments.
 * @param cwd The folder the process starts in, which a relative `script` is in.
 * @returns The executable and its arguments, and environment variables to add.
 */
export function childCommand(
  script: string,
  args: string[],
  cwd: string,
): { argv: string[]; env: Record<string, string> } {
  script = scriptPath(script, cwd);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno !== undefined) {
    return {
      argv: [g.Deno.execPath(), "run", "-A", "--preload", PRELOAD, script, ...args],
      env: {},
    };
  }
  if (import.meta.url.includes("/$bunfs/")) {
    // The standalone binary is its own runtime: it runs the program itself in child mode.
    return { argv: [execPath(), ...args], env: { [CHILD_MAIN_ENV]: script } };
  }
  return { argv: [execPath(), "--preload", PRELOAD, script, ...args], env: {} };
}
