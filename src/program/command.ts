// The command line of the traced program's process. No node: imports (each costs Deno ~4 ms the
// first time): `tph run` builds it before the rest of the CLI has loaded (early_start.ts).

import { env, execPath, invokedAs, onPath, osName, runCaptured } from "../platform/process.ts";
import { exists, readText } from "../platform/files.ts";
import { BE_BUN_ENV, DENO_DIR_WAS_ENV, JSC_ADDED_ENV, type TestRunner } from "./settings.ts";
import {
  BUN_CLI_URL,
  BUN_HEAD_URL,
  BUN_PRELOAD_URL,
  DENO_CLI_URL,
  DENO_PRELOAD_URL,
  NODE_PRELOAD_URL,
  OWN_ROOT_URL,
  PRELOAD_URL,
  TEST_PRELOAD_URL,
} from "./loader/own_files.ts";
import { denoDirApart, userDenoDir } from "./deno_dir.ts";
import { JSC_STACK_ENV, parseStackLimit, type StackLimit, stackRoom } from "./stack_room.ts";
import { encodeURIComponent, Error, Number, String, TextDecoder } from "../platform/globals.ts";

// A file URL's path, as fileURLToPath gives it on POSIX systems (node:url would load Node's layer).
const PRELOAD = decodeURIComponent(PRELOAD_URL.pathname);
const NODE_PRELOAD = decodeURIComponent(NODE_PRELOAD_URL.pathname);
const TEST_PRELOAD = decodeURIComponent(TEST_PRELOAD_URL.pathname);

/**
 * The files of tph's code as Bun's bytecode from a checkout (src/cli/launch/bun_bytecode.ts): the
 * top folder (ending in `/`), the preload's source, its bundle, the CLI's bundle, the head start's
 * bundle (src/cli/launch/head_file.ts).
 */
export const BUN_BYTECODE_FILES = {
  root: decodeURIComponent(OWN_ROOT_URL.pathname),
  preload: PRELOAD,
  preloadBundle: decodeURIComponent(BUN_PRELOAD_URL.pathname),
  cliBundle: decodeURIComponent(BUN_CLI_URL.pathname),
  headBundle: decodeURIComponent(BUN_HEAD_URL.pathname),
} as const;

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
 * The files of Deno's bundles from a checkout (src/cli/launch/deno_bundle.ts): the top folder
 * (ending in `/`), the preload's source, its bundle, the CLI's bundle (no URL of the CLI's entry
 * read from `import.meta.url`: npm/build.ts would keep the modules it names in lib/).
 */
export const DENO_BUNDLE_FILES = {
  root: decodeURIComponent(OWN_ROOT_URL.pathname),
  preload: PRELOAD,
  bundle: decodeURIComponent(DENO_PRELOAD_URL.pathname),
  cliBundle: decodeURIComponent(DENO_CLI_URL.pathname),
  /** The CLI's bundle and its entry as URLs. */
  cliBundleUrl: DENO_CLI_URL.href,
  cliEntryUrl: `${OWN_ROOT_URL.href}src/cli/commands/main.ts`,
} as const;

/** A runtime a traced program can run on. */
export type ProgramRuntime = "deno" | "bun" | "node";
/** The runtimes `tph run --runtime` takes. */
export const PROGRAM_RUNTIMES = ["deno", "bun", "node"] as const;
/** The oldest Node with `module.registerHooks`, which tph's loader needs. */
export const NODE_MINIMUM = "22.15";

/** Why the program cannot run on the runtime asked for; its message is one line for the user. */
export class RuntimeError extends Error {}

/** The runtime running tph (the standalone binary is Bun). */
export function ownRuntime(): ProgramRuntime {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  return g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
}

/** Whether a Node version (`v22.15.0`, `22.15.0`) has `module.registerHooks`. */
export function nodeHasHooks(version: string): boolean {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  const [needMajor, needMinor] = NODE_MINIMUM.split(".").map(Number);
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

let binaryPreload: (() => string) | null = null;
let bunPreload: ((preload: string) => string | null) | null = null;
let denoPreload: ((preload: string) => string | null) | null = null;

/**
 * On Bun from a checkout: the preload bundled with its bytecode, when there is one for this Bun
 * (src/cli/launch/bun_bytecode.ts); null to load the sources.
 *
 * @param preload Gives the bundle for the preload's source, or null.
 */
export function useBunPreload(preload: (preload: string) => string | null): void {
  bunPreload = preload;
}

/**
 * On Deno from a checkout: the preload as one module, when there is one built from the sources as
 * they are (src/cli/launch/deno_bundle.ts); null to load the sources.
 *
 * @param preload Gives the bundle for the preload's source, or null.
 */
export function useDenoPreload(preload: (preload: string) => string | null): void {
  denoPreload = preload;
}

/** Whether this is the standalone binary (it said where its preload goes: useBinaryPreload). */
export function isBinary(): boolean {
  return binaryPreload !== null;
}

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
 * The environment a Deno program's process run with V8 flags `flags` gets besides the CLI's: a
 * DENO_DIR of tph's, with its own V8 code cache (deno_dir.ts), and what DENO_DIR was, for the
 * preload to put back. Nothing where tph's folder cannot be had.
 */
function denoDirEnv(cwd: string, flags: string): Record<string, string> {
  const vars = env();
  const real = userDenoDir(vars, cwd, osName());
  const apart = real === null ? null : denoDirApart(real, flags);
  if (apart === null) return {};
  const was = vars.DENO_DIR;
  return { DENO_DIR: apart, [DENO_DIR_WAS_ENV]: was === undefined ? "0" : `1${was}` };
}

/**
 * The command line that runs `script` under tracing, on the runtime tph itself runs on or on
 * another one.
 *
 * @param script The script as given.
 * @param args Its arguments.
 * @param cwd The folder the process starts in, which a relative `script` is in.
 * @param runtime The runtime to run it on (default: tph's own).
 * @param test `tph test`: the runtime's test runner instead, given `args` (`script` unused);
 *   `vitest`: Node runs `args`, vitest's script and its arguments.
 * @returns The executable and its arguments, environment variables to add, and (on Bun and Node)
 *   the `argv[0]` to give it.
 * @throws {RuntimeError} When the runtime asked for cannot be found or is too old.
 */
export function childCommand(
  script: string,
  args: string[],
  cwd: string,
  runtime: ProgramRuntime = ownRuntime(),
  test: boolean | TestRunner = false,
): { argv: string[]; env: Record<string, string>; argv0?: string } {
  script = scriptPath(script, cwd);
  // Run as tph's runtime was invoked, so that the program's process.argv0 is what it is when run
  // directly (Deno takes it from how it was started); another runtime as it was found.
  let exe: { path: string; invoked: string };
  try {
    exe = runtime === ownRuntime()
      ? { path: execPath(), invoked: invokedAs() }
      : otherRuntime(runtime);
  } catch (e) {
    if (!test || !(e instanceof RuntimeError)) throw e;
    throw new RuntimeError(
      `tph test runs ${
        test === "vitest" || test === "jest"
          ? `${test} on Node.js`
          : `${NAMES[runtime]}'s test runner`
      }: ${
        e.message.replace(/^--runtime \w+: /, "").replace(/, or choose another runtime.*$/, "")
          .replace(/, or use --runtime deno or bun$/, "")
      }`,
    );
  }
  // Node runs V8 as Deno does: the same stack room.
  const room = stackRoom(runtime === "bun" ? "bun" : "deno", stackLimit(), exists(SH));
  let command: { argv: string[]; env: Record<string, string>; argv0?: string };
  if (runtime === "deno") {
    const v8 = room.v8KiB === null ? [] : [`--v8-flags=--stack-size=${room.v8KiB}`];
    command = {
      argv: test ? [exe.invoked, "test", "-A", ...v8, "--preload", TEST_PRELOAD, ...args] : [
        exe.invoked,
        "run",
        "-A",
        ...v8,
        "--preload",
        (runtime === ownRuntime() ? denoPreload?.(PRELOAD) : null) ?? PRELOAD,
        script,
        ...args,
      ],
      env: v8.length > 0 ? denoDirEnv(cwd, v8[0]) : {},
    };
  } else if (runtime === "node") {
    // `--require`, not `--import`: with any `--import`, Node runs even a CommonJS main module
    // through its ES module loader, where `module.id`, the names of its frames and its errors
    // differ. Node requires an ES module (the preload) synchronously.
    const v8 = room.v8KiB === null ? [] : [`--stack-size=${room.v8KiB}`];
    command = {
      // Node's test runner passes these options on to the process it starts for each test file.
      argv: test
        ? [
          exe.path,
          ...v8,
          "--require",
          NODE_PRELOAD,
          ...(test === "vitest" || test === "jest" ? [] : ["--test"]),
          ...args,
        ]
        : [exe.path, ...v8, "--require", NODE_PRELOAD, script, ...args],
      env: {},
      argv0: exe.invoked,
    };
  } else if (binaryPreload !== null) {
    // The standalone binary is its own runtime: started as the `bun` CLI, it runs the program
    // (`bun test`: the test files, all in this one process).
    command = {
      argv: test
        ? [execPath(), "test", "--preload", binaryPreload(), ...args]
        : [execPath(), "--preload", binaryPreload(), script, ...args],
      env: { [BE_BUN_ENV]: "1" },
    };
  } else {
    command = {
      argv: test
        ? [exe.path, "test", "--preload", PRELOAD, ...args]
        : [exe.path, "--preload", bunPreload?.(PRELOAD) ?? PRELOAD, script, ...args],
      env: {},
      argv0: exe.invoked,
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

const NAMES: Record<ProgramRuntime, string> = { deno: "Deno", bun: "Bun", node: "Node.js" };

/**
 * A runtime other than tph's own: the first by its name on PATH, else the one pinned in tph's own
 * node_modules (a checkout's); Node only from 22.15 on.
 *
 * @throws {RuntimeError} Naming what is missing, or too old, and what to do.
 */
function otherRuntime(runtime: ProgramRuntime): { path: string; invoked: string } {
  const asked = `--runtime ${runtime}`;
  if (binaryPreload !== null) {
    throw new RuntimeError(
      `${asked}: the standalone binary runs programs on its own Bun; to run them on ` +
        `${NAMES[runtime]}, install tph's npm package (not on the registry: npm pack in a ` +
        "checkout of tph makes it; see Install in its README)",
    );
  }
  const found: { path: string; invoked: string }[] = [];
  const onPathAt = onPath(runtime);
  if (onPathAt !== null) found.push({ path: onPathAt, invoked: runtime });
  const pinned = `${TPH_ROOT}/node_modules/.bin/${runtime}`;
  if (exists(pinned) && pinned !== onPathAt) found.push({ path: pinned, invoked: pinned });
  return pickRuntime(runtime, found, (exe) => {
    const r = runCaptured([exe, "--version"], { cwd: "/", timeoutMs: 10_000 });
    return r === null ? "" : new TextDecoder().decode(r.stdout).trim();
  });
}

/**
 * The runtime to run a program on, from those found (on PATH first): the first, or for Node the
 * first recent enough.
 *
 * @param runtime The runtime asked for.
 * @param found Its executables found, and how each was named.
 * @param versionOf Node's version as an executable prints it (`v22.15.0`; "" when unknown).
 * @throws {RuntimeError} Naming what is missing or too old, and what to do.
 */
export function pickRuntime(
  runtime: ProgramRuntime,
  found: { path: string; invoked: string }[],
  versionOf: (exe: string) => string,
): { path: string; invoked: string } {
  const asked = `--runtime ${runtime}`;
  if (found.length === 0) {
    throw new RuntimeError(
      `${asked}: no ${runtime} found on PATH: install ${NAMES[runtime]}, or choose another ` +
        `runtime (${PROGRAM_RUNTIMES.filter((r) => r !== runtime).join(", ")})`,
    );
  }
  if (runtime !== "node") return found[0];
  let old = "";
  for (const candidate of found) {
    const version = versionOf(candidate.path);
    if (nodeHasHooks(version)) return candidate;
    old ||= `${candidate.path} is Node ${version.replace(/^v/, "") || "of an unknown version"}`;
  }
  throw new RuntimeError(
    `${asked}: ${old}; tph needs Node ${NODE_MINIMUM} or newer (module.registerHooks): ` +
      `install it, or use --runtime deno or bun`,
  );
}

// tph's own top folder (a checkout's or an installed package's).
const TPH_ROOT = decodeURIComponent(OWN_ROOT_URL.pathname).replace(/\/$/, "");

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
 * lists `--preload <file>` in `process.execArgv`, Node `--require <file>` and the V8 stack size
 * tph gave it just before; `fork()` passes them on).
 *
 * @param execArgv The runtime's options.
 * @param preload The preload as the runtime may have been given it.
 */
/**
 * `deno test`'s command line with its preload given the run's settings file in its URL: deno test
 * runs each test module in a worker of its own, each loading the preload, and the first one takes
 * the settings' place out of the environment (the program's).
 *
 * @param argv The command (childCommand's).
 * @param planFile The settings file.
 */
export function withTestPlan(argv: string[], planFile: string): string[] {
  return argv.map((a, i) =>
    a === TEST_PRELOAD && argv[i - 1] === "--preload"
      ? `${TEST_PRELOAD_URL.href}?plan=${encodeURIComponent(planFile)}`
      : a
  );
}

export function withoutPreload(execArgv: string[], preload: readonly string[]): string[] {
  const at = execArgv.findIndex((a, i) =>
    (a === "--preload" || a === "--require") && preload.includes(execArgv[i + 1])
  );
  if (at < 0) return execArgv;
  const from = at > 0 && execArgv[at - 1].startsWith("--stack-size=") ? at - 1 : at;
  return [...execArgv.slice(0, from), ...execArgv.slice(at + 2)];
}
