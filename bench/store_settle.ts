// What a run of many calls costs to store and to read first (issue 74): `tph run` writes it raw at
// the program's end (the exit's time kept) and makes it a run file after, in a process of its own
// (src/cli/launch/settle_raw.ts). Per runtime's CLI, in alternating rounds, medians of:
//
// - run: the whole `tph run` as the user waits for it (wall ms), against the plain program and
//   against the same run written by the run writer at the program's end (TPH_RAW_WRITE=0: the
//   design this replaced, and the store's limit: the same bytes);
// - settled: from `tph run`'s exit until the cache holds the run file (the detached process's
//   start-up and conversion), and its CPU when run in the foreground on a copy of the raw run
//   (`tph __settle`);
// - stored bytes a call once settled (target ≤ 40), against the raw run's;
// - first read: `tph view last` of the settled run against a second read (target: ×1.0), and
//   the first read of a run left raw (TPH_RAW_WRITE=1, the old way) for comparison.
//
//   deno run -A bench/store_settle.ts [deno|bun|node ...] [--rounds N] [--calls default|1m|marked]
//
// default: fib(25) recorded to tph's default limit (100,000 calls); 1m: fib(27) every call
// (635,621); marked: marked rendering its corpus, every call of the package (~767,000 calls, most
// with strings).
//
// Every command runs under a time limit (120 s); the cache folders live under one temp folder,
// removed at the end.

import process from "node:process";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO, verdict } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const BUN = join(REPO, "node_modules/.bin/bun");
const NODE = join(REPO, "node_modules/node24/bin/node");
const CLI: Record<string, string[]> = {
  deno: [DENO, "run", "-A", join(REPO, "cli.ts")],
  bun: [BUN, join(REPO, "cli.ts")],
  node: [NODE, join(REPO, "lib/cli.js")],
};
const PLAIN: Record<string, string[]> = {
  deno: [DENO, "run", "-A"],
  bun: [BUN],
  node: [NODE],
};
const PROGRAM = join(REPO, "bench/programs/fib_scale.ts");

const argv = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rounds = Number(flag("--rounds", "5"));
const size = flag("--calls", "default");
const runtimes = argv.filter((a) => a in CLI);
const MARKED = join(REPO, "bench/programs/marked_render.mjs");
const program = size === "1m" ? [PROGRAM, "27"] : size === "marked" ? [MARKED] : [PROGRAM, "25"];
const args = size === "1m"
  ? ["--max-calls", "2000000", ...program]
  : size === "marked"
  ? ["--include", "node_modules/marked/**", "--max-calls", "2000000", ...program]
  : program;
// marked is found from the checkout (its node_modules).
const cwd = size === "marked" ? REPO : undefined;
const tmp = mkdtempSync(join(tmpdir(), "tph-bench-settle-"));

interface Timed {
  ms: number;
  cpuMs: number;
  code: number | null;
}

/** Run `cmd` under a time limit; wall and CPU (user + system of the waited-for processes). */
function timed(cmd: string[], dir: string, env: Record<string, string> = {}): Timed {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "timeout", "-s", "KILL", "120", ...cmd], {
    cwd: cwd ?? dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  const [u, s] = (r.stderr.trim().split("\n").at(-1) ?? "0 0").split(" ").map(Number);
  if (r.status !== 0) console.error(`${cmd.join(" ")}: ${r.stderr.slice(-2000)}`);
  return { ms, cpuMs: (u + s) * 1000, code: r.status };
}

/** The run files of a cache folder. */
function runsIn(cache: string): string[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache).filter((n) => n.endsWith(".tph") && !n.startsWith("."))
    .map((n) => join(cache, n));
}

const isRaw = (path: string) => readFileSync(path).subarray(0, 8)[7] >= 0x80;

/** Waits (at most 120 s) until `cache`'s one run is no raw run; ms waited. */
function settledAfter(cache: string): number {
  const t0 = performance.now();
  for (;;) {
    const [run] = runsIn(cache);
    if (run !== undefined && !isRaw(run)) return performance.now() - t0;
    if (performance.now() - t0 > 120_000) return NaN;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

for (const rt of runtimes.length > 0 ? runtimes : ["deno", "bun", "node"]) {
  if (rt === "node" && !existsSync(join(REPO, "lib/cli.js"))) {
    console.log(`node: skipped (lib/ is not built: node_modules/node24/bin/node npm/build.ts)`);
    continue;
  }
  const cli = CLI[rt];
  const f: Record<string, number[]> = {};
  const add = (k: string, v: number) => (f[k] ??= []).push(v);
  let calls = 0;
  for (let round = 0; round < rounds + 1; round++) {
    const cache = (k: string) => join(tmp, `${rt}-${k}-${round}`);
    const plain = timed([...PLAIN[rt], ...program], tmp);
    const settle = timed([...cli, "run", "--cache-dir", cache("s"), ...args], tmp);
    const waited = settledAfter(cache("s"));
    const direct = timed([...cli, "run", "--cache-dir", cache("d"), ...args], tmp, {
      TPH_RAW_WRITE: "0",
    });
    const raw = timed([...cli, "run", "--cache-dir", cache("r"), ...args], tmp, {
      TPH_RAW_WRITE: "1",
    });
    const [stored] = runsIn(cache("s"));
    const [rawRun] = runsIn(cache("r"));
    const rawSize = statSync(rawRun).size;
    const copy = join(cache("r"), "copy.tph");
    copyFileSync(rawRun, copy);
    const apart = timed([...cli, "__settle", copy], tmp);
    const view = (c: string) => timed([...cli, "view", "last", "--cache-dir", c], tmp).ms;
    const firstSettled = view(cache("s"));
    const second = view(cache("s"));
    const firstRaw = view(cache("r"));
    const json = spawnSync(cli[0], [
      ...cli.slice(1),
      "view",
      "last",
      "--json",
      "--cache-dir",
      cache("d"),
    ], {
      encoding: "utf8",
    });
    calls = JSON.parse(json.stdout).call_count;
    if (round === 0) continue; // warm-up: bundles and caches made
    add("plain", plain.ms);
    add("run", settle.ms);
    add("direct", direct.ms);
    add("rawOnly", raw.ms);
    add("waited", waited);
    add("apartCpu", apart.cpuMs);
    add("apartMs", apart.ms);
    add("bytes", statSync(stored).size / calls);
    add("rawBytes", rawSize / calls);
    add("directBytes", statSync(runsIn(cache("d"))[0]).size / calls);
    add("first", firstSettled);
    add("second", second);
    add("firstRaw", firstRaw);
  }
  const m = (k: string) => median(f[k]);
  const bytesOk = m("bytes") <= 40;
  const readRatio = m("first") / m("second");
  console.log(`\n${rt}: tph run ${args.join(" ")} (${calls} calls), ${rounds} rounds, medians`);
  console.log(
    `  run          ${num(m("run"), 0, 6)} ms  ×${num(m("run") / m("plain"), 2)} plain ` +
      `(${num(m("plain"), 0)} ms), ×${num(m("run") / m("direct"), 2)} the run writer at exit ` +
      `(${num(m("direct"), 0)} ms); raw, left raw: ${num(m("rawOnly"), 0)} ms`,
  );
  console.log(
    `  settled      ${num(m("waited"), 0, 6)} ms after tph run's exit; apart in the foreground ` +
      `${num(m("apartMs"), 0)} ms, CPU ${num(m("apartCpu"), 0)} ms`,
  );
  console.log(
    `  stored       ${num(m("bytes"), 1, 6)} bytes a call (raw ${num(m("rawBytes"), 1)}, the run ` +
      `writer's ${num(m("directBytes"), 1)}) ${verdict(bytesOk, "≤40")}`,
  );
  console.log(
    `  first read   ${num(m("first"), 0, 6)} ms, ×${num(readRatio, 2)} a second read ` +
      `(${num(m("second"), 0)} ms); a run left raw: ${num(m("firstRaw"), 0)} ms`,
  );
  record({
    bench: "store_settle",
    metric: "stored bytes a call",
    value: m("bytes"),
    unit: "B",
    req: "≤ 40",
    pass: bytesOk,
    runtime: rt,
  });
  record({
    bench: "store_settle",
    metric: "tph run ×the run writer at exit",
    value: m("run") / m("direct"),
    unit: "×",
    runtime: rt,
  });
  record({
    bench: "store_settle",
    metric: "first read ×second read",
    value: readRatio,
    unit: "×",
    runtime: rt,
  });
}
rmSync(tmp, { recursive: true, force: true });
