// Spawns a child process: the runtime running the program (process.execPath) runs another
// script, and its output and exit code are printed.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./helpers/spawn_child.mjs", import.meta.url));

function runChild(args: string[]): string {
  const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: "utf8", timeout: 60_000 });
  if (r.error) return `spawn failed: ${r.error.message}`;
  return `exit ${r.status} stdout ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`;
}

function main(): void {
  console.log(runChild(["alpha", "beta"]));
  console.log(runChild(["--fail"]));
  console.log("spawn done");
}

main();
