// The stored runs hold the same calls, values and tree as before: a few workloads that go through
// the recorder's paths are run by the real `tph run` on Deno, Bun and Node, each stored run (raw,
// but where it looked for values: src/program/recorder/raw_run.ts) is exported as JSON by
// `tph export`, which makes it a run file first, and that JSON, normalised, must equal the golden
// file committed in tests/fixtures/same_runs/. The recorder and the run writer can then be
// rewritten for speed with a check that what a run holds did not move.
//
// The workloads (programs in tests/fixtures/same_runs/):
// - paths.mjs: the recorder's paths in one program, with small limits and --find: argument counts
//   (0 to 5, defaults, rest, destructured, more and fewer than declared), unnamed callbacks,
//   classes, values of every kind as arguments and returns (Map, Set, typed arrays, RegExp, Date,
//   errors, symbols, bigints, cycles, long strings cut, proxies…), the detail budget (summaries
//   past 20 calls, a late call that throws described in full), errors caught by the caller and
//   thrown through callees, redaction, external calls with traced callbacks under them,
//   generators (finished, left early, left suspended, throwing), async functions (awaits,
//   rejections, Promise.all, for await, one that never ends: unfinished), calls left out past
//   --max-depth (counts under their parent) and past --max-calls (under a call, and at the root),
//   the values --find matches (in recorded calls and in left-out ones), and an uncaught error
//   that ends the run.
// - marked.mjs, yaml.mjs, zod.mjs: real libraries (traced through --include), each past the detail
//   budget; yaml also past --max-depth 12, zod with --find (a value passed down through the
//   library's calls, and external calls by the thousand).
// - examples/shop/main.ts: the README's example, in TypeScript (an edit of it changes its golden).
//
// Normalised away: what differs from one run to the next (times and durations: a number becomes
// "<t>", so that whether a call has a duration, unfinished calls have none, is still compared; the
// trace's timestamp, the run's cwd, pid, runtime and its version, tph's version) and the
// checkout's path, replaced by "<repo>". Awaited times are left out whole: one is stored only when
// not 0 at microsecond resolution, so a generator's time between yields or an await of a settled
// promise is there in one run and not in the next; instead, calls that wait on a timer
// (Workload.awaits) must have one.
//
// One golden serves the three runtimes: the programs avoid what engines legitimately do
// differently (engine-made error messages, how often sort calls its comparator, Bun's timer
// objects); where a workload cannot (shop's timers), `<name>.<runtime>.json.gz` replaces
// `<name>.json.gz` for that runtime.
//
// Goldens change only when what tph records is meant to change (a new field, a repr made better):
// then regenerate them and say why in the commit:
//
//   TPH_UPDATE_GOLDEN=1 node_modules/.bin/deno test -A tests/real/same_runs_test.ts
//
// which writes `<name>.json.gz` from what most runtimes record, and `<name>.<runtime>.json.gz` for
// a runtime that records something else. A failure names the first place the run departs from its
// golden (the path in the JSON, and the call there), not the whole run.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { RAW_FORMAT } from "../../src/run_file/format.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gunzipSync, gzipSync } from "node:zlib";
import { BUN_TARGET, DENO_TARGET, NODE_TARGET, REPO, type Target } from "../cli/commands/_cli.ts";
import { describe, pool, run } from "./_harness.ts";

const DIR = join(REPO, "tests/fixtures/same_runs");
const UPDATE = process.env.TPH_UPDATE_GOLDEN === "1";
const TARGETS: Target[] = [DENO_TARGET, BUN_TARGET, NODE_TARGET];
/** Seconds a run may take (they take about one). */
const LIMIT_S = 120;

interface Workload {
  name: string;
  /** The program, from the checkout's root (default: tests/fixtures/same_runs/<name>.mjs). */
  program?: string;
  /** `tph run` options before the program. */
  options: string[];
  /** The program's exit code. */
  exit: number;
  /**
   * Calls (by name) that wait on a timer: each must be stored with an awaited time (the timers
   * wait 5 ms and more, but on a loaded machine the process may pause between a timer's start and
   * the await's clock read for most of that: only that a time is stored is asserted).
   */
  awaits?: string[];
}

const WORKLOADS: Workload[] = [
  {
    name: "paths",
    options: ["--max-depth", "8", "--max-calls", "300", "--find", "needle-7"],
    exit: 1,
    awaits: ["sleepy"],
  },
  { name: "marked", options: ["--include", "node_modules/marked/**"], exit: 0 },
  { name: "yaml", options: ["--include", "node_modules/yaml/**", "--max-depth", "12"], exit: 0 },
  {
    name: "zod",
    options: ["--include", "node_modules/zod/**", "--find", "12345", "--find-match", "contains"],
    exit: 0,
  },
  // The README's example (TypeScript, with timers): Bun describes a Timeout object without its
  // delay (`Timeout`, where Deno and Node have `Timeout(5 ms)`), so Bun has a golden of its own.
  {
    name: "shop",
    program: "examples/shop/main.ts",
    options: [],
    exit: 0,
    awaits: ["fetchPrice"],
  },
];

// ---- normalising ----

/** Keys whose value differs from one run to the next, left out. */
const DROPPED = new Set([
  "timestamp",
  "tracepatch_version",
  "runtime_version",
  "duration_ms",
  "cwd",
  "pid",
]);

/** A time (`start_ms`, `elapsed_ms`…): whether there is one is kept, not its value. */
const isTime = (key: string) => key.endsWith("_ms");

function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED.has(k)) continue;
    // Stored only when not 0 at microsecond resolution: a generator's time between its yields, or
    // an await of a settled promise, is there in one run and not the next. Checked apart
    // (Workload.awaits).
    if (k === "awaited_ms") continue;
    out[k] = isTime(k) && typeof v === "number" ? "<t>" : normalised(v);
  }
  return out;
}

/** The awaited times of the calls with these names, anywhere in the tree. */
function awaitedOf(doc: { trace: CallLine[] }, names: string[]): [string, unknown][] {
  const found: [string, unknown][] = [];
  const stack = [...doc.trace];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (names.includes(n.name)) found.push([n.name, n.awaited_ms]);
    stack.push(...n.children);
  }
  return found;
}

// ---- comparing ----

const show = (v: unknown) => {
  const s = v === undefined ? "(absent)" : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} characters)` : s;
};

/** The first place where `got` departs from `want`: its path and both values; null when equal. */
function firstDifference(
  want: unknown,
  got: unknown,
  path = "",
): { path: string; want: unknown; got: unknown } | null {
  if (Object.is(want, got)) return null;
  const bothArrays = Array.isArray(want) && Array.isArray(got);
  const bothObjects = !bothArrays && want !== null && got !== null &&
    typeof want === "object" && typeof got === "object" && !Array.isArray(want) &&
    !Array.isArray(got);
  if (bothArrays) {
    const a = want as unknown[], b = got as unknown[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d === null) continue;
      // An item missing from one side: say how many each has.
      const counts = i >= a.length || i >= b.length
        ? ` (the golden has ${a.length} items here, the run ${b.length})`
        : "";
      return { ...d, path: d.path + counts };
    }
    return null;
  }
  if (bothObjects) {
    const a = want as Record<string, unknown>, b = got as Record<string, unknown>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== null) return d;
    }
    // The same keys, in another order.
    const ka = Object.keys(a).join(","), kb = Object.keys(b).join(",");
    return ka === kb ? null : { path: `${path} (key order)`, want: ka, got: kb };
  }
  return { path, want, got };
}

/** The call a path goes through, as one line: `name(a=1) -> 2`, to say where in the tree it is. */
function callAt(doc: unknown, path: string): string | null {
  const m = /^\.trace((?:\[\d+\](?:\.children)?)+)/.exec(path);
  if (m === null) return null;
  const steps = [...m[1].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
  let nodes = (doc as { trace: CallLine[] }).trace;
  let node: CallLine | undefined;
  for (const i of steps) {
    node = nodes?.[i];
    if (node === undefined) return null;
    nodes = node.children;
  }
  if (node === undefined) return null;
  const args = Object.entries(node.args ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
  const end = node.exception !== undefined
    ? ` !! ${node.exception}`
    : node.unfinished
    ? " [unfinished]"
    : ` -> ${node.return_value}`;
  return `${node.name}(${args})${end}`.slice(0, 300);
}

interface CallLine {
  name: string;
  args?: Record<string, string>;
  return_value?: string | null;
  exception?: string;
  unfinished?: boolean;
  awaited_ms?: number;
  children: CallLine[];
}

// ---- the goldens ----

const goldenPath = (name: string, runtime?: string) =>
  join(DIR, runtime === undefined ? `${name}.json.gz` : `${name}.${runtime}.json.gz`);

/** The golden a runtime reads: its own file where there is one, else the common one. */
function goldenFor(name: string, runtime: string): { path: string; doc: unknown } {
  const own = goldenPath(name, runtime);
  const path = existsSync(own) ? own : goldenPath(name);
  if (!existsSync(path)) {
    throw new Error(
      `no golden for ${name} (${path}); make it with TPH_UPDATE_GOLDEN=1 (see the file's header)`,
    );
  }
  return { path, doc: JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) };
}

const write = (path: string, doc: unknown) =>
  writeFileSync(path, gzipSync(JSON.stringify(doc, null, 1) + "\n", { level: 9 }));

/**
 * Write the goldens of a workload: the common file holds what most runtimes recorded, and a
 * runtime that recorded something else gets a file of its own.
 */
function update(name: string, docs: Map<string, unknown>): void {
  const texts = new Map([...docs].map(([runtime, doc]) => [runtime, JSON.stringify(doc)]));
  const votes = new Map<string, number>();
  for (const t of texts.values()) votes.set(t, (votes.get(t) ?? 0) + 1);
  const common = [...votes].sort((a, b) => b[1] - a[1])[0][0];
  write(goldenPath(name), JSON.parse(common));
  const own: string[] = [];
  for (const [runtime, text] of texts) {
    rmSync(goldenPath(name, runtime), { force: true });
    if (text === common) continue;
    write(goldenPath(name, runtime), docs.get(runtime));
    own.push(runtime);
  }
  console.log(
    `same runs: wrote ${name}'s golden` +
      (own.length === 0 ? ", one for all runtimes" : `, and ${own.join(", ")}'s own`),
  );
}

// ---- the runs ----

/** Two at a time: the machine has two cores. */
const jobs = pool(2);

/** Run a workload on a target and read its stored run back, exported and normalised. */
async function record(w: Workload, t: Target): Promise<unknown> {
  const tmp = mkdtempSync(join(tmpdir(), "tph-same-runs-"));
  try {
    const out = join(tmp, "run.json");
    const program = w.program ?? `tests/fixtures/same_runs/${w.name}.mjs`;
    // Stored raw (but with --find), as a plain `tph run` stores a run of many calls and leaves
    // it (TPH_RAW_WRITE=1: whatever its size, and not made a run file after), then exported by
    // `tph export`, which makes it a run file first: the goldens hold for the run written either
    // way.
    const cache = join(tmp, "cache");
    const r = await jobs(() =>
      run([...t.tph, "run", "--cache-dir", cache, ...w.options, program], {
        cwd: REPO,
        limitS: LIMIT_S,
        env: { TPH_RAW_WRITE: "1" },
      })
    );
    const what = `${w.name} (${t.name})`;
    assert.ok(!r.timedOut, `${what}: killed after ${LIMIT_S}s\n${describe(r)}`);
    assert.equal(r.code, w.exit, `${what}: exit code\n${describe(r)}`);
    const stored = readdirSync(cache).filter((n) => n.endsWith(".tph"));
    assert.equal(stored.length, 1, `${what}: one stored run`);
    assert.equal(
      readFileSync(join(cache, stored[0]))[7] === RAW_FORMAT,
      !w.options.includes("--find"),
      `${what}: stored raw unless it looked for values`,
    );
    const x = await jobs(() =>
      run([...t.tph, "export", "last", "--cache-dir", cache, "-o", out], {
        cwd: REPO,
        limitS: LIMIT_S,
      })
    );
    assert.equal(x.code, 0, `${what}: tph export\n${describe(x)}`);
    assert.ok(existsSync(out), `${what}: no export written\n${describe(r)}`);
    const text = readFileSync(out, "utf8").replaceAll(REPO, "<repo>").replaceAll(tmp, "<tmp>");
    const raw = JSON.parse(text);
    // The runtime is the target's; the goldens are the same for all three.
    assert.equal(raw.run?.runtime, t.runtime, `${what}: the run's runtime`);
    delete raw.run.runtime;
    // What the goldens leave out of awaited times: that they are stored where a call waited.
    const awaits = awaitedOf(raw, w.awaits ?? []);
    assert.ok(
      w.awaits === undefined || w.awaits.every((name) => awaits.some(([n]) => n === name)),
      `${what}: calls ${w.awaits} recorded`,
    );
    for (const [name, ms] of awaits) {
      assert.ok(typeof ms === "number" && ms > 0, `${what}: ${name}'s awaited_ms is ${ms}`);
    }
    return normalised(raw);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

for (const w of WORKLOADS) {
  Deno.test(`same runs: ${w.name} is stored as its golden on deno, bun and node`, async () => {
    const docs = new Map<string, unknown>();
    // Started together, two at a time; every run ends before the test does.
    const runs = await Promise.allSettled(TARGETS.map((t) => record(w, t)));
    for (const [i, t] of TARGETS.entries()) {
      const r = runs[i];
      if (r.status === "rejected") throw r.reason;
      docs.set(t.runtime, r.value);
    }
    if (UPDATE) return update(w.name, docs);
    const failures: string[] = [];
    for (const [runtime, got] of docs) {
      const golden = goldenFor(w.name, runtime);
      const d = firstDifference(golden.doc, got);
      if (d === null) continue;
      const call = callAt(golden.doc, d.path) ?? callAt(got, d.path);
      failures.push(
        `${w.name} on ${runtime} departs from ${golden.path.slice(REPO.length + 1)} at ${
          d.path || "(top)"
        }\n` +
          (call === null ? "" : `  in the call: ${call}\n`) +
          `  golden: ${show(d.want)}\n` +
          `     run: ${show(d.got)}`,
      );
    }
    assert.ok(
      failures.length === 0,
      `${failures.join("\n")}\n(if this change of what is recorded is intended, regenerate the ` +
        "goldens: TPH_UPDATE_GOLDEN=1, see tests/real/same_runs_test.ts)",
    );
  });
}
