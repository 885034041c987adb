// The traced program's side of `tph run`: read the run settings the CLI passed, install the
// recorder and the loader hook, record into one process-wide trace, and write it out however
// the program ends. The CLI (the parent process) adds how the run ended and stores it.

import { createRequire } from "node:module";
import process from "../platform/node_process.ts";
import { appendText, fileProblem, readText, remove } from "../platform/files.ts";
import { runtime } from "./recorder/recorder.ts";
import { now } from "./recorder/clock.ts";
import { traceConfig } from "./recorder/to_json.ts";
import { writeTraceRun, writingAtExit } from "./recorder/run_writer.ts";
import { rawWritable, writeRawRun } from "./recorder/raw_run.ts";
import { leftFile, writeLeft } from "../run_file/process_files.ts";
import { leaveNoParserReason } from "../deps.ts";
import type { TraceState } from "./recorder/trace_state.ts";
import { formatError } from "./recorder/repr.ts";
import { scrubCommand } from "./recorder/redact.ts";
import { apply, performanceNow, plainJSON } from "../platform/intrinsics.ts";
import {
  ABORT,
  CHILD_ENV,
  type ChildConfig,
  type ChildEnding,
  type ChildMemory,
  type ChildPhases,
  DENO_DIR_WAS_ENV,
  FOLLOW_ENV,
  JSC_ADDED_ENV,
  SIGNALS_SUFFIX,
} from "./settings.ts";
import { JSC_STACK_ENV } from "./stack_room.ts";
import { type HandOff, handOffHolds, verifiedPlanFile } from "./hand_off.ts";
import { registerLoader } from "./loader/register.ts";
// The library a program's copy of tph hands trace() to (LibraryABI in src/abi.ts).
import { endOpenBlocks, enterTest, openTest, runTest, runTestAttempt } from "./trace.ts";
import {
  blockSettings,
  configureBlocks,
  pruneCache,
  saveLaterBlocks,
  storedBlocks,
} from "./blocks.ts";
import { denoExitCode, exitCodeOf, processEndOf, watchExits } from "./process_end.ts";
import { endOpenBunTests, installBunTests } from "./tests/bun_tests.ts";
import { installDenoTests } from "./tests/deno_tests.ts";
import { endOpenJestTests, installJestConfigs, installJestTests } from "./tests/jest_tests.ts";
import { endOpenTests, installNodeTests } from "./tests/node_tests.ts";
import { endingByExit, testsHooked } from "./tests/open_list.ts";
import { installVitestPlugin, sourceRecord } from "./tests/vitest_plugin.ts";
import { endOpenVitestTests, installVitestTests } from "./tests/vitest_tests.ts";
import { standIn, useModuleRecords } from "./loader/original_text.ts";
import { programCommand, runtimeName } from "./program_info.ts";
import { keepBunSpawnEnv, keepBunWorkerArgv, startUpEnvWithout } from "./bun_children.ts";
import { bunFollow } from "./follow.ts";
export { holdMessages, takeAsk } from "./follow.ts";
import { withoutPreload } from "./command.ts";
import { beforeUncaughtPrint } from "./loader/bun_stacks.ts";
import { useBunTestFiles } from "./loader/bun.ts";
import { installNodeUncaught } from "./loader/node_uncaught.ts";
import { allListenerCount, onOwn, rearmSignal } from "./loader/own_listeners.ts";
import {
  Atomics,
  Int32Array,
  JSON,
  type Map,
  Object,
  Promise,
  SharedArrayBuffer,
} from "../platform/globals.ts";
import { installPropagation, setContextSource } from "./propagate/context.ts";
import { parseTraceparent } from "../store/trace_context.ts";
import { dateGetTime, ownArray, round, SafeMap, strSlice } from "../platform/intrinsics.ts";
import type { ChildRunJSON } from "../types.ts";
import {
  followChildren,
  followedChildren,
  followedSettings,
  linkRequestChildren,
  saveLiveWorkers,
  saveWhenAsked,
} from "./follow.ts";
import { installRequestRuns } from "./requests/install.ts";
import { endOpenRequests, requestsServed } from "./requests/request_runs.ts";
import { flushRequestRuns, requestRunsStored, useChildLinks } from "./requests/request_store.ts";

/**
 * The run's settings from the file the CLI writes them to, waiting while it is empty (the CLI
 * starts this process first and works them out meanwhile: early_start.ts). ABORT when the
 * program must not run: the CLI said so, removed the file, or ended. Null when what the file holds
 * is not settings of this run's (hand_off.ts): never quoted, the program runs untraced.
 */
function readPlan(plan: { file: string; handOff: HandOff }): ChildConfig | typeof ABORT | null {
  const file = plan.file;
  const parent = process.ppid;
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  let warmed = false;
  for (;;) {
    let text: string;
    try {
      text = readText(file);
    } catch {
      return ABORT;
    }
    if (text !== "") {
      let parsed: ChildConfig | typeof ABORT;
      try {
        parsed = JSON.parse(text);
      } catch {
        return null;
      }
      if (
        parsed === null || typeof parsed !== "object" ||
        !handOffHolds((parsed as ChildConfig).handOff, plan.handOff) ||
        !("abort" in parsed) && typeof parsed.out !== "string"
      ) return null;
      // Node's test runner starts a process per test file, vitest and jest workers, and deno
      // test a worker per test module (each loading the preload), each reading it: the CLI
      // removes it.
      const runner = "tests" in parsed ? parsed.tests?.runner : undefined;
      if (runner === undefined || runner === "bun") remove(file);
      return "abort" in parsed ? ABORT : parsed;
    }
    if (process.ppid !== parent) return ABORT;
    if (!warmed) {
      // Waiting anyway: what the set-up loads whatever the settings, loaded now.
      warmed = true;
      warmUp();
      continue;
    }
    Atomics.wait(sleep, 0, 0, 1);
  }
}

/**
 * While the settings are not written yet (the CLI is still loading), the built-ins the set-up
 * loads in nearly every run, on Bun: node:worker_threads (~2.5 ms: keepBunWorkerArgv) and
 * node:diagnostics_channel (propagate). Not on Node, where a loaded worker_threads is one a
 * program's preload loaded (follow.ts's followWhenLoaded), nor on Deno.
 */
function warmUp(): void {
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).Bun === undefined) return;
  // deno-lint-ignore no-explicit-any
  const load = (process as any).getBuiltinModule;
  if (typeof load !== "function") return;
  load("node:worker_threads");
  load("node:diagnostics_channel");
}

const DENO_BOOTSTRAP = "nodeBootstrap";

/** `tph test` on jest: whether this is jest's own process (not one of its workers). */
let jestMainProcess = false;

/** `tph test`: set once the test runner's registering functions are replaced. */
let testsReady: Promise<void> = Promise.resolve();

/** Resolves once `tph test`'s hold on the test runner is in place (test_preload.ts awaits it). */
export function testsInstalled(): Promise<void> {
  return testsReady;
}

/** The wall clock, as tph's own process reads it (taken before the program may replace it). */
const epochNow = Date.now;

/** process.memoryUsage and cpuUsage, taken before the program runs (phases only). */
const memoryUsage = process.memoryUsage;
/**
 * `TPH_RAW_WRITE=1` or `0` (benchmarks): the run is written at the program's end raw (raw_run.ts)
 * or by the run writer, whatever the settings say (ChildConfig.rawWrite).
 */
const RAW_WRITE_ENV = process.env.TPH_RAW_WRITE;
const cpuUsage = process.cpuUsage;
/** The process's CPU time (ms, every thread) as the program's first line was about to run. */
let cpuStart = 0;

/** When the program's first line was about to run (epoch ms): see ChildPhases. */
let programStart = 0;
/** When tph's modules had loaded and the process began to wait for its settings (phases). */
let loadedAt = 0;
// Read before the program runs (it may replace `performance`).
const origin = performance.timeOrigin;

/**
 * Set up tracing in this process from the settings in the environment. Returns false when this
 * process was not started by `tph run`.
 *
 * @param preload The preload file that calls this as the runtime may have been given it: its path,
 *   and its file URL.
 * @param plan The run's settings file, when the preload's URL names it (deno test's).
 * @param follow A followed worker's settings, when the preload's URL holds them (Deno's).
 * @returns Whether tracing was set up.
 */
export function setupChild(
  preload: readonly string[],
  plan: string | null = null,
  follow: string | null = null,
): boolean {
  loadedAt = origin + performanceNow();
  const handed = handedSettings(plan, follow);
  if (handed === null) {
    // A worker thread of the program (Node loads `--require` modules in each, with the settings
    // gone from its environment) when following is off, or a process whose TPH_ variables are
    // not tph's: not traced, its environment and options the program's own, as plainly.
    process.execArgv = withoutPreload(process.execArgv, preload);
    return false;
  }
  // The CLI found its command line wrong after all (or is gone): nothing runs.
  if ("abort" in handed.config) process.exit(0);
  const { config, planFile } = handed as { config: ChildConfig; planFile: string | null };
  const sub = config.sub !== undefined;
  // `tph test` on Node: the runner's own process (Node sets NODE_TEST_CONTEXT in the processes it
  // starts for the test files) passes the settings and tph's options on to them; each of those
  // stores its tests' runs, and only the runner's process writes the run's ending.
  const nodeRunner = config.tests?.runner === "node";
  // vitest: its own process (running its command-line script) and its workers.
  const vitest = config.tests?.vitest;
  const vitestMain = vitest !== undefined && isMainThread() && process.argv[1] === vitest.cli;
  // jest: its own process (which may run the tests itself) and its workers (which inherit its
  // options and environment, tph's preload and settings with them).
  const jest = config.tests?.jest;
  const jestMain = jest !== undefined && isMainThread() && process.argv[1] === jest.cli;
  jestMainProcess = jestMain;
  const testFileProcess = (nodeRunner && process.env.NODE_TEST_CONTEXT !== undefined) ||
    (vitest !== undefined && !vitestMain) || (jest !== undefined && !jestMain);
  if ((!nodeRunner && !vitestMain && !jestMain) || testFileProcess) asRunDirectly(preload, config);
  // The program's own process: a parser that cannot be loaded (the binary's) is the CLI's one
  // line, with no summary of a run that never began (run_program.ts).
  if (!sub && !testFileProcess) {
    leaveNoParserReason((message) => writeLeft(config.out, "fatal", message));
  } // vitest's process passes the settings on to its workers (tph's plugin adds the preload).
  else if (vitestMain) process.execArgv = withoutPreload(process.execArgv, preload);
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno !== undefined && !config.sub?.ipc) hideDenoBootstrap(g);
  // vitest loads the program's modules through vite, where tph's plugin instruments them; its
  // workers leave some to Node (a require() of a project file), which the hook instruments.
  // jest loads the program's files through its own registry and transformers (tests/jest_tests.ts).
  const loader = registerLoader(config.loader, !vitestMain && jest === undefined);
  if (vitestMain) installVitestPlugin(loader.setup, preload[0], vitest);
  else if (vitest !== undefined) {
    useModuleRecords((hash) => sourceRecord(vitest.sources, hash));
    installVitestTests(runTestAttempt, openTest);
  }
  if (jestMain) installJestConfigs(jest);
  if (jest !== undefined) installJestTests(loader.setup, openTest, runtime());
  runtime().loader = "run";
  const t = runtime().startTrace(config.limits);
  // With --blocks the whole-program trace records nothing: only trace() blocks do.
  if (config.blocks.only) {
    t.active = false;
    t.endTime = now();
    runtime().detach(t);
  } else runtime().setProcessTrace(t);
  if (config.propagate !== false) propagate(config);
  configureRunBlocks(config, loader);
  // A program that serves HTTP: a run per request; the process's run, the calls outside them.
  if (config.requests === true) {
    installRequestRuns(config.limits, blockSettings, pruneCache);
    // The processes and workers a request's handler starts belong to its run.
    useChildLinks(linkRequestChildren);
  }
  if (config.tests?.runner === "deno") testsReady = installDenoTests(runTest);
  if (nodeRunner) installNodeTests(openTest, enterTest, (root) => runtime().useTestRoots(root));
  const save = testFileProcess
    ? (ending: ChildEnding) => {
      saveTests();
      endOpenBlocks(processEndOf(ending));
    }
    : runSaver(config, t, loader);
  // deno test makes an exit in a test that test's error, reported with the stack of the call: a
  // watching wrapper would be a frame of tph's there. Its process's ending is not stored.
  const denoExit: DenoExit = { before: null };
  const exitCalled = config.tests?.runner === "deno" ? () => false : watchExits(g, denoExit);
  // The uncaught error, as the tree shows an error: its secrets redacted (the run's own setting).
  const describe = (e: unknown) => formatError(e, 500, t.redaction);
  saveOnEnd(g, config, save, { exitCalled, describe, denoExit });
  if (config.tests?.runner === "bun") {
    installBunTests({ openTest, enterTest, now }, runtime());
    useBunTestFiles();
    saveOnBunTestsEnd(save);
  }
  if (g.Deno === undefined && g.Bun === undefined) installNodeUncaught();
  // Only the program's own process tells tph the signals it received (not a test file's, not a
  // followed one's); a worker gets none.
  const ack = testFileProcess || sub || planFile === null ? null : planFile + SIGNALS_SUFFIX;
  if (config.sub?.kind !== "worker") saveOnSignals(save, t, ack, g);
  followChildren(config, preload[0]);
  programStart = origin + performanceNow();
  if (config.phases) cpuStart = cpuNow();
  return true;
}

/**
 * The settings tph handed this process or worker: from the settings file, when it is this run's
 * (hand_off.ts: a variable of the program's own, made up or copied, names no file tph reads), else
 * a followed one's inline (follow.ts); null when there are none of tph's.
 *
 * @param plan The settings file, when the preload's URL names it (deno test's).
 * @param follow A followed worker's settings, when the preload's URL holds them (Deno's).
 */
function handedSettings(
  plan: string | null,
  follow: string | null,
): { config: ChildConfig | typeof ABORT; planFile: string | null } | null {
  const planned = verifiedPlanFile(plan ?? process.env[CHILD_ENV]);
  const read = planned === null ? null : readPlan(planned);
  if (planned !== null && read !== null) return { config: read, planFile: planned.file };
  const followed = followedSettings(follow);
  return followed === null ? null : { config: followed, planFile: null };
}

/** What the trace() blocks (and a server's request runs) are stored with: the run's settings. */
function configureRunBlocks(config: ChildConfig, loader: ReturnType<typeof registerLoader>): void {
  const { find: _find, ...limits } = config.limits;
  const b = config.blocks;
  configureBlocks({
    how: "run",
    limits,
    label: b.label,
    cacheDir: b.cacheDir,
    keep: b.keep,
    files: { include: config.loader.include ?? [], exclude: config.loader.exclude ?? [] },
    disabled: b.disabled,
    command: config.tests?.command ?? programCommand(),
    cwd: process.cwd(),
    runtime: runtimeName,
    instrumented: loader.instrumented,
    testList: config.tests !== undefined ? leftFile(config.out, "tests") : null,
  });
}

/**
 * Outgoing requests made inside recorded calls carry the trace context on (the one change a
 * program can see: README, docs/compatibility.md); a process or worker a request's handler
 * started, that request's trace.
 */
function propagate(config: ChildConfig): void {
  installPropagation(process.getBuiltinModule("node:diagnostics_channel"));
  const given = config.sub?.traceContext;
  const p = given === undefined ? null : parseTraceparent(given.traceparent);
  if (p === null) return;
  const state = given?.tracestate ?? null;
  setContextSource(() => ({ traceId: p.traceId, flags: p.flags, traceState: state }));
}

/** What runs as the program calls Deno.exit (watchExits), once set. */
type DenoExit = { before: ((code: unknown) => void) | null };

/** Save the run as the process (or the followed worker) ends, however it ends. */
function saveOnEnd(
  // deno-lint-ignore no-explicit-any
  g: any,
  config: ChildConfig,
  save: (ending: ChildEnding) => void,
  { exitCalled, describe, denoExit }: {
    exitCalled: () => boolean;
    describe: (error: unknown) => string;
    denoExit: DenoExit;
  },
): void {
  const worker = config.sub?.kind === "worker";
  if (worker) {
    // Saved when its parent terminates it or ends, too (it runs no exit handler then).
    const saved = saveWhenAsked(() => save({ ended: "terminated" }));
    const own = save;
    save = (ending) => {
      own(ending);
      saved();
    };
  }
  // A worker on Deno gets no "unload": its process object's "exit" (a worker that ends by itself).
  if (g.Deno !== undefined && !worker) {
    const unload = config.tests?.runner === "deno";
    saveOnDenoEnd(g, save, { exitCalled, describe, denoExit: unload ? null : denoExit });
  } else saveOnProcessEnd(save, exitCalled, g.Bun !== undefined, describe);
  // A web worker on Deno ends by its close() (or its parent's terminate(): then nothing is saved).
  if (g.Deno !== undefined && worker && typeof g.close === "function") saveOnDenoClose(g, save);
}

/** Whether this is a process's main thread (vitest's `threads` pool runs tests in others). */
function isMainThread(): boolean {
  const threads = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
    "node:worker_threads",
  ) as { isMainThread?: boolean } | undefined;
  return threads?.isMainThread !== false;
}

/**
 * The program must see the environment it would see when run directly, and the runtime's options
 * it would see (Bun lists `--preload <file>`), which a process it forks also runs with.
 */
function asRunDirectly(preload: readonly string[], config: ChildConfig): void {
  // Only the process the CLI started (from the settings file) has tph's variables besides the
  // settings': a followed one has its settings' variable taken out already (or the program's own
  // value of it put back: followedSettings), and any other TPH_ variable is the program's.
  const own = config.sub === undefined;
  const added = !own
    ? []
    : process.env[JSC_ADDED_ENV] !== undefined
    ? [CHILD_ENV, FOLLOW_ENV, JSC_ADDED_ENV, JSC_STACK_ENV]
    : [CHILD_ENV, FOLLOW_ENV];
  // Bun gives a command with no `env` of its own the start-up environment: without these.
  keepBunSpawnEnv(startUpEnvWithout(added), bunFollow(config, preload[0]));
  if (own) {
    delete process.env[CHILD_ENV];
    // Deno: DENO_DIR as it was (tph's, with a V8 code cache apart, only for Deno itself:
    // deno_dir.ts).
    const denoDir = process.env[DENO_DIR_WAS_ENV];
    if (denoDir !== undefined) {
      if (denoDir[0] === "1") process.env.DENO_DIR = strSlice(denoDir, 1);
      else delete process.env.DENO_DIR;
      delete process.env[DENO_DIR_WAS_ENV];
    }
    if (process.env[JSC_ADDED_ENV] !== undefined) {
      delete process.env[JSC_ADDED_ENV];
      delete process.env[JSC_STACK_ENV];
    }
  }
  process.execArgv = withoutPreload(process.execArgv, preload);
  keepBunWorkerArgv(process.execArgv);
}

/**
 * Deno's registerHooks makes Deno load a module of its Node layer that assigns its internal
 * `nodeBootstrap` function to globalThis, now or later, and leaves it there: a program that lists
 * its globals would see it. Through this accessor it is kept (Deno may call it) but never listed.
 */
// deno-lint-ignore no-explicit-any
function hideDenoBootstrap(g: any): void {
  let value: unknown = g[DENO_BOOTSTRAP];
  Object.defineProperty(g, DENO_BOOTSTRAP, {
    get: () => value,
    set: (v) => value = v,
    enumerable: false,
    configurable: true,
  });
}

/**
 * `tph test`: store the tests' runs not stored yet: those of tests still running (ended as
 * failed), and those a test's own permissions kept from being stored as it ended (Deno's).
 */
function saveTests(): void {
  // No runner's hooks installed, no test open: their modules are not loaded to find none.
  if (testsHooked()) {
    endOpenTests();
    endOpenVitestTests();
    endOpenBunTests();
    endOpenJestTests(jestMainProcess);
  }
  saveLaterBlocks();
}

/**
 * What saves the run: called again on every ending event, the last one tells how the program
 * really ended (a program may handle an "unhandledrejection" event and go on).
 */
function runSaver(
  config: ChildConfig,
  t: TraceState,
  loader: ReturnType<typeof registerLoader>,
): (ending: ChildEnding) => void {
  const rt = runtime();
  // Redacted now, while the program's built-ins are intact: the CLI stores it with the run.
  // A followed process's is its own command line.
  const given = config.command ?? (config.sub?.kind === "process" ? programCommand() : undefined);
  const command = given === undefined ? undefined : scrubCommand(given, config.limits);
  return (ending: ChildEnding) => {
    // Its followed workers still running save theirs first (they are ended after this).
    saveLiveWorkers();
    t.endTime = now();
    if (command !== undefined) ending.command = command;
    saveTests();
    // Requests still served: stored as aborted; and the request runs not written yet.
    endOpenRequests();
    flushRequestRuns();
    // Blocks still open (the program exited inside one): stored now, before they are counted.
    endOpenBlocks(processEndOf(ending));
    ending.files = loader.instrumented();
    ending.runtime = runtimeName;
    // A server's requests: each had a trace of its own, not a block.
    const requests = requestsServed();
    ending.blocks = rt.tracesStarted() - 1 - requests;
    if (requests > 0) ending.requests = { served: requests, ...requestRunsStored() };
    // No spread nor array method: the program may have patched them (intrinsics.ts).
    const blockRuns: string[] = [], stored = storedBlocks();
    for (let i = 0; i < stored.length; i++) blockRuns[i] = stored[i];
    ending.blockRuns = blockRuns;
    const ended = origin + performanceNow();
    const memEnded = config.phases ? memoryNow() : undefined;
    const cpuEnded = config.phases ? cpuNow() : 0;
    if (config.sub !== undefined) ending.duration_ms = round(ended - origin);
    // Saving goes through built-ins captured before the program ran (platform/intrinsics.ts);
    // should any of the program's code run anyway, it is not recorded.
    rt.hush(true);
    try {
      loader.finish();
      // Streamed: a run of a million calls is written in well under a second.
      writeLeft(config.out, "ending", plainJSON(ending));
      // The globs that chose the traced files, where the trace's own function filters go.
      const limits = traceConfig(t);
      const files = { include: config.loader.include ?? [], exclude: config.loader.exclude ?? [] };
      // In the run format (src/run_file/format.ts): the CLI reads back only what it shows.
      // The processes and workers it started, each with the call that started it.
      const started = followedChildren();
      const rows: Map<number, number> = new SafeMap<number, number>();
      for (let i = 0; i < started.length; i++) rows.set(started[i].row, -1);
      const children = () => {
        // In the order of the `.children` list: the CLI adds each one's stored run.
        const list: ChildRunJSON[] = [], base = dateGetTime(t.startedAt);
        for (let i = 0; i < started.length; i++) {
          const c = started[i], call = rows.get(c.row) ?? -1;
          list[i] = {
            run: null,
            call: call < 0 ? null : call,
            kind: c.kind,
            pid: c.pid,
            ...(c.thread !== undefined ? { thread: c.thread } : {}),
            start_ms: c.start > base ? c.start - base : 0,
          };
        }
        return list.length > 0 ? { children: list } : {};
      };
      // A server's process run holds the calls outside its requests: so labelled, unless given one.
      const label = config.label ?? (requestsServed() > 0 ? "outside requests" : null);
      // Started by a request's handler: in that request's trace (follow.ts).
      const context = config.sub?.traceContext;
      writingAtExit();
      writeRun(t, label, config, () => ({
        config: { ...limits, ...files },
        ...(context !== undefined ? { trace_context: context } : {}),
        ...children(),
      }), started.length > 0 ? rows : null);
      if (config.phases) {
        const phases: ChildPhases = {
          process: origin,
          loaded: loadedAt,
          program: programStart,
          ended,
          saved: origin + performanceNow(),
          memory: { ended: memEnded, saved: memoryNow() },
          cpu: { program: round(cpuEnded - cpuStart), write: round(cpuNow() - cpuEnded) },
        };
        writeLeft(config.out, "phases", plainJSON(phases));
      }
    } catch (e) {
      // tph says it, in one line, with the folder: here it only leaves the reason.
      try {
        writeLeft(config.out, "error", fileProblem(e));
      } catch {
        // No room even for that: the run file cut short tells.
      }
    } finally {
      rt.hush(false);
    }
  };
}

/**
 * Runs of fewer calls are written by the run writer at the program's end: a raw run saves the exit
 * a few milliseconds there, and costs a process of tph's own to make it a run file after
 * (cli/launch/settle_raw.ts; bench/default_run.ts measures both sides).
 */
const RAW_FROM_ROWS = 50_000;

/**
 * Write the run at the program's end: raw (raw_run.ts) where the settings ask for it and it can
 * be, else by the run writer.
 */
function writeRun(
  t: TraceState,
  label: string | null,
  config: ChildConfig,
  extra: () => Record<string, unknown>,
  rows: Map<number, number> | null,
): void {
  const raw = RAW_WRITE_ENV === "1" ||
    (RAW_WRITE_ENV !== "0" && config.rawWrite === true && t.tape.rows >= RAW_FROM_ROWS);
  if (raw && rawWritable(t, rows)) writeRawRun(t, label, config.out, extra);
  else writeTraceRun(t, label, config.out, extra, rows);
}

/** The process's CPU time so far (ms: user and system, every thread), for the phases. */
function cpuNow(): number {
  if (typeof cpuUsage !== "function") return 0;
  const c = apply(cpuUsage, process, []) as ReturnType<typeof process.cpuUsage>;
  return (c.user + c.system) / 1000;
}

/** The process's memory now (MB), for the phases (bench/rss49.ts): heap, its room, external. */
function memoryNow(): ChildMemory | undefined {
  if (typeof memoryUsage !== "function") return undefined;
  const m = apply(memoryUsage, process, []) as ReturnType<typeof process.memoryUsage>;
  const mb = (n: number) => round(n / 1048576);
  return {
    rss: mb(m.rss),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers ?? 0),
  };
}

/** Deno's web worker: its run is saved as its `close()` ends it. */
// deno-lint-ignore no-explicit-any
function saveOnDenoClose(g: any, save: (ending: ChildEnding) => void): void {
  const real = g.close;
  const close = standIn(real, {
    apply(_real, self, args) {
      save({ ended: "completed", code: 0 });
      return apply(real, self, args);
    },
  });
  const d = Object.getOwnPropertyDescriptor(g, "close");
  Object.defineProperty(g, "close", {
    ...(d ?? { writable: true, enumerable: true, configurable: true }),
    value: close,
  });
}

/**
 * Deno: a normal end and process.exit() emit process's "exit" (process.exit then calls Deno.exit),
 * Deno.exit() emits nothing of process's (it is watched: watchExits); an uncaught error only
 * "unhandledrejection" or "error". No listener changes the outcome. Not "unload" (but under deno
 * test, whose end emits no "exit"): Deno dispatches it only when it has listeners, building the
 * event's path with Array.prototype.push, where a program's index setter on Array.prototype runs
 * (or breaks the dispatch, and the saving with it).
 *
 * @param denoExit Set to save as Deno.exit is called; null: save on "unload" (deno test).
 */
function saveOnDenoEnd(
  // deno-lint-ignore no-explicit-any
  g: any,
  save: (ending: ChildEnding) => void,
  { exitCalled, describe, denoExit }: {
    exitCalled: () => boolean;
    describe: (error: unknown) => string;
    denoExit: DenoExit | null;
  },
): void {
  const exitCode = denoExitCode(g);
  if (denoExit === null) {
    g.addEventListener(
      "unload",
      () => save({ ended: exitCalled() ? "exit" : "completed", code: exitCode() }),
    );
  } else {
    // process.exit() saves on its "exit" event, not again in the Deno.exit it calls then.
    let exited = false;
    // Deno.exitCode: the code it exits with (the event's is 0 after `Deno.exitCode = 4`).
    onOwn("exit", () => {
      exited = true;
      save({ ended: exitCalled() ? "exit" : "completed", code: exitCode() });
    });
    denoExit.before = (code: unknown) => {
      if (exited) return;
      exited = true;
      save({ ended: "exit", code: typeof code === "number" ? code : exitCode() });
    };
  }
  g.addEventListener("unhandledrejection", (e: { reason: unknown }) => {
    save({ ended: "exception", error: describe(e.reason) });
  });
  g.addEventListener("error", (e: { error: unknown }) => {
    save({ ended: "exception", error: describe(e.error) });
  });
}

/**
 * Bun and Node: the code the program set (process.exitCode) or passed to exit(); an unhandled
 * rejection leaves it as it was, though the process then exits with 1.
 */
function saveOnProcessEnd(
  save: (ending: ChildEnding) => void,
  exitCalled: () => boolean,
  bun: boolean,
  describe: (error: unknown) => string,
): void {
  let uncaught: string | null = null;
  onOwn("exit", (code: number) => {
    // A test still open then ends as its runner counts it (tests/open_list.ts).
    if (uncaught === null && exitCalled()) endingByExit(exitCodeOf(code));
    save(
      uncaught !== null ? { ended: "exception", error: uncaught } : {
        ended: exitCalled() ? "exit" : "completed",
        code: exitCodeOf(code),
      },
    );
  });
  // Observe without handling: a listener on "uncaughtExceptionMonitor" leaves the crash as is.
  onOwn("uncaughtExceptionMonitor", (err: unknown, origin: unknown) => {
    uncaught = describe(err);
    if (bun) beforeUncaughtPrint(err, origin);
  });
}

/**
 * `bun test` ends its process without an "exit" event: the run is saved after the last test file,
 * from a hook of the preload's that Bun runs then (a `afterAll` outside any test file).
 */
function saveOnBunTestsEnd(save: (ending: ChildEnding) => void): void {
  const bunTest = createRequire(import.meta.url)("bun:test") as {
    afterAll(fn: () => void): void;
  };
  bunTest.afterAll(() => {
    endOpenBunTests(true);
    save({ ended: "completed", code: 0 });
  });
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Signal = typeof SIGNALS[number];

/**
 * A signal that would end the program ends it as it would have without tph, after saving, unless
 * the program handles it. Each one received is told to tph (`ackFile`, see SIGNALS_SUFFIX), which
 * then does not pass it on as well; so is each change of whether the program listens to a signal
 * itself (`+SIGTERM`, `-SIGTERM`), which tph reads when the program does not take a signal it
 * passed on (src/cli/launch/signals.ts): one the program does not listen to, tph ends it then.
 */
function saveOnSignals(
  save: (ending: ChildEnding) => void,
  t: TraceState,
  ackFile: string | null,
  // deno-lint-ignore no-explicit-any
  g: any,
): void {
  const tell = (line: string) => {
    if (ackFile === null) return;
    try {
      appendText(ackFile, line);
    } catch {
      // tph's folder is gone: tph itself is ending.
    }
  };
  const others = listenersOtherThanTph(
    g,
    (signal, listened) => tell(`${listened ? "+" : "-"}${signal}\n`),
  );
  const told = (signal: Signal) => tell(`${signal} ${epochNow()}\n`);
  for (const signal of SIGNALS) {
    const onSignal = () => {
      // Told first: tph, which ends the process should it not take the signal soon enough, waits
      // for the save now (which may take a while for a long run).
      told(signal);
      // The program added its own handler: it decides what the signal does.
      if (others(signal) > 0) return;
      // A runner with a handler of its own in the runtime (deno test's) may end the process soon
      // after the signal: tph then passing it on again changes nothing (it dies of it either way).
      save({ ended: "signal", signal });
      t.active = false;
      process.removeListener(signal, onSignal);
      // Die of the same signal, as the program would have without tph.
      apply(realKill, process, [process.pid, signal]);
    };
    if (allListenerCount(signal) === 0) {
      tphListeners[signal] = onSignal;
      tphListening[signal] = true;
      onOwn(signal, onSignal);
    }
  }
  if (g.Deno === undefined && g.Bun === undefined) dieOfOwnSignals(others);
}

/** `process.kill` as it was when tph loaded. */
const realKill = process.kill;
/** The signals by number that `process.kill` takes for them. */
const SIGNAL_NUMBERS: Record<number, Signal> = { 1: "SIGHUP", 2: "SIGINT", 15: "SIGTERM" };

/**
 * Node: a program that no longer listens to a signal and sends it to itself (NestJS's shutdown
 * hooks remove theirs and re-raise SIGTERM) dies of it at once plainly. tph's listener would hear
 * it only from the event loop, which may end first (a signal's handle keeps nothing alive): the
 * process then exited 0 where it died of the signal. The run is saved, and it dies now.
 */
function dieOfOwnSignals(others: (signal: Signal) => number): void {
  process.kill = standIn(realKill, {
    apply(_real, self, args) {
      const pid = args[0], sig = args.length > 1 ? args[1] : "SIGTERM";
      const signal = typeof sig === "number" ? SIGNAL_NUMBERS[sig] : sig;
      if (
        pid === process.pid &&
        (signal === "SIGTERM" || signal === "SIGINT" || signal === "SIGHUP") &&
        tphListening[signal] && others(signal) === 0
      ) {
        // Saves, lets go of the signal, and sends it on: the process dies of it.
        (tphListeners[signal] as () => void)();
        return true;
      }
      return apply(realKill, self, args);
    },
  });
}

/** tph's own listener of each signal, and whether it is still one of process's (Node, Bun). */
// Each key its own from the start: the program's setters on Object.prototype never run.
const tphListeners: Record<string, unknown> = {
  SIGINT: undefined,
  SIGTERM: undefined,
  SIGHUP: undefined,
};
const tphListening: Record<string, boolean> = { SIGINT: false, SIGTERM: false, SIGHUP: false };

/**
 * How many listeners of a signal the program has (tph's own left out), and `changed` called as the
 * program comes to listen to a signal or stops (synchronously: a program may add its listener and
 * then hold the event loop). Node's and Bun's are process's listeners, whose "newListener" and
 * "removeListener" events tell the changes (Bun emits no "removeListener": there a listener once
 * added counts until a signal's listener of tph's finds none). Deno's `Deno.addSignalListener` adds
 * some that process does not count (and its process.on adds each through it): on Deno they are
 * counted as they are added and removed.
 */
function listenersOtherThanTph(
  // deno-lint-ignore no-explicit-any
  g: any,
  changed: (signal: Signal, listened: boolean) => void,
): (signal: Signal) => number {
  // No Map nor Set: the program may have patched them.
  const listened: Record<string, boolean> = { SIGINT: false, SIGTERM: false, SIGHUP: false };
  const tell = (signal: Signal, now: boolean) => {
    if (listened[signal] === now) return;
    listened[signal] = now;
    changed(signal, now);
  };
  const isSignal = (e: unknown): e is Signal => e === "SIGINT" || e === "SIGTERM" || e === "SIGHUP";
  if (g.Deno === undefined) {
    const own = (signal: Signal) => allListenerCount(signal) - (tphListening[signal] ? 1 : 0);
    onOwn("newListener", (event: unknown, listener: unknown) => {
      if (isSignal(event) && listener !== tphListeners[event]) tell(event, true);
    });
    onOwn("removeListener", (event: unknown, listener: unknown) => {
      if (!isSignal(event)) return;
      if (listener === tphListeners[event]) tphListening[event] = false;
      // Node stopped listening to it when it counted none (the program's last one removed).
      else if (tphListening[event]) rearmSignal(event);
      tell(event, own(event) > 0);
    });
    return (signal) => {
      const n = own(signal);
      tell(signal, n > 0);
      return n;
    };
  }
  const own = (signal: Signal) => allListenerCount(signal) - 1;
  const deno = g.Deno;
  // Per signal, the listeners added and not removed. No array method: the program may have
  // patched them.
  const added: Record<string, unknown[]> = {
    SIGINT: ownArray([]),
    SIGTERM: ownArray([]),
    SIGHUP: ownArray([]),
  };
  const others = (signal: Signal) => {
    const counted = own(signal);
    // tph's own listener was added through process.on after this: counted among them.
    const direct = added[signal].length - 1;
    return counted > direct ? counted : direct;
  };
  const realAdd = deno.addSignalListener, realRemove = deno.removeSignalListener;
  deno.addSignalListener = standIn(realAdd, {
    apply(_real, _self, args) {
      const r = apply(realAdd, deno, args);
      const signal = args[0], handler = args[1];
      const list = added[signal];
      if (list !== undefined && indexIn(list, handler) < 0) list[list.length] = handler;
      if (isSignal(signal)) tell(signal, others(signal) > 0);
      return r;
    },
  });
  deno.removeSignalListener = standIn(realRemove, {
    apply(_real, _self, args) {
      const r = apply(realRemove, deno, args);
      const signal = args[0], handler = args[1];
      const list = added[signal];
      const i = list === undefined ? -1 : indexIn(list, handler);
      if (i >= 0) {
        for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
        list.length--;
      }
      if (isSignal(signal)) tell(signal, others(signal) > 0);
      return r;
    },
  });
  return others;
}

function indexIn(list: unknown[], item: unknown): number {
  for (let i = 0; i < list.length; i++) if (list[i] === item) return i;
  return -1;
}
