import process from "node:process";
import { watch } from "node:fs";
import { TphLanguageServer } from "../lsp/server.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import type { Context } from "./command.ts";
import type { LSP_OPTIONS } from "./options.ts";

/**
 * `tph lsp`'s work (its options and help are in the command table, commands.ts): a language
 * server on stdin and stdout until the client says `exit` or goes away.
 */
export async function run(ctx: Context<typeof LSP_OPTIONS>): Promise<number> {
  const cacheDir = cacheDirFor(ctx);
  const server = new TphLanguageServer({
    cacheDir,
    cwd: ctx.cwd,
    write: (bytes) => void process.stdout.write(bytes),
    log: (line) => ctx.err(line),
    watch(changed) {
      // The cache folder may not exist before the first run: its parent is watched then.
      for (const dir of [cacheDir, `${cacheDir}/..`]) {
        try {
          const w = watch(dir, () => changed());
          w.on("error", () => {});
          return () => w.close();
        } catch {
          // Not there (yet): the next one up.
        }
      }
      return () => {};
    },
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
