// The CLI's entry loads the command table, not the commands' work: `tph --help`, `tph --version`
// and `tph logs` do not load the exporters, the page writer, the setup code or the launcher. Read
// from Deno's module graph of main.ts, dynamic imports left out.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DENO, REPO } from "./_cli.ts";

interface Info {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { isDynamic?: boolean; code?: { specifier?: string } }[];
  }[];
}

/** The modules a module loads before any dynamic import, as paths in the repository. */
function staticGraph(entry: string): string[] {
  const r = spawnSync(DENO, ["info", "--json", join(REPO, entry)], {
    cwd: REPO,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as Info;
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      if (!d.isDynamic && d.code?.specifier) todo.push(d.code.specifier);
    }
  }
  const prefix = new URL(`file://${REPO}/`).href;
  return [...seen].map((s) => s.startsWith(prefix) ? s.slice(prefix.length) : s).sort();
}

Deno.test("the CLI's entry loads the command table, no command's work", () => {
  const graph = staticGraph("src/cli/commands/main.ts");
  assert.ok(graph.includes("src/cli/commands/commands.ts"), graph.join("\n"));
  const heavy = graph.filter((m) =>
    /_command\.ts$/.test(m) ||
    /^src\/tph\/(export|html|setup|diff|store)\//.test(m) &&
      !/\/(formats|test_file_name|store_error)\.ts$/.test(m) ||
    /^src\/tph\/launch\/run_program\.ts$/.test(m) ||
    // own_files.ts: where tph's files are (command.ts's preloads), constants with no imports.
    /^src\/program\/(loader|instrument)\//.test(m) && !/\/loader\/own_files\.ts$/.test(m) ||
    !m.startsWith("src/")
  );
  assert.deepEqual(heavy, []);
});

Deno.test("tph run loads what it needs once the program has ended only after writing its settings", () => {
  // The program's process waits for its settings: what reading the run, drawing the tree,
  // exporting and keeping the cache in bounds need loads while the program runs (run_after.ts).
  const graph = staticGraph("src/cli/commands/run_command.ts");
  assert.ok(graph.includes("src/cli/launch/run_program.ts"), graph.join("\n"));
  const after = graph.filter((m) =>
    /^src\/(run_file\/(decode|json_run|call_records)|render\/(tree|summary|draw_calls)|store\/(list_runs|prune_runs|runs))\.ts$/
      .test(m) ||
    /^src\/cli\/(export|html)\//.test(m) && !/\/formats\.ts$/.test(m) ||
    /^src\/cli\/(commands\/(export_command|test_report)|launch\/child_runs)\.ts$/.test(m)
  );
  assert.deepEqual(after, []);
});
