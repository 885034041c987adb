// On Bun from a checkout, tph's preload and CLI load as bytecode bundles that the running Bun builds
// when they are missing or stale (src/cli/launch/bun_bytecode.ts). Run in a copy of the checkout's
// sources (its node_modules linked), never the checkout itself: a test changes a source there.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertCode, BUN, copyCheckoutSources, exec, tempDir } from "./_cli.ts";

const LOADER = "src/program/loader";

/** A copy of the checkout's sources (`tph`) in `dir`, and a program's folder (`cwd`) beside it. */
function checkoutCopy(dir: string, packageJson = '{ "type": "module" }\n') {
  const tph = join(dir, "tph");
  copyCheckoutSources(tph);
  const cwd = join(dir, "p");
  mkdirSync(cwd);
  writeFileSync(join(cwd, "package.json"), packageJson);
  return { tph, cwd };
}

/**
 * A bundle's text without the name of the folder it was built in, which has the building process's
 * pid (and its comments name it): two builds of the same sources give the same.
 */
function built(bundle: string | Uint8Array): string {
  const text = typeof bundle === "string"
    ? readFileSync(bundle, "utf8")
    : Buffer.from(bundle).toString();
  return text.replaceAll(/\.bun_bytecode\.build-\d+\//g, ".bun_bytecode.build-PID/");
}

Deno.test("bun cli.ts: the preload and the CLI as bytecode, built when missing or stale", async () => {
  await using dir = tempDir();
  const { tph, cwd } = checkoutCopy(dir.path);
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
  assert.equal(built(bundle), built(whole), "the cut bundle was built again, the same");
  assert.equal(await run(), bundle);
  // The head start's bundle (head_file.ts) damaged: the same; the program runs once either way
  // (the CLI's bundle shares the head's modules, the early process among them).
  const headBundle = join(tph, LOADER, ".bun_head.js");
  const head = readFileSync(headBundle);
  writeFileSync(headBundle, head.subarray(0, head.length >> 1));
  assert.equal(await run(), join(tph, "src/program/preload.ts"));
  assert.equal(built(headBundle), built(head), "the cut head was built again, the same");
  assert.equal(await run(), bundle);
  // The CLI's bundle serves the other commands too.
  const version = await exec([BUN, join(tph, "cli.ts"), "--version"], { cwd });
  assertCode(version, 0, "tph --version");
  assert.match(version.stdout, /^tph \S+ \(bun /);
});

// The preload as a core and a rest (src/cli/launch/bun_preload_split.ts): a run whose files all come
// from the transform cache never reads the rest; a miss loads it, and traces as the sources do.
Deno.test("bun cli.ts: the preload's rest is loaded on a transform-cache miss only", async () => {
  await using dir = tempDir();
  const { tph, cwd } = checkoutCopy(dir.path);
  writeFileSync(
    join(cwd, "add.ts"),
    "function add(a: number, b: number) { return a + b; }\nconsole.log(add(2, 3));\n",
  );
  let caches = 0;
  const run = async (cache: string, code = 0) => {
    const r = await exec([BUN, join(tph, "cli.ts"), "run", "--tree", "--no-cache", "add.ts"], {
      cwd,
      env: { XDG_CACHE_HOME: join(dir.path, cache) },
    });
    assertCode(r, code, "tph run add.ts");
    return r;
  };
  // The bundles built (from the sources' run), then a miss and a hit through them.
  await run(`cache${caches++}`);
  const rest = join(tph, LOADER, ".bun_preload_rest.js");
  assert.ok(existsSync(rest) && existsSync(`${rest}.jsc`), "the rest was built");
  const manifest = JSON.parse(readFileSync(join(tph, LOADER, ".bun_bytecode.json"), "utf8"));
  assert.equal(manifest.outputs.length, 6, "head_file.ts's six outputs");
  assert.deepEqual(manifest.rest.map((o: [string]) => o[0]), [rest, `${rest}.jsc`]);
  const cache = `cache${caches++}`;
  for (const what of ["a miss", "a hit"]) {
    const r = await run(cache);
    assert.equal(r.stdout, "5\n", what);
    assert.match(r.stderr, /add\(a=2, b=3\) -> 5/, what);
  }
  // The rest replaced by a file of the same sizes that cannot load: a hit never reads it...
  for (const file of [rest, `${rest}.jsc`]) {
    const size = readFileSync(file).length;
    const broken = Buffer.alloc(size, " ");
    broken.write('throw new Error("the rest was loaded");\n');
    writeFileSync(file, broken);
  }
  const hit = await run(cache);
  assert.equal(hit.stdout, "5\n");
  assert.match(hit.stderr, /add\(a=2, b=3\) -> 5/);
  // ...and a miss does (so the check above means something).
  // (the file is then left untraced, as any the rewriter fails on: the program runs as plainly).
  const miss = await run(`cache${caches++}`);
  assert.equal(miss.stdout, "5\n");
  assert.match(miss.stderr, /^tph: warning: add\.ts is not traced: the rest was loaded$/m);
  assert.doesNotMatch(miss.stderr, /add\(a=2, b=3\) -> 5/);
});

// A program that replaces node:module's loading before its first transform-cache miss: tph's load
// of the preload's rest (the file, the built-ins its modules import) goes through none of it. (The
// parser's packages, which deps.ts requires at the first parse, do: not this test's.)
Deno.test("bun cli.ts: the preload's rest loads through none of the program's module hooks", async () => {
  await using dir = tempDir();
  const { tph, cwd } = checkoutCopy(dir.path, "{}\n");
  mkdirSync(join(cwd, "lib"));
  writeFileSync(join(cwd, "lib/add.cjs"), "exports.add = function add(a, b) { return a + b; };\n");
  writeFileSync(
    join(cwd, "main.cjs"),
    [
      'const Module = require("node:module");',
      "const seen = [];",
      "const wrap = (o, k) => { const f = o[k]; if (typeof f !== 'function') return; o[k] = function (id) { seen.push(`${k} ${String(id).split('/').pop()}`); return f.apply(this, arguments); }; };",
      'wrap(Module.prototype, "require"); wrap(Module, "_load"); wrap(Module, "_resolveFilename");',
      'wrap(Module._extensions, ".js"); wrap(Module._extensions, ".cjs");',
      'console.log(require("./lib/add.cjs").add(2, 3));',
      "const tph = /bun_preload|^\\S+ (node:)?(async_hooks|buffer|module|path|url|util\\/types|types)$/;",
      'console.log(seen.filter((s) => tph.test(s)).join("; ") || "none of tph\'s");',
    ].join("\n") + "\n",
  );
  // main.cjs out of the scope: the first file instrumented is lib/add.cjs, after the replacements.
  const args = ["run", "--tree", "--no-cache", "--exclude", "main.cjs", "main.cjs"];
  // The first run builds the bundles (from the sources); the second runs them, on a miss.
  for (const round of ["sources", "bundles"]) {
    const env = { XDG_CACHE_HOME: join(dir.path, `cache-${round}`) };
    const r = await exec([BUN, join(tph, "cli.ts"), ...args], { cwd, env });
    assertCode(r, 0, `tph run main.cjs (${round})`);
    assert.equal(r.stdout, "5\nnone of tph's\n", round);
    assert.match(r.stderr, /add\(a=2, b=3\) -> 5/, round);
  }
  assert.ok(existsSync(join(tph, LOADER, ".bun_preload_rest.js")));
});
