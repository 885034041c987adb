import process from "node:process";
import { TphLanguageServer } from "../lsp/server.ts";
import { watchCache } from "../lsp/watch_cache.ts";
import { setRawReader } from "../lsp/run_digest.ts";
import { rawReader } from "../../program/read_runs.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import type { Context, Options } from "./command.ts";
import type { OptionValues } from "../argv.ts";
import type { DIFF_OPTIONS, LSP_OPTIONS, VIEW_OPTIONS } from "./options.ts";
import { run as diffRun } from "./diff_command.ts";
import { writePage } from "./view_html.ts";
import { besideRun, EXPORT_SUFFIX } from "../export/formats.ts";

/**
 * `tph lsp`'s work (its options and help are in the command table, commands.ts): a language
 * server on stdin and stdout until the client says `exit` or goes away.
 */
export async function run(ctx: Context<typeof LSP_OPTIONS>): Promise<number> {
  const cacheDir = cacheDirFor(ctx);
  // Runs just stored (raw) shown without making them run files first (run_digest.ts, digestRaw).
  setRawReader(await rawReader());
  // tph diff and tph view --html as those commands run them, their text kept for the client.
  const as = <O extends Options>(values: OptionValues<O>, positionals: string[], out: string[]) =>
    ({
      ...ctx,
      values,
      positionals,
      color: false,
      terminal: false,
      out: (text: string) => void out.push(text),
      err: (text: string) => void out.push(text),
    }) as unknown as Context<O>;
  const server = new TphLanguageServer({
    cacheDir,
    cwd: ctx.cwd,
    diff(older, newer, filter) {
      const out: string[] = [];
      diffRun(as<typeof DIFF_OPTIONS>({ filter, style: "unicode" }, [older, newer], out));
      return out.join("\n");
    },
    async page(run) {
      const out: string[] = [];
      await writePage(as<typeof VIEW_OPTIONS>({ html: true }, [run], out), run, {});
      return besideRun(run, EXPORT_SUFFIX.html);
    },
    write: (bytes) => void process.stdout.write(bytes),
    log: (line) => ctx.err(line),
    watch: (changed) => watchCache(cacheDir, changed),
  });
  const stdin = process.stdin;
  stdin.on("data", (chunk: Uint8Array) => server.receive(chunk));
  stdin.on("end", () => server.closed());
  stdin.on("error", () => server.closed());
  const code = await server.done;
  stdin.pause();
  stdin.destroy();
  return code;
}
