// On Deno from a checkout, `tph run`'s preload and the CLI after its head start load as one module
// each, which the running Deno bundles when they are missing or stale (src/cli/launch/deno_bundle.ts). Run in a copy of the checkout's
// sources (its node_modules linked), never the checkout itself: a test changes a source there.

import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { assertCode, copyCheckoutSources, DENO, exec, tempDir } from "./_cli.ts";

const LOADER = "src/program/loader";

Deno.test("deno cli.ts: the preload as one module, built when missing or stale", async () => {
  await using dir = tempDir();
  const tph = join(dir.path, "tph");
  copyCheckoutSources(tph);
  const cwd = join(dir.path, "p");
  mkdirSync(cwd);
  // The program's own command line, as the kernel has it: the preload tph gave Deno; and a
  // function traced, whose call the run holds either way.
  writeFileSync(
    join(cwd, "cmdline.ts"),
    "function preloadOf(argv: string[]): string {\n" +
      '  return argv[argv.indexOf("--preload") + 1];\n' +
      "}\n" +
      'console.log(preloadOf(Deno.readTextFileSync("/proc/self/cmdline").split("\\0")));\n',
  );
  const run = async () => {
    const r = await exec([DENO, "run", "-A", join(tph, "cli.ts"), "run", "cmdline.ts"], { cwd });
    assertCode(r, 0, "tph run cmdline.ts");
    assert.match(r.stderr, /\b1 call recorded\b/);
    return r.stdout.trim();
  };
  const source = join(tph, "src/program/preload.ts");
  const bundle = join(tph, LOADER, ".deno_preload.js");
  // None yet: the sources, and the bundle built before tph exits.
  assert.equal(await run(), source);
  assert.ok(existsSync(bundle), "the bundle was built");
  const manifest = JSON.parse(readFileSync(join(tph, LOADER, ".deno_bundle.json"), "utf8"));
  const inputs = manifest.inputs.map((i: [string]) => i[0]);
  for (
    const file of [
      "src/program/preload.ts",
      "src/program/child.ts",
      "src/program/settings.ts",
      // The CLI's: its entry, a command it imports when run, the head start left out of it.
      "src/cli/commands/main.ts",
      "src/cli/commands/tree_command.ts",
      "src/cli/launch/early_start.ts",
      "cli.ts",
    ]
  ) {
    assert.ok(inputs.includes(file), `${file} among the sources: ${inputs}`);
  }
  assert.ok(!readdirSync(join(tph, LOADER)).some((n) => n.includes(".deno_bundle.build")));
  // Fresh: the bundle; and the CLI's bundle is what runs (a text of it changed, its size kept,
  // shows in the command's output), importing the head start's shared modules from the head's
  // bundle (the process it started early is the one it runs).
  assert.equal(await run(), bundle);
  const cli = join(tph, LOADER, ".deno_cli.js");
  const cliText = readFileSync(cli, "utf8");
  assert.ok(!cliText.includes("\n// node_modules/"), "no package bundled in");
  assert.match(
    cliText,
    /^import \{ [^}]*\b__tph\d+_takeEarly as takeEarly\b[^}]* \} from "\.\/\.deno_head\.js";$/m,
  );
  assert.doesNotMatch(cliText, /from "[^"]*\.ts"/, "no source imported");
  assert.ok(!cliText.includes(tph), "no absolute path of the checkout in it");
  writeFileSync(cli, cliText.replace("; view it with: ", "; VIEW IT WITH: "));
  const marked = await exec([DENO, "run", "-A", join(tph, "cli.ts"), "run", "cmdline.ts"], { cwd });
  assertCode(marked, 0, "tph run cmdline.ts");
  assert.match(marked.stderr, /VIEW IT WITH: tph tree/);
  assert.equal(marked.stdout.trim(), bundle);
  // A source of both changed: the sources again, the CLI's too (not its marked bundle), and a new
  // build.
  appendFileSync(join(tph, "src/program/settings.ts"), "\n// changed\n");
  const shared = await exec([DENO, "run", "-A", join(tph, "cli.ts"), "run", "cmdline.ts"], { cwd });
  assertCode(shared, 0, "tph run cmdline.ts");
  assert.equal(shared.stdout.trim(), source);
  assert.doesNotMatch(shared.stderr, /VIEW IT WITH/);
  assert.equal(await run(), bundle);
  // A source of the CLI's alone changed (the program's side the same): the CLI's sources run, as
  // the change says, and the bundles are built again, with it.
  const main = join(tph, "src/cli/commands/main.ts");
  appendFileSync(main, '\nconsole.error("the CLI changed");\n');
  const changed = await exec([DENO, "run", "-A", join(tph, "cli.ts"), "run", "cmdline.ts"], {
    cwd,
  });
  assertCode(changed, 0, "tph run cmdline.ts");
  assert.match(changed.stderr, /the CLI changed/);
  assert.doesNotMatch(changed.stderr, /VIEW IT WITH/);
  assert.match(readFileSync(cli, "utf8"), /the CLI changed/, "the CLI's bundle built again");
  assert.equal(await run(), bundle);
  // A bundle cut short (a full disk, a killed build) or replaced: stale, so the sources run and
  // the bundle is built again; never a SyntaxError in the program's run.
  const whole = readFileSync(bundle);
  writeFileSync(bundle, whole.subarray(0, whole.length >> 1));
  assert.equal(await run(), source);
  assert.equal(readFileSync(bundle).length, whole.length, "the cut bundle was built again");
  assert.equal(await run(), bundle);
});

Deno.test("deno cli.ts: the head start as one module, never stale nor cut", async () => {
  await using dir = tempDir();
  const tph = join(dir.path, "tph");
  copyCheckoutSources(tph);
  const cwd = join(dir.path, "p");
  mkdirSync(cwd);
  writeFileSync(join(cwd, "hello.ts"), 'function hi() {\n  return "hi";\n}\nconsole.log(hi());\n');
  const run = async () => {
    const r = await exec([DENO, "run", "-A", join(tph, "cli.ts"), "run", "hello.ts"], { cwd });
    assertCode(r, 0, "tph run hello.ts");
    assert.match(r.stderr, /\b1 call recorded\b/);
    // The program ran once (a process started early and given up never runs it).
    assert.equal(r.stdout, "hi\n");
    return r.stderr;
  };
  const head = join(tph, LOADER, ".deno_head.js");
  // None yet: built before tph exits, whole (no import of a source or a package).
  await run();
  assert.ok(existsSync(head), "the head's bundle was built");
  const manifest = JSON.parse(readFileSync(join(tph, LOADER, ".deno_bundle.json"), "utf8"));
  assert.equal(manifest.headSize, readFileSync(head).length);
  // Fresh: the head's bundle is what runs (a line of it changed, its size kept, shows).
  const text = readFileSync(head, "utf8");
  const comment = "// src/cli/launch/head.ts\n";
  const mark = 'console.error("HEADBUN");\n';
  assert.equal(mark.length, comment.length);
  assert.ok(text.includes(comment), "head.ts in the head's bundle");
  writeFileSync(head, text.replace(comment, mark));
  assert.match(await run(), /HEADBUN/);
  // A source of the head start changed, not one checked before it loads: the bundle's head start
  // is given up after the spawn, the sources' runs (once), and the bundles are built again.
  appendFileSync(join(tph, "src/cli/launch/early_start.ts"), "\n// changed\n");
  const after = await run();
  assert.match(after, /HEADBUN/, "the bundle's head start loaded first");
  assert.equal(readFileSync(head, "utf8"), text, "the head's bundle built again");
  assert.doesNotMatch(await run(), /HEADBUN/);
  // One of the head's entries changed (head.ts): the sources from the start.
  writeFileSync(head, text.replace(comment, mark));
  const source = join(tph, "src/cli/launch/head.ts");
  appendFileSync(source, '\nconsole.error("HEADSRC");\n');
  const entry = await run();
  assert.match(entry, /HEADSRC/);
  assert.doesNotMatch(entry, /HEADBUN/);
  // Cut short: the sources, never a SyntaxError; built again.
  const whole = readFileSync(head);
  writeFileSync(head, whole.subarray(0, whole.length >> 1));
  const cut = await run();
  assert.doesNotMatch(cut, /SyntaxError/);
  assert.equal(readFileSync(head).length, whole.length, "the cut bundle was built again");
  // The head's bundle runs again; "HEADSRC" printed from it now (the bundle of the changed head).
  assert.match(await run(), /HEADSRC/);
});
