// A process that ends while a trace() block is open — exit() inside the block, sync or async,
// nested blocks, or its last line with a block still awaiting — stores the block as a run all the
// same, its open calls unfinished, with how the process ended; the program's output and exit code
// stay as they are plainly. Under the register entry on each runtime, and under `tph run`.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runPlain, runRegistered, type RuntimeName } from "../_harness.ts";
import { listRuns, openRun } from "../../src/store/runs.ts";
import type { CallNodeJSON } from "../../src/types.ts";
import { BUN_TARGET, DENO_TARGET, NODE_TARGET, type Target, tph } from "../cli/commands/_cli.ts";

const MOD = JSON.stringify(join(REPO, "mod.ts"));
const TMP = mkdtempSync(join(tmpdir(), "tph-block-exit-"));
globalThis.addEventListener("unload", () => rmSync(TMP, { recursive: true, force: true }));

/** A program, and the blocks it must leave stored: label, how the run ended, its calls. */
interface Case {
  name: string;
  code: string;
  exitCode: number;
  /** In the order they started: label, `ended`, `exit_code`, calls (`name*` is unfinished), depth-first. */
  blocks: { label: string; ended: string; exitCode: number; calls: string[] }[];
  /** Runtimes it runs on (default: all). */
  only?: RuntimeName[];
  /** A known secret the error stored with the blocks must not hold (it is redacted). */
  secret?: string;
}

const CASES: Case[] = [
  {
    name: "process.exit in a sync block",
    code: `import { trace } from ${MOD};
function work(n: number): number {
  if (n === 2) {
    console.log("exiting");
    process.exit(3);
  }
  return n;
}
function outer() { for (let i = 0; i < 5; i++) work(i); }
const t = trace({ label: "sync" });
outer();
t.stop();
console.log("not reached");
`,
    exitCode: 3,
    blocks: [{
      label: "sync",
      ended: "exit",
      exitCode: 3,
      calls: ["outer*", "work", "work", "work*"],
    }],
  },
  {
    name: "process.exit in an async block, after an await",
    code: `import { trace } from ${MOD};
async function step(n: number) { await null; return n * 2; }
async function flow() {
  const a = await step(1);
  console.log("got", a);
  process.exit(4);
}
await trace.run(() => flow(), { label: "async" });
console.log("not reached");
`,
    exitCode: 4,
    blocks: [{ label: "async", ended: "exit", exitCode: 4, calls: ["flow*", "step"] }],
  },
  {
    name: "process.exit in nested blocks",
    code: `import { trace } from ${MOD};
function leaf(n: number) { return n + 1; }
function inner() {
  leaf(1);
  process.exit(5);
}
function outer() {
  leaf(0);
  const t = trace({ label: "inner" });
  inner();
  t.stop();
}
trace.run(() => outer(), { label: "outer" });
`,
    exitCode: 5,
    blocks: [
      { label: "outer", ended: "exit", exitCode: 5, calls: ["outer*", "leaf"] },
      { label: "inner", ended: "exit", exitCode: 5, calls: ["inner*", "leaf"] },
    ],
  },
  {
    name: "Deno.exit in a block",
    code: `import { trace } from ${MOD};
function stop() { Deno.exit(6); }
trace.run(() => stop(), { label: "deno" });
`,
    exitCode: 6,
    blocks: [{ label: "deno", ended: "exit", exitCode: 6, calls: ["stop*"] }],
    only: ["deno"],
  },
  {
    name: "exitCode set, the program ends with a block still awaiting",
    code: `import { trace } from ${MOD};
function first() { return 1; }
async function waits() {
  first();
  process.exitCode = 7;
  await new Promise(() => {});
}
trace.run(() => waits(), { label: "waiting" });
console.log("last line");
`,
    exitCode: 7,
    blocks: [{
      label: "waiting",
      ended: "completed",
      exitCode: 7,
      calls: [
        "waits*",
        "first",
        "waits › Promise executor",
      ],
    }],
  },
  {
    name: "an uncaught error with a block open, its known secret redacted",
    code: `import { trace } from ${MOD};
function connect(key: string) {
  const refused = new Error("no access for " + key);
  throw refused;
}
trace({ label: "open" });
connect("sk_live_" + "0123456789abcdef");
`,
    exitCode: 1,
    blocks: [{ label: "open", ended: "exception", exitCode: 1, calls: ["connect"] }],
    secret: "sk_live_0123456789abcdef",
  },
];

/** A project folder holding the program. */
function project(code: string): string {
  const dir = mkdtempSync(join(TMP, "p-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "main.ts"), code);
  return dir;
}

/** Call names depth-first, `*` after an unfinished one. */
function calls(nodes: CallNodeJSON[], out: string[] = []): string[] {
  for (const n of nodes) {
    if (n.external) continue;
    out.push(n.name + (n.unfinished ? "*" : ""));
    calls(n.children, out);
  }
  return out;
}

/**
 * The block runs stored in the project's cache, in the order they started: by the time each
 * trace started (to the millisecond); blocks started in the same millisecond in the order of
 * `labels` (their ids' order is that of their storing, innermost first, at random within a
 * millisecond).
 */
function storedBlocks(dir: string, labels: string[]) {
  const started = (r: { meta: { timestamp: string } }) => r.meta.timestamp;
  const { entries } = listRuns(join(dir, ".tracepatch_cache"));
  return entries.map((e) => {
    const file = openRun(e.path);
    try {
      return { meta: file.meta, roots: file.tree().roots, path: e.path };
    } finally {
      file.close();
    }
  }).filter((r) => r.meta.run?.block === true)
    .sort((a, b) =>
      started(a) < started(b)
        ? -1
        : started(a) > started(b)
        ? 1
        : labels.indexOf(String(a.meta.label)) - labels.indexOf(String(b.meta.label))
    );
}

function assertBlocks(dir: string, c: Case, what: string): void {
  const runs = storedBlocks(dir, c.blocks.map((b) => b.label));
  assert.deepEqual(
    runs.map((r) => ({
      label: r.meta.label,
      ended: r.meta.run?.ended,
      exitCode: r.meta.run?.exit_code,
      calls: calls(r.roots),
    })),
    c.blocks,
    `${what}: the blocks stored`,
  );
  if (c.secret === undefined) return;
  for (const r of runs) {
    const error = String(r.meta.run?.error);
    assert.match(error, /no access for/, `${what}: the error stored`);
    assert.ok(!error.includes(c.secret), `${what}: the secret stored in clear: ${error}`);
  }
}

/** The program's own stderr lines (tph's warnings left out). */
function own(stderr: string): string {
  return stderr.split("\n").filter((l) => !l.startsWith("tph:")).join("\n");
}

for (const c of CASES) {
  for (const rt of c.only ?? ["deno", "bun", "node", "node22"] as RuntimeName[]) {
    Deno.test(`register entry: ${c.name}: the block is stored (${rt})`, () => {
      const dir = project(c.code);
      const plain = runPlain(rt, join(dir, "main.ts"), { cwd: dir, timeoutMs: 60_000 });
      assert.equal(plain.code, c.exitCode, plain.stderr);
      const r = runRegistered(rt, join(dir, "main.ts"), { cwd: dir, timeoutMs: 60_000 });
      assert.equal(r.stdout, plain.stdout);
      assert.equal(own(r.stderr), own(plain.stderr));
      assert.equal(r.code, plain.code, r.stderr);
      assertBlocks(dir, c, `${c.name} (${rt})`);
    });
  }
  const targets: Target[] = [DENO_TARGET, BUN_TARGET, NODE_TARGET];
  for (const t of targets) {
    if (c.only !== undefined && !c.only.includes(t.runtime)) continue;
    Deno.test(`tph run: ${c.name}: the block is stored (${t.name})`, async () => {
      const dir = project(c.code);
      const plain = runPlain(t.runtime, join(dir, "main.ts"), { cwd: dir, timeoutMs: 60_000 });
      const r = await tph(t, ["run", "main.ts"], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(r.stdout, plain.stdout);
      assert.equal(own(r.stderr), own(plain.stderr));
      assert.equal(r.code, c.exitCode, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`^tph: ${c.blocks.length} trace\\(\\) blocks? stored`, "m"),
      );
      assertBlocks(dir, c, `${c.name} (tph run, ${t.name})`);
    });
  }
}
