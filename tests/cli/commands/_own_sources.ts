// tph never traces any copy of its own code, and a program's trace() records with the running
// tph whichever copy of the library it imports: the checkout's (the README's quick start), a copy
// vendored into the project or installed in its node_modules (another version too), the checkout
// by a symlink or a file: URL; and with a scope or --include that takes the copy in.

import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertCode, lines, REPO, splitStderr, type Target, tempDir, tph } from "./_cli.ts";

/** The functions a tree line names (`├── async fetchUser(userId=42) -> …` gives fetchUser). */
function treeNames(text: string): string[] {
  const names: string[] = [];
  for (const line of lines(text)) {
    const m = /^[│ ]*[├└]── (?:async )?([^\s(]+)\(/.exec(line);
    if (m !== null) names.push(m[1]);
  }
  return names;
}

/** Assert that a tree names only these functions, and every one of `must`. */
function assertOnly(text: string, allowed: string[], must: string[], what: string): void {
  const names = treeNames(text);
  const foreign = names.filter((n) => !allowed.includes(n));
  assert.deepEqual(foreign, [], `${what}: calls that are not the program's:\n${text}`);
  for (const n of must) assert.ok(names.includes(n), `${what}: no call of ${n} in:\n${text}`);
}

/** The program's functions, and what it calls out of its code. */
const PROGRAM = ["main", "handleRequest", "fetchUser", "sleep", "console.log"];

/**
 * A program as the async quick start, importing `trace` from `spec`: its trace() block and a
 * trace.run() print their trees, between markers, on stdout.
 */
function program(spec: string): string {
  return [
    `import { setTimeout as sleep } from "node:timers/promises";`,
    `import { trace } from ${JSON.stringify(spec)};`,
    `async function fetchUser(userId: number) {`,
    `  await sleep(1);`,
    `  return { id: userId, name: "Alice" };`,
    `}`,
    `async function handleRequest() {`,
    `  const user = await fetchUser(42);`,
    `  return user;`,
    `}`,
    `async function main() {`,
    `  {`,
    `    await using t = trace();`,
    `    await handleRequest();`,
    `    console.log("block:\\n" + t.tree());`,
    `  }`,
    `  const r = await trace.run(() => handleRequest());`,
    `  console.log("run:\\n" + r.tree());`,
    `}`,
    `await main();`,
    ``,
  ].join("\n");
}

/** Assert that both of the program's own trees hold its request, and nothing else. */
function assertProgramTrees(stdout: string, what: string): void {
  const [block, run] = stdout.split("run:\n");
  assert.ok(block.startsWith("block:\n"), `${what}: the program's output:\n${stdout}`);
  for (const [text, name] of [[block, "trace() block"], [run ?? "", "trace.run()"]]) {
    assertOnly(text, ["handleRequest", "fetchUser", "sleep"], ["handleRequest", "fetchUser"], name);
    assert.match(text, /fetchUser\(userId=42\) -> \{ id: 42, name: "Alice" \}/, `${what}: ${name}`);
  }
}

/** A project with a copy of tph's library (mod.ts, src/, package.json) at `at`. */
function projectWithCopy(at: string) {
  const dir = tempDir();
  writeFileSync(join(dir.path, "package.json"), '{ "name": "app", "type": "module" }\n');
  const copy = join(dir.path, at);
  mkdirSync(copy, { recursive: true });
  for (const f of ["mod.ts", "src"]) {
    cpSync(join(REPO, f), join(copy, f), {
      recursive: true,
    });
  }
  // A copy of the sources: its files are imported by path (`tph/mod.ts`), which the package's
  // exports map (made for lib/) would not allow.
  const { exports: _exports, ...pkg } = JSON.parse(
    readFileSync(join(REPO, "package.json"), "utf8"),
  );
  writeFileSync(join(copy, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  return Object.assign(dir, { copy });
}

/** `tph run --no-cache --tree [flags] main.ts` in `cwd`, which must succeed. */
async function run(t: Target, cwd: string, flags: string[], script = "main.ts") {
  const r = await tph(t, ["run", "--no-cache", "--tree", ...flags, script], { cwd });
  assertCode(r, 0, `tph run ${flags.join(" ")} ${script}`);
  return r;
}

export function ownSourceTests(t: Target): void {
  for (const [example, calls, tree] of [["async", 1, ["main"]], ["sync", 0, []]] as const) {
    Deno.test(`tph run --tree examples/quickstart_${example}.ts shows the program's calls only (${t.name})`, async () => {
      // With a scope that takes tph's own files in, too.
      for (const flags of [[], ["--include", "node_modules/**", "--include", "src/**"]]) {
        const r = await run(t, REPO, flags, `examples/quickstart_${example}.ts`);
        // The program's own trace() block prints its request...
        assertOnly(
          r.stdout,
          ["handleRequest", "fetchUser", "sleep"],
          ["handleRequest", "fetchUser"],
          `stdout, ${flags}`,
        );
        // ...and tph's tree (what is not in the block) holds the program's calls alone.
        const { tph: own, program: err } = splitStderr(r.stderr);
        assertOnly(err, PROGRAM, [...tree], `the run's tree, ${flags}`);
        // A run that records nothing says why first: here, the program's own block took them.
        assert.equal(own.length, calls === 0 ? 2 : 1, `tph's lines:\n${r.stderr}`);
        if (calls === 0) assert.match(own[0], /^tph: nothing recorded: .* trace block/, r.stderr);
        assert.match(own.at(-1)!, new RegExp(`^tph: ${calls} calls? recorded `), r.stderr);
      }
    });
  }

  Deno.test(`tph's own dependencies are never traced, by an --include that takes them in, cached or not (${t.name})`, async () => {
    // On a run whose files all come from the transform cache, the parser and the source map
    // library are first loaded while the program runs (for a function's toString, a stack),
    // through tph's own hook: out of scope all the same, whatever the glob.
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "name": "app", "type": "module" }\n');
    writeFileSync(
      join(dir.path, "main.ts"),
      "function add(a: number, b: number) {\n  return a + b;\n}\n" +
        'function main() {\n  console.log(add(1, 2), String(add).endsWith("return a + b;\\n}"));\n' +
        '  console.log(new Error("x").stack!.split("\\n")[1].includes("main.ts"));\n}\nmain();\n',
    );
    const env = { TPH_TRANSFORM_CACHE: join(dir.path, "transforms") };
    for (const flags of [["--include", "node_modules/**"], ["--include", "**/*.{js,cjs,mjs}"]]) {
      for (const round of ["first", "cached"]) {
        const what = `${flags.join(" ")} (${round})`;
        const r = await tph(t, ["run", "--no-cache", "--tree", ...flags, "main.ts"], {
          cwd: dir.path,
          env,
        });
        assertCode(r, 0, what);
        assert.equal(r.stdout, "3 true\ntrue\n", what);
        assertOnly(splitStderr(r.stderr).program, ["main", "add", "console.log"], ["add"], what);
        assert.match(splitStderr(r.stderr).tph.at(-1)!, /^tph: 4 calls recorded /, what);
      }
    }
  });

  Deno.test(`a copy of tph vendored in the project is never traced, and its trace() records with the running tph (${t.name})`, async () => {
    await using dir = projectWithCopy("vendor/tph");
    writeFileSync(join(dir.path, "main.ts"), program("./vendor/tph/mod.ts"));
    for (const flags of [[], ["--include", "vendor/**"], ["--include", "**/src/**"]]) {
      const r = await run(t, dir.path, flags);
      assertProgramTrees(r.stdout, flags.join(" "));
      assertOnly(splitStderr(r.stderr).program, PROGRAM, ["main"], `the run's tree, ${flags}`);
      assert.equal(splitStderr(r.stderr).tph.length, 1, r.stderr);
    }
  });

  // Deno runs no TypeScript from node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING).
  if (t.runtime === "bun") {
    Deno.test(`a copy of tph installed in node_modules is never traced, nor are calls to its trace() external calls (${t.name})`, async () => {
      await using dir = projectWithCopy("node_modules/tph");
      writeFileSync(join(dir.path, "main.ts"), program("tph/mod.ts"));
      for (const flags of [[], ["--include", "node_modules/**"]]) {
        const r = await run(t, dir.path, flags);
        assertProgramTrees(r.stdout, flags.join(" "));
        assertOnly(splitStderr(r.stderr).program, PROGRAM, ["main"], `the run's tree, ${flags}`);
      }
    });
  }

  Deno.test(`the checkout's library imported through a symlink or a file: URL is never traced (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "name": "app", "type": "module" }\n');
    symlinkSync(REPO, join(dir.path, "tph"));
    writeFileSync(join(dir.path, "main.ts"), program("./tph/mod.ts"));
    writeFileSync(join(dir.path, "url.ts"), program(pathToFileURL(join(REPO, "mod.ts")).href));
    for (const script of ["main.ts", "url.ts"]) {
      const r = await run(t, dir.path, ["--scope", ".", "--scope", REPO], script);
      assertProgramTrees(r.stdout, script);
      assertOnly(splitStderr(r.stderr).program, PROGRAM, ["main"], `the run's tree, ${script}`);
    }
  });

  Deno.test(`a copy of tph of another library version says so in one line, and trace() still records (${t.name})`, async () => {
    await using dir = projectWithCopy("vendor/tph");
    const abi = join(dir.copy, "src/abi.ts");
    const text = readFileSync(abi, "utf8");
    const m = /^export const LIBRARY_VERSION = (\d+);$/m.exec(text);
    assert.ok(m, "src/abi.ts declares LIBRARY_VERSION");
    writeFileSync(abi, text.replace(m[0], `export const LIBRARY_VERSION = ${Number(m[1]) + 1};`));
    writeFileSync(join(dir.path, "main.ts"), program("./vendor/tph/mod.ts"));
    const r = await run(t, dir.path, []);
    assertProgramTrees(r.stdout, "another version");
    const { tph: own } = splitStderr(r.stderr);
    assert.equal(own.length, 2, r.stderr);
    assert.match(
      own[0],
      new RegExp(
        `^tph: warning: the tph running this program \\(.*library ${m[1]}\\) and the copy of ` +
          `tph's library it imports \\(.*vendor/tph/, .*library ${Number(m[1]) + 1}\\) differ: `,
      ),
    );
  });

  Deno.test(`a copy of tph from before the library contract is never traced, and one line says it may not work (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "name": "app", "type": "module" }\n');
    // Such a copy: src/abi.ts declares the recorder global, and nothing of LIBRARY_VERSION.
    mkdirSync(join(dir.path, "old/src/program"), { recursive: true });
    writeFileSync(
      join(dir.path, "old/src/abi.ts"),
      'export const ABI_VERSION = 1;\nexport const RUNTIME_GLOBAL = "__tph";\n',
    );
    writeFileSync(
      join(dir.path, "old/src/program/trace.ts"),
      "export function oldTrace(n: number) {\n  return n * 2;\n}\n",
    );
    writeFileSync(
      join(dir.path, "old/mod.ts"),
      'import { oldTrace } from "./src/program/trace.ts";\n' +
        "export function trace(n: number) {\n  return oldTrace(n);\n}\n",
    );
    writeFileSync(
      join(dir.path, "main.ts"),
      'import { trace } from "./old/mod.ts";\nfunction main() {\n  return trace(21);\n}\n' +
        "console.log(main());\n",
    );
    const r = await run(t, dir.path, []);
    assert.equal(r.stdout, "42\n");
    const { tph: own, program: err } = splitStderr(r.stderr);
    assertOnly(err, ["main"], ["main"], "the run's tree");
    assert.equal(own.length, 2, r.stderr);
    assert.equal(
      own[0],
      `tph: warning: old holds an older copy of tph's library than the running tph (` +
        `${/VERSION = "([^"]+)"/.exec(readFileSync(join(REPO, "src/version.ts"), "utf8"))![1]}): ` +
        "its trace() may fail or record nothing; import the running tph's library, or run the " +
        "program with the tph it imports",
    );
  });
}
