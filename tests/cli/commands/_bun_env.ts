// On Bun, a command the program starts with no `env` of its own gets the environment the process
// started with (Bun's rule): under tph, without tph's variables (its settings file, the stack
// room), as plainly; and Bun.spawn prints as Bun's own. A worker's `process.execArgv` (the
// process's as it started, unless its options give one) holds no `--preload` of tph's.

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
const { Worker } = await import("node:worker_threads");
const argvOf = (options) => new Promise((resolve) => {
  const w = new Worker("require('node:worker_threads').parentPort.postMessage(process.execArgv)", { eval: true, ...options });
  w.on("message", (m) => { w.terminate(); resolve(m); });
});
console.log("worker", JSON.stringify(await argvOf({})), JSON.stringify(await argvOf({ execArgv: ["--own"] })));
const web = new globalThis.Worker(new URL("./argv.js", import.meta.url).href);
console.log("web worker", JSON.stringify(await new Promise((resolve) => { web.onmessage = (e) => resolve(e.data); })));
web.terminate();
class Sub extends Worker {}
console.log(new Sub("1", { eval: true }).terminate() instanceof Promise, String(globalThis.Worker));
// A process started from the same executable, and the one it starts in turn.
const child = Bun.spawnSync([process.execPath, "child.mjs"]);
process.stdout.write(new TextDecoder().decode(child.stdout));
`;

const CHILD = `const r = Bun.spawnSync(["env"]);
console.log("grandchild", JSON.stringify(new TextDecoder().decode(r.stdout).split("\\n").filter((l) => /TPH|JSC|BUN_BE/.test(l))));
console.log("child execArgv", JSON.stringify(process.execArgv));
`;

export function bunEnvTests(t: Target): void {
  Deno.test(`Bun.spawn with no env gives the child no variable of tph's, a worker no option of tph's, as plainly (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "spawn.mjs"), PROGRAM);
    writeFileSync(join(dir.path, "argv.js"), "postMessage(process.execArgv);\n");
    writeFileSync(join(dir.path, "child.mjs"), CHILD);
    writeFileSync(join(dir.path, "package.json"), "{}\n");
    const [p, r] = await Promise.all([
      plain(t, "spawn.mjs", [], { cwd: dir.path }),
      tph(t, ["run", "--no-cache", "spawn.mjs"], { cwd: dir.path }),
    ]);
    assertCode(p, 0, "plain");
    assertCode(r, 0, "tph run");
    assert.match(p.stdout, /^no env \[\]$/m);
    assert.match(p.stdout, /^worker \[\] \["--own"\]$/m);
    assert.match(p.stdout, /^grandchild \[\]\nchild execArgv \[\]$/m);
    assert.equal(r.stdout, p.stdout);
  });
}
