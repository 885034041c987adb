// `tph view <run> --html`: the page written (beside the run, or to -o FILE), and opened on asking.

import { progress } from "./progress.ts";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { spawn as Spawn } from "node:child_process";
import process from "node:process";
import { openRun } from "../../run_file/decode.ts";
import { openChildRun } from "../export/child_files.ts";
import { StoreError } from "../../run_file/store_error.ts";
import { fileProblem, writeOutput } from "../../platform/files.ts";
import { safeText } from "../../render/safe_text.ts";
import { besideRun, EXPORT_SUFFIX } from "../export/formats.ts";
import type { WalkOptions } from "../export/calls.ts";
import type { Context } from "./command.ts";
import type { VIEW_OPTIONS } from "./options.ts";
import { CliError } from "./errors.ts";

/**
 * Write the page of a run and say where it is (or open it).
 *
 * @returns The exit code.
 */
export async function writePage(
  ctx: Context<typeof VIEW_OPTIONS>,
  runPath: string,
  walk: WalkOptions,
): Promise<number> {
  const { writeHtml } = await import("../html/write_html.ts");
  const output = ctx.values.output;
  const dest = output !== undefined
    ? resolve(ctx.cwd, output)
    : besideRun(runPath, EXPORT_SUFFIX.html);
  const file = openRun(runPath, { cwd: ctx.cwd });
  // A big run's page takes seconds: on a terminal, a line says how far it is.
  const going = progress("writing the page", file.meta.call_count, "calls");
  let stats;
  try {
    // Beside the run, the page is the cache's own file: private, as the run is.
    const openChild = (id: string) => openChildRun(runPath, id, ctx.cwd);
    stats = await writeOutput(
      dest,
      (out) => writeHtml(file, out, { ...walk, step: going.step, openChild }),
      { private: output === undefined },
    );
  } catch (e) {
    if (e instanceof StoreError || e instanceof CliError) throw e;
    throw new CliError(
      `Cannot write "${output ?? dest}": ${fileProblem(e, "its folder does not exist")}`,
      1,
    );
  } finally {
    going.end();
    file.close();
  }
  if (walk.filter !== undefined && stats.calls === 0) {
    throw new CliError(
      `No call in run "${ctx.positionals[0]}" has a name containing "${walk.filter}"`,
      1,
    );
  }
  const shown = relative(ctx.cwd, dest) || dest;
  const url = pathToFileURL(dest).href;
  const more = stats.leftOut > 0
    ? ` (the first ${stats.calls} calls; ${stats.leftOut} left out: see --filter, --max-depth)`
    : "";
  ctx.err(
    `tph: wrote ${stats.calls} call${stats.calls === 1 ? "" : "s"} to ${safeText(shown)}${more}`,
  );
  if (ctx.values.open === true) {
    const opener = process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
      ? ["cmd", "/c", "start", "", url]
      : ["xdg-open", url];
    const opened = await new Promise<boolean>((done) => {
      try {
        // node:child_process loaded here, not as the CLI starts (the binary's one bundle loads
        // every built-in it imports at each command: ~2–3 ms of Bun's).
        const spawn = process.getBuiltinModule("node:child_process").spawn as typeof Spawn;
        const child = spawn(opener[0], opener.slice(1), { stdio: "ignore", detached: true });
        child.on("error", () => done(false));
        child.on("spawn", () => {
          child.unref();
          done(true);
        });
      } catch {
        done(false);
      }
    });
    if (!opened) ctx.err(`tph: Cannot open a browser (${opener[0]}): open ${safeText(url)}`);
  } else ctx.err(`tph: open it in a browser: ${safeText(url)}`);
  return 0;
}
