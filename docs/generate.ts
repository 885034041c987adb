// `deno task docs`: writes the parts of docs/cli.md and README.md that come from the command
// table (src/cli/commands/commands.ts). tests/cli/commands/reference_test.ts fails when they are stale.

import { readFileSync, writeFileSync } from "node:fs";
import { COMMANDS } from "../src/cli/commands/commands.ts";
import { cliParts, updateParts } from "../src/cli/commands/reference.ts";

/** The files and the parts each must have. */
export const GENERATED: [file: string, parts: string[]][] = [
  ["docs/cli.md", cliParts(COMMANDS)],
  ["README.md", ["command list"]],
];

if (import.meta.main) {
  const root = new URL("..", import.meta.url);
  for (const [file, parts] of GENERATED) {
    const url = new URL(file, root);
    const text = readFileSync(url, "utf8");
    const updated = updateParts(text, COMMANDS, parts);
    if (updated !== text) {
      writeFileSync(url, updated);
      console.log(`wrote ${file}`);
    }
  }
}
