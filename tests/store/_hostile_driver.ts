// Runs every command that reads runs, in-process through main(), on each hostile run file of a
// folder, and prints one JSON line per command: what it wrote and its exit code. Started by
// hostile_runs_test.ts on Deno and on Bun (as a subprocess, time- and memory-bounded).
//
//   <runtime> tests/store/_hostile_driver.ts <project root> <folder of hostile files> <good run>

import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { main } from "../../src/cli/commands/main.ts";
import { READING_COMMANDS } from "../_hostile_runs.ts";

{
  const [root, folder, good] = process.argv.slice(2);
  const cache = join(root, ".tracepatch_cache");
  const only = process.env.HOSTILE_ONLY;
  for (const name of readdirSync(folder).sort()) {
    if (only !== undefined && !name.includes(only)) continue;
    rmSync(cache, { recursive: true, force: true });
    rmSync(join(root, "out"), { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    mkdirSync(join(root, "out"));
    copyFileSync(join(folder, name), join(cache, name));
    copyFileSync(good, join(root, "good.tph"));
    for (const command of READING_COMMANDS) {
      const argv = command.map((a) =>
        a === "R" ? `.tracepatch_cache/${name}` : a === "G" ? join(root, "good.tph") : a
      );
      const out: string[] = [];
      const err: string[] = [];
      let bytes = 0;
      const started = performance.now();
      let code: number;
      try {
        code = await main(argv, {
          out: (t) => out.push(t),
          err: (t) => err.push(t),
          outBytes: (_b, n) => {
            bytes += n;
            return true;
          },
          cwd: root,
          isTerminal: false,
          env: { NO_COLOR: "1", TZ: "UTC" },
        });
      } catch (e) {
        // main() itself must never throw.
        code = -1;
        err.push(`thrown: ${(e as Error)?.stack ?? e}`);
      }
      const ms = Math.round(performance.now() - started);
      console.log(JSON.stringify({ file: name, argv, code, err, outLines: out.length, bytes, ms }));
    }
  }
}
