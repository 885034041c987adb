// `tph run`'s head start. The program's process is started first thing, before the CLI has loaded
// the rest of itself and worked out the run's settings (~15 ms on Deno, as long as the new
// process takes to boot). It waits for the settings in a file (child.ts); the CLI writes them
// there once it has checked the command line, or tells the process to quit without running
// anything. Only what this module imports loads before the start: no node: module (Deno ~4 ms).

import { type Child, cwd, spawnInherit } from "../../platform/process.ts";
import { forwardSignals } from "./signals.ts";
import {
  exists,
  isDirectory,
  randomHex,
  readText,
  remove,
  replaceFile,
  writeText,
} from "../../platform/files.ts";
import { tempFolder } from "./temp_folder.ts";
import { notAProgram } from "./program_file.ts";
import { HELP_OPTION, parseArgv, type ParsedArgv } from "../argv.ts";
import { RUN_OPTIONS } from "./run_options.ts";
import {
  childCommand,
  PROGRAM_RUNTIMES,
  type ProgramRuntime,
  scriptPath,
} from "../../program/command.ts";
import {
  ABORT,
  CHILD_ENV,
  type ChildConfig,
  KEY_NAME,
  PLAN_NAME,
  RUN_FOLDER_PREFIX,
} from "../../program/settings.ts";

/** A program process started ahead of its settings. */
export interface EarlyChild {
  child: Child;
  /** The settings file it waits for. */
  planFile: string;
  /** How to stop passing signals on to it. */
  stops: (() => void)[];
}

interface Pending extends EarlyChild {
  script: string;
  args: string[];
  cwd: string;
  runtime: ProgramRuntime | undefined;
  /** Whether what it was started with still holds (else the CLI starts another). */
  confirmed: () => boolean;
}

let pending: Pending | null = null;

/** `tph run`'s arguments as the head start parsed them, for the CLI not to parse them again. */
let parsedRun: { args: string[]; parsed: ParsedArgv } | null = null;

/**
 * Parse `tph run`'s arguments (those after `run`), once: the head start and the CLI read the
 * same parse.
 *
 * @param args The arguments after `run`.
 */
export function parseRunArgs(args: string[]): ParsedArgv {
  const known = parsedRun;
  if (
    known !== null && known.args.length === args.length && known.args.every((a, i) => a === args[i])
  ) {
    return known.parsed;
  }
  const parsed = parseArgv({ ...RUN_OPTIONS, help: HELP_OPTION }, args, true);
  parsedRun = { args: [...args], parsed };
  return parsed;
}

/**
 * Where `tph run`'s arguments put the script; null for a command line the CLI will refuse or
 * answer without running anything (a problem, `--help`, no script).
 *
 * @param args The arguments after `run`.
 * @returns The script and its arguments.
 */
export function scriptOf(
  args: string[],
): { script: string; args: string[]; runtime: ProgramRuntime | undefined } | null {
  const { values, positionals, problem } = parseRunArgs(args);
  if (problem !== null || values.help || positionals.length === 0) return null;
  const runtime = values.runtime as ProgramRuntime | undefined;
  // A runtime tph does not know: the CLI says so, and nothing runs.
  if (runtime !== undefined && !PROGRAM_RUNTIMES.includes(runtime)) return null;
  return { script: positionals[0], args: positionals.slice(1), runtime };
}

/**
 * Start the program of a `tph run` command line now, if there plainly is one, to wait for its
 * settings. Call before loading the rest of the CLI.
 *
 * @param argv tph's arguments.
 * @param confirmed Asked before the CLI takes the process: whether what it was started with
 *   still holds (deno_bundle.ts's preload chosen before its sources were checked).
 */
export function startEarly(argv: string[], confirmed: () => boolean = () => true): void {
  if (argv[0] !== "run" || pending !== null) return;
  const found = scriptOf(argv.slice(1));
  if (found === null) return;
  const dir = cwd();
  const path = scriptPath(found.script, dir);
  // A missing script is the CLI's to report, not the runtime's.
  if (!exists(path) || isDirectory(path) || notAProgram(path, found.script) !== null) return;
  let planFile = "";
  try {
    planFile = makePlanFile();
    const { argv: command, env, argv0 } = childCommand(
      found.script,
      found.args,
      dir,
      found.runtime,
    );
    const child = spawnInherit(command, {
      cwd: dir,
      env: { ...env, [CHILD_ENV]: planFile },
      argv0,
    });
    const stops = forwardSignals(child, planFile);
    pending = { ...found, cwd: dir, child, planFile, stops, confirmed };
  } catch {
    // The CLI starts it the usual way and reports what is wrong.
    if (planFile !== "") removePlan(planFile);
  }
}

/**
 * The process started early, when it runs this command; otherwise it is told to quit and null
 * comes back (the caller starts one itself).
 *
 * @param script The script as the full parse found it.
 * @param args Its arguments.
 * @param dir The folder it must run in.
 * @param runtime The runtime it must run on (undefined: tph's own).
 */
export function takeEarly(
  script: string,
  args: string[],
  dir: string,
  runtime: ProgramRuntime | undefined,
): EarlyChild | null {
  const p = pending;
  if (p === null) return null;
  pending = null;
  if (
    p.script === script && p.cwd === dir && p.runtime === runtime &&
    p.args.length === args.length &&
    p.args.every((a, i) => a === args[i]) && p.confirmed()
  ) return p;
  // Its end is awaited nowhere: the caller starts the program's process it will wait for.
  void quit(p);
  return null;
}

/** Tell a process started early and never taken to quit, and wait for it to end. */
export async function abortEarly(): Promise<void> {
  const p = pending;
  if (p === null) return;
  pending = null;
  await quit(p);
}

async function quit(p: Pending): Promise<void> {
  try {
    writePlan(p.planFile, ABORT);
  } catch {
    p.child.kill("SIGKILL");
  }
  try {
    await p.child.exited;
  } catch {
    // Gone already.
  }
  for (const stop of p.stops) stop();
  removePlan(p.planFile);
}

/**
 * A new, empty settings file, in a folder of its own that only this user can enter (made by
 * mkdtemp, 0700): nobody else can plant a file or a link where tph writes the settings. Beside
 * it, the run's key (hand_off.ts), which the settings carry: a process takes settings as tph's
 * only from this folder, with this key.
 *
 * @returns The file's path.
 */
export function makePlanFile(): string {
  const dir = tempFolder(RUN_FOLDER_PREFIX);
  writeText(`${dir}/${KEY_NAME}`, randomHex(16), { exclusive: true, mode: 0o600 });
  const file = `${dir}/${PLAN_NAME}`;
  writeText(file, "", { exclusive: true, mode: 0o600 });
  return file;
}

/**
 * Remove a settings file and its folder.
 *
 * @param file A path from {@linkcode makePlanFile}.
 */
export function removePlan(file: string): void {
  remove(file.slice(0, file.lastIndexOf("/")));
}

/**
 * Write the settings file a program process waits for, whole at once (written beside it, then
 * renamed over it), so that the process never reads a part.
 *
 * @param file The settings file.
 * @param plan The settings, or {@linkcode ABORT}.
 */
export function writePlan(file: string, plan: ChildConfig | typeof ABORT): void {
  const dir = file.slice(0, file.lastIndexOf("/"));
  const handOff = { dir, key: readText(`${dir}/${KEY_NAME}`) };
  // In the plan's own folder, under a name its reader knows it is not (created exclusively).
  replaceFile(
    file,
    (t) => writeText(t, JSON.stringify({ ...plan, handOff }), { exclusive: true, mode: 0o600 }),
    `${file}.tmp`,
  );
}
