// `tph completion bash|zsh|fish`: the scripts are written from the command table. The bash one is
// run in bash (its function called as bash's completion calls it); zsh's and fish's are parsed
// by their shells when installed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { main } from "../../../src/cli/commands/main.ts";
import { COMMANDS } from "../../../src/cli/commands/commands.ts";
import { EXPORT_FORMATS } from "../../../src/cli/export/formats.ts";
import { listRuns } from "../../../src/store/list_runs.ts";
import { DENO, projectWithRuns, REPO } from "./_cli.ts";

async function tph(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return await tphIn(tmpdir(), ...argv);
}

async function tphIn(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    cwd,
    isTerminal: false,
    env: {},
  });
  return { code, out: out.join("\n") + "\n", err: err.join("\n") };
}

/** The script of a shell, in a file of a temporary folder removed when it is disposed of. */
async function scriptFile(shell: string): Promise<{ file: string } & Disposable> {
  const { code, out } = await tph("completion", shell);
  assert.equal(code, 0);
  const dir = mkdtempSync(join(tmpdir(), "tph-completion-"));
  const file = join(dir, `tph.${shell}`);
  writeFileSync(file, out);
  return { file, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a shell is installed. */
function has(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"]).status === 0;
}

/**
 * What the bash function offers for each command line (the last word is the one completed), as
 * bash calls it: COMP_WORDS and COMP_CWORD set, COMPREPLY read back.
 */
function bashOffers(
  file: string,
  lines: string[][],
  options: { cwd?: string; path?: string } = {},
): string[][] {
  const calls = lines.map((words) =>
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); ` +
    `COMP_CWORD=${words.length - 1}; _tph; echo "\${COMPREPLY[*]}"`
  );
  const r = spawnSync("bash", ["--norc", "-c", `source '${file}'\n${calls.join("\n")}`], {
    encoding: "utf8",
    cwd: options.cwd,
    env: options.path === undefined ? undefined : { ...process.env, PATH: options.path },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout.split("\n").slice(0, lines.length).map((l) => l.split(" ").filter(Boolean));
}

Deno.test("tph completion bash registers _tph for tph in bash", async () => {
  using script = await scriptFile("bash");
  const file = script.file;
  const r = spawnSync("bash", ["--norc", "-c", `source '${file}'; complete -p tph`], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "complete -o default -F _tph tph");
});

Deno.test("tph completion bash completes the table's commands, options and fixed values", async () => {
  using script = await scriptFile("bash");
  const file = script.file;
  const names = COMMANDS.map((c) => c.name);
  const withOptions = COMMANDS.map((c) => ["tph", c.name, "-"]);
  const [
    all,
    tr,
    formats,
    exportValues,
    style,
    afterScript,
    beforeScript,
    topics,
    shells,
    ...opts
  ] = bashOffers(file, [
    ["tph", ""],
    ["tph", "tr"],
    ["tph", "export", "last", "--format", ""],
    ["tph", "run", "--export", ""],
    ["tph", "tree", "last", "--style", "u"],
    ["tph", "run", "main.ts", "--ex"],
    ["tph", "run", "-o", "x.json", "--ex"],
    ["tph", "help", ""],
    ["tph", "completion", ""],
    ...withOptions,
  ]);
  assert.deepEqual(all, [...names, "-h", "--help", "-V", "--version"]);
  assert.deepEqual(tr, ["tree"]);
  assert.deepEqual(formats, [...EXPORT_FORMATS]);
  assert.deepEqual(exportValues, [...EXPORT_FORMATS]);
  assert.deepEqual(style, ["unicode"]);
  // After the script, the words are the program's: bash's own file completion applies.
  assert.deepEqual(afterScript, []);
  assert.deepEqual(beforeScript, ["--exclude", "--export"]);
  assert.deepEqual(topics, names);
  assert.deepEqual(shells, ["bash", "zsh", "fish", "runs"]);
  COMMANDS.forEach((c, i) => {
    const expected = Object.entries(c.options).flatMap(([name, o]) => [
      `--${name}`,
      ...(o.short ? [`-${o.short}`] : []),
    ]);
    assert.deepEqual(opts[i], [...expected, "--help", "-h"], c.name);
  });
});

for (const shell of ["zsh", "fish"]) {
  const installed = has(shell);
  if (!installed) {
    console.log(`completion_test: ${shell} is not installed: its script is not parsed`);
  }
  Deno.test({
    name: `tph completion ${shell} parses in ${shell}`,
    ignore: !installed,
    fn: async () => {
      using script = await scriptFile(shell);
      const file = script.file;
      const r = spawnSync(shell, ["-n", file], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, "");
    },
  });
}

Deno.test("tph completion names every command and option of the table in each script", async () => {
  for (const shell of ["zsh", "fish"]) {
    const { out } = await tph("completion", shell);
    for (const c of COMMANDS) {
      assert.ok(out.includes(c.name), `${shell}: ${c.name}`);
      for (const name of Object.keys(c.options)) assert.ok(out.includes(name), `${shell}: ${name}`);
    }
    for (const f of EXPORT_FORMATS) assert.ok(out.includes(f), `${shell}: ${f}`);
  }
});

Deno.test("tph completion takes bash, zsh, fish or runs", async () => {
  const bad = await tph("completion", "tcsh");
  assert.equal(bad.code, 2);
  assert.equal(
    bad.err,
    'tph: completion takes bash, zsh, fish or runs, got "tcsh"\nRun "tph help completion" for usage.',
  );
  const none = await tph("completion");
  assert.equal(none.code, 2);
  assert.match(none.err, /^tph: "completion" needs <shell>$/m);
});

Deno.test("tph completion runs lists last and the stored runs' ids; the scripts offer them", async () => {
  await using project = projectWithRuns();
  const ids = listRuns(join(project.root, ".tracepatch_cache")).entries.map((e) => e.id);
  assert.ok(ids.length >= 2, "the fixture's runs");
  const listed = await tphIn(project.root, "completion", "runs");
  assert.equal(listed.code, 0);
  assert.deepEqual(listed.out.trimEnd().split("\n"), ["last", ...ids]);
  // Where no run is stored: last alone, and no error (a shell's completion prints none). A folder
  // of the test's own: /tmp itself is shared, and its runs are kept in the user's cache, where
  // another tph run from /tmp on this machine may have left some.
  const empty = mkdtempSync(join(tmpdir(), "tph-completion-"));
  try {
    const none = await tphIn(empty, "completion", "runs");
    assert.deepEqual([none.code, none.out.trimEnd(), none.err], [0, "last", ""]);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  // bash asks the tph on PATH, in the shell's folder, when a run is completed.
  using script = await scriptFile("bash");
  const bin = join(project.path, "bin");
  Deno.mkdirSync(bin);
  writeFileSync(
    join(bin, "tph"),
    `#!/bin/sh\nexec '${DENO}' run -A '${join(REPO, "cli.ts")}' "$@"\n`,
    { mode: 0o755 },
  );
  const [tree, diff, flags] = bashOffers(script.file, [
    ["tph", "tree", ""],
    ["tph", "diff", "last", ids[1].slice(0, 10)],
    ["tph", "tree", "--no"],
  ], { cwd: project.root, path: `${bin}:${process.env.PATH}` });
  assert.deepEqual(tree, ["last", ...ids]);
  assert.deepEqual(diff, ids.filter((id) => id.startsWith(ids[1].slice(0, 10))));
  assert.deepEqual(flags, ["--no-args", "--no-return"]);
  // zsh's and fish's scripts ask the same command.
  for (const shell of ["zsh", "fish"]) {
    const { out } = await tph("completion", shell);
    assert.ok(out.includes("tph completion runs 2>/dev/null"), shell);
  }
});
