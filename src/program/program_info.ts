// What a stored run says of the program it came from, read in the program's process.

import process from "../platform/node_process.ts";
import { String } from "../platform/globals.ts";

// deno-lint-ignore no-explicit-any
const G = globalThis as any;

/** This runtime and its version, for the run's header. */
export const runtimeName: { name: string; version: string } = G.Deno !== undefined
  ? { name: "deno", version: String(G.Deno.version.deno) }
  : G.Bun !== undefined
  ? { name: "bun", version: String(G.Bun.version) }
  : { name: "node", version: String(process.versions.node) };

/** The program's command line as a run records it: its script (relative here) and arguments. */
export function programCommand(): string[] {
  const [, script = "", ...args] = process.argv;
  const cwd = process.cwd();
  return [script.startsWith(cwd + "/") ? script.slice(cwd.length + 1) : script, ...args];
}
