// `tph clean`: remove stored runs, by count, age or all of them.

import { formatSize } from "../../render/size.ts";
import { displayPath } from "../../platform/display_path.ts";
import { listRuns } from "../../store/list_runs.ts";
import { findProjectRoot } from "../../store/project_root.ts";
import { pickOldRuns, type PruneLimits, removeRuns } from "../../store/prune_runs.ts";
import { unsafeCacheDir } from "../../store/cache_dir.ts";
import { exportsOf } from "../../store/beside_run.ts";
import { lstatEntry } from "../../platform/files.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import { type Context, intOption } from "./command.ts";
import type { CLEAN_OPTIONS } from "./options.ts";
import { parseDuration } from "./duration.ts";
import { CliError, usageError } from "./errors.ts";

/** `tph clean`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof CLEAN_OPTIONS>): number {
  const v = ctx.values;
  const keep = intOption(v.keep, "keep", "clean", 0);
  let olderThanMs: number | undefined;
  if (v["older-than"] !== undefined) {
    const text = v["older-than"];
    const ms = parseDuration(text);
    if (ms === null) {
      throw usageError(
        `--older-than takes a duration such as 30d, 12h, 90m or 2w, got "${text}"`,
        "clean",
      );
    }
    olderThanMs = ms;
  }
  if (v.all && (keep !== undefined || olderThanMs !== undefined)) {
    throw usageError("--all removes every run: give it without --keep or --older-than", "clean");
  }
  if (!v.all && keep === undefined && olderThanMs === undefined) {
    throw usageError(
      "say which runs to remove: --keep N, --older-than DURATION or --all",
      "clean",
    );
  }
  const dir = cacheDirFor(ctx);
  const unsafe = unsafeCacheDir(dir, findProjectRoot(ctx.cwd), ctx.env?.HOME);
  if (unsafe !== null) {
    throw new CliError(`Cannot clean "${dir}": it is ${unsafe}, not a run cache`, 2, "clean");
  }
  const shown = displayPath(dir, ctx.cwd);
  const { entries, warnings } = listRuns(dir, { cwd: ctx.cwd });
  for (const w of warnings) ctx.warn(w);
  const limits: PruneLimits = { keep: v.all ? 0 : keep, olderThanMs, now: Date.now() };
  const picked = pickOldRuns(entries, limits);
  if (picked.length === 0) {
    const n = entries.length;
    ctx.out(`No runs to remove (${n} run${n === 1 ? "" : "s"} in ${shown}).`);
    return 0;
  }
  const dry = v["dry-run"] === true;
  // The exports and pages written beside a run go with it: what they free is counted too.
  const beside = new Map<string, { files: number; bytes: number }>();
  for (const r of picked) {
    let files = 0, bytes = 0;
    for (const path of exportsOf(r.path)) {
      const st = lstatEntry(path);
      if (st?.kind === "file") files++, bytes += st.size;
    }
    beside.set(r.path, { files, bytes });
  }
  const { removed, failed } = dry ? { removed: picked, failed: [] } : removeRuns(picked);
  const width = Math.max(...removed.map((r) => r.id.length));
  const verb = dry ? "Would remove" : "Removed";
  for (const r of removed) ctx.out(`${verb} ${r.id.padEnd(width)}  ${formatSize(r.size)}`);
  for (const { run, problem } of failed) {
    ctx.warn(`Cannot remove "${displayPath(run.path, ctx.cwd)}": ${problem}`);
  }
  let bytes = 0, exported = 0;
  for (const r of removed) {
    const b = beside.get(r.path)!;
    bytes += r.size + b.bytes;
    exported += b.files;
  }
  const runs = `${removed.length} run${removed.length === 1 ? "" : "s"}` +
    (exported === 0 ? "" : ` and ${exported} export${exported === 1 ? "" : "s"} beside them`);
  const left = entries.length - removed.length;
  ctx.out(
    dry
      ? `Would remove ${runs} from ${shown}, ${formatSize(bytes)} (${bytes} bytes); ` +
        `nothing was removed (--dry-run)`
      : `Removed ${runs} from ${shown}, ${formatSize(bytes)} (${bytes} bytes) freed; ` +
        `${left} run${left === 1 ? "" : "s"} left`,
  );
  return failed.length > 0 ? 1 : 0;
}
