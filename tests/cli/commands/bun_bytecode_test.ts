// On Bun from a checkout, tph's preload and CLI load as bytecode bundles that the running Bun builds
// when they are missing or stale (src/cli/launch/bun_bytecode.ts). Run in a copy of the checkout's
// sources (its node_modules linked), never the checkout itself: a test changes a source there.

import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, BUN, copyCheckoutSources, exec, tempDir } from "./_cli.ts";

const LOADER = "src/program/loader";

Deno.test("bun cli.ts: the preload and the CLI as bytecode, built when missing or stale", async () => {
  await using dir = tempDir();
  const tph = join(dir.path, "tph");
  copyCheckoutSources(tph);
  const cwd = join(dir.path, "p");
  mkdirSync(cwd);
  writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
  // The program's own command line, as the kernel has it: the preload tph gave Bun.
  writeFileSync(
    join(cwd, "cmdline.ts"),
    'import { readFileSync } from "node:fs";\n' +
      'const argv = readFileSync("/proc/self/cmdline", "utf8").split("\\0");\n' +
      'console.log(argv[argv.indexOf("--preload") + 1]);\n',
  );
  const run = async () => {
    const r = await exec([BUN, join(tph, "cli.ts"), "run", "--no-cache", "cmdline.ts"], { cwd });
    assertCode(r, 0, "tph run cmdline.ts");
    return r.stdout.trim();
  };
  const bundle = join(tph, LOADER, ".bun_preload.js");
  // None yet: the sources, and the bundles built before tph exits.
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  for (const name of [".bun_preload.js", ".bun_head.js", ".bun_cli.js"]) {
    for (const suffix of ["", ".jsc", ".map"]) {
      assert.ok(existsSync(join(tph, LOADER, name + suffix)), `${name}${suffix} was built`);
    }
  }
  const manifest = JSON.parse(readFileSync(join(tph, LOADER, ".bun_bytecode.json"), "utf8"));
  const inputs = manifest.inputs.map((i: [string]) => i[0]);
  for (
    const source of [
      "cli.ts",
      "src/cli/launch/head_file.ts",
      "src/cli/launch/head.ts",
      "src/cli/launch/early_start.ts",
      "src/program/preload.ts",
      "src/cli/commands/main.ts",
    ]
  ) {
    assert.ok(inputs.includes(source), `${source} among the sources: ${inputs}`);
  }
  // Fresh: the bundle.
  assert.equal(await run(), bundle);
  // A source changed: the sources again, and a new build. The head's bundle chose the bundles by
  // the manifest and the outputs: the program's process it started is told to quit once the
  // sources' stamps are read, and the program runs once, with the sources' preload.
  appendFileSync(join(tph, "src/program/settings.ts"), "\n// changed\n");
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  assert.equal(await run(), bundle);
  // One of the head's entries changed (what cli.ts calls in its bundle): the bundle is not loaded.
  appendFileSync(join(tph, "src/cli/launch/head.ts"), "\n// changed\n");
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  assert.equal(await run(), bundle);
  // A bundle cut short (a full disk, a killed build) or replaced: stale, so the sources run and the
  // bundle is built again; never a SyntaxError in the program's run.
  const whole = readFileSync(bundle);
  writeFileSync(bundle, whole.subarray(0, whole.length >> 1));
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  assert.equal(readFileSync(bundle).length, whole.length, "the cut bundle was built again");
  assert.equal(await run(), bundle);
  // The head start's bundle (head_file.ts) damaged: the same; the program runs once either way
  // (the CLI's bundle shares the head's modules, the early process among them).
  const headBundle = join(tph, LOADER, ".bun_head.js");
  const head = readFileSync(headBundle);
  writeFileSync(headBundle, head.subarray(0, head.length >> 1));
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  assert.equal(readFileSync(headBundle).length, head.length, "the cut head was built again");
  assert.equal(await run(), bundle);
  // The CLI's bundle serves the other commands too.
  const version = await exec([BUN, join(tph, "cli.ts"), "--version"], { cwd });
  assertCode(version, 0, "tph --version");
  assert.match(version.stdout, /^tph \S+ \(bun /);
});
