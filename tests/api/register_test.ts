// tph's register entry (register.ts, `tph/register` in the package): the program run by its own
// runtime, as production runs it, with the entry loaded first. The seed's quick start
// (fetch_user / handle_request, sync and async) records inside its trace() blocks only, prints
// its tree, and each block is kept in the run cache, where the CLI reads it like any run. The
// project's config applies (a block's own options win); auto_save, enabled and TPH_DISABLE switch
// storing and recording off; the program's own output, exit code and errors stay as they are.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO, runPlain, runRegistered, type RuntimeName } from "../_harness.ts";
import { listRuns, openRun } from "../../src/store/runs.ts";
import { LOADED_BEFORE } from "../../src/program/trace.ts";
import type { CallNodeJSON } from "../../src/types.ts";

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node", "node22"];
const MOD = JSON.stringify(join(REPO, "mod.ts"));
const TMP = mkdtempSync(join(tmpdir(), "tph-register-"));
globalThis.addEventListener("unload", () => rmSync(TMP, { recursive: true, force: true }));

/** A project folder with these files (package.json says "type": "module" unless given). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(TMP, "p-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The seed's quick start: the same two functions, traced sync and async. */
const QUICK_START = `import { trace } from ${MOD};

function fetchUser(userId: number) {
  return { id: userId, name: "Alice" };
}

function handleRequest() {
  const user = fetchUser(42);
  return user;
}

async function fetchUserAsync(userId: number) {
  await 0;
  return { id: userId, name: "Alice" };
}

async function handleRequestAsync() {
  return await fetchUserAsync(7);
}

handleRequest(); // outside any block: not recorded
const t = trace.run(() => handleRequest());
console.log(t.tree());
const a = await trace.run(() => handleRequestAsync(), { label: "async request" });
console.log(a.tree());
console.log(JSON.stringify([t.callCount, a.callCount]));
`;

/** A tree without its timings. */
function untimed(text: string): string {
  return text.replace(/ {2}\[[^\]\n]*\]$/gm, "");
}

/** The runs stored in a project's cache, oldest first, with their calls. */
function storedRuns(dir: string) {
  const { entries, warnings } = listRuns(join(dir, ".tracepatch_cache"));
  assert.deepEqual(warnings, []);
  return entries.reverse().map((e) => {
    const file = openRun(e.path);
    try {
      return { meta: file.meta, roots: file.tree().roots, path: e.path };
    } finally {
      file.close();
    }
  });
}

function names(nodes: CallNodeJSON[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.name);
    names(n.children, out);
  }
  return out;
}

for (const rt of RUNTIMES) {
  Deno.test(`register entry: the quick start records its blocks, prints and stores them (${rt})`, () => {
    const dir = project({ "main.ts": QUICK_START });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(
      untimed(r.stdout),
      [
        '└── handleRequest() -> { id: 42, name: "Alice" }',
        '    └── fetchUser(userId=42) -> { id: 42, name: "Alice" }',
        '└── async handleRequestAsync() -> { id: 7, name: "Alice" }',
        '    └── async fetchUserAsync(userId=7) -> { id: 7, name: "Alice" }',
        "[2,2]",
        "",
      ].join("\n"),
    );
    const runs = storedRuns(dir);
    assert.equal(runs.length, 2, "one stored run per block");
    const [sync, async] = runs;
    // Labelled by the callback's name, else the first call's function; the label given wins.
    assert.equal(sync.meta.label, "handleRequest");
    assert.equal(async.meta.label, "async request");
    assert.deepEqual(names(sync.roots), ["handleRequest", "fetchUser"]);
    assert.deepEqual(names(async.roots).slice(0, 2), ["handleRequestAsync", "fetchUserAsync"]);
    for (const run of runs) {
      assert.equal(run.meta.run?.block, true, "the run says it came from a block");
      assert.equal(run.meta.run?.ended, "completed");
      assert.equal(run.meta.run?.runtime, rt === "node22" ? "node" : rt);
      assert.equal(run.meta.run?.command[0], "main.ts");
    }
  });

  Deno.test(`register entry: the project's config applies, a block's options win (${rt})`, () => {
    const dir = project({
      "tracepatch.toml": 'max_depth = 1\ndefault_label = "my-app"\n',
      "main.ts": `import { trace } from ${MOD};
function leaf(n: number): number { return n + 1; }
function mid(n: number): number { return leaf(n) * 2; }
const a = trace.run(() => mid(1));
const b = trace.run(() => mid(2), { maxDepth: 5 });
console.log(JSON.stringify([a.callCount, b.callCount]));
`,
    });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "[1,2]\n", "max_depth = 1 from the config; maxDepth: 5 from the block");
    const runs = storedRuns(dir);
    assert.deepEqual(runs.map((x) => x.meta.config.max_depth), [1, 5]);
    // default_label names blocks without a label of their own.
    assert.deepEqual(runs.map((x) => x.meta.label), ["my-app", "my-app"]);
  });

  Deno.test(`register entry: auto_save = false keeps blocks in the program only (${rt})`, () => {
    const dir = project({ "tracepatch.toml": "auto_save = false\n", "main.ts": QUICK_START });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fetchUser\(userId=42\)/);
    assert.deepEqual(readdirSync(dir).sort(), ["main.ts", "package.json", "tracepatch.toml"]);
  });

  Deno.test(`register entry: TPH_DISABLE=1 and enabled = false make blocks no-ops (${rt})`, () => {
    const plain = runPlain(rt, join(project({ "main.ts": QUICK_START }), "main.ts"), {
      env: { TPH_DISABLE: "1" },
    });
    for (
      const [files, env] of [
        [{ "main.ts": QUICK_START }, { TPH_DISABLE: "1" }],
        [{ "main.ts": QUICK_START, "tracepatch.toml": "enabled = false\n" }, {}],
      ] as const
    ) {
      const dir = project(files);
      const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "", "not a word");
      assert.equal(r.stdout, "\n\n[0,0]\n", "empty trees");
      assert.equal(r.stdout, plain.stdout);
      assert.ok(!readdirSync(dir).includes(".tracepatch_cache"), "nothing stored");
    }
  });

  Deno.test(`register entry: the program's output, exit code and error position stay (${rt})`, () => {
    const program = `import { trace } from ${MOD};
interface Order { id: number }
function check(order: Order): number {
  if (order.id < 0) throw new RangeError("bad order " + order.id);
  return order.id;
}
const t = trace.run(() => check({ id: 1 }));
console.log("checked", t.result, check.toString().length);
process.exitCode = 3;
check({ id: -1 });
`;
    const dir = project({ "main.ts": program });
    const plain = runPlain(rt, join(dir, "main.ts"), { cwd: dir, env: { TPH_DISABLE: "1" } });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, plain.code);
    assert.equal(r.stdout, plain.stdout);
    // The uncaught error's first lines (message and the frame of the throw) are the same.
    const head = (s: string) => s.split("\n").filter((l) => /main\.ts|RangeError/.test(l))[0];
    assert.equal(head(r.stderr), head(plain.stderr));
    assert.match(plain.stderr, /RangeError: bad order -1/);
  });

  Deno.test(`register entry: imported after the program's modules loaded, it says how to load it (${rt})`, () => {
    const dir = project({
      "main.ts": `import ${JSON.stringify(join(REPO, "register.ts"))};
import { trace } from ${MOD};
import { work } from "./work.ts";
const t = trace.run(() => work());
console.log(t.callCount);
`,
      "work.ts": "export function work() { return 1; }\n",
    });
    const r = runPlain(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "0\n");
    assert.equal(r.stderr, `tph: warning: ${LOADED_BEFORE}\n`);
  });
}

for (const rt of RUNTIMES) {
  Deno.test(`trace.logs(), trace.load(ref) and loadConfig() read what tph's commands read (${rt})`, () => {
    const dir = project({
      "tracepatch.toml": "max_repr = 40\n",
      "main.ts": `import { loadConfig, trace } from ${MOD};
function fetchUser(userId: number) { return { id: userId, name: "Alice" }; }
trace.run(() => fetchUser(1), { label: "first" });
trace.run(() => fetchUser(2), { label: "second" });
const logs = await trace.logs();
const last = await trace.load("last");
const byNumber = await trace.load("2");
const byId = await trace.load(logs[1].id.slice(0, 20));
let missing = "";
try {
  await trace.load("nope");
} catch (e) {
  missing = (e as Error).message;
}
const { config, source } = loadConfig();
console.log(JSON.stringify({
  labels: logs.map((r) => r.label),
  counts: logs.map((r) => r.call_count),
  block: logs[0].run?.block,
  last: [last.label, last.trace[0].name, last.trace[0].args],
  byNumber: byNumber.label,
  byId: byId.label,
  missing,
  config: [config.max_repr, source?.endsWith("tracepatch.toml")],
}));
`,
    });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.labels, ["second", "first"], "newest first, as tph logs numbers them");
    assert.deepEqual(out.counts, [1, 1]);
    assert.equal(out.block, true);
    assert.deepEqual(out.last, ["second", "fetchUser", { userId: "2" }]);
    assert.equal(out.byNumber, "first");
    assert.equal(out.byId, "first");
    assert.match(out.missing, /^Cannot read run "nope": /);
    assert.deepEqual(out.config, [40, true]);
  });
}

Deno.test("register entry: required first by a CommonJS program, it traces what loads after it (node)", () => {
  const dir = project({
    "package.json": '{ "type": "commonjs" }\n',
    "main.cjs": `require(${JSON.stringify(join(REPO, "register.ts"))});
const { trace } = require(${MOD});
const { work } = require("./work.cjs");
const t = trace.run(() => work(2));
console.log(t.tree().replace(/  \\[.*\\]/g, ""));
`,
    "work.cjs": "exports.work = function work(n) { return n * 2; };\n",
  });
  const r = runPlain("node", join(dir, "main.cjs"), { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "└── work(n=2) -> 4\n");
  assert.equal(storedRuns(dir).length, 1);
});

Deno.test("register entry: tph logs lists a stored block and tph tree draws it", () => {
  const dir = project({ "main.ts": QUICK_START });
  const r = runRegistered("deno", join(dir, "main.ts"), { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const tph = (...args: string[]) => {
    const out = new Deno.Command(BIN.deno, {
      args: ["run", "-A", join(REPO, "cli.ts"), ...args],
      cwd: dir,
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(60_000),
    }).outputSync();
    return { code: out.code, out: new TextDecoder().decode(out.stdout) };
  };
  const logs = tph("logs");
  assert.equal(logs.code, 0);
  assert.match(logs.out, /async request .* block +-\n/);
  assert.match(logs.out, /handleRequest .* block +-\n/);
  const tree = tph("tree", "2");
  assert.equal(tree.code, 0);
  assert.match(tree.out, /handleRequest\(\) -> \{ id: 42, name: "Alice" \}/);
  const view = tph("view", "last");
  assert.match(view.out, /Source +a trace\(\) block of the program below/);
});

/** The first TypeScript example of the README's library section, with its drawn tree. */
function readmeExample(): { code: string; tree: string[] } {
  const readme = Deno.readTextFileSync(join(REPO, "README.md"));
  const section = readme.slice(readme.indexOf("## The library"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const tree = code.split("\n").filter((l) => l.startsWith("// ") && /[└├]/.test(l))
    .map((l) => l.slice(3).replace(/ {2}\[[^\]]*\]$/, ""));
  return { code, tree };
}

// `using` needs Node 24 (V8 13.x); Node 22 runs trace.run (above).
for (const rt of ["deno", "bun", "node"] as const) {
  Deno.test(`the README's library example works with the register entry, and is stored (${rt})`, () => {
    const { code, tree } = readmeExample();
    assert.ok(tree.length >= 2, "the README draws the example's tree");
    const dir = project({ "main.ts": code.replace(/from "tph";.*$/m, `from ${MOD};`) });
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.deepEqual(untimed(r.stdout).trimEnd().split("\n"), tree);
    const [run] = storedRuns(dir);
    assert.equal(run.meta.label, "request");
    assert.deepEqual(names(run.roots), ["handleRequest", "fetchUser"]);
  });

  Deno.test(`examples/quickstart_{sync,async}.ts with the register entry print their trees and keep them (${rt})`, () => {
    const cache = mkdtempSync(join(TMP, "cache-"));
    const config = join(cache, "tracepatch.toml");
    writeFileSync(config, `cache_dir = ${JSON.stringify(join(cache, "runs"))}\n`);
    for (const example of ["quickstart_sync", "quickstart_async"]) {
      const r = runRegistered(rt, join(REPO, "examples", `${example}.ts`), {
        cwd: cache,
        env: { TPH_CONFIG: config },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^└── (async )?handleRequest\(\) -> \{ id: 42, name: "Alice" \}/);
      assert.match(
        r.stdout,
        /\n {4}└── (async )?fetchUser\(userId=42\) -> \{ id: 42, name: "Alice" \}/,
      );
    }
    const { entries } = listRuns(join(cache, "runs"));
    assert.equal(entries.length, 2, "each example's block is kept in the cache");
    assert.ok(entries.every((e) => e.run.run?.block === true));
  });
}

for (const rt of ["deno", "bun", "node"] as const) {
  Deno.test(`register entry: a config it cannot use is one line, and the program runs untraced (${rt})`, () => {
    for (
      const [files, env, line] of [
        [
          { "tracepatch.toml": "max_depth = [\n" },
          {},
          /^tph: Cannot read config "tracepatch\.toml": invalid TOML at line \d+, column \d+: .*; the program runs untraced\n$/,
        ],
        [
          {},
          { TPH_CONFIG: "missing.toml" },
          /^tph: Cannot read config "missing\.toml": file not found; the program runs untraced\n$/,
        ],
        [
          { "tracepatch.toml": 'scope = ["nowhere"]\n' },
          {},
          /^tph: "scope" in .*tracepatch\.toml: ".*nowhere" does not exist; the program runs untraced\n$/,
        ],
      ] as const
    ) {
      const dir = project({ ...files, "main.ts": QUICK_START });
      const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      // The program's own output is whole; its blocks then say once that nothing is instrumented.
      assert.match(r.stdout, /\[0,0\]\n$/);
      const [first, ...rest] = r.stderr.split(/(?<=\n)/);
      assert.match(first, line);
      assert.ok(
        rest.length <= 1 && rest.every((l) => l.startsWith("tph: warning: trace()")),
        r.stderr,
      );
    }
  });

  Deno.test(`register entry: a block that cannot be stored says so once; the program goes on (${rt})`, () => {
    // cache_dir is a file: no run can be written under it.
    const dir = project({ "main.ts": QUICK_START, "blocked": "a file\n" });
    writeFileSync(
      join(dir, "tracepatch.toml"),
      `cache_dir = ${JSON.stringify(join(dir, "blocked"))}\n`,
    );
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fetchUser\(userId=42\)/);
    assert.match(r.stdout, /\[2,2\]\n$/);
    const warnings = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /^tph: warning: cannot store the trace\(\) block in ".*blocked": /);
  });

  Deno.test(`register entry: a cache folder others can write is not used for blocks (${rt})`, () => {
    const dir = project({ "main.ts": QUICK_START });
    const shared = join(dir, "shared");
    mkdirSync(shared);
    Deno.chmodSync(shared, 0o777);
    writeFileSync(join(dir, "tracepatch.toml"), `cache_dir = ${JSON.stringify(shared)}\n`);
    const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\[2,2\]\n$/);
    assert.match(r.stderr, /^tph: warning: trace\(\) blocks are not stored: ".*shared" is .*\n$/);
    assert.deepEqual(readdirSync(shared), []);
  });
}
