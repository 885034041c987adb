// The CLI entry: parse, dispatch, print, and turn every failure into one line and an exit code.
// The only module that writes to stdout/stderr; commands write through their context.

import {
  cwd,
  env,
  platformName,
  runtimeInfo,
  standardStreams,
  stdoutBytes,
  stdoutIsTerminal,
} from "../../platform/process.ts";
import { safeOutput } from "../../render/safe_text.ts";
import { NativePartError } from "../../deps.ts";
import { closest } from "../../config/closest.ts";
import { ConfigError } from "../../config/config_error.ts";
import type { LoadedConfig } from "../../config/load_config.ts";
import { StoreError } from "../../run_file/store_error.ts";
import { RunError } from "../launch/run_error.ts";
import { parseRunArgs } from "../launch/early_start.ts";
import { SETTLE_COMMAND, settleRuns } from "../launch/settle_raw.ts";
import { VERSION } from "../../version.ts";
import type { Command, Context } from "./command.ts";
import { COMMANDS, runCommand } from "./commands.ts";
import { CliError, usageError } from "./errors.ts";
import { parseCommandLine } from "./parse_command_line.ts";
import { renderCommandHelp, renderHelp } from "./render_help.ts";

/** Where the CLI writes and what it runs in; tests pass their own. */
export interface Io {
  /** Write lines to stdout (a newline is added). */
  out(text: string): void;
  /** Write lines to stderr (a newline is added). */
  err(text: string): void;
  /** Write bytes to stdout as they are (default: the process's stdout). */
  outBytes?(bytes: Uint8Array, length: number): boolean;
  /** Whether stdout is a terminal (colours are used only then). */
  isTerminal: boolean;
  /** The working folder. */
  cwd: string;
  /** The environment (`NO_COLOR`). */
  env: Record<string, string | undefined>;
}

/**
 * Whether stdout gets colours: `--color always|never` decides; else FORCE_COLOR (set, not "0" or
 * "false": on; "0" or "false": off); else on a terminal, unless NO_COLOR is set and not empty
 * (https://no-color.org).
 */
export function colorWanted(flag: unknown, io: Pick<Io, "isTerminal" | "env">): boolean {
  if (flag !== undefined) {
    if (flag === "always") return true;
    if (flag === "never") return false;
    if (flag !== "auto") {
      throw usageError(`--color takes always, never or auto, not "${String(flag)}"`);
    }
  }
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return io.isTerminal && !io.env.NO_COLOR;
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd !== undefined) return cmd;
  if (name.startsWith("-")) throw usageError(`unknown option "${name}"`);
  const guess = closest(name, COMMANDS.map((c) => c.name));
  throw usageError(`unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
}

/** The commands that read stored runs' calls (the others read their meta at most). */
const READ_CALLS = new Set(["tree", "view", "diff", "find", "export", "lsp", SETTLE_COMMAND]);

/**
 * Runs written raw at the program's end (recorder/raw_run.ts) are made run files when first read,
 * by the recorder's writer: loaded for the commands that read calls.
 */
async function rawRuns(name: string): Promise<void> {
  if (!READ_CALLS.has(name)) return;
  const [{ rawConverter }, { setRawConverter }] = await Promise.all([
    import("../../program/read_runs.ts"),
    import("../../run_file/decode.ts"),
  ]);
  setRawConverter(await rawConverter());
}

/**
 * `tph __settle <run file>…`: the runs made run files at a low priority, nothing said (the runs
 * left as they are where they cannot be: their first read makes them).
 */
async function settleApart(paths: string[]): Promise<number> {
  try {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).process?.getBuiltinModule?.("node:os")?.setPriority(10);
  } catch {
    // As urgent as any other process, then.
  }
  await rawRuns(SETTLE_COMMAND);
  await settleRuns(paths);
  return 0;
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    io.out(renderHelp(COMMANDS));
    return 0;
  }
  if (first === "-V" || first === "--version") {
    const rt = runtimeInfo();
    io.out(`tph ${VERSION} (${rt.name} ${rt.version}, ${platformName()})`);
    return 0;
  }
  // The process `tph run` leaves a large raw run to (settle_raw.ts): not a command of users'.
  if (first === SETTLE_COMMAND) return await settleApart(rest);
  const cmd = findCommand(first);
  // `tph run`'s arguments were parsed by its head start already (launch/early_start.ts).
  const { values, positionals } = cmd === runCommand
    ? parseCommandLine(cmd, rest, parseRunArgs(rest))
    : parseCommandLine(cmd, rest);
  if (values.help) {
    io.out(renderCommandHelp(cmd));
    return 0;
  }
  const [min, max] = cmd.positionals;
  if (positionals.length < min) {
    const what = cmd.usage.match(/<[^>]+>/)?.[0] ?? "an argument";
    throw usageError(`"${cmd.name}" needs ${what}`, cmd.name);
  }
  if (positionals.length > max) {
    throw usageError(`unexpected argument "${positionals[max]}" for "${cmd.name}"`, cmd.name);
  }
  // The command's work and the config reader load together, and only now: `tph --help` and
  // `tph --version` load neither.
  const [work, { loadConfig }] = await Promise.all([
    cmd.load(),
    import("../../config/load_config.ts"),
    rawRuns(cmd.name),
  ]);
  let loaded: LoadedConfig | null = null;
  const warned = new Set<string>();
  const ctx: Context = {
    values,
    positionals,
    cwd: io.cwd,
    out: io.out,
    err: io.err,
    outBytes: io.outBytes ?? stdoutBytes(),
    commands: COMMANDS,
    warn: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      io.err(`tph: warning: ${message}`);
    },
    color: colorWanted(values.color, io),
    terminal: io.isTerminal,
    config: () =>
      loaded ??= loadConfig({
        cwd: io.cwd,
        file: typeof values.file === "string" ? values.file : undefined,
      }),
    env: io.env,
  };
  return await work.run(ctx);
}

/**
 * Run the tph command line.
 *
 * @param argv The arguments after `tph`.
 * @param io Output and environment; by default the process's.
 * @returns The exit code: 0 on success, 1 on failure, 2 on a usage error.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { main } from "./src/cli/commands/main.ts";
 * process.exitCode = await main(["logs", "--limit", "5"]);
 * ```
 */
export async function main(argv: string[], io?: Partial<Io>): Promise<number> {
  const std = io?.out === undefined || io?.err === undefined ? standardStreams() : undefined;
  // Everything tph prints goes through safeOutput: no text of the program's, of a file name or of
  // the configuration reaches the terminal as control characters (only tph's own colours do).
  const out = io?.out ?? std!.out;
  const err = io?.err ?? std!.err;
  const sys: Io = {
    out: (text) => out(safeOutput(text)),
    err: (text) => err(safeOutput(text)),
    outBytes: io?.outBytes,
    isTerminal: io?.isTerminal ?? (io?.out === undefined && stdoutIsTerminal()),
    cwd: io?.cwd ?? cwd(),
    env: io?.env ?? env(),
  };
  try {
    return await dispatch(argv, sys);
  } catch (e) {
    if (e instanceof CliError) {
      sys.err(`tph: ${e.message}`);
      if (e.hint) {
        sys.err(`Run "tph help${e.command ? ` ${e.command}` : ""}" for usage.`);
      }
      return e.code;
    }
    // Errors of the parts below the CLI that are one line for the user.
    if (
      e instanceof StoreError || e instanceof ConfigError || e instanceof RunError ||
      e instanceof NativePartError
    ) {
      sys.err(`tph: ${e.message}`);
      return 1;
    }
    sys.err(`tph: internal error (please report it): ${(e as Error)?.stack ?? e}`);
    return 1;
  }
}
