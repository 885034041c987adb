// The CLI's side of `tph run`: start the program in a child process of the same runtime with the
// tracing preload, pass stdin/stdout/stderr through untouched, and once it ends merge the trace
// it wrote with how it ended.

import { RunError } from "./run_error.ts";
import { notAProgram } from "./program_file.ts";
import { limitKeys } from "../../run_file/limits.ts";
import { dirname, join, resolve } from "node:path";
import type { CallNodeJSON, RunInfo, RunJSON } from "../../types.ts";
import { SCHEMA_VERSION } from "../../types.ts";
import { VERSION } from "../../version.ts";
import {
  exists,
  fileProblem,
  isDirectory,
  lstatEntry,
  randomHex,
  remove,
  writeText,
} from "../../platform/files.ts";
import { type Child, pid, runtimeInfo, spawnInherit } from "../../platform/process.ts";
import { nearestPackage } from "../../project/nearest_package.ts";
import {
  CHILD_ENV,
  type ChildConfig,
  type ChildEnding,
  type ChildPhases,
} from "../../program/settings.ts";
import {
  childCommand,
  type ProgramRuntime,
  RuntimeError,
  withTestPlan,
} from "../../program/command.ts";
import { makePlanFile, removePlan, takeEarly, writePlan } from "./early_start.ts";
import { forwardSignals, SIGNAL_GRACE_MS, signalCutShort } from "./signals.ts";
import type { ChildRunFile } from "./child_runs.ts";
import {
  processRunName,
  removeLeft,
  takeLeft,
  takeLeftJSON,
} from "../../run_file/process_files.ts";

/** Options of {@linkcode runProgram}. */
export interface RunProgramOptions {
  script: string;
  args: string[];
  /** `tph test`: the runtime's test runner runs, `args` its arguments (`script` is not used). */
  test?: boolean;
  /** What the run records as its command (default: the script and its arguments). */
  command?: string[];
  cwd: string;
  /** The runtime to run the program on (default: the one tph runs on). */
  runtime?: ProgramRuntime;
  config: Omit<ChildConfig, "out">;
  /**
   * Folder the run file is written in (it must exist): the run cache, so that storing the run
   * is a rename and its calls are never read or copied again.
   */
  dir: string;
  /**
   * Asked once the program has ended: why `dir` can no longer hold the run (it became a folder
   * others can write while the program ran, say), or null. Then nothing in it is read or stored.
   */
  checkDir?: () => string | null;
}

/**
 * Why a folder that was there when the program started can no longer take its run: it was
 * removed, or replaced by a file (by the program itself, or by anyone), or null.
 */
function folderGone(dir: string): string | null {
  if (lstatEntry(dir) === null) return "the folder was removed while the program ran";
  if (!isDirectory(dir)) return "the folder was replaced by a file while the program ran";
  return null;
}

/** What {@linkcode runProgram} returns. */
export interface RunProgramResult {
  /**
   * The finished run: its top-level fields, the dot-named file in `dir` that holds it (the
   * caller moves or removes it), and its call tree on demand.
   */
  run: { header: Omit<RunJSON, "trace">; file: string; tree(): CallNodeJSON[] };
  /** The exit code tph itself should exit with (the program's). */
  exitCode: number;
  /** The signal that killed the program, if any. */
  signal: string | null;
  /** Problems worth a warning line (e.g. the trace could not be read). */
  warnings: string[];
  /** Why the run could not be written (a full or read-only disk): it is then not stored. */
  saveError: string | null;
  /** When the parts of the run began and ended, when `config.phases` asked for them. */
  phases: ChildPhases | null;
  /** How many files the loader instrumented; null when the program did not say (it died). */
  files: number | null;
  /** How many `trace()` blocks the program started (they take the calls made inside them). */
  blocks: number;
  /** The runs stored from the program's blocks (auto_save). */
  blockRuns: string[];
  /** A server's runs per request: requests served, runs stored and not stored. */
  requests: { served: number; stored: number; kept: number; dropped: number };
  /** `tph test`: the tests' stored runs, in the order they ended. */
  testRuns: string[];
  /** How many tests' runs could not be stored, and why (`tph test`); null: none. */
  testsNotStored: { count: number; problem: string } | null;
  /** The runs of the processes and workers the program started, followed (child_runs.ts). */
  children: ChildRunFile[];
}

export { RunError };

/**
 * Warn when Deno will silently skip the loader hook for this script. Measured on Deno 2.9.6: under
 * a package.json with `"type": "commonjs"`, a main.ts that imports ./lib.ts runs with no call
 * recorded (`tph run --tree main.ts`: "0 calls recorded"); the same files with `"type": "module"`
 * are traced. tests/cli/commands/_scope.ts checks the warning.
 */
export function commonjsPackageWarning(script: string): string | null {
  // .cjs/.cts are CommonJS anyway, and .mjs/.mts are ES modules whatever package.json says.
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).Deno === undefined || /\.[cm][jt]s$/.test(script)) return null;
  const pkg = nearestPackage(dirname(script));
  if (pkg?.type !== "commonjs") return null;
  return `${pkg.path} says "type": "commonjs": Deno does not pass ES modules under it through ` +
    `loader hooks, so their calls are not traced. Set "type": "module" or remove the field.`;
}

/**
 * Check that a script exists and is a file.
 *
 * @param script The script as given.
 * @param cwd The folder it is relative to.
 * @returns Its absolute path.
 * @throws {RunError} One line naming the script and what is wrong.
 */
export function checkScript(script: string, cwd: string): string {
  const path = resolve(cwd, script);
  if (!exists(path)) throw new RunError(`Cannot run "${script}": file not found`);
  if (isDirectory(path)) {
    throw new RunError(`Cannot run "${script}": it is a folder, not a script`);
  }
  const not = notAProgram(path, script);
  if (not !== null) throw new RunError(not);
  return path;
}

/**
 * Run a program under tracing and return the finished run: start it → wait for it → read what
 * its process left (how it ended, its phases, why it could not save) → the run's header.
 *
 * @param options The script, its arguments, the working directory and the child's settings.
 * @returns The run document, the exit code to pass on, and warnings.
 */
export async function runProgram(options: RunProgramOptions): Promise<RunProgramResult> {
  if (!options.test) checkScript(options.script, options.cwd);
  // A dot name: `tph logs` never lists it, even if tph dies before the caller moves it.
  const out = join(options.dir, processRunName(pid(), randomHex(4)));
  const childConfig: ChildConfig = {
    ...options.config,
    out,
    command: options.command ?? [options.script, ...options.args],
  };
  let command: ReturnType<typeof childCommand>;
  try {
    command = childCommand(
      options.script,
      options.args,
      options.cwd,
      options.runtime,
      options.test === true ? options.config.tests?.runner ?? true : false,
    );
  } catch (e) {
    throw e instanceof RuntimeError ? new RunError(e.message) : e;
  }
  const started = Date.now();
  const startedAt = new Date();
  const exited = runChild(options, childConfig, command);
  // The program has its settings: what reading its run needs loads while it runs.
  const loading = loadedLater(import("./after_run.ts"));
  const exit = await exited;
  cliMarks.exit = performance.timeOrigin + performance.now();
  cliMarks.exitCpu = cliCpu();
  const after = await loading;
  const warnings: string[] = [];
  // The program's runtime; its process tells its version (runInfo).
  const own = runtimeInfo();
  const rt = options.runtime === undefined || options.runtime === own.name
    ? own
    : { name: options.runtime, version: "" };
  // The folder the run went to, looked at again: a folder removed or replaced while the program
  // ran holds nothing of the run's (or nothing tph may read or store).
  const dirProblem = folderGone(options.dir) ?? options.checkDir?.() ?? null;
  if (dirProblem !== null) {
    // Its own files, if the folder is still one: removed, never followed (each is a link at
    // most), and nothing else of the folder's is touched.
    removeLeft(out);
    return {
      run: {
        header: emptyHeader(options, startedAt, runInfo(options, rt, exit, undefined, started)),
        file: out,
        tree: () => [],
      },
      saveError: dirProblem,
      phases: null,
      exitCode: exitCodeOf(exit),
      signal: exit.signal,
      warnings,
      files: null,
      blocks: 0,
      blockRuns: [],
      requests: { served: 0, stored: 0, kept: 0, dropped: 0 },
      testRuns: [],
      testsNotStored: null,
      children: [],
    };
  }
  refuseUntraced(out);
  const children = after.takeChildren(out);
  const left = readLeftBehind(out, !!options.config.phases, warnings, exit);
  const { ending, phases } = left;
  const info = runInfo(options, rt, exit, ending, started);
  const { header, saveError } = headerOf(out, options, startedAt, info, left, after.addRunInfo);
  if (saveError !== null) remove(out);
  const exitCode = exitCodeOf(exit);
  return {
    run: {
      header,
      file: out,
      tree: () => {
        if (saveError !== null) return [];
        const file = after.openRun(out);
        try {
          return file.tree().roots;
        } finally {
          file.close();
        }
      },
    },
    saveError,
    phases,
    files: ending?.files ?? null,
    blocks: ending?.blocks ?? 0,
    blockRuns: ending?.blockRuns ?? [],
    requests: ending?.requests ?? { served: 0, stored: 0, kept: 0, dropped: 0 },
    ...testsListed(out),
    children,
    exitCode,
    signal: exit.signal,
    warnings,
  };
}

/**
 * `tph test`: the tests' stored runs, listed by the processes that ran them (blocks.ts), and those
 * that could not be stored. The list is removed.
 */
function testsListed(out: string): Pick<RunProgramResult, "testRuns" | "testsNotStored"> {
  // None: no test stored a run, or this is no tph test.
  const text = takeLeft(out, "tests") ?? "";
  const testRuns: string[] = [];
  let testsNotStored: RunProgramResult["testsNotStored"] = null;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (!line.startsWith("!")) testRuns.push(line);
    else if (testsNotStored === null) testsNotStored = { count: 1, problem: line.slice(1) };
    else testsNotStored.count++;
  }
  return { testRuns, testsNotStored };
}

/** Start the program's process (or take the one started early) and wait for it to end. */
/**
 * A module being imported while the program runs, awaited once it has ended: its failure is thrown
 * there, not first as a rejection nobody handled.
 *
 * @param loading The import.
 * @returns The same import.
 */
export function loadedLater<T>(loading: Promise<T>): Promise<T> {
  loading.catch(() => {});
  return loading;
}

/**
 * When the last run's settings were written and when the CLI saw its process end (epoch ms; 0: not
 * yet), with the CLI's own CPU time then (ms), for the phases (TPH_BENCH_PHASES).
 */
const cliMarks = { plan: 0, planCpu: 0, exit: 0, exitCpu: 0 };

/** The CLI's marks of the program run last (cliMarks). */
export function cliPhases(): Readonly<typeof cliMarks> {
  return cliMarks;
}

/** The CLI process's CPU time so far, ms (user and system), for the phases; 0 where unknown. */
export function cliCpu(): number {
  // deno-lint-ignore no-explicit-any
  const usage = (globalThis as any).process?.cpuUsage?.();
  return usage === undefined ? 0 : (usage.user + usage.system) / 1000;
}

async function runChild(
  options: RunProgramOptions,
  childConfig: ChildConfig,
  { argv, env, argv0 }: ReturnType<typeof childCommand>,
): Promise<{ code: number | null; signal: string | null; cutShort?: boolean }> {
  // Started already when the CLI saw this command line (early_start.ts), and waiting for this.
  const early = takeEarly(options.script, options.args, options.cwd, options.runtime);
  const planFile = early?.planFile ?? makePlanFile();
  let child: Child;
  let stops: (() => void)[];
  try {
    writePlan(planFile, childConfig);
    cliMarks.plan = performance.timeOrigin + performance.now();
    cliMarks.planCpu = cliCpu();
    if (early !== null) ({ child, stops } = early);
    else {
      child = spawnInherit(withTestPlan(argv, planFile), {
        cwd: options.cwd,
        env: { ...env, [CHILD_ENV]: planFile },
        argv0,
      });
      stops = forwardSignals(child, planFile, childConfig.tests !== undefined);
    }
  } catch (e) {
    if (early !== null) {
      early.child.kill("SIGKILL");
      for (const stop of early.stops) stop();
    }
    removePlan(planFile);
    throw new RunError(`Cannot start ${argv[0]}: ${(e as Error).message}`);
  }
  try {
    const exit = await child.exited.catch((e) => {
      throw new RunError(`Cannot start ${argv[0]}: ${(e as Error).message}`);
    });
    // Killed in the stead of a signal it could not take (signals.ts): ended as by that signal.
    const instead = signalCutShort(child);
    return instead !== null && exit.signal === "SIGKILL"
      ? { code: null, signal: instead, cutShort: true }
      : exit;
  } finally {
    for (const stop of stops) stop();
    // The program's process removes it once read; not when it died first.
    removePlan(planFile);
  }
}

/**
 * The program's process could not trace the program at all (the binary's parser cannot be
 * loaded): its reason is the one line tph says, and no run is stored.
 */
function refuseUntraced(out: string): void {
  const reason = takeLeft(out, "fatal");
  if (reason === null) return;
  removeLeft(out);
  throw new RunError(reason.trim());
}

/** The start of the warning of a program whose process never said how it ended. */
export const ENDED_EARLY = "The program ended before tph could save its calls";

/** What the program's process left beside the run: how it ended, its phases, why it failed. */
function readLeftBehind(
  out: string,
  wantPhases: boolean,
  warnings: string[],
  exit: { signal: string | null; cutShort?: boolean },
): { ending: ChildEnding | undefined; phases: ChildPhases | null; saveError: string | null } {
  const ending = takeLeftJSON(out, "ending") as ChildEnding | undefined;
  if (ending === undefined && exit.cutShort) {
    warnings.push(
      `${ENDED_EARLY}: it has no listener of its own for ${exit.signal}, which would have ended ` +
        `it, and it did not take the signal within ${SIGNAL_GRACE_MS / 1000} s (a synchronous ` +
        `loop holds its event loop): tph ended it, as ${exit.signal} ends it without tph`,
    );
  } else if (ending === undefined) {
    warnings.push(
      ENDED_EARLY + " (an error before it started, or a " +
        "signal it cannot catch)",
    );
  }
  // Not written when the program did not end normally.
  const phases = wantPhases
    ? (takeLeftJSON(out, "phases") as ChildPhases | undefined) ?? null
    : null;
  // The program's process says why it could not write the run (a full disk, say); a run file cut
  // short says so too. Neither is ever stored as a run. None: the run was written, or the program
  // died before it could write anything.
  const error = takeLeft(out, "error");
  const saveError = error === null
    ? null
    : error.trim() || "the run could not be written (is the disk full?)";
  return { ending, phases, saveError };
}

/** The run's header, with how it ended; a run that is not whole (or not there) is an error. */
function headerOf(
  out: string,
  options: RunProgramOptions,
  startedAt: Date,
  info: RunInfo,
  { ending, saveError }: { ending: ChildEnding | undefined; saveError: string | null },
  addRunInfo: typeof import("./after_run.ts").addRunInfo,
): { header: Omit<RunJSON, "trace">; saveError: string | null } {
  try {
    // The program's process writes its run (run_file/format.ts) after saying how it ended; how it
    // ended is added to the run's meta. A run file that is there but not whole was cut short.
    const withRun = saveError === null && ending !== undefined ? addRunInfo(out, info) : null;
    if (withRun !== null) return { header: withRun, saveError };
    const header = emptyHeader(options, startedAt, info);
    if (saveError === null && ending !== undefined && exists(out)) {
      saveError = "the run file is incomplete";
    }
    if (saveError === null) {
      writeText(out, JSON.stringify({ ...header, trace: [] }) + "\n", { mode: 0o600 });
    }
    return { header, saveError };
  } catch (e) {
    return { header: emptyHeader(options, startedAt, info), saveError: fileProblem(e) };
  }
}

/** The exit code tph passes on: the program's, or 128 + the signal's number. */
function exitCodeOf(exit: { code: number | null; signal: string | null }): number {
  return exit.code ?? (exit.signal ? 128 + (SIGNAL_NUMBERS[exit.signal] ?? 0) : 1);
}

/** How the program ended, as the run's `run` field says. */
/** A command line whose redaction is unknown: its first word, every other word [redacted]. */
function keptWithoutArguments(words: string[]): string[] {
  return words.map((w, i) => i === 0 ? w : "[redacted]");
}

function runInfo(
  options: RunProgramOptions,
  rt: { name: string; version: string },
  exit: { code: number | null; signal: string | null },
  ending: ChildEnding | undefined,
  started: number,
): RunInfo {
  return {
    // Redacted by the program's process, which holds the redaction (ChildConfig.command); one
    // that never told it keeps no argument.
    command: ending?.command ??
      keptWithoutArguments(options.command ?? [options.script, ...options.args]),
    cwd: options.cwd,
    runtime: ending?.runtime?.name ?? rt.name,
    runtime_version: ending?.runtime?.version ?? rt.version,
    ended: exit.signal !== null
      ? "signal"
      // Bun reports an unhandled rejection to neither "uncaughtExceptionMonitor" nor the exit
      // code of its "exit" event: a program that "completed" exiting with another code than the
      // one it set (process.exitCode = 3 is a normal end with code 3) died of an error.
      : ending?.ended === "completed" && exit.code !== (ending.code ?? 0)
      ? "exception"
      : ending?.ended ?? (exit.code === 0 ? "completed" : "exit"),
    exit_code: exit.code,
    signal: exit.signal ?? ending?.signal ?? null,
    ...(ending?.error ? { error: ending.error } : {}),
    duration_ms: Date.now() - started,
  };
}

function emptyHeader(
  options: RunProgramOptions,
  startedAt: Date,
  info: RunInfo,
): Omit<RunJSON, "trace"> {
  const limits = options.config.limits;
  return {
    schema: SCHEMA_VERSION,
    tracepatch_version: VERSION,
    timestamp: startedAt.toISOString(),
    label: options.config.label,
    call_count: 0,
    was_limited: false,
    limit_reason: null,
    dropped_calls: 0,
    config: {
      ...limitKeys(limits),
      ignore_modules: limits.ignoreModules ?? [],
      include: options.config.loader.include ?? [],
      exclude: options.config.loader.exclude ?? [],
    },
    run: info,
  };
}

/** Linux's signal numbers: a program killed by signal n exits, as the shell reports it, 128+n. */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};
