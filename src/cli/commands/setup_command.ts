// `tph setup`'s work (the command table loads it when the command runs: no other command pays
// for loading it): write a file that calls the functions `[[test.files]]` names (with
// `[[test.inputs]]`, or arguments built from their types), to be run with `tph run`. Its
// counterpart, `tph disable` (disable_command.ts), shares the place, the lock and the git check.

import { basename, join, relative, resolve, sep } from "node:path";
import {
  fileProblem,
  isDirectory,
  isPlainFile,
  lstatEntry,
  ownerAndMode,
  readBytes,
  readDir,
  replaceFile,
  unlinkFile,
  writeNewBytes,
  writeText,
} from "../../platform/files.ts";
import { pid, readStdinLine, stdinIsTerminal } from "../../platform/process.ts";
import { loadDeps } from "../../deps.ts";
import type { LoadedConfig } from "../../config/load_config.ts";
import { displayPath } from "../../platform/display_path.ts";
import { ensureCacheDir, unsafeCacheDir } from "../../store/cache_dir.ts";
import { cacheDirFor, checkConfiguredCacheDir } from "./cache_dir_for.ts";
import { findProjectRoot } from "../../store/project_root.ts";
import { gitChanges, someOf } from "../setup/git_status.ts";
import { type Plan, planCalls } from "../setup/plan_calls.ts";
import { renderTestFile, TEST_FILE_MARK, TEST_FILE_NAME } from "../setup/render_test_file.ts";
import {
  readState,
  removeState,
  type SetupState,
  sha256,
  STATE_FILE_NAME,
  StateError,
  type StateFile,
  toBase64,
  writeState,
} from "../setup/setup_state.ts";
import { SOURCE_FILE } from "../setup/source_module.ts";
import { readTestConfig, type TestConfig } from "../setup/test_config.ts";
import type { Context } from "./command.ts";
import type { SETUP_OPTIONS } from "./options.ts";
import { CliError } from "./errors.ts";
import { readConfig } from "./read_config.ts";
import { shellWord } from "./shell_word.ts";

/** Where setup works: the generated file's folder, the run cache, how to name things. */
export interface Place {
  /** The config's folder: test.files paths are relative to it; the file goes there. */
  root: string;
  /** The generated file. */
  file: string;
  cacheDir: string;
  /** The state file, as messages name it. */
  stateShown: string;
}

export function placeOf(ctx: Context, loaded: LoadedConfig | null): Place {
  const root = loaded?.source ? loaded.baseDir : ctx.cwd;
  const cacheDir = cacheDirFor(ctx, root);
  // The default folder only: one given by flag or config is the user's choice.
  if (typeof ctx.values["cache-dir"] !== "string" && !loaded?.config.cache_dir) {
    const unsafe = unsafeCacheDir(cacheDir, findProjectRoot(root), ctx.env?.HOME);
    if (unsafe !== null) {
      throw new CliError(`Cannot use "${cacheDir}" for tph setup: it is ${unsafe}`);
    }
  }
  return {
    root,
    file: join(root, TEST_FILE_NAME),
    cacheDir,
    stateShown: displayPath(join(cacheDir, STATE_FILE_NAME), ctx.cwd),
  };
}

/** A source file of the project to show in examples (so that they read like this project). */
function someSourceFile(root: string): string {
  for (const dir of ["src", "lib", "."]) {
    const full = join(root, dir);
    if (!isDirectory(full)) continue;
    const names = readDir(full).filter((n) =>
      SOURCE_FILE.test(n) && !n.startsWith(".") && !n.startsWith("_") && !/\.d\.[cm]?ts$/.test(n) &&
      !/(^|\.)(test|spec|config)\./.test(n) && isPlainFile(join(full, n))
    ).sort();
    if (names.length > 0) return dir === "." ? names[0] : `${dir}/${names[0]}`;
  }
  return "src/calc.ts";
}

function tomlExample(path: string): string[] {
  return [
    "  [[test.files]]",
    `  path = ${JSON.stringify(path)}      # relative to the config file`,
    '  functions = ["add", "Cart.total"]   # exported functions, Class.method',
    "",
    "  [[test.inputs]]                     # optional: the arguments of one call",
    '  function = "add"',
    "  args = [2, 3]",
  ];
}

function jsonExample(path: string): string[] {
  return [
    '  "tracepatch": {',
    '    "test": {',
    `      "files": [{ "path": ${JSON.stringify(path)}, "functions": ["add", "Cart.total"] }],`,
    '      "inputs": [{ "function": "add", "args": [2, 3] }]',
    "    }",
    "  }",
  ];
}

/**
 * Ask git about the work tree: note changes, and stop at staged ones unless the user says to go
 * on (`--yes`, or `y` at the prompt on a terminal; never a prompt without one). Changes to
 * `own` (tph's files, relative to `dir`) are not the user's: returns those of them staged.
 */
export function checkGit(ctx: Context, dir: string, doing: string, own: string[]): string[] {
  const changes = gitChanges(dir);
  if (changes === null) return [];
  const mine = (p: string) =>
    own.some((o) => o === p || o.endsWith(`/${p}`) || p.endsWith(`/${o}`));
  const other = [...changes.unstaged, ...changes.untracked].filter((p) => !mine(p));
  if (other.length > 0) {
    ctx.err(
      `tph: note: git shows ${other.length} changed or new file${other.length === 1 ? "" : "s"} (${
        someOf(other)
      }); ${doing} leaves ${other.length === 1 ? "it" : "them"} alone`,
    );
  }
  const staged = changes.staged.filter((p) => !mine(p));
  const ownStaged = changes.staged.filter(mine);
  if (staged.length === 0) return ownStaged;
  const what = `git has staged changes (${someOf(staged)}): ${doing} would mix with them`;
  if (ctx.values.yes) {
    ctx.warn(`${what}; going on (--yes)`);
    return ownStaged;
  }
  if (ctx.terminal && stdinIsTerminal()) {
    ctx.err(`tph: warning: ${what}.`);
    ctx.err("Go on anyway? [y/N] ");
    const answer = readStdinLine();
    if (answer !== null && /^\s*y(es)?\s*$/i.test(answer)) return ownStaged;
    throw new CliError("stopped: nothing was changed", 1);
  }
  throw new CliError(`${what}; commit or unstage them first, or pass --yes`, 1);
}

/** The setup state of a place, or null; a state tph cannot use is one line (CliError). */
export function stateAt(place: Place): SetupState | null {
  try {
    return readState(place.cacheDir, place.stateShown);
  } catch (e) {
    if (e instanceof StateError) throw new CliError(e.message);
    throw e;
  }
}

const LOCK_FILE = "setup.lock";
/** A lock older than this is taken for one left by a setup that was killed. */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * Run `fn` while holding the run cache's setup lock: two setups (or a setup and a disable) at
 * once would each read the state before the other wrote it, and one could take the user's file
 * for tph's. The cache folder exists.
 */
export async function withSetupLock<T>(place: Place, fn: () => Promise<T>): Promise<T> {
  const lock = join(place.cacheDir, LOCK_FILE);
  for (let attempt = 0;; attempt++) {
    try {
      writeText(lock, `${pid()} ${new Date().toISOString()}\n`, { exclusive: true, mode: 0o600 });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") {
        throw new CliError(`Cannot lock ${displayPath(lock, place.root)}: ${fileProblem(e)}`);
      }
      const age = Date.now() - (lstatEntry(lock)?.usedMs ?? Date.now());
      if (attempt === 0 && age > STALE_LOCK_MS) {
        unlinkFile(lock);
        continue;
      }
      throw new CliError(
        `another tph setup or disable is at work on ${place.cacheDir} (${LOCK_FILE} there); ` +
          "if none is, remove that file",
      );
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkFile(lock);
    } catch {
      // Gone already.
    }
  }
}

export async function hashOf(path: string): Promise<string> {
  return await sha256(readBytes(path));
}

/** `tph setup`: see setup_command.ts. Config → plan → check → write (state, then file) → report. */
export async function run(ctx: Context<typeof SETUP_OPTIONS>): Promise<number> {
  const configured = testConfigOf(ctx);
  if (configured === null) return 1;
  const { loaded, where, test } = configured;
  const place = placeOf(ctx, loaded);
  await loadDeps();
  const plan = planCalls(test, place.root, place.file);
  if (plan.problems.length > 0) {
    for (const p of plan.problems) ctx.err(`tph: ${p}`);
    const n = plan.problems.length;
    ctx.err(
      `tph: nothing written: fix ${n === 1 ? "this problem" : `these ${n} problems`} in ${where}`,
    );
    return 1;
  }
  const projectRoot = findProjectRoot(place.root);
  warnOutsideScope(ctx, loaded, test, place.root, projectRoot);
  const fileShown = displayPath(place.file, ctx.cwd);
  checkConfiguredCacheDir(ctx, projectRoot, "setup");
  try {
    ensureCacheDir(place.cacheDir);
  } catch (e) {
    throw new CliError(`Cannot make the run cache ${place.cacheDir}: ${fileProblem(e)}`);
  }
  await withSetupLock(place, async () => {
    // What is at the file's place: a link or a folder is never written through or over.
    const entry = lstatEntry(place.file);
    if (entry !== null && !isPlainFile(place.file)) {
      throw new CliError(
        `Cannot write ${fileShown}: ${
          entry.kind === "dir" ? "a folder" : "a symbolic link or special file"
        } is there; move it away and run tph setup again`,
      );
    }
    const state = stateAt(place);
    if (state !== null && state.root !== place.root) {
      throw new CliError(
        `${place.stateShown} holds the setup of ${state.root}: run tph disable there first ` +
          "(both folders keep their runs in this cache)",
      );
    }
    checkGit(ctx, place.root, "tph setup", [TEST_FILE_NAME]);
    const previous = state?.files.find((f) => f.path === place.file) ?? null;
    const text = renderTestFile(plan, basename(loaded.source!));
    const bytes = new TextEncoder().encode(text);
    const digest = await sha256(bytes);
    const record = entry !== null
      ? await recordOverExisting(ctx, place, fileShown, previous, digest)
      : previous?.action === "modified"
      ? { ...previous, sha256: digest }
      : { path: place.file, action: "created" as const, sha256: digest };
    writeStateThenFile(place, fileShown, state, record, bytes);
  });
  reportSetup(ctx, plan, where, fileShown, place);
  return 0;
}

/**
 * The `[[test.files]]` config setup works from, with where it was read (as messages name it);
 * null when there is none, or it names no files, after saying so with an example to copy.
 */
function testConfigOf(
  ctx: Context<typeof SETUP_OPTIONS>,
): { loaded: LoadedConfig & { source: string }; where: string; test: TestConfig } | null {
  readConfig(ctx);
  const loaded = ctx.config();
  if (loaded.source === null) {
    const example = someSourceFile(ctx.cwd);
    ctx.err(
      [
        "tph: no configuration found: tph setup reads [[test.files]] from tracepatch.toml (or",
        'from a "tracepatch" key of deno.json or package.json), here or in a folder above.',
        `Create ${join(displayPath(ctx.cwd, ctx.cwd), "tracepatch.toml")} with, for example:`,
        "",
        ...tomlExample(example),
        "",
        "Without [[test.inputs]], arguments are built from the parameters' types.",
      ].join("\n"),
    );
    return null;
  }
  const where = displayPath(loaded.source, ctx.cwd) +
    (loaded.section ? ` ("${loaded.section}" key)` : "");
  const test = readTestConfig(loaded.test, where);
  for (const w of test.warnings) ctx.warn(w);
  if (test.files.length === 0) {
    const example = someSourceFile(loaded.baseDir);
    ctx.err(
      [
        `tph: no test files configured: the config loaded from ${where} has no [[test.files]].`,
        "Add to it, for example:",
        "",
        ...(loaded.section ? jsonExample(example) : tomlExample(example)),
      ].join("\n"),
    );
    return null;
  }
  return { loaded: loaded as LoadedConfig & { source: string }, where, test };
}

/** tph run traces the files in its scope: one outside it would run, unrecorded. */
function warnOutsideScope(
  ctx: Context,
  loaded: LoadedConfig,
  test: TestConfig,
  root: string,
  projectRoot: string,
): void {
  const scope = loaded.config.scope.length > 0 ? loaded.config.scope : [projectRoot];
  for (const f of test.files) {
    const path = resolve(root, f.path);
    if (!scope.some((d) => path === d || path.startsWith(d.endsWith(sep) ? d : d + sep))) {
      ctx.warn(
        `${f.where}: "${f.path}" is outside what tph run traces (${
          scope.join(", ")
        }): its calls will run unrecorded; add its folder to scope`,
      );
    }
  }
}

/**
 * The state's record for a file that is at the generated file's place already: tph's own (edits
 * since refuse without --force), or the user's (kept, for tph disable to put back).
 */
async function recordOverExisting(
  ctx: Context<typeof SETUP_OPTIONS>,
  place: Place,
  fileShown: string,
  previous: StateFile | null,
  digest: string,
): Promise<StateFile> {
  const old = readBytes(place.file);
  const now = await sha256(old);
  const ours = new TextDecoder().decode(old.subarray(0, TEST_FILE_MARK.length)) ===
    TEST_FILE_MARK;
  if (previous !== null) {
    if (now !== previous.sha256 && now !== digest && !ctx.values.force) {
      throw new CliError(
        `${fileShown} was edited since tph setup wrote it: pass --force to overwrite it ` +
          "(copy your edits first), or run it as it is",
      );
    }
    return { ...previous, sha256: digest };
  }
  if (ours) {
    // tph's file, but no state says what it was written as: edits cannot be told.
    if (now !== digest && !ctx.values.force) {
      throw new CliError(
        `${fileShown} was written by tph setup, but its state (${place.stateShown}) is ` +
          "gone, so edits to it cannot be told: pass --force to overwrite it",
      );
    }
    return { path: place.file, action: "created", sha256: digest };
  }
  ctx.err(
    `tph: note: ${fileShown} was there already: tph disable puts it back as it was ` +
      `(kept in ${place.stateShown})`,
  );
  return {
    path: place.file,
    action: "modified",
    sha256: digest,
    original: toBase64(old),
    mode: (ownerAndMode(place.file)?.mode ?? 0o644) & 0o7777,
  };
}

/** Write the new state, then the file; a file that cannot be written puts the old state back. */
function writeStateThenFile(
  place: Place,
  fileShown: string,
  state: SetupState | null,
  record: StateFile,
  bytes: Uint8Array,
): void {
  const next: SetupState = {
    tool: "tph",
    kind: "setup_state",
    version: 1,
    root: place.root,
    written_at: new Date().toISOString(),
    // Setup writes this one file; anything else a state named is not carried on.
    files: [record],
  };
  // The state first: a setup cut short between the two still names the file for disable.
  try {
    writeState(place.cacheDir, next);
  } catch (e) {
    throw new CliError(
      `Cannot write ${place.stateShown}: ${fileProblem(e, "its folder does not exist")}; ` +
        "nothing written",
    );
  }
  try {
    replaceFile(place.file, (t) => writeNewBytes(t, bytes, 0o644));
  } catch (e) {
    try {
      if (state === null) removeState(place.cacheDir);
      else writeState(place.cacheDir, state);
    } catch {
      // The state names a file that is not there: disable copes with that.
    }
    throw new CliError(`Cannot write ${fileShown}: ${fileProblem(e)}; nothing written`);
  }
}

/** What was written: the counts, then each file's calls with where their arguments come from. */
function reportSetup(
  ctx: Context,
  plan: Plan,
  where: string,
  fileShown: string,
  place: Place,
): void {
  const calls = plan.modules.reduce((n, m) => n + m.calls.length, 0);
  const functions = new Set(
    plan.modules.flatMap((m) => m.calls.map((c) => `${m.file}\0${c.name}`)),
  );
  ctx.out(
    `Wrote ${fileShown} from ${where}: ${calls} call${
      calls === 1 ? "" : "s"
    } of ${functions.size} ` +
      `function${functions.size === 1 ? "" : "s"} in ${plan.modules.length} file${
        plan.modules.length === 1 ? "" : "s"
      }`,
  );
  for (const m of plan.modules) {
    ctx.out(`  ${m.file}`);
    for (const c of m.calls) {
      const shown = c.shown.length > 90 ? `${c.shown.slice(0, 89)}…` : c.shown;
      const from = c.input ?? "from types";
      const gaps = c.gaps.length > 0 ? `; could not build ${c.gaps.join(", ")}` : "";
      const note = c.note ? `; ${c.note}` : "";
      ctx.out(`    ${shown}    (${from}${gaps}${note})`);
    }
  }
  const run = shellWord(relative(ctx.cwd, place.file) || TEST_FILE_NAME);
  ctx.out(`Run it:   tph run ${run}`);
  ctx.out(`Undo it:  tph disable   (the runs stay in ${displayPath(place.cacheDir, ctx.cwd)})`);
}
