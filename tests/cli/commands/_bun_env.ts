// On Bun, a command the program starts with no `env` of its own gets the environment the process
// started with (Bun's rule): under tph, without tph's variables (its settings file, the stack
// room), as plainly; and Bun.spawn prints as Bun's own.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, plain, type Target, tempDir, tph } from "./_cli.ts";

const PROGRAM =
  `const show = (r) => new TextDecoder().decode(r.stdout).split("\\n").filter((l) => /TPH|JSC|MYVAR/.test(l));
process.env.MYVAR = "set later";
console.log("no env", JSON.stringify(show(Bun.spawnSync(["env"]))));
console.log("env given", JSON.stringify(show(Bun.spawnSync(["env"], { env: { MYVAR: "given" } }))));
console.log("cmd form", JSON.stringify(show(Bun.spawnSync({ cmd: ["env"] }))));
const p = Bun.spawn(["env"], { stdout: "pipe" });
console.log("async", JSON.stringify((await new Response(p.stdout).text()).split("\\n").filter((l) => /TPH|JSC|MYVAR/.test(l))));
console.log(Bun.spawn.name, Bun.spawn.length, String(Bun.spawnSync));
`;

export function bunEnvTests(t: Target): void {
  Deno.test(`Bun.spawn with no env gives the child no variable of tph's, as plainly (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "spawn.mjs"), PROGRAM);
    writeFileSync(join(dir.path, "package.json"), "{}\n");
    const [p, r] = await Promise.all([
      plain(t, "spawn.mjs", [], { cwd: dir.path }),
      tph(t, ["run", "--no-cache", "spawn.mjs"], { cwd: dir.path }),
    ]);
    assertCode(p, 0, "plain");
    assertCode(r, 0, "tph run");
    assert.match(p.stdout, /^no env \[\]$/m);
    assert.equal(r.stdout, p.stdout);
  });
}
