// trace() blocks under `tph run`: each finished block is stored as a run of its own (auto_save),
// beside the whole-program run; `tph run --blocks` (blocks_only) records only inside blocks and
// stores only them; the summary line names them, and --tree draws them.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../_harness.ts";
import { assertCode, lines, type Target, tempDir, tph, viewJson } from "./_cli.ts";

const PROGRAM = `import { trace } from ${JSON.stringify(join(REPO, "mod.ts"))};
function fetchUser(userId: number) { return { id: userId, name: "Alice" }; }
function handleRequest() { return fetchUser(42); }
handleRequest();
const t = trace.run(() => handleRequest(), { label: "request" });
console.log(t.callCount);
`;

async function withProject(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  await using dir = tempDir();
  writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  await body(dir.path);
}

export function blockTests(t: Target): void {
  Deno.test(`tph run stores each trace() block as a run beside the program's (${t.name})`, () =>
    withProject({ "main.ts": PROGRAM }, async (dir) => {
      const r = await tph(t, ["run", "main.ts"], { cwd: dir });
      assertCode(r, 0, "tph run");
      assert.equal(r.stdout, "2\n");
      const err = lines(r.stderr);
      assert.equal(
        err.at(-2),
        "tph: 1 trace() block stored as a run of its own: tph logs lists it",
      );
      // `last` would name the block (it started after the program): the hint names the run.
      assert.match(
        err.at(-1)!,
        /^tph: 2 calls recorded in .*; view it with: tph tree \.tracepatch_cache\/run_\S+\.tph$/,
      );
      const logs = await tph(t, ["logs"], { cwd: dir });
      const rows = lines(logs.stdout).slice(1);
      assert.equal(rows.length, 2, logs.stdout);
      // Newest first: the block started after the program.
      assert.match(rows[0], / request +main\.ts +2 .* block +-$/);
      assert.match(
        rows[1],
        / - +main\.ts +2 .* ok +-$/,
        "the whole run: the call outside the block",
      );
      const block = await viewJson(t, "1", { cwd: dir });
      assert.equal(block.run?.block, true);
      const tree = await tph(t, ["tree", "1", "--no-args", "--no-return"], { cwd: dir });
      assert.deepEqual(lines(tree.stdout).map((l) => l.replace(/ {2}\[.*$/, "")), [
        "└── handleRequest()",
        "    └── fetchUser()",
      ]);
    }));

  Deno.test(`tph run --blocks records and stores only the blocks (${t.name})`, () =>
    withProject({ "main.ts": PROGRAM }, async (dir) => {
      const r = await tph(t, ["run", "--blocks", "--tree", "main.ts"], { cwd: dir });
      assertCode(r, 0, "tph run --blocks");
      assert.equal(r.stdout, "2\n");
      const err = lines(r.stderr);
      assert.equal(err[0], "request:");
      assert.match(err[1], /^└── handleRequest\(\) -> \{ id: 42, name: "Alice" \}/);
      assert.match(
        err.at(-1)!,
        /^tph: 1 trace\(\) block recorded 2 calls; stored \.tracepatch_cache\/run_\S+_request_\S+\.tph; view it with: tph tree \S+$/,
      );
      const logs = await tph(t, ["logs"], { cwd: dir });
      assert.equal(lines(logs.stdout).length, 2, "one run: the block's");
    }));

  Deno.test(`blocks_only = true in the config is --blocks; auto_save = false stores none (${t.name})`, () =>
    withProject({
      "main.ts": PROGRAM,
      "tracepatch.toml": "blocks_only = true\nauto_save = false\n",
    }, async (dir) => {
      const r = await tph(t, ["run", "main.ts"], { cwd: dir });
      assertCode(r, 0, "tph run");
      assert.equal(r.stdout, "2\n");
      assert.equal(
        lines(r.stderr).at(-1),
        "tph: 1 trace() block recorded; not stored (auto_save = false): the program has them",
      );
      const logs = await tph(t, ["logs"], { cwd: dir });
      assert.match(logs.stdout, /^No runs in /, "nothing stored");
    }));

  Deno.test(`tph run --blocks of a program without blocks says so; -o is refused (${t.name})`, () =>
    withProject({ "main.ts": "function f() { return 1; }\nconsole.log(f());\n" }, async (dir) => {
      const r = await tph(t, ["run", "--blocks", "main.ts"], { cwd: dir });
      assertCode(r, 0, "tph run --blocks");
      assert.equal(
        lines(r.stderr).at(-1),
        "tph: nothing recorded: --blocks records only inside trace() blocks, and the program " +
          "started none",
      );
      const o = await tph(t, ["run", "--blocks", "-o", "x.json", "main.ts"], { cwd: dir });
      assertCode(o, 2, "tph run --blocks -o");
      assert.match(
        o.stderr,
        /^tph: -o writes the whole-program run, which --blocks does not record/,
      );
    }));
}
