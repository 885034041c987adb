// `tph disable`'s work (the command table loads it when the command runs): take away what
// `tph setup` wrote, restoring a file of the user's it replaced, keeping the runs; a generated
// file edited since stays unless --force.

import { dirname, relative } from "node:path";
import {
  chmod,
  exists,
  fileProblem,
  isDirectory,
  isPlainFile,
  lstatEntry,
  readBytes,
  replaceFile,
  unlinkFile,
  writeNewBytes,
} from "../../platform/files.ts";
import { displayPath } from "../../platform/display_path.ts";
import { someOf } from "../setup/git_status.ts";
import { TEST_FILE_MARK } from "../setup/render_test_file.ts";
import { fromBase64, removeState, type SetupState } from "../setup/setup_state.ts";
import type { Context } from "./command.ts";
import type { DISABLE_OPTIONS } from "./options.ts";
import { CliError } from "./errors.ts";
import { readConfig } from "./read_config.ts";
import { checkGit, hashOf, type Place, placeOf, stateAt, withSetupLock } from "./setup_command.ts";
import { shellWord } from "./shell_word.ts";

/** `tph disable`: see disable_command.ts. */
export async function run(ctx: Context<typeof DISABLE_OPTIONS>): Promise<number> {
  readConfig(ctx);
  const place = placeOf(ctx, ctx.config());
  // Without a cache folder there is no state to guard (and nowhere to put a lock).
  if (!isDirectory(place.cacheDir)) return await disable(ctx, place);
  return await withSetupLock(place, () => disable(ctx, place));
}

/** Whether a file is one tph setup wrote (its first line says so). */
function generatedAt(file: string): boolean {
  try {
    return isPlainFile(file) &&
      new TextDecoder().decode(readBytes(file).subarray(0, TEST_FILE_MARK.length)) ===
        TEST_FILE_MARK;
  } catch {
    return false;
  }
}

/** State → checks → undo each file → remove the state → say what was done. */
async function disable(ctx: Context, place: Place): Promise<number> {
  const state = stateToUndo(ctx, place);
  if (state === null) {
    ctx.out(`Nothing to disable: no setup state in ${displayPath(place.cacheDir, ctx.cwd)}`);
    return 0;
  }
  checkStateIsHere(place, state);
  const root = state.root;
  // The generated file staged (git add -A after setup) stays staged once it is gone: said below.
  const staged = checkGit(ctx, root, "tph disable", state.files.map((f) => relative(root, f.path)));
  await checkUnchanged(ctx, state);
  const done = undoFiles(ctx, state);
  try {
    removeState(place.cacheDir);
  } catch (e) {
    throw new CliError(`Cannot remove ${place.stateShown}: ${fileProblem(e)}`);
  }
  ctx.out(
    `${done.length > 0 ? done.join("; ") : "Nothing left to remove"}; the runs stay in ${
      displayPath(place.cacheDir, ctx.cwd)
    } (tph logs lists them)`,
  );
  if (staged.length > 0) {
    ctx.err(
      `tph: note: git still has ${someOf(staged)} staged as setup left it: git restore ` +
        `--staged ${staged.map(shellWord).join(" ")}`,
    );
  }
  return 0;
}

/** The setup state to undo; null when there is nothing to disable. */
function stateToUndo(ctx: Context<typeof DISABLE_OPTIONS>, place: Place): SetupState | null {
  const state = stateAt(place);
  if (state !== null) return state;
  // No state (the cache was emptied?): a file that says it is tph's goes with --force.
  const file = place.file;
  if (!generatedAt(file)) return null;
  if (!ctx.values.force) {
    throw new CliError(
      `${displayPath(file, ctx.cwd)} was written by tph setup, but its state (` +
        `${place.stateShown}) is gone, so edits to it cannot be told: pass --force to remove it`,
    );
  }
  return {
    tool: "tph",
    kind: "setup_state",
    version: 1,
    root: place.root,
    written_at: "",
    files: [{ path: file, action: "created", sha256: "" }],
  };
}

/** The state is this folder's setup, and names only the file setup writes here. */
function checkStateIsHere(place: Place, state: SetupState): void {
  if (state.root !== place.root) {
    throw new CliError(
      `${place.stateShown} holds the setup of ${state.root}: run tph disable there ` +
        "(or with --file naming its config)",
    );
  }
  // Setup writes one file, at one place: a state naming anything else (a state file that came
  // with a cloned project, say) is not followed, with --force neither.
  const strange = state.files.filter((f) => f.path !== place.file);
  if (strange.length > 0) {
    throw new CliError(
      `${place.stateShown} names files tph setup never writes (${
        someOf(strange.map((f) => f.path))
      }): nothing was changed; delete that state file`,
    );
  }
}

/**
 * Decide everything before changing anything: an edited file stops the whole disable, and
 * something that is not a file (a folder, a link) is never removed, with --force neither.
 */
async function checkUnchanged(
  ctx: Context<typeof DISABLE_OPTIONS>,
  state: SetupState,
): Promise<void> {
  const edited: string[] = [];
  for (const f of state.files) {
    const entry = lstatEntry(f.path);
    if (entry === null) continue;
    const shown = displayPath(f.path, ctx.cwd);
    if (!isPlainFile(f.path)) {
      throw new CliError(
        `${shown} is not a file (${
          entry.kind === "dir" ? "a folder" : "a link or special file"
        }): tph setup did not make it, so tph disable leaves it; nothing was changed`,
      );
    }
    if (f.sha256 !== "" && await hashOf(f.path) !== f.sha256) edited.push(shown);
  }
  if (edited.length > 0 && !ctx.values.force) {
    throw new CliError(
      `${someOf(edited)} ${edited.length === 1 ? "was" : "were"} edited since tph setup wrote ` +
        `${edited.length === 1 ? "it" : "them"}: copy your edits, then pass --force`,
    );
  }
}

/** Remove the files setup made and put back those it replaced; what was done, one phrase each. */
function undoFiles(ctx: Context, state: SetupState): string[] {
  const done: string[] = [];
  for (const f of state.files) {
    const shown = displayPath(f.path, ctx.cwd);
    try {
      if (f.action === "created") {
        if (lstatEntry(f.path) !== null) {
          unlinkFile(f.path);
          done.push(`removed ${shown}`);
        }
      } else {
        const original = fromBase64(f.original!);
        if (!exists(dirname(f.path))) continue;
        const mode = (f.mode ?? 0o644) & 0o7777;
        replaceFile(f.path, (t) => {
          writeNewBytes(t, original, mode);
          chmod(t, mode);
        });
        done.push(`restored ${shown}`);
      }
    } catch (e) {
      throw new CliError(
        `Cannot ${f.action === "created" ? "remove" : "restore"} ${shown}: ${fileProblem(e)}` +
          ` (the setup state is kept: run tph disable again once that is fixed)`,
      );
    }
  }
  return done;
}
