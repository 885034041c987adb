import assert from "node:assert/strict";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO } from "../_harness.ts";

// Run from tph's own checkout (as the README's quick start does), the project root is tph's
// repo: tph must still never instrument its own sources, or a program's trace() records tph.
for (const rt of ["deno", "bun"] as const) {
  Deno.test(`tph run never traces tph's own sources (${rt})`, () => {
    const cache = mkdtempSync(join(tmpdir(), "tph-own-"));
    try {
      const argv = rt === "deno"
        ? [BIN.deno, "run", "-A", join(REPO, "cli.ts")]
        : [BIN.bun, join(REPO, "cli.ts")];
      const r = spawnSync(argv[0], [
        ...argv.slice(1),
        "run",
        "--cache-dir",
        cache,
        "--tree",
        "examples/quickstart_sync.ts",
      ], {
        cwd: REPO,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 120_000,
        killSignal: "SIGKILL",
      });
      assert.equal(r.status, 0, r.stderr);
      // The program's own trace() block shows its calls...
      assert.match(r.stdout, /handleRequest\(\) -> \{ id: 42, name: "Alice" \}/);
      assert.match(r.stdout, /fetchUser\(userId=42\)/);
      // ...and nothing of tph's recorder or renderer was recorded by the run.
      assert.doesNotMatch(r.stderr, /TraceHandle|renderTree|trace\(/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
}
