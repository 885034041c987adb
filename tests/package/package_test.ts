// The npm package, as users get it: `npm pack` at the root of the lib/ these tests built
// (ensureLib: its prepack, which builds lib/ anew, is not run here — other test modules run
// lib/cli.js meanwhile, and a rebuild empties lib/ for a moment; .ci/run packs with it), then
// installed from the tarball the way each runtime's users install tools, with only that runtime
// on PATH, tracing a program that is not tph's on that runtime.
//
// - `npm i -g` with only Node (and npm) on PATH: `tph` runs on Node and traces on Node;
// - `bun add -g` with only Bun on PATH: `tph` runs on Bun; `bun x tph` in a project runs on Bun
//   even where Node is on PATH first;
// - `deno run -A npm:tph` in a project whose node_modules has the package (Deno resolves it there,
//   without a registry): runs on Deno;
// - an old Node is told, in one line, what is needed;
// - and from a registry (a local one, _registry.ts): `npx tph`, `bun x tph` and
//   `deno install -gA npm:tph`.
//
// Installs use npm's cache (filled by `npm ci`), never asking the registry for what it has.

import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assertCode,
  BUN,
  DENO,
  exec,
  lines,
  NODE,
  REPO,
  type Result,
} from "../cli/commands/_cli.ts";
import { VERSION } from "../../src/version.ts";
import { serveRegistry } from "./_registry.ts";

const WORK = mkdtempSync(join(tmpdir(), "tph-package-"));
globalThis.addEventListener("unload", () => rmSync(WORK, { recursive: true, force: true }));

/** Time limit of an install or a pack (ms). */
const INSTALL_MS = 300_000;

/** Targets of the issue that made the package (README, Install). */
const TARBALL_MAX = 400_000;
const INSTALLED_MAX = 20_000_000;

/** A folder of PATH that holds only the named executables. */
function onlyOn(name: string, tools: Record<string, string>): string {
  const dir = join(WORK, `path-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [tool, target] of Object.entries(tools)) {
    if (!existsSync(join(dir, tool))) symlinkSync(target, join(dir, tool));
  }
  return dir;
}

/** `sh` and the few commands a shell line needs, without any runtime. */
const SHELL = onlyOn("shell", { sh: "/bin/sh", env: "/usr/bin/env" });
const NODE_ONLY = onlyOn("node", { node: NODE });
const BUN_ONLY = onlyOn("bun", { bun: BUN });
/** npm itself runs on a Node: the machine's, whatever its version (installs only). */
const NPM = whichSync("npm") ?? "npm";

/** The machine's Node, when it is older than tph needs (the one the one-line refusal is for). */
const OLD_NODE = ((): string | null => {
  const node = whichSync("node");
  if (node === null) return null;
  const v = new TextDecoder().decode(
    new Deno.Command(node, { args: ["--version"], stdout: "piped" }).outputSync().stdout,
  ).trim();
  const [major, minor] = v.replace(/^v/, "").split(".").map(Number);
  return major < 22 || (major === 22 && minor < 15) ? node : null;
})();

/** The first executable of that name on this process's PATH. */
function whichSync(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "" || dir.includes("node_modules")) continue;
    try {
      if ((Deno.statSync(join(dir, name)).mode ?? 0) & 0o111) return join(dir, name);
    } catch {
      // Not there.
    }
  }
  return null;
}

const PROGRAM = `import { basename } from "node:path";
class Greeter {
  prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }
  greet(name: string): string {
    return \`\${this.prefix} \${basename(name)}\`;
  }
}
export function main(): string {
  return new Greeter("hello").greet("/x/world");
}
console.log(main());
`;

/** A project of the user's: one TypeScript file, not tph's. */
function project(name: string): string {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `{ "name": "${name}", "private": true }\n`);
  writeFileSync(join(dir, "app.ts"), PROGRAM);
  return dir;
}

let tarball: Promise<string> | null = null;

/** `npm pack` of the checkout, once. */
function pack(): Promise<string> {
  tarball ??= (async () => {
    const out = join(WORK, "pack");
    mkdirSync(out, { recursive: true });
    const r = await exec([NPM, "pack", "--ignore-scripts", "--pack-destination", out], {
      cwd: REPO,
      timeoutMs: INSTALL_MS,
    });
    assertCode(r, 0, "npm pack");
    const file = readdirSync(out).find((f) => f.endsWith(".tgz"));
    assert.ok(file, r.stdout);
    return join(out, file);
  })();
  return tarball;
}

/** What a user's environment says about reaching the network (certificates, proxies). */
const NETWORK = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([k]) =>
    /^(?:SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|DENO_CERT|(?:HTTPS?|NO)_PROXY)$/i.test(k)
  ),
);

/** Run, in `cwd`, with the environment of a user whose PATH is `path`. */
function asUser(argv: string[], cwd: string, path: string, env: Record<string, string> = {}) {
  env = { ...NETWORK, ...env };
  return exec([
    "/usr/bin/env",
    "-i",
    `HOME=${join(WORK, "home")}`,
    `PATH=${path}`,
    ...envArgs(env),
    ...argv,
  ], {
    cwd,
    timeoutMs: INSTALL_MS,
  });
}

const envArgs = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/** The traced run's checks: the program's output, and a stored run of its calls on `runtime`. */
async function assertTraced(
  run: Result,
  tph: (args: string[]) => Promise<Result>,
  runtime: string,
): Promise<void> {
  assertCode(run, 0, "tph run app.ts");
  assert.equal(run.stdout, "hello world\n");
  assert.match(
    lines(run.stderr).at(-1)!,
    /^tph: 4 calls recorded in .*view it with: tph tree last$/,
  );
  const logs = await tph(["logs", "--json"]);
  assertCode(logs, 0, "tph logs");
  const [stored] = JSON.parse(logs.stdout);
  assert.equal(stored.run.runtime, runtime);
  const tree = await tph(["tree", "last"]);
  assertCode(tree, 0, "tph tree last");
  assert.match(tree.stdout, /main\(\) -> "hello world"/);
  assert.match(tree.stdout, /Greeter\.greet\(name="\/x\/world"\) -> "hello world"/);
  assert.match(tree.stdout, /basename\("\/x\/world"\) -> "world" \[ext\]/, "the external call");
}

Deno.test("npm pack: a small package of compiled JavaScript, the version tph says", async () => {
  const file = await pack();
  const size = statSync(file).size;
  console.log(`tarball: ${(size / 1000).toFixed(1)} kB`);
  assert.ok(size <= TARBALL_MAX, `the tarball is ${size} bytes (at most ${TARBALL_MAX})`);
  const list = await exec(["tar", "tzf", file], { cwd: WORK });
  const files = lines(list.stdout).map((f) => f.replace(/^package\//, ""));
  assert.ok(files.includes("bin/tph.js") && files.includes("lib/cli.js"), files.join("\n"));
  assert.ok(files.includes("lib/src/program/node_preload.js") && files.includes("LICENSE"));
  const stray = files.filter((f) =>
    !/^(?:bin\/tph\.js|lib\/.*\.js|README\.md|LICENSE|package\.json)$/.test(f)
  );
  assert.deepEqual(stray, [], "only the launcher, lib/, README, LICENSE and package.json");
  // The program's side ships once, bundled: the recorder's modules are in the bundle only.
  assert.ok(files.includes("lib/src/program/loader/child_bundle.js"));
  const twice = files.filter((f) => /^lib\/src\/program\/(?:recorder|tests)\/|child\.js$/.test(f));
  assert.deepEqual(twice, [], "program-side modules shipped beside the bundle");
  // The CLI as two bundles (npm/build.ts, bundleCli): the head start (early_start.js and what it
  // imports) and the rest, their modules in the bundles only; the head's files that read their
  // own URL beside them.
  assert.ok(files.includes("lib/src/cli/commands/main_bundle.js"));
  assert.ok(files.includes("lib/src/cli/commands/head_bundle.js"));
  assert.ok(files.includes("lib/src/program/loader/own_files.js"));
  const cliTwice = files.filter((f) =>
    /^lib\/src\/cli\/(?:commands\/main|launch\/(?:run_program|early_start|head))\.js$/.test(f)
  );
  assert.deepEqual(cliTwice, [], "the CLI's modules shipped beside its bundle");
  // In ASCII (npm/build.ts, asciiBundle): V8 keeps any other text as two bytes a character.
  for (const name of ["main_bundle.js", "head_bundle.js"]) {
    const bundled = `package/lib/src/cli/commands/${name}`;
    const cliBundle = (await exec(["tar", "xzfO", file, bundled], { cwd: WORK })).stdout;
    assert.ok(!/[\u0080-\uffff]/.test(cliBundle), `the CLI's ${name} is ASCII`);
  }
  const pkg = JSON.parse(
    (await exec(["tar", "xzfO", file, "package/package.json"], { cwd: WORK })).stdout,
  );
  assert.equal(pkg.version, VERSION, "package.json's version is tph's (src/version.ts)");
  assert.equal(pkg.private, undefined);
  assert.deepEqual(pkg.bin, { tph: "bin/tph.js" });
  assert.equal(pkg.engines.node, ">=22.15");
  assert.equal(pkg.license, "MIT");
});

Deno.test("npm i -g, only Node on PATH: tph runs on Node and traces on Node", async () => {
  const file = await pack();
  const prefix = join(WORK, "npm-global");
  const install = await exec(
    [NPM, "i", "-g", "--prefix", prefix, file, "--prefer-offline", "--no-audit", "--no-fund"],
    { cwd: WORK, timeoutMs: INSTALL_MS },
  );
  assertCode(install, 0, "npm i -g");
  const du = await exec(["du", "-sb", join(prefix, "lib/node_modules/tph")], { cwd: WORK });
  const installed = Number(du.stdout.split("\t")[0]);
  console.log(`installed: ${(installed / 1e6).toFixed(1)} MB`);
  assert.ok(installed <= INSTALLED_MAX, `installed ${installed} bytes (at most ${INSTALLED_MAX})`);
  const dir = project("npm-app");
  const path = `${join(prefix, "bin")}:${NODE_ONLY}`;
  const tph = (args: string[]) => asUser(["tph", ...args], dir, path);
  const version = await tph(["--version"]);
  assertCode(version, 0, "tph --version");
  assert.equal(version.stdout.trim(), `tph ${VERSION} (node ${NODE_VERSION}, linux-x64)`);
  await assertTraced(await tph(["run", "app.ts"]), tph, "node");
  await assertDepth(dir, tph, (program) => asUser(["node", program], dir, path));
  await assertVitest(prefix);
  await assertJest(prefix);
  // An old Node, first on PATH: one line, and nothing else (where the machine has one).
  if (OLD_NODE === null) return;
  const oldDir = onlyOn("old-node", { node: OLD_NODE });
  const old = await asUser(["tph", "--version"], dir, `${join(prefix, "bin")}:${oldDir}:${SHELL}`);
  assertCode(old, 1, "tph on an old Node");
  assert.equal(old.stdout, "");
  assert.match(
    old.stderr,
    /^tph: Node\.js 22\.15 or newer is needed \(this is \d+\.\d+\.\d+\): install a newer Node\.js, or run tph with Bun \(bunx tph \.\.\.\) or Deno \(deno run -A npm:tph \.\.\.\)\n$/,
  );
});

const NODE_VERSION = "24.21.0";

/**
 * The installed tph gives a traced program the stack room it has plainly (src/program/stack_room.ts):
 * a recursion, sync or async, reaches under tph the depth it reaches plainly and overflows the same
 * way, and one as deep as the plain run reached completes.
 */
async function assertDepth(
  dir: string,
  tph: (args: string[]) => Promise<Result>,
  plain: (program: string) => Promise<Result>,
): Promise<void> {
  const last = (r: Result) => JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  for (const program of ["depth.ts", "async_depth.ts"]) {
    cpSync(join(REPO, "tests/fixtures/cli/endings", program), join(dir, program));
    const base = await plain(program);
    assertCode(base, 0, `${program}, plainly`);
    const traced = await tph(["run", program]);
    assertCode(traced, 0, `tph run ${program}`);
    const [want, got] = [last(base), last(traced)];
    assert.equal(got.error, want.error, program);
    assert.ok(
      got.deepest >= want.deepest,
      `${program}: ${got.deepest} traced, ${want.deepest} plain`,
    );
    const n = String(want.deepest);
    const exact = await tph(["run", "--max-calls", "3", program, n]);
    assertCode(exact, 0, `tph run ${program} ${n}`);
    assert.equal(last(exact).reached, want.deepest, program);
  }
}

/** tph test, installed from the package, on a vitest project (the checkout's vitest). */
async function assertVitest(prefix: string): Promise<void> {
  const dir = join(WORK, "vitest-app");
  mkdirSync(join(dir, "test"), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "package.json"),
    '{ "type": "module", "scripts": { "test": "vitest run" } }\n',
  );
  writeFileSync(join(dir, "app.ts"), PROGRAM.replace(/^console\.log.*\n/m, ""));
  writeFileSync(
    join(dir, "test/app.test.ts"),
    'import { expect, test } from "vitest";\nimport { main } from "../app";\n' +
      'test("greets", () => { expect(main()).toBe("hello world"); });\n',
  );
  const path = `${join(prefix, "bin")}:${NODE_ONLY}:${SHELL}`;
  const r = await asUser(["tph", "test"], dir, path, { NO_COLOR: "1" });
  assertCode(r, 0, "tph test (vitest)");
  assert.match(r.stdout, /Tests {2}1 passed \(1\)/);
  assert.match(lines(r.stderr).at(-1)!, /^tph: 1 test traced \(1 passed, 0 failed\), 6 calls; /);
  const tree = await asUser(["tph", "tree", "last"], dir, path);
  assertCode(tree, 0, "tph tree last");
  assert.match(tree.stdout, /Greeter\.greet\(name="\/x\/world"\) -> "hello world"/);
}

/** tph test, installed from the package, on a jest project (the checkout's jest, babel-jest). */
async function assertJest(prefix: string): Promise<void> {
  const dir = join(WORK, "jest-app");
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "package.json"), '{ "scripts": { "test": "jest" } }\n');
  writeFileSync(
    join(dir, "app.js"),
    "function greet(name) {\n  return `hello ${name}`;\n}\nmodule.exports = { greet };\n",
  );
  writeFileSync(
    join(dir, "app.test.js"),
    'const { greet } = require("./app");\n' +
      'test("greets", () => { expect(greet("world")).toBe("hello world"); });\n',
  );
  const path = `${join(prefix, "bin")}:${NODE_ONLY}:${SHELL}`;
  const r = await asUser(["tph", "test"], dir, path, { NO_COLOR: "1" });
  assertCode(r, 0, "tph test (jest)");
  assert.match(r.stderr, /Tests: {7}1 passed, 1 total/);
  assert.match(lines(r.stderr).at(-1)!, /^tph: 1 test traced \(1 passed, 0 failed\), \d+ calls; /);
  const tree = await asUser(["tph", "tree", "last"], dir, path);
  assertCode(tree, 0, "tph tree last");
  assert.match(tree.stdout, /greet\(name="world"\) -> "hello world"/);
}

/** tph test, installed from the package, on bun test. */
async function assertBunTest(tph: (args: string[]) => Promise<Result>, dir: string): Promise<void> {
  writeFileSync(
    join(dir, "app.test.ts"),
    'import { expect, test } from "bun:test";\nimport { main } from "./app-lib";\n' +
      'test("greets", () => { expect(main()).toBe("hello world"); });\n',
  );
  writeFileSync(join(dir, "app-lib.ts"), PROGRAM.replace(/^console\.log.*\n/m, ""));
  const r = await tph(["test", "--runner", "bun"]);
  assertCode(r, 0, "tph test (bun test)");
  assert.match(r.stderr, /\(pass\) greets/);
  assert.match(lines(r.stderr).at(-1)!, /^tph: 1 test traced \(1 passed, 0 failed\), \d+ calls; /);
  const tree = await tph(["tree", "last"]);
  assertCode(tree, 0, "tph tree last");
  assert.match(tree.stdout, /Greeter\.greet\(name="\/x\/world"\) -> "hello world"/);
}

Deno.test("bun add -g, only Bun on PATH: tph runs on Bun; bun x tph too, Node on PATH or not", async () => {
  const file = await pack();
  const bunInstall = join(WORK, "bun-global");
  const home = { BUN_INSTALL: bunInstall };
  const add = await asUser(["bun", "add", "-g", file], WORK, `${BUN_ONLY}:${SHELL}`, home);
  assertCode(add, 0, "bun add -g");
  const dir = project("bun-app");
  const path = `${join(bunInstall, "bin")}:${BUN_ONLY}:${SHELL}`;
  const tph = (args: string[]) => asUser(["tph", ...args], dir, path, home);
  await assertTraced(await tph(["run", "app.ts"]), tph, "bun");
  await assertBunTest(tph, dir);
  // In a project, with Node first on PATH: Bun's tooling runs it on Bun.
  const local = project("bunx-app");
  const withNode = `${NODE_ONLY}:${BUN_ONLY}:${SHELL}`;
  assertCode(await asUser(["bun", "add", file], local, withNode, home), 0, "bun add");
  const bunx = (args: string[]) => asUser(["bun", "x", "tph", ...args], local, withNode, home);
  await assertTraced(await bunx(["run", "app.ts"]), bunx, "bun");
});

Deno.test("deno run -A npm:tph, in a project that has it: tph runs on Deno", async () => {
  const file = await pack();
  const dir = project("deno-app");
  const install = await exec(
    [NPM, "i", file, "--prefer-offline", "--no-audit", "--no-fund"],
    { cwd: dir, timeoutMs: INSTALL_MS },
  );
  assertCode(install, 0, "npm i");
  const denoOnly = onlyOn("deno", { deno: DENO });
  const tph = (args: string[]) => asUser(["deno", "run", "-A", "npm:tph", ...args], dir, denoOnly);
  await assertTraced(await tph(["run", "app.ts"]), tph, "deno");
  await assertDepth(dir, tph, (program) => asUser(["deno", "run", "-A", program], dir, denoOnly));
  // tph's own code and packages are in the project's node_modules: never traced, whatever the
  // glob, on a run whose files come from the transform cache too (it loads the parser then).
  writeFileSync(
    join(dir, "str.ts"),
    "function add(a: number, b: number) {\n  return a + b;\n}\nconsole.log(add(1, 2), String(add).length);\n",
  );
  const plainRun = await asUser(["deno", "run", "-A", "str.ts"], dir, denoOnly);
  assertCode(plainRun, 0, "deno run str.ts");
  for (const round of ["first", "cached"]) {
    const r = await tph(["run", "--include", "node_modules/**", "str.ts"]);
    assertCode(r, 0, `tph run --include node_modules/** str.ts (${round})`);
    assert.equal(r.stdout, plainRun.stdout);
    assert.match(lines(r.stderr).at(-1)!, /^tph: 1 call recorded /, `${round}:\n${r.stderr}`);
  }
});

// The launcher is a shell script too (its first two lines): npm links it as it is.
Deno.test("bin/tph.js is executable, and its first lines are the shell's", () => {
  const mode = statSync(join(REPO, "bin/tph.js")).mode;
  assert.ok((mode & 0o111) !== 0, "executable");
  const [shebang, shell] = Deno.readTextFileSync(join(REPO, "bin/tph.js")).split("\n");
  assert.equal(shebang, "#!/bin/sh");
  assert.equal(shell, `':' //; exec "$(command -v node || command -v bun || echo node)" "$0" "$@"`);
});

Deno.test({
  name: "through a local registry: npx tph, bun x tph and deno install -gA npm:tph",
  // The registry's server is this test process's own, stopped at the end.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const file = await pack();
    const manifest = JSON.parse(
      (await exec(["tar", "xzfO", file, "package/package.json"], { cwd: WORK })).stdout,
    );
    const upstream = (await exec([NPM, "config", "get", "registry"], { cwd: WORK })).stdout.trim();
    const registry = serveRegistry(file, manifest, upstream || "https://registry.npmjs.org/");
    try {
      const env = {
        npm_config_registry: registry.url,
        NPM_CONFIG_REGISTRY: registry.url,
        BUN_CONFIG_REGISTRY: registry.url,
        // The packages tph depends on come from npm's own cache, as after `npm ci`.
        npm_config_cache: join(Deno.env.get("HOME") ?? "/root", ".npm"),
        npm_config_prefer_offline: "true",
        npm_config_update_notifier: "false",
        npm_config_loglevel: "error",
      };
      // npx: npm fetches tph from the registry, runs it on the first Node on PATH.
      const npxDir = project("npx-app");
      const withNode = `${NODE_ONLY}:/usr/bin:/bin`;
      const npx = (args: string[]) =>
        asUser(["npx", "--yes", "tph", ...args], npxDir, withNode, env);
      await assertTraced(await npx(["run", "app.ts"]), npx, "node");
      // bun x: Bun fetches it, and runs it on Bun although Node is on PATH.
      const bunDir = project("bunx-registry-app");
      const bunPath = `${NODE_ONLY}:${BUN_ONLY}:${SHELL}`;
      const bunEnv = { ...env, BUN_INSTALL: join(WORK, "bun-registry") };
      const bunx = (args: string[]) =>
        asUser(["bun", "x", "tph", ...args], bunDir, bunPath, bunEnv);
      await assertTraced(await bunx(["run", "app.ts"]), bunx, "bun");
      // deno install -gA npm:tph: a `tph` command that runs on Deno.
      const root = join(WORK, "deno-root");
      const denoEnv = { ...env, DENO_DIR: join(WORK, "deno-dir") };
      const denoPath = `${onlyOn("deno-reg", { deno: DENO })}:${SHELL}`;
      const installed = await asUser(
        ["deno", "install", "-gA", "--root", root, "npm:tph"],
        WORK,
        denoPath,
        denoEnv,
      );
      assertCode(installed, 0, "deno install -gA npm:tph");
      const denoDir = project("deno-registry-app");
      const tph = (args: string[]) =>
        asUser(["tph", ...args], denoDir, `${join(root, "bin")}:${denoPath}`, denoEnv);
      await assertTraced(await tph(["run", "app.ts"]), tph, "deno");
      // deno run --preload npm:tph/register, in a folder with no package.json: Deno fetches tph
      // from the registry, and the program's block records.
      const preloadDir = join(WORK, "deno-register-app");
      mkdirSync(preloadDir, { recursive: true });
      writeFileSync(join(preloadDir, "main.ts"), BLOCK_PROGRAM.replace('"tph"', '"npm:tph"'));
      const preloaded = await asUser(
        ["deno", "run", "-A", "--preload", "npm:tph/register", "main.ts"],
        preloadDir,
        denoPath,
        denoEnv,
      );
      assertCode(preloaded, 0, "deno run -A --preload npm:tph/register");
      assert.equal(preloaded.stdout, BLOCK_TREE);
    } finally {
      await registry.close();
    }
  },
});

/** A program of the user's that imports tph and traces one request in a block. */
const BLOCK_PROGRAM = `import { trace } from "tph";
function fetchUser(userId: number) {
  return { id: userId, name: "Alice" };
}
function handleRequest() {
  return fetchUser(42);
}
const t = trace.run(() => handleRequest());
console.log(t.tree().replace(/ {2}\\[.*\\]/g, ""));
`;
/** What it prints. */
const BLOCK_TREE = '└── handleRequest() -> { id: 42, name: "Alice" }\n' +
  '    └── fetchUser(userId=42) -> { id: 42, name: "Alice" }\n';

Deno.test("the register entry of the installed package: node --import, bun --preload, deno --preload", async () => {
  const file = await pack();
  const dir = join(WORK, "register-app");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "register-app", "type": "module" }\n');
  writeFileSync(join(dir, "main.ts"), BLOCK_PROGRAM);
  const install = await exec(
    [NPM, "i", file, "--prefer-offline", "--no-audit", "--no-fund"],
    { cwd: dir, timeoutMs: INSTALL_MS },
  );
  assertCode(install, 0, "npm i");
  const expected = BLOCK_TREE;
  const runs: [string, string[], string][] = [
    ["node", ["node", "--import", "tph/register", "main.ts"], NODE_ONLY],
    ["bun", ["bun", "--preload", "tph/register", "main.ts"], BUN_ONLY],
    [
      // Deno 2.9's --preload does not resolve an npm: package from the project's node_modules
      // (denoland/deno#34303): the file's path does (README, "The library").
      "deno",
      ["deno", "run", "-A", "--preload", "./node_modules/tph/lib/register.js", "main.ts"],
      onlyOn("deno", { deno: DENO }),
    ],
  ];
  for (const [name, argv, path] of runs) {
    const r = await asUser(argv, dir, `${path}:${SHELL}`);
    assertCode(r, 0, argv.join(" "));
    assert.equal(r.stdout, expected, name);
    assert.equal(r.stderr, "", name);
  }
  // Each block is a stored run, which the package's own tph lists.
  const logs = await asUser(
    ["node_modules/.bin/tph", "logs", "--json"],
    dir,
    `${NODE_ONLY}:${SHELL}`,
  );
  assertCode(logs, 0, "tph logs");
  const stored = JSON.parse(logs.stdout);
  assert.deepEqual(
    stored.map((r: { run: { runtime: string; block: boolean } }) => [r.run.runtime, r.run.block]),
    [["deno", true], ["bun", true], ["node", true]],
  );
});
