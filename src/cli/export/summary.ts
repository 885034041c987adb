// What every export says about the run as a whole: its title (label or command) and the counts
// of what was recorded and left out.

import type { RunMeta } from "../../run_file/decode.ts";
import { VERSION } from "../../version.ts";
import { displayPath } from "../../platform/display_path.ts";
import type { ExportCall } from "./calls.ts";

/** What an export wrote. */
export interface ExportStats {
  /** Calls written. */
  calls: number;
  /** Tracks (async contexts drawn apart), the main one included. */
  tracks: number;
}

/** A run's names and counts, for an export's metadata. */
export interface RunSummary {
  /** `tph: <label>` or `tph: <command>`. */
  title: string;
  /** The label, else the script and its arguments, else "trace". */
  name: string;
  /** The program's command line as recorded, if the run was made by `tph run`. */
  command: string | null;
  /** Counts and settings, as JSON fields. */
  fields: Record<string, unknown>;
  /** The folder the program ran in (files under it are shown relative to it), if known. */
  cwd: string | null;
}

/** See RunSummary. */
export function runSummary(meta: RunMeta): RunSummary {
  const command = meta.run?.command.join(" ") ?? null;
  const name = meta.label ?? command ?? "trace";
  return {
    title: `tph: ${name}`,
    name,
    command,
    cwd: meta.run?.cwd ?? null,
    fields: {
      exporter: `tph ${VERSION}`,
      label: meta.label,
      command,
      timestamp: meta.timestamp,
      runtime: meta.run ? `${meta.run.runtime} ${meta.run.runtime_version}` : null,
      ended: meta.run?.ended ?? null,
      exit_code: meta.run?.exit_code ?? null,
      call_count: meta.call_count,
      was_limited: meta.was_limited,
      limit_reason: meta.limit_reason,
      dropped_calls: meta.dropped_calls,
      dropped_at_root: meta.dropped_at_root ?? 0,
      // A run from elsewhere (older tracepatch) may have no config.
      max_calls: meta.config?.max_calls ?? null,
      max_depth: meta.config?.max_depth ?? null,
      // Objects shown as summaries past the detail budget (`Token {…}`), and that budget.
      summarised: meta.summarised ?? 0,
      details: meta.config?.details ?? null,
    },
  };
}

/** A track's name: the main one carries the command; async ones are numbered. */
export function trackName(track: number, summary: RunSummary): string {
  return track === 0 ? `main: ${summary.command ?? summary.name}` : `async ${track}`;
}

/** A file as the exports show it to people: relative to where the program ran, when under it. */
export function shownFile(file: string, summary: RunSummary): string {
  return file === "" || summary.cwd === null ? file : displayPath(file, summary.cwd);
}

/**
 * A call's categories, as viewers filter on them: `call` (a traced function) or `external`, then
 * `async`, `unfinished` (still open when the run ended), `limited` (calls left out below it).
 */
export function categoriesOf(call: ExportCall): string[] {
  const cats = [call.fn.external ? "external" : "call"];
  if (call.fn.async) cats.push("async");
  if (call.unfinished) cats.push("unfinished");
  if (call.dropped > 0 || call.hiddenBelow > 0) cats.push("limited");
  return cats;
}
