// Node's manifest (src/program/loader/manifest.ts, node.ts): a re-run takes each unchanged file's
// transform cache key from the last run, so the program's process never loads node:crypto; and
// only for a source that is the file's own bytes: another loader's hook before tph's may give a
// changed source for a file whose size and time stay the same, which must not be served the entry
// of what it gave before.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTraced } from "../../_harness.ts";

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-node-manifest-"));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The program prints its word and whether node:crypto was loaded before its first line.
const MAIN = `const crypto = (process as any).moduleLoadList.includes("NativeModule crypto");
function word(): string {
  return "alpha";
}
console.log(word(), crypto ? "crypto" : "-");
`;

// Another loader's hook, registered before tph's (NODE_OPTIONS' --require comes first): it gives
// main.ts with its word replaced by $WORD (the same length).
const HOOK = `const { registerHooks } = require("node:module");
registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    if (!url.endsWith("/main.ts")) return result;
    const text = Buffer.from(result.source).toString("utf8");
    return { ...result, source: text.replace("alpha", process.env.WORD ?? "alpha") };
  },
});
`;

Deno.test("Node: a re-run takes the key from the manifest and loads no node:crypto", () => {
  withDir((dir) => {
    const main = join(dir, "main.ts"), cache = join(dir, "cache");
    writeFileSync(main, MAIN);
    const run = () => runTraced("node", main, { transformCacheDir: cache, timeoutMs: 60_000 });
    const first = run();
    assert.equal(first.stderr, "");
    // A first run hashes its file for the key.
    assert.equal(first.stdout, "alpha crypto\n");
    assert.equal(first.trace?.ending.files, 1);
    const [manifest] = readdirSync(join(cache, "manifests"));
    const saved = JSON.parse(readFileSync(join(cache, "manifests", manifest), "utf8"));
    assert.deepEqual(saved.files.map((f: unknown[]) => [f[0], f[1]]), [
      [main, statSync(main).size],
    ]);
    const second = run();
    assert.equal(second.stderr, "");
    // The program's own check runs after tph's hook has taken the key: no hash was needed.
    assert.equal(second.stdout, "alpha -\n");
    assert.equal(second.trace?.call_count, 1, "the function is recorded");
  });
});

Deno.test("Node: a source another hook changed under the same size and time is not served stale", () => {
  withDir((dir) => {
    const main = join(dir, "main.ts"), hook = join(dir, "hook.cjs"), cache = join(dir, "cache");
    writeFileSync(main, MAIN);
    writeFileSync(hook, HOOK);
    const run = (word: string) =>
      runTraced("node", main, {
        transformCacheDir: cache,
        timeoutMs: 60_000,
        env: { WORD: word, NODE_OPTIONS: `--require ${hook}` },
      });
    const mtime = statSync(main).mtimeMs;
    for (const word of ["alpha", "gamma", "gamma", "delta", "alpha"]) {
      const r = run(word);
      assert.equal(r.stderr, "", word);
      assert.match(r.stdout, new RegExp(`^${word} `), `the hook's ${word}`);
    }
    assert.equal(statSync(main).mtimeMs, mtime, "the file itself never changed");
  });
});
