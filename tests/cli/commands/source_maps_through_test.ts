// Compiled code run with its own source maps (issue 47): the programs of tests/fixtures/compiled
// (tsc's output with external and inline maps, a minified bundle, an index map with sections, a
// minified package in node_modules with its map) print a caught error's `err.stack` and end with
// an uncaught error or a rejection nobody handles. Under `tph run`, with every file traced, their
// stdout, stderr (less tph's own lines: the stacks and the excerpt above the uncaught error) and
// exit code must be the plain run's: on Node without source maps (the compiled files' positions),
// with --enable-source-maps and with process.setSourceMapsEnabled(true) called by the program
// (the original files' positions, names and lines, which Node maps through each file's map, but
// for the index map, which Node 22 and 24 cannot read); on
// Bun, which maps no such file plainly, but its own bundles (marked `// @bun`), whose map tph
// fits to the rewriting.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildBinary,
  BUN,
  BUN_TARGET,
  DENO_TARGET,
  exec,
  NODE,
  NODE22,
  NODE_TARGET,
  REPO,
  splitStderr,
  summaryOf,
  tempDir,
} from "./_cli.ts";

const COMPILED = join(REPO, "tests/fixtures/compiled");

/** The entries, relative to tests/fixtures/compiled; `.cjs` or by their folder's package.json. */
const ENTRIES: { entry: string; esm: boolean; scope?: string[] }[] = [
  { entry: "tsc/external-cjs/main.js", esm: false },
  { entry: "tsc/external-esm/async_main.js", esm: true },
  { entry: "tsc/external-esm/main.js", esm: true },
  { entry: "tsc/inline-cjs/main.js", esm: false },
  { entry: "tsc/inline-esm/async_main.js", esm: true },
  { entry: "bundle/min-external-esm/main.js", esm: true },
  { entry: "bundle/min-external-cjs/main.js", esm: false },
  { entry: "bundle/min-inline-esm/main.js", esm: true },
  { entry: "index/out/main.cjs", esm: false },
  { entry: "lib/app/main.cjs", esm: false },
  // The package untraced (the default scope): its error goes through traced code uncaught.
  { entry: "lib/app/main.cjs", esm: false, scope: [] },
];

type Maps = "off" | "flag" | "runtime";

/**
 * Run each entry plainly and under `tph run`, and compare.
 *
 * @param runtime The runtime's executable.
 * @param maps Node's source maps: off, on by --enable-source-maps, or turned on by the program.
 * @param entries The entries to run.
 */
async function compare(
  runtime: string,
  maps: Maps,
  entries: typeof ENTRIES,
  tphArgv = [runtime, join(REPO, "cli.ts")],
): Promise<void> {
  await using dir = tempDir({ compiled: COMPILED });
  const env: Record<string, string> = maps === "flag"
    ? { NODE_OPTIONS: "--enable-source-maps" }
    : {};
  for (const { entry, esm, scope = ["--include", "**"] } of entries) {
    let script = join(dir.path, "compiled", entry);
    if (maps === "runtime") {
      // The program turns source maps on, then loads the compiled program.
      const wrapper = join(dir.path, "compiled", entry + (esm ? ".on.mjs" : ".on.cjs"));
      writeFileSync(
        wrapper,
        esm
          ? `process.setSourceMapsEnabled(true);\nawait import(${JSON.stringify(script)});\n`
          : `process.setSourceMapsEnabled(true);\nrequire(${JSON.stringify(script)});\n`,
      );
      script = wrapper;
    }
    const options = { cwd: dir.path, env, timeoutMs: 60_000 };
    const plain = await exec([runtime, script], options);
    const traced = await exec([...tphArgv, "run", ...scope, script], options);
    const context = `${entry} (${maps}${
      scope.length === 0 ? ", default scope" : ""
    })\n--- plain ---\n${plain.stdout}${plain.stderr}\n--- traced ---\n${traced.stdout}${traced.stderr}`;
    // The fixture does what it is for: a caught error's stack printed, an uncaught one reported.
    assert.equal(plain.code, 1, `the plain run fails: ${context}`);
    assert.match(plain.stderr, /\n {4,6}at /, `the plain run reports a stack: ${context}`);
    // Node reads no index map (its cache takes a map's top-level `sources`, which one has not):
    // that program's positions are the compiled file's, with source maps on too.
    if (maps !== "off" && runtime !== BUN && !entry.startsWith("index/")) {
      assert.match(plain.stderr, /\.ts:\d+:\d+\)?\n/, `Node maps the stack: ${context}`);
    }
    assert.ok(summaryOf(traced).calls > 0, `calls are recorded: ${context}`);
    assert.equal(traced.stdout, plain.stdout, `stdout: ${context}`);
    assert.equal(splitStderr(traced.stderr).program, plain.stderr, `stderr: ${context}`);
    assert.equal(traced.code, plain.code, `exit code: ${context}`);
  }
}

for (const maps of ["off", "flag", "runtime"] as const) {
  Deno.test(`tph run: compiled code's stacks are the plain ones through its source maps (node 24, source maps ${maps})`, async () => {
    await compare(NODE, maps, ENTRIES);
  });
}

Deno.test("tph run: compiled code's stacks are the plain ones through its source maps (node 22, --enable-source-maps)", async () => {
  await compare(
    NODE22,
    "flag",
    ENTRIES.filter((e) => e.entry.includes("min-") || e.entry.includes("index")),
  );
});

Deno.test("tph run: a bundle of Bun's own (// @bun) has the plain stacks, through its map fitted to the rewriting (bun)", async () => {
  await compare(BUN, "off", [
    { entry: "bundle/bun-linked/main.js", esm: true },
    { entry: "bundle/bun-inline/main.js", esm: true },
  ]);
});

Deno.test("tph run: a CommonJS bundle of Bun's own (// @bun @bun-cjs) runs as it does plainly (bun)", async () => {
  // Bun calls the function such a file is; tph runs it as a CommonJS module, which it is, and
  // maps its positions through its map as Bun does. Bun's report of the uncaught error, which tph
  // formats, shows its top-level frame without `<anonymous>` (docs/compatibility.md).
  await using dir = tempDir({ compiled: COMPILED });
  const script = join(dir.path, "compiled/bundle/bun-cjs/main.js");
  const options = { cwd: dir.path, timeoutMs: 60_000 };
  const plain = await exec([BUN, script], options);
  const traced = await exec([BUN, join(REPO, "cli.ts"), "run", "--include", "**", script], options);
  const context =
    `--- plain ---\n${plain.stdout}${plain.stderr}\n--- traced ---\n${traced.stdout}${traced.stderr}`;
  assert.match(plain.stdout, /used: 6/, context);
  assert.match(plain.stdout, /at add \(.*geometry\.ts:12:17\)\n/, context);
  assert.equal(traced.stdout, plain.stdout, context);
  const anonymous = (text: string) => text.replace(/^( +at )<anonymous> \((.*)\)$/gm, "$1$2");
  assert.equal(anonymous(splitStderr(traced.stderr).program), anonymous(plain.stderr), context);
  assert.equal(traced.code, plain.code, context);
  assert.equal(summaryOf(traced).calls, 14, context);
  // A program's own Error.prepareStackTrace gets call sites that answer with those places.
  const sites = join(dir.path, "compiled/sites.cjs");
  writeFileSync(
    sites,
    "Error.prepareStackTrace = (e, s) => s.map((c) =>\n" +
      "  `${c.getFileName()}|${c.getLineNumber()}|${c.getColumnNumber()}|${c}|${JSON.stringify(c)}`\n" +
      ').join("\\n");\n' +
      'try { require("./bundle/bun-cjs/main.js"); } catch (e) { console.log("caught", e.stack); }\n',
  );
  const plainSites = await exec([BUN, sites], options);
  const tracedSites = await exec(
    [BUN, join(REPO, "cli.ts"), "run", "--include", "**", sites],
    options,
  );
  assert.match(plainSites.stdout, /geometry\.ts\|12\|17\|/, plainSites.stdout);
  assert.equal(tracedSites.stdout, plainSites.stdout);
  assert.equal(tracedSites.code, plainSites.code);
  // Without a map, its positions are JavaScriptCore's own, in err.stack and console.trace.
  const bare = join(dir.path, "compiled/bundle/bun-cjs-nomap/main.js");
  const plainBare = await exec([BUN, bare], options);
  const tracedBare = await exec(
    [BUN, join(REPO, "cli.ts"), "run", "--include", "**", bare],
    options,
  );
  assert.match(plainBare.stdout, /at add \(.*main\.js:\d+:\d+\)\n/, plainBare.stdout);
  assert.equal(tracedBare.stdout, plainBare.stdout);
  assert.equal(tracedBare.code, plainBare.code);
});

Deno.test("tph run: compiled code's stacks are the plain ones with its source maps (bun, which maps none of them)", async () => {
  // The ES modules: a CommonJS module's report on Bun differs for reasons of its own
  // (docs/compatibility.md: an anonymous frame, and frames JavaScriptCore's tail calls drop).
  await compare(BUN, "off", ENTRIES.filter((e) => e.esm));
});

Deno.test("tph run: compiled code's stacks are the plain ones (the standalone binary)", async () => {
  const { target, dir } = await buildBinary();
  try {
    await compare(BUN, "off", [
      { entry: "bundle/bun-linked/main.js", esm: true },
      { entry: "bundle/bun-inline/main.js", esm: true },
      { entry: "bundle/min-external-esm/main.js", esm: true },
      { entry: "tsc/external-esm/main.js", esm: true },
    ], target.tph);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("tph run: a function of a bundle of Bun's own prints as written (bun)", async () => {
  // Bun runs such a file as it is: Function.prototype.toString gives the file's own text.
  await using dir = tempDir();
  const files: Record<string, string> = {
    "esm.js": "// @bun\nfunction f(a){return a+1}\nconsole.log(f.toString(), f(1));\nexport {};\n",
    "cjs.js": "// @bun @bun-cjs\n(function(exports, require, module, __filename, __dirname) {" +
      "function f(a){return a+1}\nconsole.log(f.toString(), f(1));})\n",
  };
  for (const [name, text] of Object.entries(files)) {
    const script = join(dir.path, name);
    writeFileSync(script, text);
    const options = { cwd: dir.path, timeoutMs: 60_000 };
    const plain = await exec([BUN, script], options);
    const traced = await exec([BUN, join(REPO, "cli.ts"), "run", script], options);
    assert.equal(plain.stdout, "function f(a){return a+1} 2\n", name);
    assert.equal(traced.stdout, plain.stdout, name);
    assert.ok(summaryOf(traced).calls > 0, name);
  }
});

/** GNU time: its `%M` is the peak resident set of the process it runs and of its children. */
const TIME = "/usr/bin/time";

/** A number as a source map's VLQ. */
function vlq(value: number): string {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let n = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    const d = n & 31;
    n >>>= 5;
    out += digits[n > 0 ? d | 32 : d];
  } while (n > 0);
  return out;
}

/**
 * dist/big.js, a few lines of code whose map (`../src/big.ts`, each character where it is) has
 * 3 million segments: lines of 30 past the code's end, which every reader of the map decodes.
 */
function hugeMapProgram(root: string, inline: boolean): string {
  const code = [
    "function add(a, b) {",
    "  return a + b;",
    "}",
    "function boom(n) {",
    '  throw new Error("boom " + n);',
    "}",
    'try { boom(1); } catch (e) { console.log(e.stack.split("\\n").slice(0, 3).join("\\n")); }',
    "console.log(add(1, 2));",
  ];
  const lines: string[] = [];
  // Each character of a code line maps to itself: the first of a line one line down, column 0.
  let column = 0;
  for (let i = 0; i < code.length; i++) {
    const segs = [`AA${vlq(i === 0 ? 0 : 1)}${vlq(-column)}`];
    for (let c = 1; c < code[i].length; c++) segs.push("CAAC");
    column = Math.max(code[i].length - 1, 0);
    lines.push(segs.join(","));
  }
  // 30 a line, two columns apart: the first one line down, back to column 0.
  lines.push(`AC${vlq(-column)},${"EAAE,".repeat(28)}EAAE`);
  for (let i = 1; i < 100_000; i++) lines.push(`AC${vlq(-58)},${"EAAE,".repeat(28)}EAAE`);
  const map = JSON.stringify({
    version: 3,
    sources: ["../src/big.ts"],
    names: [],
    mappings: lines.join(";"),
  });
  mkdirSync(join(root, "dist"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "name": "big" }\n');
  const script = join(root, "dist/big.js");
  if (inline) {
    const data = Buffer.from(map).toString("base64");
    writeFileSync(
      script,
      `${code.join("\n")}\n//# sourceMappingURL=data:application/json;base64,${data}\n`,
    );
  } else {
    writeFileSync(join(root, "dist/big.js.map"), map);
    writeFileSync(script, `${code.join("\n")}\n//# sourceMappingURL=big.js.map\n`);
  }
  return script;
}

for (const t of [DENO_TARGET, NODE_TARGET, BUN_TARGET]) {
  Deno.test({
    name:
      `tph run reads no source map of 3 million segments whole: its peak memory bounded, the plain stacks, one warning (${t.name})`,
    ignore: !existsSync(TIME),
    async fn() {
      // Before, such a map took Deno's run to 1.0-1.15 GB, Node's and Bun's to 1.05 GB and 800 MB
      // with it inline: decoded for the functions' places and again to fit it to the rewriting.
      // Now 290 MB (beside) and 470-560 MB (inline) on Deno, 100 and 300 MB on Node and Bun.
      for (const inline of [true, false]) {
        await using dir = tempDir();
        const script = hugeMapProgram(dir.path, inline);
        const options = { cwd: dir.path, env: t.env, timeoutMs: 110_000 };
        const plain = await exec(t.plain(script), options);
        const traced = await exec(
          [TIME, "-f", "tph-peak-kb %M", ...t.tph, "run", "--no-cache", "--include", "**", script],
          options,
        );
        const what = `${inline ? "inline" : "beside"}\n${traced.stdout}${traced.stderr}`;
        const peak = Number(/^tph-peak-kb (\d+)\n/m.exec(traced.stderr)?.[1]);
        const stderr = traced.stderr.replace(/^tph-peak-kb \d+\n/m, "");
        assert.equal(traced.code, 0, what);
        assert.match(
          stderr,
          /^tph: 2 calls recorded in [\d.]+s; not saved \(--no-cache\)\n$/m,
          what,
        );
        assert.match(
          plain.stdout,
          /^Error: boom 1\n {4}at boom \(.*:5:\d+\)\n.*\n3\n$/,
          plain.stdout,
        );
        assert.equal(traced.stdout, plain.stdout, `the stack through the map as plain: ${what}`);
        // Deno's run holds the program's text more times (in the instrumenter's worker, and
        // Deno's own copies of the code it compiles): a map inline peaks at 470-560 MB there.
        const bound = t.runtime === "deno" ? 800 : 600;
        assert.ok(peak > 0 && peak < bound * 1024, `peak RSS ${peak} KB (${what})`);
        const warnings = splitStderr(stderr).tph.filter((l) => l.includes("warning"));
        assert.deepEqual(
          warnings,
          [
            "tph: warning: the source map of dist/big.js has 3000196 mappings, more than 1000000 " +
            "that tph reads: its functions are shown at their places in dist/big.js",
          ],
          what,
        );
      }
    },
  });
}
