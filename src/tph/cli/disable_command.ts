// `tph disable`: take away what `tph setup` wrote, restoring a file of the user's it replaced,
// keeping the runs; a generated file edited since stays unless --force.

import { dirname, relative } from "node:path";
import {
  exists,
  fileProblem,
  isPlainFile,
  lstatEntry,
  readBytes,
  remove,
  replaceFile,
  writeNewBytes,
} from "../../host/files.ts";
import { displayPath } from "../store/display_path.ts";
import { gitChanges, someOf } from "../setup/git_status.ts";
import { TEST_FILE_MARK, TEST_FILE_NAME } from "../setup/render_test_file.ts";
import {
  fromBase64,
  readState,
  removeState,
  type SetupState,
  StateError,
} from "../setup/setup_state.ts";
import { CACHE_DIR_OPTION } from "./cache_dir_for.ts";
import type { Command } from "./command.ts";
import { CliError } from "./errors.ts";
import { readConfig } from "./read_config.ts";
import { checkGit, CONFIG_FILE, hashOf, placeOf, YES } from "./setup_command.ts";
import { shellWord } from "./shell_word.ts";

/** `tph disable`. */
export const disableCommand: Command = {
  name: "disable",
  summary: `remove what tph setup wrote (restoring any file it replaced); runs are kept`,
  usage: "disable [options]",
  details: [
    `Removes ${TEST_FILE_NAME} and the setup state; a file setup replaced is put back.`,
    "A generated file edited since is left alone unless --force. Runs stay in the cache.",
  ],
  examples: ["tph disable", "tph disable --force"],
  options: {
    yes: YES,
    force: { type: "boolean", help: "remove generated files even if they were edited since" },
    file: CONFIG_FILE,
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [0, 0],
  async run(ctx) {
    readConfig(ctx);
    const loaded = ctx.config();
    const place = placeOf(ctx, loaded);
    let state: SetupState | null;
    try {
      state = readState(place.cacheDir, place.stateShown);
    } catch (e) {
      if (e instanceof StateError) throw new CliError(e.message);
      throw e;
    }
    if (state === null) {
      // No state (the cache was deleted?): a file that says it is tph's goes with --force.
      const file = place.file;
      let generated = false;
      try {
        generated = isPlainFile(file) &&
          new TextDecoder().decode(readBytes(file).subarray(0, TEST_FILE_MARK.length)) ===
            TEST_FILE_MARK;
      } catch {
        generated = false;
      }
      if (!generated) {
        ctx.out(`Nothing to disable: no setup state in ${displayPath(place.cacheDir, ctx.cwd)}`);
        return 0;
      }
      if (!ctx.values.force) {
        throw new CliError(
          `${displayPath(file, ctx.cwd)} was written by tph setup, but its state (` +
            `${place.stateShown}) is gone, so edits to it cannot be told: pass --force to remove it`,
        );
      }
      state = {
        tool: "tph",
        kind: "setup_state",
        version: 1,
        root: place.root,
        written_at: "",
        files: [{ path: file, action: "created", sha256: "" }],
      };
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
    checkGit(ctx, state.root, "tph disable", state.files.map((f) => relative(state!.root, f.path)));
    // Decide everything before changing anything: an edited file stops the whole disable.
    const edited: string[] = [];
    for (const f of state.files) {
      const entry = lstatEntry(f.path);
      if (entry === null) continue;
      if (!isPlainFile(f.path) || (f.sha256 !== "" && await hashOf(f.path) !== f.sha256)) {
        edited.push(displayPath(f.path, ctx.cwd));
      }
    }
    if (edited.length > 0 && !ctx.values.force) {
      throw new CliError(
        `${someOf(edited)} ${edited.length === 1 ? "was" : "were"} edited since tph setup wrote ` +
          `${edited.length === 1 ? "it" : "them"}: copy your edits, then pass --force`,
      );
    }
    const done: string[] = [];
    for (const f of state.files) {
      const shown = displayPath(f.path, ctx.cwd);
      try {
        if (f.action === "created") {
          if (lstatEntry(f.path) !== null) {
            remove(f.path);
            done.push(`removed ${shown}`);
          }
        } else {
          const original = fromBase64(f.original!);
          if (!exists(dirname(f.path))) continue;
          replaceFile(f.path, (t) => writeNewBytes(t, original));
          done.push(`restored ${shown}`);
        }
      } catch (e) {
        throw new CliError(
          `Cannot ${f.action === "created" ? "remove" : "restore"} ${shown}: ${fileProblem(e)}` +
            ` (the setup state is kept: run tph disable again once that is fixed)`,
        );
      }
    }
    try {
      removeState(place.cacheDir);
    } catch (e) {
      throw new CliError(`Cannot remove ${place.stateShown}: ${fileProblem(e)}`);
    }
    const staged =
      gitChanges(state.root)?.staged.filter((p) =>
        state!.files.some((f) => f.path.endsWith(`/${p}`) || relative(state!.root, f.path) === p)
      ) ?? [];
    ctx.out(
      `${done.length > 0 ? done.join("; ") : "Nothing left to remove"}; the runs stay in ${
        displayPath(place.cacheDir, ctx.cwd)
      } (tph logs lists them)`,
    );
    if (staged.length > 0) {
      ctx.err(
        `tph: note: git still has ${someOf(staged)} staged: git rm --cached ${
          staged.map(shellWord).join(" ")
        }`,
      );
    }
    return 0;
  },
};
