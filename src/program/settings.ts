// What `tph run` (the parent) tells the traced process (the child). Kept apart from child.ts so
// the parent does not load the instrumenter it never uses.

import type { TraceLimits } from "../run_file/limits.ts";
import type { ScopeOptions } from "../project/scope.ts";
import type { TraceContextJSON } from "../types.ts";
import type { HandOff } from "./hand_off.ts";

/**
 * Environment variable naming the file that holds the run's settings as JSON: a
 * {@linkcode ChildConfig}, or {@linkcode ABORT} when the program must not run. `tph run` may start
 * the process before it has written them (src/cli/launch/early_start.ts): while the file is empty
 * the process waits. Removed before the program runs. Read only when the file is tph's (its run's
 * folder and key: hand_off.ts); a variable of this name the program set itself is left as it is.
 */
export const CHILD_ENV = "TPH_CHILD_CONFIG";

/**
 * Beside the settings file: the signals the program's process received, a line each
 * (`SIGINT 1764140000000`, the name and the time in epoch ms). A signal sent to the process group
 * (a terminal's Ctrl-C) reaches the program and tph alike; one sent to tph alone (`kill <pid>`)
 * reaches only tph. tph passes a signal on only when the program did not say it received it too
 * (src/cli/launch/signals.ts), so that the program gets each signal once, as it would plainly.
 * A line `+SIGTERM` or `-SIGTERM` says the program now listens to that signal itself, or no longer
 * does: tph ends a program that does not, when it does not take a signal passed on soon enough.
 */
export const SIGNALS_SUFFIX = ".signals";

/**
 * Set when tph put JavaScriptCore's stack option in the program's environment (stack_room.ts):
 * the preload then takes both out of process.env. Unset when the variable was the user's own.
 */
export const JSC_ADDED_ENV = "TPH_JSC_STACK_ADDED";
/**
 * Deno: what DENO_DIR was when tph gave the program's process a DENO_DIR of its own (deno_dir.ts):
 * "0" (not set), or "1" and its value. The preload puts it back.
 */
export const DENO_DIR_WAS_ENV = "TPH_DENO_DIR_WAS";

/**
 * Environment variable a followed child process (follow.ts) gets its settings in, inline: a
 * {@linkcode ChildConfig} with `sub` set, as JSON. Removed before the program runs. Taken only
 * when its `handOff` names the run as tph does (hand_off.ts), in a process's main thread.
 */
export const FOLLOW_ENV = "TPH_FOLLOW";

/**
 * The run's folder (hand_off.ts): the start of its name, and the names of the settings file and
 * the key file in it.
 */
export const RUN_FOLDER_PREFIX = "tph-run-";
export const PLAN_NAME = "plan.json";
export const KEY_NAME = "key";

/** The settings file's content when the CLI found the command line wrong after all. */
export const ABORT = { abort: true } as const;

/** The variable that makes a compiled Bun executable behave as the `bun` CLI. */
export const BE_BUN_ENV = "BUN_BE_BUN";
/** The binary's preload's file name where it is put on disk (binary_runtime.ts). */
export const PRELOAD_FILE = "preload.js";
/** oxc's native addon's file name there, beside the preload, which loads it. */
export const ADDON_FILE = "oxc-parser.node";

/** How the program's loader (loader/register.ts) picks, instruments and caches its files. */
export interface LoaderOptions extends ScopeOptions {
  /** Folder module names are relative to (the project root). */
  root: string;
  /**
   * Folders that stand for others in module names: a workspace member loaded through a link
   * (`node_modules/@shop/pricing`) is named by the member's folder (`packages/pricing/…`).
   */
  aliases?: [string, string][];
  /** Transform cache folder; null disables it; default: see transform.ts. */
  transformCacheDir?: string | null;
  /** Record calls into packages and well-known globals as external calls. Default true. */
  externalCalls?: boolean;
}

/** What `trace()` blocks do in the program (blocks.ts), from the config and the flags. */
export interface BlockOptions {
  /** Record only inside blocks (`tph run --blocks`, blocks_only). */
  only: boolean;
  /** The label of blocks without one (default_label). */
  label: string | null;
  /** Where finished blocks are stored (auto_save and cache on); null: not stored. */
  cacheDir: string | null;
  /** max_runs and max_cache_mb. */
  keep: { maxRuns: number | null; maxCacheMb: number | null };
  /** Every block is a no-op (`enabled = false`). */
  disabled: boolean;
}

/** What the parent tells the traced process. */
export interface ChildConfig {
  /**
   * The run's folder and key (hand_off.ts): settings that do not name them as tph made them are
   * not tph's, and the process runs untraced. The CLI adds them as it writes the settings file;
   * a followed process or worker gets its parent's.
   */
  handOff?: HandOff;
  loader: LoaderOptions;
  limits: TraceLimits;
  label: string | null;
  blocks: BlockOptions;
  /**
   * Each HTTP request the program serves is a run of its own (request_runs.ts), stored in
   * `blocks.cacheDir`; the process's run holds the calls outside requests. Default false.
   */
  requests?: boolean;
  /** Where to write the trace JSON when the program ends. */
  out: string;
  /**
   * Write the run at the program's end raw, as the tape holds it (recorder/raw_run.ts): made a run
   * file when first read. The CLI asks for it when it does not read the run's calls itself.
   * Default false; `TPH_RAW_WRITE=1` or `0` in the program's environment decides instead.
   */
  rawWrite?: boolean;
  /**
   * The program's command line as the CLI started it: the program's process hands it back with
   * its known secrets and redact_values matches redacted (ChildEnding.command), for the run.
   */
  command?: string[];
  /**
   * Carry the trace context on in the program's outgoing requests (fetch, http.request): a
   * `traceparent` header (propagate/context.ts). Default true; false: `propagate = false` or
   * `--no-propagate`.
   */
  propagate?: boolean;
  /**
   * Also write `<out>.phases.json`: when the process started, the program started and ended, and
   * the run was written (epoch ms; bench/real_workloads.ts splits a run's time with it).
   */
  phases?: boolean;
  /**
   * `tph test`: the process is a test runner's (`deno test`, `node --test`); each test runs as a
   * block of its own, stored as a run with the test's name and outcome, and listed in
   * `<out>.tests` (blocks.ts). Node's runner starts a process per test file, each with these
   * settings: the file stays until the CLI removes it. So do vitest's workers (`vitest`: the
   * files the CLI wrote for it, tests/vitest_plugin.ts).
   */
  tests?: { runner: TestRunner; command: string[]; vitest?: VitestSettings; jest?: JestSettings };
  /**
   * Follow the processes of a JavaScript runtime and the workers the program starts, each
   * recorded into a run of its own (follow.ts; `follow_children`, `tph run --no-follow`).
   */
  follow?: boolean;
  /**
   * Set in the settings a followed process or worker gets (follow.ts): it writes its run to
   * `out` when it ends, with no handshake with the CLI (which reads it once the program ends).
   * `ipc`: a process Deno started with an IPC channel (fork), which lists Deno's `nodeBootstrap`
   * among its globals plainly. `traceContext`: one started while a request was served (a run per
   * request): the request's trace, under the span of the call that started it, which its run
   * carries as its `trace_context` and its outgoing requests carry on.
   */
  sub?: { kind: "process" | "worker"; ipc?: boolean; traceContext?: TraceContextJSON };
  /**
   * A followed process: the value of FOLLOW_ENV the program itself gave it, which tph's settings
   * took the place of; put back before its program runs.
   */
  followWas?: string;
}

/** The test runners `tph test` traces. */
export type TestRunner = "deno" | "bun" | "node" | "vitest" | "jest";

/** `tph test` on vitest: what the CLI gives vitest's process and its workers. */
export interface VitestSettings {
  /** vitest's command-line script, which vitest's own process runs (its workers run others). */
  cli: string;
  /** vitest's major version (its options for the workers moved in 4). */
  major: number;
  /** The setup file vitest runs first in each test file. */
  setup: string;
  /** Where the plugin keeps each module it instruments, for toString() in the workers. */
  sources: string;
}

/** `tph test` on jest: what the CLI gives jest's process and its workers. */
export interface JestSettings {
  /** jest's command-line script, which jest's own process runs (its workers run others). */
  cli: string;
  /** jest's major version. */
  major: number;
  /** tph's transformer (it wraps the project's) and test runner (it wraps circus). */
  transformer: string;
  runner: string;
}

/** When each part of a traced run began and ended, in the program's process (epoch ms). */
export interface ChildPhases {
  /** The process started (the runtime's time origin). */
  process: number;
  /** tph's modules had loaded: the process began to wait for the run's settings. */
  loaded: number;
  /** tph was set up: the program's first line runs next. */
  program: number;
  /** The program ended (its last line, or exit). */
  ended: number;
  /** The run file was written. */
  saved: number;
  /** The process's memory as the program ended and as the run was written (bench/rss49.ts). */
  memory?: { ended: ChildMemory | undefined; saved: ChildMemory | undefined };
  /** CPU ms (every thread of the process) of the program and of the write (bench/rss49.ts). */
  cpu?: { program: number; write: number };
}

/** A process's memory (MB, process.memoryUsage). */
export interface ChildMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** How the child saw the program end, written beside the trace. */
export interface ChildEnding {
  /** `terminated`: a followed worker saved as its parent terminated it or ended (follow.ts). */
  ended: "completed" | "exit" | "exception" | "rejection" | "signal" | "terminated";
  error?: string;
  signal?: string;
  /**
   * The exit code the program had set when it ended normally (`process.exitCode`,
   * `Deno.exitCode`, the code of an `exit` event): the CLI compares it with the code the process
   * really exited with, since Bun tells a program's listeners nothing of an unhandled rejection.
   */
  code?: number;
  /** How many files the loader instrumented: with no call recorded, it tells why. */
  files?: number;
  /** How many `trace()` blocks the program started (they take the calls made inside them). */
  blocks?: number;
  /** The runs stored from blocks (auto_save), in order. */
  blockRuns?: string[];
  /**
   * A server's runs per request: the requests served, and the runs stored and not stored (they
   * ended faster than they could be written).
   */
  requests?: { served: number; stored: number; kept: number; dropped: number };
  /** The runtime the program ran on, and its version. */
  runtime?: { name: string; version: string };
  /** ChildConfig.command, redacted as the run's values are. */
  command?: string[];
  /** A followed process or worker (ChildConfig.sub): ms from its start to its end. */
  duration_ms?: number;
}
