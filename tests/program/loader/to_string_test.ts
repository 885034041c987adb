// Function.prototype.toString of instrumented functions on the paths the spec suite does not take:
// a Deno run whose files all come from the transform cache (the parser is then not loaded in the
// program's thread, and the text is mapped back through the parser worker), and a program whose
// own text holds tph's table prefix.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, BUN, DENO, exec, REPO, tempDir } from "../../cli/commands/_cli.ts";

const PROGRAM = `
import { helper } from "./lib.js";
function add(a, b = "__tph_b_notatable") {
  return a + b;
}
class Box { get v() { return 1 } }
console.log(String(add));
console.log(String(helper));
console.log(Box.toString());
console.log(add(1, 2), helper());
`;
const LIB = `export const helper = () => JSON.stringify({ ok: true });\n`;

for (const runtime of ["deno", "bun"] as const) {
  Deno.test(`toString gives the source on a run from the transform cache (${runtime})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "main.js"), PROGRAM);
    writeFileSync(join(dir.path, "lib.js"), LIB);
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    const cache = join(dir.path, "transforms");
    mkdirSync(cache, { mode: 0o700 });
    const env = { TPH_TRANSFORM_CACHE: cache };
    const plain = await exec(
      runtime === "deno" ? [DENO, "run", "-A", "main.js"] : [BUN, "main.js"],
      { cwd: dir.path },
    );
    assertCode(plain, 0, "plain");
    const tph = runtime === "deno"
      ? [DENO, "run", "-A", join(REPO, "cli.ts"), "run", "main.js"]
      : [BUN, join(REPO, "cli.ts"), "run", "main.js"];
    for (const which of ["first run (instruments)", "second run (from the cache)"]) {
      const traced = await exec(tph, { cwd: dir.path, env });
      assertCode(traced, 0, which);
      assert.equal(traced.stdout, plain.stdout, which);
      assert.ok(!traced.stdout.includes("__tph_c"), which);
    }
  });
}

Deno.test("toString on Bun follows the JSX settings of the file's tsconfig.json", async () => {
  await using dir = tempDir();
  writeFileSync(
    join(dir.path, "tsconfig.json"),
    '{ "compilerOptions": { "jsx": "react", "jsxFactory": "h" } }\n',
  );
  mkdirSync(join(dir.path, "src"));
  writeFileSync(
    join(dir.path, "src/main.tsx"),
    `const h = (tag: string, props: unknown, ...children: unknown[]) => ({ tag, props, children });
function Item({ label }: { label: string }) {
  return <li class="item">{label}</li>;
}
console.log(String(Item), JSON.stringify(Item({ label: "x" })));
`,
  );
  const plain = await exec([BUN, "src/main.tsx"], { cwd: dir.path });
  assertCode(plain, 0, "plain");
  assert.match(plain.stdout, /h\("li"/);
  const traced = await exec([BUN, join(REPO, "cli.ts"), "run", "src/main.tsx"], { cwd: dir.path });
  assertCode(traced, 0, "traced");
  assert.equal(traced.stdout, plain.stdout);
});
