// Node's compile cache as tph turns it on (src/platform/compile_cache.ts): in tph's own cache
// folder when that folder is private, never in Node's shared default (/tmp/node-compile-cache),
// and the user's NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE as they are.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE, REPO } from "./_cli.ts";

/** The folder Node's compile cache is in after enableCompileCache(), as a process sees it. */
function cacheDirWith(env: Record<string, string>): string {
  const script = `import { enableCompileCache } from ${
    JSON.stringify(join(REPO, "src/platform/compile_cache.ts"))
  };
enableCompileCache();
const m = process.getBuiltinModule("node:module");
console.log(JSON.stringify(m.getCompileCacheDir?.() ?? null));`;
  const r = spawnSync(NODE, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", ...env },
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

Deno.test("Node's compile cache: in tph's cache folder when it is private, else none", () => {
  const home = mkdtempSync(join(tmpdir(), "tph-compile-cache-"));
  try {
    const tph = join(home, ".cache/tph");
    // No tph folder yet (no tph run made it): no cache, not Node's shared default.
    assert.equal(cacheDirWith({ HOME: home }), null);
    mkdirSync(tph, { recursive: true, mode: 0o700 });
    chmodSync(tph, 0o700);
    const dir = cacheDirWith({ HOME: home });
    assert.ok(dir !== null && dir.startsWith(join(tph, "node-compile-cache")), String(dir));
    // XDG_CACHE_HOME first, as for tph's other caches.
    const xdg = join(home, "xdg");
    mkdirSync(join(xdg, "tph"), { recursive: true, mode: 0o700 });
    chmodSync(join(xdg, "tph"), 0o700);
    const xdgDir = cacheDirWith({ HOME: home, XDG_CACHE_HOME: xdg });
    assert.ok(xdgDir?.startsWith(join(xdg, "tph/node-compile-cache")), String(xdgDir));
    // A folder others may write: not used.
    chmodSync(tph, 0o777);
    assert.equal(cacheDirWith({ HOME: home }), null);
    chmodSync(tph, 0o700);
    // The user's own choices stand.
    const own = join(home, "own-cache");
    assert.ok(cacheDirWith({ HOME: home, NODE_COMPILE_CACHE: own })?.startsWith(own));
    assert.equal(cacheDirWith({ HOME: home, NODE_DISABLE_COMPILE_CACHE: "1" }), null);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
