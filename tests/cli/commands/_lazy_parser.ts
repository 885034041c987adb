// The parser is loaded when a file is first parsed, not before the program: a run whose files all
// come from the transform cache never loads it (on Node and Bun; Deno loads it up front when its
// manifest expects a parse). A scope that takes in the parser's own files does not change that:
// they are tph's own, never traced (deps.ts, depsFolders), loaded up front or not.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, REPO, type Target, tempDir, tph } from "./_cli.ts";

const PROGRAM = `import { createRequire } from "node:module";
import { double } from "./lib/util.mjs";
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .some((k) => k.includes("/oxc-parser/"));
console.log(double(2), "parser loaded:", loaded);
`;

export function lazyParserTests(t: Target): void {
  if (t.runtime === "deno" || t.name === "binary") return;
  Deno.test(`tph run: the parser is not loaded for a run whose files are all in the transform cache, with --include too (${t.name})`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    mkdirSync(join(cwd, "lib"));
    writeFileSync(join(cwd, "lib/util.mjs"), "export function double(x) { return x * 2; }\n");
    writeFileSync(join(cwd, "main.mjs"), PROGRAM);
    // The parser's package taken into the scope: still tph's own, loaded only when needed.
    const parserScope = ["--scope", ".", "--scope", join(REPO, "node_modules/oxc-parser")];
    for (const [k, flags] of [[], ["--include", "lib/**"], parserScope].entries()) {
      // A transform cache of its own for each.
      const env = { TPH_TRANSFORM_CACHE: join(cwd, `transforms${k}`) };
      for (const round of ["first", "cached"]) {
        const run = await tph(t, ["run", ...flags, "--no-cache", "main.mjs"], { cwd, env });
        assertCode(run, 0, `tph run ${flags.join(" ")} (${round})`);
        // The first run parses its files; the second finds them in the cache.
        const loaded = round === "first";
        assert.equal(run.stdout, `4 parser loaded: ${loaded}\n`, `${flags.join(" ")} ${round}`);
      }
    }
  });
}
