// The design's own limit, measured beside tph in the same rounds: the workloads of
// bench/real_workloads.ts rewritten by tph's own rewriter (the very code `tph run` executes) and
// run with a recorder as lean as the design allows (bench/limit/recorder.mjs: every call a row with
// its parent and two clock reads, external calls too, the first 20 calls' values described, the
// run written at exit), against the plain program and `tph run` recording every call.
//
//   deno run -A bench/design_limit.ts [deno|bun|node|binary ...] [marked|yaml|zod|fib ...] [--rounds N]
//     [--hello-only]   (the `tph run hello.ts` row alone: start-up)
//     [--limits-only]  (plain and the limits alone, no tph: for trying a limit's design)
//
// Per workload and runtime it prints whole-process times (medians of alternating rounds): plain,
// the limit and tph, the ratios to plain, and tph's cost per call against the limit's
// (ns a call end to end, less plain; tph's less its fixed cost, hello.ts traced less plain). Issue 49's targets are ratios to the limit.
// Beside each figure it also prints the limit keeping every call's values as tph does: the plain
// limit keeps values for each function's first 20 calls; this one keeps every call's primitives,
// each string interned when it is kept (LIMIT_PRIMITIVES=3), and tph's figure as a ratio of it.
// Beside tph's default settings, the limit with tph's default limit (LIMIT_MAX_CALLS=100000: rows
// for the first 100,000 calls, then each call only counted, as tph's quick count does).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO } from "./_common.ts";
import { limitFolder as makeLimitFolder } from "./limit/folder.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const BUN = join(REPO, "node_modules/.bin/bun");
const NODE = join(REPO, "node_modules/node24/bin/node");
const RECORDER = join(REPO, "bench/limit/recorder.mjs");
const PLAIN = join(REPO, "bench/limit/plain.mjs");
const BINARY = join(REPO, "dist/tph");
const TIMEOUT_MS = 300_000;
/** tph's default max_calls: the limit's LIMIT_MAX_CALLS beside tph's default run. */
const DEFAULT_MAX_CALLS = 100_000;

interface Workload {
  name: string;
  program: string;
  /** The packages tph traces (copied into the limit's folder rewritten). */
  packages: string[];
  args?: string[];
}

const WORKLOADS: Workload[] = [
  { name: "marked", program: "bench/programs/marked_render.mjs", packages: ["marked"] },
  { name: "yaml", program: "bench/programs/yaml_parse.mjs", packages: ["yaml"] },
  { name: "zod", program: "bench/programs/zod_validate.mjs", packages: ["zod"] },
  { name: "fib", program: "bench/programs/fib.mjs", packages: [], args: ["25", "1"] },
];

type Path = "deno" | "bun" | "node" | "binary";

/**
 * A runtime's plain and limit commands, and the tph commands measured beside them in the same
 * rounds: one, or Bun's two (`bun cli.ts` and the binary, which runs its program on Bun): the
 * binary's ratios then have the same denominators as Bun's, not plain and limit of other minutes.
 */
interface Target {
  name: Path;
  /**
   * The runtime as a user runs a program with it, no preload: `tph run hello.ts`'s extra is over
   * this (plain's measuring preload loads node:fs and hooks the exit: on Deno ~15 ms of its own).
   */
  bare: string[];
  plain: string[];
  limit: string[];
  tphs: { name: Path; argv: string[] }[];
}

const words = process.argv.slice(2);
const roundsAt = words.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(words[roundsAt + 1]) : 3;
const names = words.filter((w, i) => !w.startsWith("--") && (roundsAt < 0 || i !== roundsAt + 1));
/** `--hello-only`: the start-up row alone, no workload. */
const HELLO_ONLY = words.includes("--hello-only");
// Only plain and the limits (no tph): the limits' own figures, for trying a limit's design.
const LIMITS_ONLY = words.includes("--limits-only");
const picked = <T extends { name: string }>(all: T[]): T[] => {
  if (HELLO_ONLY) return [];
  const some = all.filter((x) => names.includes(x.name));
  return some.length > 0 ? some : all;
};

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-limit-"));
const cache = join(tmp, "cache");
const limitOut = join(tmp, "limit.run");

/** The limit's folder for a workload (bench/limit/folder.ts), under this run's folder. */
const limitFolder = (w: Workload): string => makeLimitFolder(tmp, w);

interface Sample {
  ms: number;
  /** Peak RSS of the process and its children (MB). */
  rss: number;
}

const rssFile = join(tmp, "rss");

function once(argv: string[], cwd: string, env: Record<string, string> = {}): Sample {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, ...argv], {
    cwd,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, ...env, NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr.slice(-800)}`);
  }
  rmSync(cache, { recursive: true, force: true });
  const kb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
  return { ms, rss: kb / 1024 };
}

/** The calls the limit recorded (its run file's first line). */
function limitRows(): number {
  const head = readFileSync(limitOut, "latin1").slice(0, 1 << 20).split("\n")[0];
  return (JSON.parse(head) as { rows: number }).rows;
}

/** The in-process times a preload of bench/limit wrote: the program's, and the run's writing. */
function inProcess(): { program: number; write: number; cpu: number } {
  const t = JSON.parse(readFileSync(limitOut + ".times", "utf8"));
  return { program: t.program, write: t.write ?? 0, cpu: t.cpu_program ?? NaN };
}

/** tph's in-process times of its last run (TPH_BENCH_PHASES): the program's, and the writer's. */
function tphPhases(
  file: string,
): { program: number; write: number; calls: number; cpu: number } {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  const p = JSON.parse(lines[lines.length - 1]);
  return {
    program: p.ended - p.program,
    write: p.saved - p.ended,
    calls: p.calls,
    cpu: p.cpu?.program ?? NaN,
  };
}

const PATHS = ["deno", "bun", "node", "binary"] as const;
/** What the issue asks of `tph run hello.ts` over plain, ms. */
const HELLO_TARGET = { deno: 80, bun: 30, node: 60, binary: 30 };

const targets: Target[] = [];
for (const name of PATHS) {
  if (names.some((n) => (PATHS as readonly string[]).includes(n)) && !names.includes(name)) {
    continue;
  }
  if (name === "deno") {
    targets.push({
      name,
      bare: [DENO, "run", "-A"],
      plain: [DENO, "run", "-A", "--preload", PLAIN],
      limit: [DENO, "run", "-A", "--preload", RECORDER],
      tphs: [{ name, argv: [DENO, "run", "-A", join(REPO, "cli.ts")] }],
    });
  } else if (name === "bun" || name === "binary") {
    if (name === "binary" && !existsSync(BINARY)) {
      const built = spawnSync(DENO, ["task", "compile"], { cwd: REPO, encoding: "utf8" });
      if (built.status !== 0) {
        console.log(`binary: not built: ${built.stderr.slice(-400)}`);
        continue;
      }
    }
    const tph = { name, argv: name === "bun" ? [BUN, join(REPO, "cli.ts")] : [BINARY] };
    // The binary beside `bun cli.ts` when both are asked for: Bun's plain and limit, same rounds.
    const bun = targets.find((t) => t.name === "bun");
    if (name === "binary" && bun !== undefined) bun.tphs.push(tph);
    else {
      targets.push({
        name,
        bare: [BUN],
        plain: [BUN, "--preload", PLAIN],
        limit: [BUN, "--preload", RECORDER],
        tphs: [tph],
      });
    }
  } else {
    const built = spawnSync(NODE, [join(REPO, "npm/build.ts")], { cwd: REPO, encoding: "utf8" });
    if (built.status !== 0) {
      console.log(`node: lib/ not built: ${built.stderr.slice(-400)}`);
      continue;
    }
    targets.push({
      name,
      bare: [NODE],
      plain: [NODE, "--import", PLAIN],
      limit: [NODE, "--import", RECORDER],
      tphs: [{ name, argv: [NODE, join(REPO, "lib/cli.js")] }],
    });
  }
}

console.log(
  `design_limit: ${ROUNDS} alternating rounds a figure (medians); load average ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }`,
);

/** One line of figures against their target: `name value (target)`. */
function show(label: string, parts: string[]): void {
  console.log(`      ${label.padEnd(38)} ${parts.join("; ")}`);
}

/** A figure against the issue's target: `×2.3 (target ≤ ×2.5: met)`. */
function against(value: string, met: boolean, target: string): string {
  return `${value} (target ${target}: ${met ? "met" : "MISSED"})`;
}

try {
  const folders = new Map(picked(WORKLOADS).map((w) => [w.name, limitFolder(w)]));
  const phases = join(tmp, "phases.jsonl");
  for (const t of targets) {
    const tphs = LIMITS_ONLY ? [] : t.tphs;
    if (tphs.length > 1) {
      console.log(
        `(${tphs.map((x) => x.name).join(" and ")}: ${t.name}'s plain and limit, same rounds)`,
      );
    }
    // tph's fixed cost (hello.ts, traced less plain): what the limit, which has no CLI process,
    // leaves out; taken off tph's cost per call. The row itself is over the bare runtime.
    const hello = "examples/hello.ts";
    const helloTph = tphs.map((x) => [...x.argv, "run", "--cache-dir", cache, hello]);
    for (const h of helloTph) once(h, REPO);
    const hp: number[] = [], hb: number[] = [], ht: number[][] = tphs.map(() => []);
    for (let i = 0; i < (LIMITS_ONLY ? 0 : ROUNDS * 2 + 1); i++) {
      hp.push(once([...t.plain, hello], REPO, { LIMIT_OUT: limitOut }).ms);
      hb.push(once([...t.bare, hello], REPO).ms);
      helloTph.forEach((h, k) => ht[k].push(once(h, REPO).ms));
    }
    // Over plain (its measuring preload too): what is taken off tph's cost per call, whose
    // workloads' plain has that preload. Over the bare runtime: the row the issue sets a target on.
    const fixed = ht.map((h) => median(h) - median(hp));
    const extra = ht.map((h) => median(h) - median(hb));
    tphs.forEach(({ name: rt }, k) => {
      console.log(
        `${rt.padEnd(6)} tph run hello.ts: ${
          against(
            `+${num(extra[k], 0)} ms`,
            extra[k] <= HELLO_TARGET[rt],
            `≤ +${HELLO_TARGET[rt]} ms`,
          )
        } over \`${t.bare.map((a) => a.split("/").pop()).join(" ")} hello.ts\` (${
          num(median(hb), 0)
        } ms); +${num(fixed[k], 0)} over plain with its measuring preload`,
      );
      record({
        bench: "design_limit",
        metric: "hello.ts: ms over the bare runtime",
        value: extra[k],
        unit: "ms",
        runtime: rt,
      });
    });
    for (const w of picked(WORKLOADS)) {
      const dir = folders.get(w.name)!;
      const prog = [w.program, ...(w.args ?? [])];
      const inc = w.packages.flatMap((p) => ["--include", `node_modules/${p}/**`]);
      const plainArgv = [...t.plain, ...prog];
      const limitArgv = [...t.limit, ...prog];
      const tphRuns = tphs.map((x) => [...x.argv, "run", "--cache-dir", cache, ...inc]);
      const tphArgvs = tphRuns.map((r) => [
        ...r,
        "--max-calls",
        "50000000",
        "--max-depth",
        "100000",
        ...prog,
      ]);
      const tphDefaults = tphRuns.map((r) => [...r, ...prog]);
      // Warm: the transform cache, and the runtimes' own.
      writeFileSync(phases, "");
      once(limitArgv, dir, { LIMIT_OUT: limitOut });
      const calls = limitRows();
      const tphCalls = tphArgvs.map((a) => {
        once(a, REPO, { TPH_BENCH_PHASES: phases });
        return tphPhases(phases).calls;
      });
      // Both must record the same calls, or the comparison says nothing.
      tphCalls.forEach((n, k) => {
        if (n !== calls) {
          console.log(
            `  (${tphs[k].name}: tph recorded ${n} calls, the limit ${calls}: compared per call)`,
          );
        }
      });
      const plain: Sample[] = [], limit: Sample[] = [];
      const plainIn: number[] = [], limitIn: number[] = [], limitW: number[] = [];
      // Per tph command (tphs): every call, default settings, and their in-process times.
      const runs = tphs.map(() => ({
        tph: [] as Sample[],
        dflt: [] as Sample[],
        tphIn: [] as number[],
        tphW: [] as number[],
        tphCpu: [] as number[],
        dfltIn: [] as number[],
        dfltW: [] as number[],
      }));
      // The same in CPU time of the program's process (every thread), ms: on a loaded machine
      // the wall times above count the waits for a core, CPU time does not.
      const plainCpu: number[] = [], limitCpu: number[] = [], internedCpu: number[] = [];
      // The keeping limit that also keeps an object's class past the first 20 calls, as tph keeps
      // it for its summary (LIMIT_PRIMITIVES=4), in CPU: what tph promises past the budget.
      const classesCpu: number[] = [];
      // The limit keeping, past each function's first 20 calls, every call's primitive arguments
      // and result as tph keeps them (LIMIT_PRIMITIVES=1, bench/limit/recorder.mjs): the writer's
      // limit for what tph stores (docs/notes/perf49_dump.md §6).
      const valuesIn: number[] = [], valuesW: number[] = [], values: Sample[] = [];
      // The same, each string interned as it is kept (LIMIT_PRIMITIVES=3: the program's strings
      // are not held, the exit writes numbers alone): the limit of values typed when recorded.
      const internedIn: number[] = [], internedW: number[] = [], interned: Sample[] = [];
      // With --limits-only, also the values typed when kept with the strings held
      // (LIMIT_PRIMITIVES=2): what interning alone changes.
      const typedIn: number[] = [], typedW: number[] = [], typed: Sample[] = [];
      // The limit with tph's default limit (LIMIT_MAX_CALLS), beside tph's default run.
      const limitD: Sample[] = [], limitDIn: number[] = [], limitDW: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        plain.push(once(plainArgv, REPO, { LIMIT_OUT: limitOut }));
        const pi = inProcess();
        plainIn.push(pi.program);
        plainCpu.push(pi.cpu);
        limit.push(once(limitArgv, dir, { LIMIT_OUT: limitOut }));
        const li = inProcess();
        limitIn.push(li.program);
        limitW.push(li.write);
        limitCpu.push(li.cpu);
        if (LIMITS_ONLY) {
          values.push(once(limitArgv, dir, { LIMIT_OUT: limitOut, LIMIT_PRIMITIVES: "1" }));
          const vi = inProcess();
          valuesIn.push(vi.program);
          valuesW.push(vi.write);
        }
        interned.push(once(limitArgv, dir, { LIMIT_OUT: limitOut, LIMIT_PRIMITIVES: "3" }));
        const ii = inProcess();
        internedIn.push(ii.program);
        internedW.push(ii.write);
        internedCpu.push(ii.cpu);
        if (!LIMITS_ONLY) {
          once(limitArgv, dir, { LIMIT_OUT: limitOut, LIMIT_PRIMITIVES: "4" });
          classesCpu.push(inProcess().cpu);
        }
        const maxCalls = String(DEFAULT_MAX_CALLS);
        limitD.push(once(limitArgv, dir, { LIMIT_OUT: limitOut, LIMIT_MAX_CALLS: maxCalls }));
        const di = inProcess();
        limitDIn.push(di.program);
        limitDW.push(di.write);
        if (LIMITS_ONLY) {
          typed.push(once(limitArgv, dir, { LIMIT_OUT: limitOut, LIMIT_PRIMITIVES: "2" }));
          const yi = inProcess();
          typedIn.push(yi.program);
          typedW.push(yi.write);
          continue;
        }
        runs.forEach((r, k) => {
          r.tph.push(once(tphArgvs[k], REPO, { TPH_BENCH_PHASES: phases }));
          const ti = tphPhases(phases);
          r.tphIn.push(ti.program);
          r.tphW.push(ti.write);
          r.tphCpu.push(ti.cpu);
          r.dflt.push(once(tphDefaults[k], REPO, { TPH_BENCH_PHASES: phases }));
          const dp = tphPhases(phases);
          r.dfltIn.push(dp.program);
          r.dfltW.push(dp.write);
        });
      }
      const ms = (xs: Sample[]) => median(xs.map((x) => x.ms));
      const rss = (xs: Sample[]) => median(xs.map((x) => x.rss));
      const p = ms(plain), l = ms(limit);
      const limitNs = (l - p) / calls * 1e6;
      const pIn = median(plainIn);
      const limitInNs = (median(limitIn) - pIn) / calls * 1e6;
      const limitWNs = median(limitW) / calls * 1e6;
      const internedInNs = (median(internedIn) - pIn) / calls * 1e6;
      const internedWNs = median(internedW) / calls * 1e6;
      const pCpu = median(plainCpu);
      const limitCpuNs = (median(limitCpu) - pCpu) / calls * 1e6;
      const internedCpuNs = (median(internedCpu) - pCpu) / calls * 1e6;
      const classesCpuNs = (median(classesCpu) - pCpu) / calls * 1e6;
      const vi = ms(interned);
      const rssKeeping = rss(interned) - rss(limit);
      const ld = ms(limitD);
      // The default limit's figures: in the program, ms over plain's; the writer, ms.
      const ldIn = median(limitDIn) - pIn, ldW = median(limitDW);
      const defaults = (tph: string[]) => [
        `the limit with tph's default limit x${num(ld / p, 2)}, in the program +${
          num(ldIn, 0)
        } ms,` +
        ` writer ${num(ldW, 0)} ms`,
        ...tph,
      ];
      if (LIMITS_ONLY) {
        const valuesInNs = (median(valuesIn) - pIn) / calls * 1e6;
        const valuesWNs = median(valuesW) / calls * 1e6;
        const v = ms(values);
        const limits = [
          `the limit x${num(l / p, 2)}`,
          `storing every call's primitives x${num(v / p, 2)}`,
          `interned when kept x${num(vi / p, 2)}`,
        ];
        const typedInNs = (median(typedIn) - pIn) / calls * 1e6;
        limits.splice(2, 0, `typed, strings held x${num(ms(typed) / p, 2)}`);
        console.log(
          `${t.name.padEnd(6)} ${w.name} (${calls.toLocaleString("en")} calls): plain ${
            num(p, 0)
          } ms`,
        );
        show("whole run over plain", limits);
        show("in the program, ns a call", [
          `the limit ${num(limitInNs, 0)}`,
          `storing every call's primitives ${num(valuesInNs, 0)}`,
          `typed, strings held ${num(typedInNs, 0)}`,
          `interned when kept ${num(internedInNs, 0)}`,
        ]);
        show("writer after the last line, ns a call", [
          `the limit ${num(limitWNs, 0)}`,
          `storing every call's primitives ${num(valuesWNs, 0)}`,
          `typed, strings held ${num(median(typedW) / calls * 1e6, 0)}`,
          `interned when kept ${num(internedWNs, 0)}`,
        ]);
        show("peak RSS, MB", [
          `plain ${num(rss(plain), 0)}`,
          `the limit ${num(rss(limit), 0)}`,
          `storing every call's primitives ${num(rss(values), 0)}`,
          `typed, strings held ${num(rss(typed), 0)}`,
          `interned when kept ${num(rss(interned), 0)}`,
        ]);
        show(`default limit (${DEFAULT_MAX_CALLS.toLocaleString("en")} calls)`, defaults([]));
        continue;
      }
      tphs.forEach(({ name: rt }, k) => {
        const { tph, dflt, tphIn, tphW, tphCpu, dfltIn, dfltW } = runs[k];
        const x = ms(tph), d = ms(dflt);
        const tphNs = (x - p - fixed[k]) / calls * 1e6;
        const tphInNs = (median(tphIn) - pIn) / tphCalls[k] * 1e6;
        const tphWNs = median(tphW) / tphCalls[k] * 1e6;
        const tphCpuNs = (median(tphCpu) - pCpu) / tphCalls[k] * 1e6;
        const rssOver = rss(tph) - rss(limit);
        console.log(
          `${rt.padEnd(6)} ${w.name} (${calls.toLocaleString("en")} calls): plain ${
            num(p, 0)
          } ms;` +
            ` the limit ${num(l, 0)} ms (x${num(l / p, 2)}); tph every call ${num(x, 0)} ms;` +
            ` tph default ${num(d, 0)} ms`,
        );
        const every = w.packages.length > 0;
        // "keeping every call's values": the limit storing what tph stores, each string interned when
        // it is kept (LIMIT_PRIMITIVES=3), the best of the limits that do (docs/performance.md).
        const keep = (tphX: number, limitX: number) => `x${num(tphX / limitX, 2)} of it`;
        show("whole run over plain", [
          `the limit x${num(l / p, 2)}`,
          `the limit keeping every call's values x${num(vi / p, 2)}`,
          every
            ? `tph every call ${against(`x${num(x / p, 2)}`, x / p <= 2.5, "≤ x2.5")}, ${
              keep(x - p, vi - p)
            } over plain`
            : `tph every call x${num(x / p, 2)}`,
          every
            ? `tph default ${against(`x${num(d / p, 2)}`, d / p <= 1.5, "≤ x1.5")}`
            : `tph default x${num(d / p, 2)}`,
        ]);
        show(
          `default settings (max_calls ${DEFAULT_MAX_CALLS.toLocaleString("en")})`,
          defaults([
            `tph default x${num(d / p, 2)} (x${num(d / ld, 2)} the limit), in the program +${
              num(median(dfltIn) - pIn, 0)
            } ms, writer ${num(median(dfltW), 0)} ms`,
          ]),
        );
        show("end to end, ns a call", [
          `the limit ${num(limitNs, 0)}`,
          `tph ${num(tphNs, 0)} (x${num(tphNs / limitNs, 2)} the limit)`,
        ]);
        show("in the program, ns a call", [
          `the limit ${num(limitInNs, 0)}`,
          `the limit keeping every call's values ${num(internedInNs, 0)}`,
          `tph ${
            against(
              `${num(tphInNs, 0)} = x${num(tphInNs / limitInNs, 2)} the limit`,
              tphInNs <= 1.5 * limitInNs,
              "≤ x1.5",
            )
          }, ${keep(tphInNs, internedInNs)}`,
        ]);
        show("in the program, CPU ns a call", [
          `the limit ${num(limitCpuNs, 0)}`,
          `the limit keeping every call's values ${num(internedCpuNs, 0)}`,
          `the same keeping objects' classes too ${num(classesCpuNs, 0)}`,
          `tph ${num(tphCpuNs, 0)} = x${num(tphCpuNs / limitCpuNs, 2)} the limit, ${
            keep(tphCpuNs, internedCpuNs)
          }, ${keep(tphCpuNs, classesCpuNs)} with classes`,
        ]);
        show("writer after the last line, ns a call", [
          `the limit ${num(limitWNs, 0)}`,
          `the limit keeping every call's values ${num(internedWNs, 0)}`,
          `tph ${against(num(tphWNs, 0), tphWNs <= 60, "≤ 60")}, ${keep(tphWNs, internedWNs)}`,
        ]);
        show("peak RSS, MB", [
          `plain ${num(rss(plain), 0)}`,
          `the limit ${num(rss(limit), 0)}`,
          `the limit keeping every call's values ${num(rss(interned), 0)} (+${num(rssKeeping, 0)})`,
          `tph every call ${num(rss(tph), 0)}, ${
            against(`+${num(rssOver, 0)} over the limit`, rssOver <= 30, "≤ +30")
          }`,
        ]);
        const put = (metric: string, value: number, unit: string) =>
          record({
            bench: "design_limit",
            metric: `${w.name}: ${metric}`,
            value,
            unit,
            runtime: rt,
          });
        put("limit / plain", l / p, "x");
        put("tph / plain", x / p, "x");
        put("tph default / plain", d / p, "x");
        put("limit with tph's default limit / plain", ld / p, "x");
        put("tph per call / limit per call", tphNs / limitNs, "x");
        put("in the program: tph / limit per call", tphInNs / limitInNs, "x");
        put("writer ns a call", tphWNs, "ns");
        put("writer: tph / the limit keeping every call's values", tphWNs / internedWNs, "x");
        put(
          "in the program: tph / the limit keeping every call's values",
          tphInNs / internedInNs,
          "x",
        );
        put(
          "in the program, CPU: tph / the limit keeping every call's values",
          tphCpuNs / internedCpuNs,
          "x",
        );
        put(
          "in the program, CPU: tph / the limit keeping every call's values and objects' classes",
          tphCpuNs / classesCpuNs,
          "x",
        );
        put(
          "whole run over plain: tph / the limit keeping every call's values",
          (x - p) / (vi - p),
          "x",
        );
        put("peak RSS over the limit", rssOver, "MB");
      });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
