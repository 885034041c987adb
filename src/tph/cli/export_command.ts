import { resolve } from "node:path";
import { openRun } from "../store/run_reader.ts";
import { StoreError } from "../store/store_error.ts";
import { resolveRunRef } from "../store/resolve_run_ref.ts";
import { exportRunFile } from "../store/save_run.ts";
import { CACHE_DIR_OPTION, cacheDirFor } from "./cache_dir_for.ts";
import type { Command } from "./command.ts";
import { fileProblem } from "../../host/files.ts";
import { CliError } from "./errors.ts";
import { safeOutput } from "../../render/safe_text.ts";

/** `tph export <run>`: a stored run as the JSON format, streamed. */
export const exportCommand: Command = {
  name: "export",
  summary: "write a stored run in the JSON format (what tph run -o writes), streamed",
  usage: "export <run> [-o FILE] [--cache-dir DIR]",
  details: [
    "<run> is a run file, last, N as numbered by tph logs (1 = newest), or a run id or a",
    "unique prefix of one. The JSON goes to stdout, or to FILE (written whole, then renamed).",
  ],
  examples: ["tph export last > run.json", "tph export 2 -o run.json"],
  options: {
    output: { type: "string", short: "o", arg: "FILE", help: "write to FILE instead of stdout" },
    "cache-dir": CACHE_DIR_OPTION,
  },
  positionals: [1, 1],
  run(ctx) {
    const path = resolveRunRef(ctx.positionals[0], cacheDirFor(ctx), { cwd: ctx.cwd });
    const output = ctx.values.output as string | undefined;
    if (output !== undefined) {
      try {
        exportRunFile(path, resolve(ctx.cwd, output));
      } catch (e) {
        if (e instanceof StoreError) throw e;
        throw new CliError(
          `Cannot write "${output}": ${fileProblem(e, "its folder does not exist")}`,
          1,
        );
      }
      return 0;
    }
    const file = openRun(path, { cwd: ctx.cwd });
    // Once nobody reads stdout (`| head`), there is nothing more to do.
    const gone = new Error("stdout closed");
    const write = (bytes: Uint8Array, length: number) => {
      if (!ctx.outBytes(bytes, length)) throw gone;
    };
    // On a terminal, the program's C1 controls and bidi overrides (which JSON leaves raw in its
    // strings) are written as \u escapes: the same JSON, nothing for the terminal to act on.
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const escaped = (bytes: Uint8Array, length: number) => {
      const text = safeOutput(decoder.decode(bytes.subarray(0, length), { stream: true }));
      const out = encoder.encode(text);
      write(out, out.length);
    };
    try {
      file.writeJSON({ write: ctx.terminal ? escaped : write });
    } catch (e) {
      if (e !== gone) throw e;
    } finally {
      file.close();
    }
    return 0;
  },
};
