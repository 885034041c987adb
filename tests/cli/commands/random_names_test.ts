// tph names temporary files in the program's process too (a manifest or a run replaced when the
// program ends): the random part comes from Web Crypto's method taken before the program runs (on
// Node from the system's random device, Web Crypto left unloaded), never through
// Function.prototype.bind or a method the program may have replaced on Crypto.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, BUN, DENO, exec, NODE, REPO, tempDir } from "./_cli.ts";

const PROGRAM = `import { randomHex } from ${JSON.stringify(join(REPO, "src/platform/files.ts"))};
// Node: loading files.ts loads no Web Crypto (4–9 ms of a start); the line replacing Crypto's
// method below does.
const webCrypto = globalThis.process?.moduleLoadList?.some((m) => m.includes("crypto/webcrypto"));
const called = [];
const bind = Function.prototype.bind;
Function.prototype.bind = function () { called.push("bind"); return bind.apply(this, arguments); };
Crypto.prototype.getRandomValues = function () { called.push("getRandomValues"); return []; };
const hex = randomHex(4);
console.log(JSON.stringify({ hex, called, webCrypto: webCrypto ?? false }));
`;

for (
  const [name, argv] of [
    ["node", [NODE]],
    ["deno", [DENO, "run", "-A"]],
    ["bun", [BUN]],
  ] as const
) {
  Deno.test(`random names in the program's process call none of its built-ins (${name})`, async () => {
    await using dir = tempDir();
    const file = join(dir.path, "names.mts");
    writeFileSync(file, PROGRAM);
    const r = await exec([...argv, file], { cwd: dir.path });
    assertCode(r, 0, `${name} names.mts`);
    const { hex, called, webCrypto } = JSON.parse(r.stdout);
    assert.match(hex, /^[0-9a-f]{8}$/);
    assert.deepEqual(called, [], "no patched built-in ran");
    if (name === "node") assert.equal(webCrypto, false, "files.ts loaded no Web Crypto");
  });
}
