// A temporary project with the run fixtures copied into its .tracepatch_cache.

import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** tests/fixtures/runs. */
export const RUN_FIXTURES = fileURLToPath(new URL("../fixtures/runs", import.meta.url));

/** The ids of the usable fixtures, newest first (as `tph logs` numbers them). */
export const FIXTURE_IDS = [
  "20261122T081502_123_server_c0ffee",
  "20261121T101500_250_3f9e7d",
  "20261120T091500_042_checkout_a1b2c3",
  "trace_request",
];

const created: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder (symlinks resolved, so paths compare equal), removed at exit. */
export function tempDir(prefix = "tph_test_"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  created.push(dir);
  return dir;
}

/** A temporary project (it has a package.json) whose cache holds every run fixture. */
export function projectWithRuns(): { root: string; cacheDir: string } {
  const root = tempDir();
  writeFileSync(join(root, "package.json"), '{ "name": "demo", "type": "module" }\n');
  const cacheDir = join(root, ".tracepatch_cache");
  cpSync(RUN_FIXTURES, cacheDir, { recursive: true });
  return { root, cacheDir };
}
