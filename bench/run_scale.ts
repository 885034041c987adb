// Runs at scale: what tph stores per call and how fast it saves, and how `tph logs`,
// `tph view`, `tph tree` and `tph export` fare on many runs and on a 10M-call run, against their
// targets, on the Deno CLI (`deno run -A cli.ts`) and on the standalone binary (built
// into a temp folder as `deno task compile` does).
//
// It drives only the CLI and the cache folder's files, never the run format (the one exception:
// `call_count` from `tph view last --json`), so it measures whatever store the checkout has.
//
//   deno run -A bench/run_scale.ts [deno|binary] [fib1m|marked|logs|10m|50m]   (words filter;
//   none: all but 50m, which runs only when named)
//   deno task bench run_scale          (with the other benchmarks' summary table)
//
// Cases (each in a fresh cache folder under one temp folder, removed at the end):
// - fib1m: `tph run bench/programs/fib_scale.ts 28` (1,028,457 calls, args, returns, timing):
//   stored bytes per call = the bytes of what the run added to the cache folder (its files but
//   `.gitignore`) / call_count; save rate = calls / (time the program's work ended → the stored
//   run's last write). The program prints the wall clock when its work ends (`end_ms`, after the
//   last traced call); the stored file's mtime is when it was last written, i.e. closed. Both are
//   the same system clock. "to tph's exit" (the same, up to when `tph run` exited) is given too.
// - marked: `tph run --include 'node_modules/marked/**' bench/programs/marked_render.mjs`, every
//   call recorded: bytes per call, against a quarter of what the JSON store of schema 1 took
//   (MARKED_JSON below).
// - logs: one run of fib(17) (5,167 calls), hard-linked under 2,000 distinct run file names (the
//   stored name with its time and random part changed) in another cache folder; then
//   `tph logs --limit 5`. Links, not copies: the same bytes for tph to read, without 2 GB of disk.
// - 10m: `tph run bench/programs/fib_scale.ts 33` (11,405,773 calls, --max-depth 40), then
//   `tph view last`, `tph tree last --max-depth 2`, `tph tree last > /dev/null` (lines/s = its
//   call_count / its time: one line a call) and `tph export last > file`.
// - 50m (only when named): `tph run bench/programs/fib_scale.ts 32 7` (49,344,085 calls), then
//   every reading command on it, timed (each must succeed within 900 s). Needs ~8 GB of memory.
//
// Wall time: this process's clock around the command. Peak memory: the command's max RSS as
// `/usr/bin/time -f %M` reports it (getrusage of the waited-for processes: the largest one, for
// `tph run` the larger of tph and the program); without /usr/bin/time, the highest VmHWM seen in
// /proc while it ran. Every command runs in its own process group under a time limit
// (TPH_SCALE_TIMEOUT seconds, default 120; `tph run` of 10M calls 300) and a memory cap
// (TPH_SCALE_MEM_MB, default 4000, summed over the group's RSS, polled every 200 ms; `tph run`
// twice that): past either, the group is killed and the figure reads "timed out" / "killed above".
// A case whose disk need exceeds the free space (df) is skipped with a line saying so.
//
// Targets: stored bytes per call ≤ 40 (fib, 1M and 10M calls) and ≤ a quarter of the JSON store's
// (marked); saving ≥ 2M calls/s (1M calls); `tph logs --limit 5` over 2,000 runs ≤ 0.3 s and
// ≤ 100 MB; on the 10M-call run `tph view last` ≤ 0.2 s and ≤ 100 MB, `tph tree --max-depth 2`
// ≤ 2 s and ≤ 200 MB, the whole tree ≥ 1M lines/s and ≤ 200 MB, `tph export` ≤ 15 s and
// ≤ 200 MB; on the 50M-call run every command succeeds within 900 s.

import process from "node:process";
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, num, record, REPO } from "./_common.ts";

const BENCH = "run_scale";
const DENO = join(REPO, "node_modules/.bin/deno");
const TIME = "/usr/bin/time";
const HAS_TIME = existsSync(TIME);
const TIMEOUT_S = Number(process.env.TPH_SCALE_TIMEOUT ?? 120);
const MEM_CAP_MB = Number(process.env.TPH_SCALE_MEM_MB ?? 4000);
const FIB = "bench/programs/fib_scale.ts";
const MARKED = "bench/programs/marked_render.mjs";
const LOG_RUNS = 2000;
const SAVE_ROUNDS = 3;

/** Bytes per call of marked's run in the JSON store of schema 1, measured with this script. */
const MARKED_JSON: Record<TargetName, number> = { deno: 315, binary: 314 };

type TargetName = "deno" | "binary";
interface Target {
  name: TargetName;
  tph: string[];
}

const words = process.argv.slice(2);
const wants = (w: string, all: string[]) =>
  !words.some((x) => all.includes(x)) || words.includes(w);
const TARGETS: TargetName[] = ["deno", "binary"];
const CASES = ["fib1m", "marked", "logs", "10m", "50m"];
/** Cases run only when named (minutes and gigabytes of memory). */
const ASKED_ONLY = ["50m"];

// ---------------------------------------------------------------------------------------------
// Running a command, timed, with its peak memory, under a time limit and a memory cap.

interface Outcome {
  /** Exit code, or null when killed. */
  code: number | null;
  signal: string | null;
  seconds: number;
  /** Peak RSS in MB (10^6 bytes), or null when unknown. */
  peakMB: number | null;
  /** Why it was stopped: "timed out after 120 s", "killed above 4000 MB". */
  stopped: string | null;
  stdout: string;
  /** The end of stderr. */
  stderr: string;
  /** Wall clock (ms since the epoch) when it exited. */
  endedAt: number;
}

let current: number | null = null; // process group running now, for Ctrl-C

/** RSS and highest VmHWM (kB) of the processes of group `pgid`, from /proc. */
function groupMemory(pgid: number): { rssKB: number; hwmKB: number } {
  let rssKB = 0, hwmKB = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return { rssKB, hwmKB };
  }
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      // After the command name: state ppid pgrp …
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      rssKB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      hwmKB = Math.max(hwmKB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // gone meanwhile
    }
  }
  return { rssKB, hwmKB };
}

function measure(
  argv: string[],
  opts: { stdout?: "pipe" | "ignore" | string; timeoutS?: number; memCapMB?: number } = {},
): Promise<Outcome> {
  const timeoutS = opts.timeoutS ?? TIMEOUT_S;
  const capKB = (opts.memCapMB ?? MEM_CAP_MB) * 1e6 / 1024;
  const timeFile = join(tmp, `time-${Math.random().toString(36).slice(2)}`);
  const full = HAS_TIME ? [TIME, "-f", "%e %M", "-o", timeFile, ...argv] : argv;
  const outFd = opts.stdout !== undefined && opts.stdout !== "pipe" && opts.stdout !== "ignore"
    ? openSync(opts.stdout, "w")
    : null;
  const t0 = performance.now();
  const child = spawn(full[0], full.slice(1), {
    cwd: REPO,
    detached: true, // its own process group, killed whole
    stdio: ["ignore", outFd ?? (opts.stdout === "pipe" ? "pipe" : "ignore"), "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const pgid = child.pid!;
  current = pgid;
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    if (stdout.length < 1e6) stdout += String(d);
  });
  child.stderr!.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  let stopped: string | null = null;
  let hwmKB = 0;
  const kill = (why: string) => {
    if (stopped !== null) return;
    stopped = why;
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => kill(`timed out after ${timeoutS} s`), timeoutS * 1000);
  const poll = setInterval(() => {
    const m = groupMemory(pgid);
    hwmKB = Math.max(hwmKB, m.hwmKB);
    if (m.rssKB > capKB) kill(`killed above ${num(capKB * 1024 / 1e6, 0)} MB`);
  }, 200);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      const endedAt = Date.now();
      clearTimeout(timer);
      clearInterval(poll);
      current = null;
      if (outFd !== null) closeSync(outFd);
      let peakKB: number | null = hwmKB > 0 ? hwmKB : null;
      if (HAS_TIME) {
        try {
          // `Command exited with non-zero status 1` and such come first; the figures last.
          const last = readFileSync(timeFile, "utf8").trim().split("\n").pop()!;
          const kb = Number(last.split(" ")[1]);
          if (Number.isFinite(kb)) peakKB = Math.max(kb, peakKB ?? 0);
          rmSync(timeFile, { force: true });
        } catch {
          // killed with its command: the /proc figure stays
        }
      }
      resolve({
        code,
        signal,
        seconds,
        peakMB: peakKB === null ? null : peakKB * 1024 / 1e6,
        stopped,
        stdout,
        stderr,
        endedAt,
      });
    });
  });
}

/** Why a command failed, in a few words, or null when it succeeded. */
function failure(o: Outcome): string | null {
  if (o.stopped) return o.stopped;
  if (o.code === 0) return null;
  const line = (o.stderr.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? "")
    .replaceAll(tmp, "$TMP");
  const what = o.code === null ? `killed by ${o.signal}` : `exit ${o.code}`;
  return `failed after ${num(o.seconds, 1)} s (${what}${line ? `: ${line.slice(0, 100)}` : ""})`;
}

// ---------------------------------------------------------------------------------------------
// Reporting: `name: value unit (target …): value/target [PASS|FAIL]`.

let failures = 0;
interface Req {
  op: "≤" | "≥";
  value: number;
}

function report(
  t: TargetName,
  name: string,
  value: number | null,
  unit: string,
  req: Req | null,
  note?: string,
  digits = 2,
): void {
  const reqText = req ? `${req.op} ${req.value} ${unit}` : "";
  let line = `${t.padEnd(7)} ${name}: `;
  if (value === null) {
    line += `${note ?? "not measured"}` + (req ? ` (target ${reqText}) [FAIL]` : "");
    if (req) failures++;
    record({
      bench: BENCH,
      metric: name,
      value: NaN,
      unit,
      req: req ? `${req.op}${req.value}` : undefined,
      pass: req ? false : undefined,
      runtime: t,
      // The table's cell: without the command's own words.
      note: (note ?? "not measured").replace(/ \((exit \d|killed by|tph: ).*$/, ""),
    });
    console.log(line);
    return;
  }
  line += `${num(value, digits)} ${unit}`;
  let pass: boolean | undefined;
  if (req) {
    pass = req.op === "≤" ? value <= req.value : value >= req.value;
    if (!pass) failures++;
    line += ` (target ${reqText}): value/target ${num(value / req.value, 2)} [${
      pass ? "PASS" : "FAIL"
    }]`;
  } else line += " [info]";
  if (note) line += ` (${note})`;
  console.log(line);
  record({
    bench: BENCH,
    metric: name,
    value,
    unit,
    req: req ? `${req.op}${req.value}` : undefined,
    pass,
    runtime: t,
  });
}

/** Time and peak memory of a reading command, against its targets; false when it failed. */
function reportCommand(
  t: TargetName,
  name: string,
  o: Outcome,
  maxS: number,
  maxMB: number,
): boolean {
  const why = failure(o);
  if (why === null) {
    report(t, `${name}: time`, o.seconds, "s", { op: "≤", value: maxS });
    report(t, `${name}: peak RSS`, o.peakMB, "MB", { op: "≤", value: maxMB }, undefined, 0);
    return true;
  }
  report(t, `${name}: time`, null, "s", { op: "≤", value: maxS }, why);
  const peak = o.peakMB === null ? "" : ` (peak RSS ${num(o.peakMB, 0)} MB)`;
  report(t, `${name}: peak RSS`, null, "MB", { op: "≤", value: maxMB }, `failed${peak}`);
  return false;
}

// ---------------------------------------------------------------------------------------------
// The cache folder's files.

/** The entries a run added to a cache folder (all but dot names: `.gitignore`, temp files). */
function runEntries(cache: string): string[] {
  return readdirSync(cache).filter((n) => !n.startsWith(".")).sort();
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, n) => a + sizeOf(join(path, n)), 0);
}

function lastWrite(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((a, n) => Math.max(a, lastWrite(join(path, n))), st.mtimeMs);
}

/** Free bytes where `dir` is, from df (Infinity when df cannot say). */
function freeBytes(dir: string): number {
  const r = spawnSync("df", ["-Pk", dir], { encoding: "utf8" });
  const kb = Number((r.stdout ?? "").trim().split("\n").pop()?.split(/\s+/)[3]);
  return Number.isFinite(kb) ? kb * 1024 : Infinity;
}

// ---------------------------------------------------------------------------------------------
// tph run, stored in a fresh cache folder.

interface StoredRun {
  cache: string;
  bytes: number;
  calls: number;
  /** Where call_count came from. */
  callsFrom: string;
  /** Seconds from the program's end to the stored run's last write, and to tph's exit. */
  saveS: number | null;
  exitS: number | null;
  wallS: number;
  /** Peak RSS of tph run (the larger of tph and the program), MB. */
  peakMB: number | null;
}

let cacheSeq = 0;
async function tphRun(
  t: Target,
  label: string,
  args: string[],
  expectedCalls: number | null,
  limits: { timeoutS?: number; memCapMB?: number } = {},
): Promise<StoredRun | string> {
  const cache = join(tmp, `${t.name}-${label}-${cacheSeq++}`);
  const o = await measure([...t.tph, "run", "--cache-dir", cache, ...args], {
    stdout: "pipe",
    ...limits,
  });
  const why = failure(o);
  if (why) return `tph run ${why}`;
  const entries = existsSync(cache) ? runEntries(cache) : [];
  if (entries.length === 0) return "tph run stored nothing";
  const paths = entries.map((n) => join(cache, n));
  const bytes = paths.reduce((a, p) => a + sizeOf(p), 0);
  const written = Math.max(...paths.map(lastWrite));
  let end: number | null = null;
  try {
    end = JSON.parse(o.stdout.trim().split("\n").pop()!).end_ms ?? null;
  } catch {
    end = null;
  }
  let calls = expectedCalls ?? NaN;
  let callsFrom = "as the program counts them: tph view last --json failed";
  const v = await measure([...t.tph, "view", "last", "--json", "--cache-dir", cache], {
    stdout: "pipe",
  });
  if (failure(v) === null) {
    try {
      calls = JSON.parse(v.stdout).call_count;
      callsFrom = "from call_count";
    } catch {
      // keep the expected count
    }
  }
  if (!Number.isFinite(calls)) return "call count unknown (tph view last --json failed)";
  return {
    cache,
    bytes,
    calls,
    callsFrom,
    saveS: end === null ? null : (written - end) / 1000,
    exitS: end === null ? null : (o.endedAt - end) / 1000,
    wallS: o.seconds,
    peakMB: o.peakMB,
  };
}

// ---------------------------------------------------------------------------------------------
// The cases.

async function fib1m(t: Target): Promise<void> {
  const calls = 1_028_457;
  // The save rate is the best of SAVE_ROUNDS runs (this VM's speed drifts); the bytes, the first's.
  const runs: StoredRun[] = [];
  for (let i = 0; i < SAVE_ROUNDS; i++) {
    const r = await tphRun(t, "fib1m", ["--max-calls", "2000000", FIB, "28"], calls);
    if (typeof r === "string") {
      report(t.name, "fib 1M: stored bytes per call", null, "B", { op: "≤", value: 40 }, r);
      report(t.name, "fib 1M: save rate", null, "Mcalls/s", { op: "≥", value: 2 }, r);
      return;
    }
    rmSync(r.cache, { recursive: true, force: true });
    runs.push(r);
  }
  const r = runs[0];
  report(
    t.name,
    "fib 1M: stored bytes per call",
    r.bytes / r.calls,
    "B",
    { op: "≤", value: 40 },
    `${num(r.bytes / 1e6, 1)} MB / ${r.calls} calls`,
    1,
  );
  const secs = (xs: (number | null)[]) =>
    xs.some((x) => x === null) ? null : Math.min(...(xs as number[]));
  const all = (xs: (number | null)[]) => xs.map((x) => num(x ?? NaN, 2)).join(", ");
  const saveS = secs(runs.map((x) => x.saveS));
  report(
    t.name,
    "fib 1M: save rate (program end → file closed)",
    saveS === null ? null : r.calls / saveS / 1e6,
    "Mcalls/s",
    { op: "≥", value: 2 },
    saveS === null ? "no end mark from the program" : `best of ${all(runs.map((x) => x.saveS))} s`,
  );
  const exitS = secs(runs.map((x) => x.exitS));
  if (exitS !== null) {
    report(
      t.name,
      "fib 1M: save rate (program end → tph exited)",
      r.calls / exitS / 1e6,
      "Mcalls/s",
      null,
      `best of ${all(runs.map((x) => x.exitS))} s; tph run took ${all(runs.map((x) => x.wallS))} s`,
    );
  }
}

async function marked(t: Target): Promise<void> {
  const r = await tphRun(t, "marked", [
    "--include",
    "node_modules/marked/**",
    "--max-calls",
    "5000000",
    MARKED,
  ], null);
  const json = MARKED_JSON[t.name];
  const req = json > 0 ? { op: "≤" as const, value: Math.round(json / 4) } : null;
  if (typeof r === "string") {
    report(t.name, "marked: stored bytes per call", null, "B", req, r);
    return;
  }
  report(
    t.name,
    "marked: stored bytes per call",
    r.bytes / r.calls,
    "B",
    req,
    `${num(r.bytes / 1e6, 1)} MB / ${r.calls} calls` +
      (json > 0 ? `; the JSON store: ${json} B/call` : ""),
    1,
  );
  rmSync(r.cache, { recursive: true, force: true });
}

/** The stored name with its time moved back `i` seconds and its random part made unique. */
function nameFor(stored: string, i: number): string {
  const m = /^(.*?)(\d{8}T\d{6})_(\d{3})(.*)_([0-9a-f]{6})(\..*)?$/.exec(stored);
  const hex = i.toString(16).padStart(6, "0");
  if (m === null) {
    const dot = stored.indexOf(".");
    return dot < 0 ? `${stored}_${hex}` : `${stored.slice(0, dot)}_${hex}${stored.slice(dot)}`;
  }
  const [, pre, stamp, ms, mid, , ext] = m;
  const d = new Date(
    Date.UTC(
      +stamp.slice(0, 4),
      +stamp.slice(4, 6) - 1,
      +stamp.slice(6, 8),
      +stamp.slice(9, 11),
      +stamp.slice(11, 13),
      +stamp.slice(13, 15),
    ) - i * 1000,
  );
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${pre}${s}_${ms}${mid}_${hex}${ext ?? ""}`;
}

async function logs(t: Target): Promise<void> {
  const name = `tph logs --limit 5, ${LOG_RUNS} runs of 5,167 calls`;
  const r = await tphRun(t, "logs-one", ["--max-calls", "10000", FIB, "17"], 5167);
  if (typeof r === "string") {
    report(t.name, `${name}: time`, null, "s", { op: "≤", value: 0.3 }, r);
    return;
  }
  const cache = join(tmp, `${t.name}-logs`);
  mkdirSync(cache);
  const [stored] = runEntries(r.cache);
  for (let i = 0; i < LOG_RUNS; i++) {
    const from = join(r.cache, stored);
    const to = join(cache, nameFor(stored, i));
    if (statSync(from).isDirectory()) cpSync(from, to, { recursive: true });
    else linkSync(from, to);
  }
  const o = await measure([...t.tph, "logs", "--limit", "5", "--cache-dir", cache], {
    stdout: "pipe",
  });
  reportCommand(t.name, name, o, 0.3, 100);
  rmSync(cache, { recursive: true, force: true });
  rmSync(r.cache, { recursive: true, force: true });
}

async function tenMillion(t: Target): Promise<void> {
  const calls = 11_405_773;
  const names = [
    "10M: tph view last",
    "10M: tph tree last --max-depth 2",
    "10M: tph tree last > /dev/null",
    "10M: tph export last",
  ];
  // Room for the run and its export at the JSON store's ~300 B a call each (a generous bound: the
  // run format takes ~7 B a call, the export ~210).
  const need = 2 * 350 * calls;
  const free = freeBytes(tmp);
  if (free < need) {
    for (const n of names) {
      report(
        t.name,
        `${n}: time`,
        null,
        "s",
        null,
        `skipped: ${num(free / 1e9, 1)} GB free in ${tmp}, needs ${num(need / 1e9, 1)} GB`,
      );
    }
    return;
  }
  const r = await tphRun(
    t,
    "10m",
    ["--max-calls", "20000000", "--max-depth", "40", FIB, "33"],
    calls,
    {
      timeoutS: Math.max(300, TIMEOUT_S),
      memCapMB: 2 * MEM_CAP_MB,
    },
  );
  if (typeof r === "string") {
    for (const n of names) {
      report(t.name, `${n}: time`, null, "s", null, `no 10M-call run: ${r}`);
    }
    return;
  }
  report(
    t.name,
    "10M: stored bytes per call",
    r.bytes / r.calls,
    "B",
    { op: "≤", value: 40 },
    `${num(r.bytes / 1e6, 0)} MB / ${r.calls} calls, ${r.callsFrom}`,
    1,
  );
  report(
    t.name,
    "10M: save rate (program end → file closed)",
    r.saveS === null ? null : r.calls / r.saveS / 1e6,
    "Mcalls/s",
    null,
    r.saveS === null
      ? "no end mark from the program"
      : `${num(r.saveS, 1)} s; tph run took ${num(r.wallS, 1)} s`,
  );
  report(t.name, "10M: tph run peak RSS", r.peakMB, "MB", null, undefined, 0);
  const c = ["--cache-dir", r.cache];
  reportCommand(t.name, names[0], await measure([...t.tph, "view", "last", ...c]), 0.2, 100);
  reportCommand(
    t.name,
    names[1],
    await measure([...t.tph, "tree", "last", "--max-depth", "2", ...c]),
    2,
    200,
  );
  const all = await measure([...t.tph, "tree", "last", ...c], { stdout: "ignore" });
  const allWhy = failure(all);
  report(
    t.name,
    `${names[2]}: lines/s`,
    allWhy ? null : r.calls / all.seconds / 1e6,
    "M lines/s",
    { op: "≥", value: 1 },
    allWhy ?? `${r.calls} lines in ${num(all.seconds, 1)} s`,
  );
  if (allWhy === null) {
    report(
      t.name,
      `${names[2]}: peak RSS`,
      all.peakMB,
      "MB",
      { op: "≤", value: 200 },
      undefined,
      0,
    );
  } else {
    const peak = all.peakMB === null ? "" : ` (peak RSS ${num(all.peakMB, 0)} MB)`;
    report(t.name, `${names[2]}: peak RSS`, null, "MB", { op: "≤", value: 200 }, `failed${peak}`);
  }
  const out = join(tmp, `${t.name}-export.json`);
  const ex = await measure([...t.tph, "export", "last", ...c], { stdout: out });
  if (ex.code === 2 && /unknown command/i.test(ex.stderr)) {
    ex.stopped = `not available (${ex.stderr.trim().split("\n")[0]})`;
  }
  if (reportCommand(t.name, names[3], ex, 15, 200)) {
    report(t.name, `${names[3]}: output`, sizeOf(out) / 1e6, "MB", null, "", 0);
  }
  rmSync(out, { force: true });
  rmSync(r.cache, { recursive: true, force: true });
}

/** Memory the system can give without swapping, in bytes (Infinity when unknown). */
function availableMemory(): number {
  try {
    const kb = Number(/MemAvailable:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
    return Number.isFinite(kb) ? kb * 1024 : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * The largest run every command reads back: 49,344,085 calls (fib(32) 7 times), recorded by
 * `tph run` (which holds the calls in memory until the program ends: ~6 GB), then each reading
 * command on it; a figure is its time (its target is only that it works). Run only when named.
 */
async function fiftyMillion(t: Target): Promise<void> {
  const calls = 49_344_085;
  const label = "50M";
  const needDisk = 10 * calls, needMemory = 8e9;
  const free = freeBytes(tmp), memory = availableMemory();
  if (free < needDisk || memory < needMemory) {
    report(
      t.name,
      `${label}: tph run`,
      null,
      "s",
      null,
      `skipped: ${num(free / 1e9, 1)} GB free in ${tmp} (needs ${num(needDisk / 1e9, 1)}), ${
        num(memory / 1e9, 1)
      } GB of memory available (needs ${num(needMemory / 1e9, 0)})`,
    );
    return;
  }
  const limit = { op: "≤", value: 900 } as const;
  const r = await tphRun(
    t,
    "50m",
    ["--max-calls", "60000000", "--max-depth", "40", FIB, "32", "7"],
    calls,
    { timeoutS: limit.value, memCapMB: 12000 },
  );
  if (typeof r === "string") {
    report(t.name, `${label}: tph run`, null, "s", limit, r);
    return;
  }
  report(
    t.name,
    `${label}: calls stored`,
    r.calls,
    "calls",
    { op: "≥", value: calls },
    r.callsFrom,
    0,
  );
  report(
    t.name,
    `${label}: tph run`,
    r.wallS,
    "s",
    null,
    `peak RSS ${num(r.peakMB ?? NaN, 0)} MB, ${num(r.bytes / 1e6, 0)} MB stored`,
    1,
  );
  const c = ["--cache-dir", r.cache];
  const commands: [string, string[]][] = [
    ["tph logs", ["logs", "--limit", "3"]],
    ["tph view last", ["view", "last"]],
    ["tph tree last --max-depth 2", ["tree", "last", "--max-depth", "2"]],
    ["tph tree last > /dev/null", ["tree", "last"]],
    ["tph tree last --filter fib --max-depth 3", [
      "tree",
      "last",
      "--filter",
      "fib",
      "--max-depth",
      "3",
    ]],
    ["tph export last > /dev/null", ["export", "last"]],
  ];
  for (const [name, argv] of commands) {
    const o = await measure([...t.tph, ...argv, ...c], { stdout: "ignore", timeoutS: limit.value });
    const why = failure(o);
    if (why !== null) report(t.name, `${label}: ${name}`, null, "s", limit, why);
    else {
      // The commands that read every call: their rate.
      const all = name.endsWith("/dev/null");
      const rate = all ? `, ${num(r.calls / o.seconds / 1e6, 2)}M calls/s` : "";
      report(
        t.name,
        `${label}: ${name}`,
        o.seconds,
        "s",
        null,
        `peak RSS ${num(o.peakMB ?? NaN, 0)} MB${rate}`,
        1,
      );
    }
  }
  rmSync(r.cache, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-scale-"));
const cleanup = () => {
  if (current !== null) {
    try {
      process.kill(-current, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(tmp, { recursive: true, force: true });
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const t0 = performance.now();
console.log(
  `run_scale: load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ` +
    `${num(freeBytes(tmp) / 1e9, 0)} GB free in ${tmpdir()}; peak memory from ${
      HAS_TIME ? "/usr/bin/time %M" : "/proc VmHWM"
    }; limits ${TIMEOUT_S} s, ${MEM_CAP_MB} MB a command`,
);
try {
  for (const name of TARGETS) {
    if (!wants(name, TARGETS)) continue;
    let target: Target;
    if (name === "deno") target = { name, tph: [DENO, "run", "-A", join(REPO, "cli.ts")] };
    else {
      const built = buildBinary(tmp);
      if ("error" in built) {
        report(name, "build", null, "", null, built.error);
        failures++; // an informational line does not count
        continue;
      }
      const bin = built.path;
      target = { name, tph: [bin] };
    }
    for (const c of CASES) {
      if (!wants(c, CASES) || (ASKED_ONLY.includes(c) && !words.includes(c))) continue;
      if (c === "fib1m") await fib1m(target);
      if (c === "marked") await marked(target);
      if (c === "logs") await logs(target);
      if (c === "10m") await tenMillion(target);
      if (c === "50m") await fiftyMillion(target);
    }
  }
} finally {
  cleanup();
}
console.log(
  `run_scale: ${num((performance.now() - t0) / 1000, 0)} s; load average ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  } at the end`,
);
process.exitCode = failures > 0 ? 1 : 0;
