// The README's examples are what tph prints: each fenced block that starts with `$ tph …` is run,
// its commands in order, in a folder holding a copy of examples/ (a project of its own), and its
// output (stdout and stderr as a terminal shows them, one after the other) must be the block's
// lines, times and run ids aside.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DENO, exec, REPO, tempDir } from "./cli/commands/_cli.ts";
import { runRegistered, type RuntimeName } from "./_harness.ts";

/** Times, run ids and a run's wall time, which differ from run to run. */
function normal(text: string): string[] {
  return text
    .replace(/\[\d+(?:\.\d+)?(?:µs|ms|s)\]/g, "[T]")
    .replace(/ in \d+(?:\.\d+)?s;/g, " in Ts;")
    .replace(/run_[0-9T_a-z]+\.tph/g, "run_X.tph")
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "");
}

/** Each `$ tph …` block of a Markdown text: its commands, each with the lines that follow it. */
export function examples(markdown: string): { command: string; lines: string }[][] {
  const blocks: { command: string; lines: string }[][] = [];
  for (const m of markdown.matchAll(/^```\n(\$ tph [^]*?)^```$/gm)) {
    const steps: { command: string; lines: string }[] = [];
    for (const line of m[1].split("\n")) {
      if (line.startsWith("$ tph ")) steps.push({ command: line.slice(6), lines: "" });
      else steps[steps.length - 1].lines += line + "\n";
    }
    blocks.push(steps);
  }
  return blocks;
}

Deno.test("the README's examples are what tph prints", async () => {
  const blocks = examples(readFileSync(join(REPO, "README.md"), "utf8"));
  assert.ok(blocks.length >= 1, "the README shows tph at work");
  for (const steps of blocks) {
    const dir = tempDir({ examples: join(REPO, "examples") });
    await using _ = dir;
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    for (const { command, lines } of steps) {
      // Words as a shell splits them (the examples quote nothing).
      const args = command.split(/\s+/).filter((w) => w !== "");
      const shell = `repo="$1"; shift; "$0" run -A "$repo/cli.ts" "$@" 2>&1`;
      const r = await exec(["sh", "-c", shell, DENO, REPO, ...args], {
        cwd: dir.path,
        timeoutMs: 60_000,
      });
      assert.deepEqual(normal(r.stdout), normal(lines), `$ tph ${command}`);
    }
  }
});

/** The README's library example: the first TypeScript block of "## The library". */
function libraryExample(markdown: string): string {
  const section = markdown.slice(markdown.indexOf("\n## The library"));
  const m = /^```ts\n([^]*?)^```$/m.exec(section);
  assert.ok(m !== null, "the library section shows an example");
  return m[1];
}

for (const rt of ["deno", "bun", "node", "node22"] as RuntimeName[]) {
  Deno.test(`the README's library example runs as shown with the register entry (${rt})`, async () => {
    const dir = tempDir();
    await using _ = dir;
    const example = libraryExample(readFileSync(join(REPO, "README.md"), "utf8"));
    // The package's name is this checkout's mod.ts here.
    const file = join(dir.path, "example.ts");
    writeFileSync(
      file,
      example.replace(/from "tph"/, `from ${JSON.stringify(join(REPO, "mod.ts"))}`),
    );
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    const r = runRegistered(rt, file, { cwd: dir.path, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    // The tree its comment shows, times aside.
    const shown = [...example.matchAll(/^\/\/ (.*)$/gm)].map((l) => l[1]);
    assert.deepEqual(normal(r.stdout), normal(shown.join("\n")));
  });
}
