// `tph run [options] <script> [script args…]`: trace a whole program.

import { loadDeps, oxc } from "../../deps.ts";
import { langOf } from "../../project/languages.ts";
import { basename, join, relative, resolve } from "node:path";
import type {
  ChildConfig,
  JestSettings,
  LoaderOptions,
  TestRunner,
  VitestSettings,
} from "../../program/settings.ts";
import type { VitestPlan } from "./vitest_runner.ts";
import type { JestPlan } from "./jest_runner.ts";
import { PROGRAM_RUNTIMES, type ProgramRuntime } from "../../program/command.ts";
import {
  appendText,
  exists,
  fileProblem,
  isDirectory,
  randomHex,
  readText,
  realPath,
  remove,
  writeText,
} from "../../platform/files.ts";
import { tempFolder } from "../launch/temp_folder.ts";
import { displayPath } from "../../platform/display_path.ts";
import { pid, stderrIsTerminal } from "../../platform/process.ts";
import { treeWidth } from "./tree_width.ts";
import {
  type FindSpec,
  type LimitKey,
  limitOptions,
  LIMITS,
  type TraceLimits,
} from "../../run_file/limits.ts";
import {
  checkScript,
  cliCpu,
  cliPhases,
  commonjsPackageWarning,
  ENDED_EARLY,
  loadedLater,
  runProgram,
  type RunProgramResult,
} from "../launch/run_program.ts";
import { outOfScope, SOURCE_FILE } from "../../project/scope.ts";
import type { RunInfo } from "../../types.ts";
import { pruneTransformCacheDaily } from "../../project/transform_cache.ts";
import { defaultScope, scriptProjectRoot } from "../../store/project_root.ts";
import { readWorkspace, workspaceWarnings } from "../../store/workspace.ts";
import { globProblem } from "../../project/glob.ts";
import {
  CACHE_DIR_NAME,
  defaultCacheDir,
  ensureCacheDir,
  removeStaleTemps,
  sharedFolder,
  unsafeCacheDir,
} from "../../store/cache_dir.ts";
import { storeRunFile } from "../../store/save_run.ts";
import { cacheDirFor, checkConfiguredCacheDir, namedCacheDir } from "./cache_dir_for.ts";
import { configOption, type Context } from "./command.ts";
import { CliError, usageError } from "./errors.ts";
import {
  evalForm,
  evalImports,
  EvalNameError,
  EvalSyntaxError,
  writeEvalEntry,
} from "../launch/eval_entry.ts";
import { readConfig } from "./read_config.ts";
import { shellWord } from "./shell_word.ts";
import { RUN_OPTIONS } from "../launch/run_options.ts";
import { settleRaw } from "../launch/settle_raw.ts";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  isExportFormat,
  MULTI_RUN_FORMATS,
} from "../export/formats.ts";
import { TEST_FILE_NAME } from "../setup/render_test_file.ts";

/**
 * What `tph run` needs once the program has ended (run_after.ts): loaded by traceProgram while the
 * program runs, and set before anything here uses it.
 */
let after: typeof import("./run_after.ts");

/** `tph run`'s work: its options and help are in the command table (commands.ts). */
export async function run(ctx: Context<typeof RUN_OPTIONS>): Promise<number> {
  const v = ctx.values;
  const expr = v.eval;
  if (expr !== undefined) {
    if (ctx.positionals.length > 0) {
      throw usageError(
        `-e runs an expression instead of a script: unexpected argument "${ctx.positionals[0]}"`,
        "run",
      );
    }
    if (expr.trim() === "") throw usageError("-e needs an expression to run", "run");
  } else if (ctx.positionals.length === 0) {
    throw usageError(`"run" needs <script> (or -e EXPR)`, "run");
  } else if (v.import !== undefined) throw usageError("--import goes with -e", "run");
  if (v.runtime !== undefined && !(PROGRAM_RUNTIMES as readonly string[]).includes(v.runtime)) {
    throw usageError(`--runtime takes ${PROGRAM_RUNTIMES.join(", ")}, got "${v.runtime}"`, "run");
  }
  if (v.output === "-") {
    // Everywhere else `-` is stdout; here the program owns it.
    throw usageError(
      "-o - would mix the run with the program's own output on stdout: give a file " +
        "(-o run.json), or print the stored run after: tph export last -o -",
      "run",
    );
  }
  const cfg = readConfig(ctx);
  let entry: EvalEntry | null = null;
  let removeAfter: string | null = null;
  if (expr !== undefined) {
    let imports;
    try {
      imports = evalImports(expr, ctx.cwd, v.import ?? []);
    } catch (e) {
      if (e instanceof EvalNameError) throw new CliError(e.message, 1);
      throw usageError((e as Error).message, "run");
    }
    // The parser (the binary's CLI loads it on first use).
    await loadDeps();
    let form;
    try {
      form = evalForm(expr);
    } catch (e) {
      if (!(e instanceof EvalSyntaxError)) throw e;
      throw new CliError(
        `-e: ${e.message} (the code is an expression, whose value is printed, or statements)`,
        1,
      );
    }
    const written = writeEvalEntry(ctx.cwd, expr, imports, form);
    entry = { path: written.path, command: ["-e", expr], root: written.root };
    removeAfter = written.remove;
  }
  try {
    return await runScript(ctx, cfg, entry);
  } finally {
    if (removeAfter !== null) remove(removeAfter);
  }
}

/** The entry module of `-e`; `root`: the project of the code, when the entry is elsewhere. */
interface EvalEntry {
  path: string;
  command: string[];
  root: string | null;
}

/**
 * The folders and files a scope names, each with its real path too when a link leads to it (the
 * runtimes name modules by their real paths). A folder traces the sources under it; a file traces
 * that file alone.
 *
 * @throws {CliError} One line for a name that does not exist, or a file that is not a
 * JavaScript or TypeScript source: a scope that traces nothing is a mistake to say at once.
 */
function checkScope(
  entries: { given: string; path: string }[],
  from: string,
): { folders: string[]; files: string[] } {
  const folders = new Set<string>();
  const files = new Set<string>();
  const flag = from === "--scope";
  for (const { given, path } of entries) {
    const fail = (why: string) => {
      throw new CliError(`${from}: "${given}" ${why}`, flag ? 2 : 1, "run", false);
    };
    if (!exists(path)) fail(`does not exist (${path}); give a folder or a source file`);
    const into = isDirectory(path) ? folders : files;
    if (into === files && !SOURCE_FILE.test(path)) {
      fail("is not a folder nor a JavaScript or TypeScript source file");
    }
    into.add(path);
    try {
      into.add(realPath(path));
    } catch {
      // Gone meanwhile: the runtime will not load it either.
    }
  }
  return { folders: [...folders], files: [...files] };
}

/**
 * The config's include or exclude globs, then the flag's: each one tph cannot use (glob.ts) is
 * said, with where it is given and why, and left out.
 */
function usableGlobs(
  ctx: Context<typeof RUN_OPTIONS>,
  cfg: ReturnType<typeof readConfig>,
  key: "include" | "exclude",
): string[] {
  const given: [string, string][] = [
    ...cfg[key].map((g): [string, string] => [g, `"${key}" in ${ctx.config().source}`]),
    ...(ctx.values[key] ?? []).map((g): [string, string] => [g, `--${key}`]),
  ];
  return given.filter(([glob, where]) => {
    const problem = globProblem(glob);
    if (problem !== null) {
      ctx.warn(`${where}: glob ${JSON.stringify(glob)} cannot be used (${problem}): left out`);
    }
    return problem === null;
  }).map(([glob]) => glob);
}

/**
 * What a run traces: --scope, else the config's scope, else the project root (with the links
 * to a workspace's members: see defaultScope).
 */
function scopeOf(
  ctx: Context<typeof RUN_OPTIONS>,
  cfg: ReturnType<typeof readConfig>,
  root: string,
): { folders: string[]; files: string[]; aliases?: [string, string][] } {
  // The workspace's globs tph cannot use are left out (the program runs): said once.
  for (const w of workspaceWarnings(readWorkspace(root))) ctx.warn(w);
  const flag = ctx.values.scope;
  if (flag?.length) {
    return checkScope(flag.map((d) => ({ given: d, path: resolve(ctx.cwd, d) })), "--scope");
  }
  if (cfg.scope.length) {
    return checkScope(
      cfg.scope.map((path) => ({ given: displayPath(path, ctx.cwd), path })),
      `"scope" in ${ctx.config().source}`,
    );
  }
  return { ...defaultScope(root), files: [] };
}

/** `tph run` of a script, or of the entry module `-e` wrote. */
async function runScript(
  ctx: Context<typeof RUN_OPTIONS>,
  cfg: ReturnType<typeof readConfig>,
  entry: EvalEntry | null,
): Promise<number> {
  const v = ctx.values;
  checkExportOption(v, cfg);
  const [scriptArg, ...args] = entry === null ? ctx.positionals : [relative(ctx.cwd, entry.path)];
  const script = resolve(ctx.cwd, scriptArg);
  // An entry written outside the folder (read-only) is traced as if it were there.
  const root = scriptProjectRoot(entry?.root != null ? join(entry.root, "-e") : script);
  const { folders: scope, files: inScope, aliases } = scopeOf(ctx, cfg, root);
  const scopeFiles = entry?.root != null ? [...inScope, entry.path] : inScope;
  const include = usableGlobs(ctx, cfg, "include");
  const exclude = usableGlobs(ctx, cfg, "exclude");
  // The file tph setup writes: its runs say so, and end with its results (see traceProgram).
  const setupRun = entry === null && basename(script) === TEST_FILE_NAME;
  const label = v.label ?? cfg.default_label ?? (setupRun ? "setup" : null);
  const limits = limitsOf(v, cfg);
  // A RunError is one line for the user (main.ts says it).
  checkScript(scriptArg, ctx.cwd);
  const cjs = commonjsPackageWarning(script);
  if (cjs) ctx.warn(cjs);
  const cacheDir = runCacheDir(ctx, cfg, root);
  const dir = cacheDir ?? tempFolder("tph-run-");
  try {
    const command = entry?.command;
    const blocksOnly = v.blocks === true || cfg.blocks_only;
    if (blocksOnly && (v.output !== undefined || v.export !== undefined)) {
      throw usageError(
        `${v.output !== undefined ? "-o" : "--export"} writes the whole-program run, which ` +
          `${v.blocks ? "--blocks" : "blocks_only = true"} does not record: each trace() block ` +
          "is stored as a run; export one with tph export <run>",
        "run",
      );
    }
    const where = { scriptArg, args, command, label, cacheDir, dir, limits, setupRun, blocksOnly };
    return await traceProgram(ctx, where, {
      scope,
      ...(scopeFiles.length > 0 ? { files: scopeFiles } : {}),
      include,
      exclude,
      root,
      ...(aliases?.length ? { aliases } : {}),
      externalCalls: v["no-external-calls"] ? false : cfg.external_calls,
    });
  } finally {
    if (cacheDir === null) remove(dir);
  }
}

/**
 * `tph test`'s work (test_command.ts checks the runner): the project's tests run under its test
 * runner with the project's files traced as `tph run` traces them, each test stored as a run.
 *
 * @param ctx The command's context (test's options are among run's).
 * @param runner The test runner: Deno's (`deno test`) or Node's (`node --test`).
 * @param runnerArgs The runner's own arguments.
 * @param failedOnly Keep only the runs of tests that failed.
 * @param plan vitest's or jest's plan (vitest_runner.ts, jest_runner.ts): `runnerArgs` are
 *   Node's, the runner's script first.
 */
export async function runTests(
  ctx: Context<typeof RUN_OPTIONS>,
  runner: TestRunner,
  runnerArgs: string[],
  failedOnly: boolean,
  plan?: VitestPlan | JestPlan,
): Promise<number> {
  const v = ctx.values;
  const cfg = readConfig(ctx);
  const root = scriptProjectRoot(join(ctx.cwd, "_"));
  const { folders: scope, files: scopeFiles, aliases } = scopeOf(ctx, cfg, root);
  const cacheDir = runCacheDir(ctx, cfg, root, true);
  if (cacheDir === null) {
    throw usageError(
      `each test's run is stored in the run cache, which ${
        v["no-cache"] ? "--no-cache" : "cache = false"
      } turns off`,
      "test",
    );
  }
  return await traceProgram(ctx, {
    scriptArg: "",
    args: runnerArgs,
    command: plan !== undefined
      ? plan.command
      : runner === "deno" || runner === "bun"
      ? [runner, "test", ...runnerArgs]
      : ["node", "--test", ...runnerArgs],
    label: null,
    cacheDir,
    dir: cacheDir,
    limits: limitsOf(v, cfg),
    setupRun: false,
    blocksOnly: true,
    tests: {
      runner,
      failedOnly,
      ...(plan !== undefined ? { [runner === "jest" ? "jest" : "vitest"]: plan.settings } : {}),
    },
    runtime: runner === "vitest" || runner === "jest" ? "node" : runner,
  }, {
    scope,
    ...(scopeFiles.length > 0 ? { files: scopeFiles } : {}),
    include: usableGlobs(ctx, cfg, "include"),
    exclude: usableGlobs(ctx, cfg, "exclude"),
    root,
    ...(aliases?.length ? { aliases } : {}),
    externalCalls: v["no-external-calls"] ? false : cfg.external_calls,
  });
}

/** --export's format is one tph writes, and the export has somewhere to go. */
function checkExportOption(
  v: Context<typeof RUN_OPTIONS>["values"],
  cfg: ReturnType<typeof readConfig>,
): void {
  const exportFormat = v.export;
  if (exportFormat !== undefined) {
    if (!isExportFormat(exportFormat)) {
      throw usageError(
        `--export takes ${EXPORT_FORMATS.join(", ")}, got "${exportFormat}"`,
        "run",
      );
    }
    if (typeof v.output !== "string" && (v["no-cache"] || !cfg.cache)) {
      throw usageError(
        "--export needs -o FILE when the run is not stored (--no-cache or cache = false)",
        "run",
      );
    }
  }
}

/** What the program's process records, from the flags over the config. */
function limitsOf(
  v: Context<typeof RUN_OPTIONS>["values"],
  cfg: ReturnType<typeof readConfig>,
): TraceLimits {
  const find = findSpecs(v);
  // Each limit's flag is its config key spelled with dashes (`--max-calls`, `max_calls`).
  const flags = v as Record<string, unknown>;
  const byKey: Partial<Record<LimitKey, number | "all">> = {};
  for (const { key } of LIMITS) {
    byKey[key] = configOption(flags[key.replaceAll("_", "-")], key, "run") ?? cfg[key];
  }
  return {
    ...limitOptions(byKey),
    ignoreModules: cfg.ignore_modules,
    // Decided in the program's process, as each call is recorded: secrets never reach the run.
    redact: v["no-redact"] ? false : cfg.redact,
    redactValues: cfg.redact_values,
    redactKnown: cfg.redact_known,
    ...(find.length > 0 ? { find } : {}),
  };
}

/**
 * The run cache the run is stored in, made and checked before the program starts; null when the
 * run is not stored (--no-cache, cache = false, or a cache that cannot be written).
 *
 * @param forTests For tph test: a cache that cannot be written is an error (CliError), since
 *   storing each test's run is what it is for.
 */
function runCacheDir(
  ctx: Context<typeof RUN_OPTIONS>,
  cfg: ReturnType<typeof readConfig>,
  root: string,
  forTests = false,
): string | null {
  const v = ctx.values;
  // The program writes its run straight into the cache folder; storing it is then a rename.
  let cacheDir: string | null = null;
  if (!v["no-cache"] && cfg.cache) {
    let chosen = namedCacheDir(ctx);
    try {
      if (chosen === null) {
        // Not in /tmp or a system folder: runs hold argument values, and others could read
        // the folder's list or plant files there. The user's cache folder then keeps them.
        const picked = defaultCacheDir(root);
        chosen = picked.dir;
        if (picked.moved !== null) {
          ctx.err(`tph: ${root} is ${picked.moved}: its runs are kept in ${chosen}`);
        }
      }
    } catch (e) {
      ctx.err(`tph: Cannot save the run for "${root}": ${(e as Error).message}`);
    }
    cacheDir = chosen;
  }
  if (cacheDir !== null) {
    checkConfiguredCacheDir(ctx, root, "run");
    const unsafe = unsafeCacheDir(cacheDir, root, ctx.env?.HOME);
    if (unsafe !== null) {
      throw new CliError(
        `Cannot use "${cacheDir}" as the run cache: it is ${unsafe}; use a folder of ` +
          `its own, such as ${
            sharedFolder(root) === null
              ? join(root, CACHE_DIR_NAME)
              : "the default (no --cache-dir nor cache_dir)"
          }`,
        2,
        "run",
      );
    }
    try {
      ensureCacheDir(cacheDir);
      removeStaleTemps(cacheDir);
      // A folder that cannot be written (read-only, say) is found now, not after the run:
      // the run then goes to a temporary folder, so that -o still gets it.
      probeWritable(cacheDir);
    } catch (e) {
      if (forTests) {
        // tph test's runs are its point: the tests do not run for nothing.
        throw new CliError(
          `Cannot store the tests' runs in "${cacheDir}": ${folderProblem(e)}; ` +
            "give a folder tph can write with --cache-dir",
          1,
        );
      }
      ctx.err(`tph: Cannot save the run in "${cacheDir}": ${folderProblem(e)}`);
      cacheDir = null;
    }
  }
  return cacheDir;
}

interface Where {
  scriptArg: string;
  args: string[];
  /** What the run records as its command, when not the script and its arguments. */
  command?: string[];
  label: string | null;
  /** The run cache, or null when the run is not stored. */
  cacheDir: string | null;
  /** Where the program writes the run: the cache, or a temporary folder. */
  dir: string;
  limits: TraceLimits;
  /** Whether the program is tph setup's file: the results end with a summary and the tree. */
  setupRun: boolean;
  /** Only trace() blocks record (--blocks, blocks_only): each is stored as a run of its own. */
  blocksOnly: boolean;
  /** `tph test`: the test runner runs (`args` are its own), each test stored as a run. */
  tests?: {
    runner: TestRunner;
    failedOnly: boolean;
    vitest?: VitestSettings;
    jest?: JestSettings;
  };
  /** The runtime to run on, over --runtime (`tph test`: the runner's). */
  runtime?: ProgramRuntime;
}

/** The test settings the program's process gets (`tph test`). */
function childTests(
  tests: NonNullable<Where["tests"]>,
  command: string[] | undefined,
): NonNullable<ChildConfig["tests"]> {
  const { failedOnly: _, ...runner } = tests;
  return { ...runner, command: command ?? [] };
}

/** The settings of the program's process (ChildConfig) but its run file. */
function programConfig(
  where: Where,
  loader: LoaderOptions,
  cfg: ReturnType<typeof readConfig>,
  follow: boolean,
  propagate: boolean,
  phases: boolean,
): Omit<ChildConfig, "out"> {
  return {
    loader,
    limits: where.limits,
    label: where.label,
    phases,
    follow: follow && cfg.follow_children,
    propagate: propagate && cfg.propagate,
    ...(where.tests !== undefined ? { tests: childTests(where.tests, where.command) } : {}),
    blocks: {
      only: where.blocksOnly,
      label: cfg.default_label,
      // A block is stored where the run would be: not with --no-cache or cache = false.
      cacheDir: cfg.auto_save ? where.cacheDir : null,
      keep: { maxRuns: cfg.max_runs, maxCacheMb: cfg.max_cache_mb },
      disabled: !cfg.enabled,
    },
  };
}

/**
 * What `tph run` says of a server's runs per request, or null when it served none: `11 requests
 * served, each stored as a run of its own`, or how many were stored, kept and not stored.
 */
function requestsLine(r: RunProgramResult["requests"]): string | null {
  if (r.served === 0) return null;
  const s = (n: number, one: string, more: string) => `${n} ${n === 1 ? one : more}`;
  const listed = "tph logs lists them";
  if (r.stored === r.served && r.kept === r.stored) {
    return `tph: ${s(r.served, "request", "requests")} served, ${
      r.served === 1 ? "stored as a run of its own" : "each stored as a run of its own"
    }: ${listed}`;
  }
  const parts = [`${r.stored} stored`];
  if (r.kept < r.stored) parts.push(`the newest ${r.kept} kept`);
  if (r.dropped > 0) {
    parts.push(`${r.dropped} not (they ended faster than they could be written)`);
  }
  return `tph: ${s(r.served, "request", "requests")} served; their runs: ${parts.join(", ")}: ` +
    listed;
}

/**
 * Whether a server gets a run per request: stored in the cache, so not without one, nor when the
 * whole-program run is asked for (-o, --export), nor with --blocks, nor for tests.
 */
function runPerRequest(
  v: Context<typeof RUN_OPTIONS>["values"],
  cfg: ReturnType<Context<typeof RUN_OPTIONS>["config"]>["config"],
  where: Where,
): boolean {
  return cfg.run_per_request && v["one-run"] !== true && where.cacheDir !== null &&
    cfg.auto_save && !where.blocksOnly && where.tests === undefined &&
    v.output === undefined && v.export === undefined;
}

/**
 * Whether the program's process writes its run raw (recorder/raw_run.ts: less to do after its last
 * line, the run file made when the run is first read): only when this command does not read the
 * run's calls itself (--tree, -o, --export, --find, tests, blocks, a `tph setup` file's run).
 */
function writesRaw(v: Context<typeof RUN_OPTIONS>["values"], where: Where): boolean {
  return !v.tree && !where.setupRun && v.output === undefined && v.export === undefined &&
    v.find === undefined && where.tests === undefined && !where.blocksOnly;
}

async function traceProgram(
  ctx: Context<typeof RUN_OPTIONS>,
  where: Where,
  loader: LoaderOptions,
): Promise<number> {
  const { scriptArg, args, cacheDir } = where;
  const v = ctx.values;
  // For bench/real_workloads.ts: where the run's time went, appended to this file as one line.
  const benchPhases = ctx.env?.TPH_BENCH_PHASES || undefined;
  const cfg = ctx.config().config;
  const running = runProgram({
    script: scriptArg,
    args,
    test: where.tests !== undefined,
    command: where.command,
    cwd: ctx.cwd,
    runtime: where.runtime ?? v.runtime as ProgramRuntime | undefined,
    dir: where.dir,
    config: {
      ...programConfig(
        where,
        loader,
        cfg,
        !v["no-follow"],
        !v["no-propagate"],
        benchPhases !== undefined,
      ),
      requests: runPerRequest(v, cfg, where),
      rawWrite: writesRaw(v, where),
    },
    // The cache folder passes the checks it passed at the start again before anything in it is
    // read or stored: it may have been swapped for a link to a shared folder while the program ran.
    checkDir: cacheDir === null ? undefined : () => {
      const unsafe = unsafeCacheDir(cacheDir, loader.root, ctx.env?.HOME);
      return unsafe === null ? null : `it became ${unsafe} while the program ran`;
    },
  });
  // The program has its settings and runs in its own process: tph, waiting for it, loads what it
  // needs once it has ended and keeps the transform cache bounded (once a day; else one stat).
  const loading = loadedLater(import("./run_after.ts"));
  pruneTransformCacheDaily(ctx.env ?? {});
  const result = await running;
  after = await loading;
  const { run } = result;
  const never = where.tests === undefined && result.saveError === null &&
    (neverRan(result) || await entryDidNotParse(result, resolve(ctx.cwd, scriptArg)));
  // tph test says itself what a runner that died leaves (test_report.ts).
  const warnings = where.tests !== undefined && result.files === null ? [] : result.warnings;
  for (const w of warnings) if (!never || !w.startsWith(ENDED_EARLY)) ctx.warn(w);
  if (never) return notStarted(ctx, result);
  // tph test stores each test's run as it ends, never the runner's whole run: one cut short (a
  // runner that exits on SIGINT while tph writes it) loses nothing; a cache folder that changed
  // (no files read) still stops it.
  const wholeRunOnly = where.tests !== undefined && result.files !== null;
  if (result.saveError !== null && !wholeRunOnly) {
    after.removeChildren(result.children);
    ctx.err(
      `tph: Cannot save the run in "${where.dir}": ${result.saveError} ` +
        `(nothing was stored; the program's exit code is kept)`,
    );
    return result.exitCode;
  }
  if (where.tests !== undefined) {
    removeWholeRun(result);
    return after.reportTests(ctx, result, where.tests.failedOnly);
  }
  if (where.blocksOnly) return reportBlocks(ctx, result, cfg);
  const tree = v.tree || where.setupRun ? drawTree(ctx, run, cfg) : null;
  if (tree && !where.setupRun) ctx.err(tree);
  const saved: string[] = [];
  // Checked in runScript: the guard only narrows its type.
  const exportFormat = v.export !== undefined && isExportFormat(v.export) ? v.export : undefined;
  if (typeof v.output === "string" && exportFormat === undefined) {
    const out = resolve(ctx.cwd, v.output);
    try {
      // The JSON format, whatever the cache keeps.
      after.exportRunFile(run.file, out);
      saved.push(relative(ctx.cwd, out) || out);
    } catch (e) {
      ctx.err(`tph: Cannot write "${v.output}": ${fileProblem(e, "its folder does not exist")}`);
    }
  }
  const { ref, stored } = cacheDir === null
    ? { ref: null, stored: null }
    : storeRun(ctx, run, cacheDir, cfg, saved, result);
  // The children first: the export holds them.
  const children = storeChildRuns(ctx, result, stored, cacheDir).length;
  const exported = exportFormat === undefined
    ? null
    : await exportAfterRun(ctx, exportFormat, stored ?? run.file, stored);
  if (exported !== null) saved.push(exported.shown);
  reportRun(ctx, where, loader, result, { saved, ref, tree, exported, children });
  if (stored !== null) settleRaw(stored, ctx.cwd, ctx.env ?? {});
  if (benchPhases !== undefined && result.phases !== null) {
    appendPhases(benchPhases, result.phases, run.header.call_count);
  }
  return result.exitCode;
}

/**
 * For the benchmarks (TPH_BENCH_PHASES): the program's phases and the CLI's, appended to `file` as
 * one line.
 */
function appendPhases(file: string, phases: object, calls: number): void {
  const marks = cliPhases();
  const cli = {
    cli_start: performance.timeOrigin,
    cli_plan: marks.plan,
    cli_exit: marks.exit,
    cli_end: performance.timeOrigin + performance.now(),
    // The CLI's CPU time: at the settings written, at the program's end, in all.
    cli_plan_cpu: marks.planCpu,
    cli_cpu_exit: marks.exitCpu,
    cli_cpu: cliCpu(),
  };
  appendText(file, JSON.stringify({ ...phases, ...cli, calls }) + "\n");
}

/**
 * Whether the program never started: its runtime failed to load it (a syntax error, a module
 * that cannot be found or linked) and nothing of it ran, so the run holds nothing. Deno then ends
 * the process before tph's own code there can say how it ended (and not by a signal); Bun throws
 * its loader's own BuildMessage or ResolveMessage (an AggregateError of them for several). A
 * program that started and threw keeps its run, with or without calls: its error and exit are
 * what it recorded. (A process that never says how it ended, `process.reallyExit()` say, has no
 * run to keep either: its calls were never saved.)
 */
function neverRan(result: RunProgramResult): boolean {
  const h = result.run.header;
  if (h.call_count !== 0 || result.blockRuns.length > 0 || result.blocks > 0) return false;
  if (result.files === null) return result.signal === null;
  const error = h.run?.ended === "exception" ? h.run.error : undefined;
  return error === "BuildMessage" || error === "ResolveMessage" ||
    // Several of them at once.
    /^AggregateError: \d+ errors building "/.test(error ?? "");
}

/**
 * Whether the program failed on a syntax error in its entry file, which then never ran a line:
 * Node reports it as any uncaught SyntaxError (a program's own JSON.parse throws one too), so the
 * file itself is parsed, as an ES module and as CommonJS; neither parsing, nothing of it ran.
 */
async function entryDidNotParse(result: RunProgramResult, entry: string): Promise<boolean> {
  const h = result.run.header;
  if (h.call_count !== 0 || result.blockRuns.length > 0 || result.blocks > 0) return false;
  if (h.run?.ended !== "exception" || !h.run.error?.startsWith("SyntaxError")) return false;
  let text: string;
  try {
    text = readText(entry);
  } catch {
    return false;
  }
  await loadDeps();
  const lang = langOf(entry.slice(entry.lastIndexOf(".") + 1));
  return (["module", "commonjs"] as const).every((sourceType) =>
    oxc().parseSync(entry, text, { lang, sourceType } as never).errors.some((e) =>
      e.severity === "Error"
    )
  );
}

/**
 * Why the cache folder could not be made or written: a file system's error in a few words (the
 * runtimes' own messages differ, and name paths the line already names), else the message.
 */
function folderProblem(e: unknown): string {
  return typeof (e as { code?: unknown })?.code === "string"
    ? fileProblem(e, "a folder on its path is missing")
    : (e as Error).message;
}

/** A program that never started: an empty run would only take the place of `last`. */
function notStarted(ctx: Context<typeof RUN_OPTIONS>, result: RunProgramResult): number {
  removeWholeRun(result);
  ctx.err(
    "tph: the program did not start (its runtime could not load it: see above); nothing was " +
      "recorded or stored",
  );
  return result.exitCode;
}

/**
 * The runs of the followed processes and workers, stored linked to the program's (removed when it
 * was not stored); a failure to
 * store them is a warning (the program's run stays).
 */
function storeChildRuns(
  ctx: Context<typeof RUN_OPTIONS>,
  result: RunProgramResult,
  stored: string | null,
  cacheDir: string | null,
): string[] {
  if (result.children.length === 0) return [];
  // Stored with the program's run, or not at all.
  if (stored === null || cacheDir === null) {
    after.removeChildren(result.children);
    return [];
  }
  try {
    return after.storeChildren(result.children, result.run.file, stored, cacheDir, ctx.cwd);
  } catch (e) {
    after.removeChildren(result.children);
    ctx.warn(`Cannot store the runs of the processes and workers it started: ${folderProblem(e)}`);
    return [];
  }
}

/** The whole-program run of a process that recorded only in blocks: it holds nothing. */
function removeWholeRun(result: RunProgramResult): void {
  after.removeChildren(result.children);
  try {
    remove(result.run.file);
  } catch {
    // Already gone with its folder: nothing of it is kept anyway.
  }
}

/**
 * The end of a run that recorded only inside trace() blocks: the whole-program run holds nothing
 * and is not stored; one line says what the blocks recorded and where they were stored (with
 * --tree, each block's tree first).
 */
function reportBlocks(
  ctx: Context<typeof RUN_OPTIONS>,
  result: RunProgramResult,
  cfg: ReturnType<typeof readConfig>,
): number {
  removeWholeRun(result);
  const { blocks, blockRuns } = result;
  let calls = 0;
  after.eachRun(blockRuns, (file) => {
    calls += file.meta.call_count;
    if (ctx.values.tree) {
      ctx.err(`${file.meta.label ?? "trace() block"}:`);
      ctx.err(after.renderTree(file.tree().roots, {
        style: cfg.tree_style,
        showArgs: cfg.show_args,
        showReturn: cfg.show_return,
        width: treeWidth(ctx, stderrIsTerminal()),
      }));
    }
  });
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  if (blocks === 0) {
    ctx.err(
      "tph: nothing recorded: --blocks records only inside trace() blocks, and the program " +
        "started none",
    );
  } else if (blockRuns.length === 0) {
    const why = !cfg.enabled
      ? "enabled = false in the config: every block is a no-op"
      : ctx.values["no-cache"] || !cfg.cache
      ? `not stored (${ctx.values["no-cache"] ? "--no-cache" : "cache = false"})`
      : !cfg.auto_save
      ? "not stored (auto_save = false): the program has them"
      : "not stored";
    ctx.err(`tph: ${n(blocks, "trace() block")} recorded; ${why}`);
  } else {
    const shown = blockRuns.map((p) => relative(ctx.cwd, p) || p);
    ctx.err(
      `tph: ${n(blocks, "trace() block")} recorded ${n(calls, "call")}; stored ` +
        `${shown.join(" and ")}; view ${blockRuns.length === 1 ? "it" : "the last"} with: ` +
        `tph tree ${shellWord(shown[shown.length - 1])}`,
    );
  }
  return result.exitCode;
}

/**
 * The call tree, drawn from the run's file before the file is stored (a rename); a failure to
 * draw it (out of memory on a huge run, say) never loses the run or changes the exit code.
 */
function drawTree(
  ctx: Context<typeof RUN_OPTIONS>,
  run: RunProgramResult["run"],
  cfg: ReturnType<typeof readConfig>,
): string | null {
  try {
    return after.renderTree(run.tree(), {
      style: cfg.tree_style,
      showArgs: cfg.show_args,
      showReturn: cfg.show_return,
      width: treeWidth(ctx, stderrIsTerminal()),
    });
  } catch (e) {
    ctx.warn(`Cannot draw the call tree: ${(e as Error).message}`);
    return null;
  }
}

/**
 * Store the run in the cache (first in `saved`) and keep the cache in bounds. `ref` is how the
 * read commands name the stored run: `last` only where they look from this folder (without
 * flags), else its path; both are null when it could not be stored.
 */
function storeRun(
  ctx: Context<typeof RUN_OPTIONS>,
  run: RunProgramResult["run"],
  cacheDir: string,
  cfg: ReturnType<typeof readConfig>,
  saved: string[],
  result: RunProgramResult,
): { ref: string | null; stored: string | null } {
  // The program's blocks and a server's requests, stored as it ran, sort after it.
  const othersStored = result.blockRuns.length > 0 || result.requests.stored > 0;
  let ref: string | null = null;
  let stored: string | null = null;
  try {
    const path = storeRunFile(run.file, run.header, { cacheDir });
    stored = path;
    saved.unshift(relative(ctx.cwd, path) || path);
    // Runs stored as it ran sort after it: `last` would name one of them.
    ref = cacheDir === cacheDirFor({ ...ctx, values: {} }) && !othersStored
      ? "last"
      : shellWord(relative(ctx.cwd, path) || path);
    keepInBounds(ctx, cacheDir, path, cfg);
  } catch (e) {
    ctx.err(`tph: Cannot save the run in "${cacheDir}": ${folderProblem(e)}`);
    try {
      remove(run.file);
    } catch {
      // The folder is gone or no longer a folder: nothing of the run's is left to remove.
    }
  }
  return { ref, stored };
}

/** The lines that end a run: why nothing was recorded, the summary, what find matched, the export. */
function reportRun(
  ctx: Context<typeof RUN_OPTIONS>,
  where: Where,
  loader: LoaderOptions,
  result: RunProgramResult,
  { saved, ref, tree, exported, children }: {
    saved: string[];
    ref: string | null;
    tree: string | null;
    exported: { shown: string; line: string } | null;
    children: number;
  },
): void {
  const v = ctx.values;
  const cfg = ctx.config().config;
  const run = result.run;
  const h = run.header;
  const limited = h.was_limited
    ? ` (limited by ${h.limit_reason}: ${h.dropped_calls} left out)`
    : "";
  const viewHint = ref === null ? "" : `; view it with: tph tree ${ref}`;
  // Said before the summary, which stays the last line.
  if (h.call_count === 0 && result.files !== null) {
    const why = result.requests.served > 0
      ? "the program's calls were made while serving requests, each stored as a run of its own"
      : whyNoCall(ctx, where, loader, result.files, result.blocks, h.run);
    ctx.err(`tph: nothing recorded: ${why}`);
  }
  const requests = requestsLine(result.requests);
  if (requests !== null) ctx.err(requests);
  const blockRuns = result.blockRuns.length;
  if (blockRuns > 0) {
    ctx.err(
      `tph: ${blockRuns} trace() block${blockRuns === 1 ? "" : "s"} stored as ${
        blockRuns === 1 ? "a run" : "runs"
      } of ${blockRuns === 1 ? "its" : "their"} own: tph logs lists ${
        blockRuns === 1 ? "it" : "them"
      }`,
    );
  }
  if (children > 0) {
    // A server's: a request's handler's children are listed under that request's run.
    const under = result.requests.served > 0 ? "the run that started it" : "this run";
    ctx.err(
      children === 1
        ? "tph: 1 process or worker it started was recorded as a run of its own: tph logs " +
          `lists it under ${under}`
        : `tph: ${children} processes and workers it started were recorded, each as a run of ` +
          `its own: tph logs lists them under ${
            result.requests.served > 0 ? "the run that started each" : "this run"
          }`,
    );
  }
  const note = after.summarisedNote(h);
  if (note !== null && !where.setupRun) ctx.err(`tph: ${note}`);
  const savedText = saved.length
    ? `; saved ${saved.join(" and ")}${viewHint}`
    : v["no-cache"] || !cfg.cache
    ? `; not saved (${v["no-cache"] ? "--no-cache" : "cache = false"})`
    : "; not saved";
  if (where.setupRun) {
    const rule = "=".repeat(70);
    ctx.err(
      [
        "",
        rule,
        "TRACE RESULTS",
        rule,
        `Total calls: ${h.call_count}${limited}`,
        saved.length > 0 ? `Trace saved to: ${saved.join(" and ")}` : `Trace${savedText.slice(1)}`,
        ...(ref === null ? [] : [`View with: tph tree ${ref}`]),
        ...(tree ? ["", tree] : []),
      ].join("\n"),
    );
  } else {
    ctx.err(
      `tph: ${h.call_count} call${h.call_count === 1 ? "" : "s"} recorded${limited} in ${
        (h.run!.duration_ms / 1000).toFixed(2)
      }s${savedText}`,
    );
  }
  if (h.find !== undefined) {
    const n = h.find.count;
    const where = ref === null ? "" : `: tph find ${ref}`;
    ctx.err(
      `tph: ${n} match${n === 1 ? "" : "es"} of ${
        h.find.targets.map((x) => x.text).join(", ")
      }${where}`,
    );
  }
  if (exported !== null) ctx.err(exported.line);
}

/**
 * Why a run recorded no call, in one phrase: the entry file is not traced (excluded, not a
 * source, in node_modules, outside the scope) and no other traced file was loaded; no traced file
 * went through the loader; the program failed first; or traced files were loaded but none of
 * their functions was called.
 */
function whyNoCall(
  ctx: Context<typeof RUN_OPTIONS>,
  where: Where,
  loader: LoaderOptions,
  files: number,
  blocks: number,
  ended: RunInfo | undefined,
): string {
  const shown = (p: string) => displayPath(p, ctx.cwd);
  if (files === 0) {
    const entry = where.command === undefined ? where.scriptArg : "the -e expression's module";
    const out = outOfScope(resolve(ctx.cwd, where.scriptArg), loader);
    const scope = [...loader.scope, ...(loader.files ?? [])].map(shown).join(", ");
    switch (out?.kind) {
      case "excluded":
        return `${entry} is excluded by "${out.glob}" and no other traced file was loaded`;
      case "not a source":
        return `${entry} is not a JavaScript or TypeScript file and no traced file was loaded`;
      case "node_modules":
        return `${entry} is in node_modules, traced only with --include or a --scope inside ` +
          "it, and no traced file was loaded";
      case "outside":
        return `${entry} is outside the scope (${scope}) and no file in it was loaded`;
      default:
        return `no file of the scope (${scope}) went through tph's loader`;
    }
  }
  const loaded = `${files} traced file${files === 1 ? " was" : "s were"} loaded`;
  const their = files === 1 ? "its" : "their";
  if (blocks > 0) {
    return `${loaded}; the calls made inside the program's own trace ${
      blocks === 1 ? "block went to that block" : "blocks went to those blocks"
    } (the innermost trace records)`;
  }
  if (ended?.ended === "exception") {
    return `${loaded}, but the program failed (uncaught error) before any of ${their} ` +
      "functions was called";
  }
  const ignored = where.limits.ignoreModules?.length
    ? `, or only those of ignore_modules (${where.limits.ignoreModules.join(", ")})`
    : "";
  return `${loaded}, but none of ${their} functions was called (a module's top-level code is not ` +
    `a call)${ignored}`;
}

/**
 * Apply `max_runs` and `max_cache_mb` after a run is stored: the oldest runs go until both hold,
 * never the run just stored; one line says how many went. A failure is a warning: the run is
 * stored and the program's exit code kept.
 */
function keepInBounds(
  ctx: Context<typeof RUN_OPTIONS>,
  cacheDir: string,
  saved: string,
  cfg: { max_runs: number | null; max_cache_mb: number | null },
): void {
  if (cfg.max_runs === null && cfg.max_cache_mb === null) return;
  let removed: number;
  try {
    // Files the listing skips are `tph logs`'s to report, not this line's.
    const { entries } = after.listRuns(cacheDir);
    const picked = after.pickOldRuns(entries, {
      keep: cfg.max_runs ?? undefined,
      maxBytes: cfg.max_cache_mb === null ? undefined : cfg.max_cache_mb * 1e6,
      now: Date.now(),
      protect: [saved],
    });
    const result = after.removeRuns(picked);
    for (const { run, problem } of result.failed) {
      ctx.warn(
        `Cannot remove the old run "${relative(ctx.cwd, run.path) || run.path}": ${problem}`,
      );
    }
    removed = result.removed.length;
  } catch (e) {
    ctx.warn(`Cannot keep the run cache within its bounds: ${(e as Error).message}`);
    return;
  }
  if (removed === 0) return;
  const bounds = [
    cfg.max_runs === null ? null : `max_runs = ${cfg.max_runs}`,
    cfg.max_cache_mb === null ? null : `max_cache_mb = ${cfg.max_cache_mb}`,
  ].filter((b) => b !== null).join(", ");
  ctx.err(`tph: removed ${removed} old run${removed === 1 ? "" : "s"} from the cache (${bounds})`);
}

const FIND_TYPES = ["number", "string", "boolean", "bigint", "null", "undefined"];
const FIND_MATCHES = ["equals", "contains", "regex"] as const;

/**
 * `--find` targets with their `--find-type` and `--find-match`: each given once applies to every
 * target, given as often as `--find` they pair up in order.
 */
function findSpecs(v: Context<typeof RUN_OPTIONS>["values"]): FindSpec[] {
  const values = v.find ?? [];
  const types = v["find-type"] ?? [];
  const matches = v["find-match"] ?? [];
  if (values.length === 0) {
    if (types.length + matches.length > 0) {
      throw usageError("--find-type and --find-match go with --find", "run");
    }
    return [];
  }
  const pick = (list: string[], flag: string, i: number): string | undefined => {
    if (list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    if (list.length !== values.length) {
      throw usageError(
        `--${flag} is given ${list.length} times for ${values.length} --find values: give it ` +
          "once (for all) or once per --find",
        "run",
      );
    }
    return list[i];
  };
  return values.map((text, i) => {
    const type = pick(types, "find-type", i) ?? null;
    if (type !== null && !FIND_TYPES.includes(type) && !/^[A-Za-z_$][\w$]*$/.test(type)) {
      throw usageError(
        `--find-type takes ${FIND_TYPES.join(", ")} or a class name, got "${type}"`,
        "run",
      );
    }
    const match = (pick(matches, "find-match", i) ?? "equals") as FindSpec["match"];
    if (!(FIND_MATCHES as readonly string[]).includes(match)) {
      throw usageError(`--find-match takes equals, contains or regex, got "${match}"`, "run");
    }
    if (match === "regex") {
      try {
        new RegExp(text);
      } catch (e) {
        throw usageError(
          `--find ${text}: not a regular expression (${(e as Error).message})`,
          "run",
        );
      }
    }
    // JSON when it parses to a number, string, boolean or null; else the text itself.
    let value: unknown = text;
    if (match === "equals" && type !== "string") {
      try {
        const parsed = JSON.parse(text);
        if (parsed === null || typeof parsed !== "object") value = parsed;
      } catch {
        value = text;
      }
    }
    return { text, value, type, match };
  });
}

/** Throws when a file cannot be created in `dir`. */
function probeWritable(dir: string): void {
  const probe = join(dir, `.run.${pid()}.${randomHex(4)}.tmp`);
  try {
    writeText(probe, "", { exclusive: true });
  } catch (e) {
    throw new Error(fileProblem(e));
  }
  remove(probe);
}

/**
 * `tph run --export`: the run written in a format, to -o FILE or beside the stored run. A failure
 * is a line on stderr: the run is stored all the same and the program's exit code kept.
 *
 * @returns How the summary names the file, and the closing line; null when it failed.
 */
async function exportAfterRun(
  ctx: Context<typeof RUN_OPTIONS>,
  format: ExportFormat,
  runFile: string,
  stored: string | null,
): Promise<{ shown: string; line: string } | null> {
  // Loaded when asked for: the exporters are nothing to a plain `tph run`.
  const { defaultExportPath, exportToFile } = await import("../export/export_run.ts");
  const output = ctx.values.output;
  const dest = output !== undefined
    ? resolve(ctx.cwd, output)
    : stored !== null
    ? defaultExportPath(stored, format)
    : null;
  if (dest === null) {
    ctx.err("tph: Cannot export the run: it was not stored; give -o FILE");
    return null;
  }
  const shown = relative(ctx.cwd, dest) || dest;
  let file;
  try {
    file = after.openRun(runFile);
  } catch (e) {
    ctx.err(`tph: Cannot export the run: ${(e as Error).message}`);
    return null;
  }
  // With the runs of the processes and workers it started, where the format holds several.
  const files = [file];
  if (MULTI_RUN_FORMATS.includes(format)) after.addChildRuns(files, ctx.cwd);
  try {
    const stats = await exportToFile(files, format, dest, {}, { private: output === undefined });
    return { shown, line: `tph: exported ${after.exportedTo(stats, format, shown, true)}` };
  } catch (e) {
    ctx.err(
      `tph: Cannot write "${output ?? shown}": ${fileProblem(e, "its folder does not exist")}`,
    );
    return null;
  } finally {
    for (const f of files) f.close();
  }
}
