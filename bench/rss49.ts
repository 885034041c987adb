// Where `tph run`'s peak memory is (issue 49): marked recording every call, its processes' RSS
// sampled from /proc every ~2 ms and split at the program's phases (TPH_BENCH_PHASES: the program
// ran, then the writer at exit). Optionally A/B against another checkout in alternating rounds.
//
//   deno run -A bench/rss49.ts [deno|bun|node|binary|deno-lib ...] [--rounds N] [--ref /work/wt/ref]
//     [--workload marked|yaml|zod|fib|hello] [--limit] [--curve]
//
// --limit: the design's limit (bench/limit/recorder.mjs) sampled too, in the same rounds, on the
// workload rewritten by tph's rewriter as design_limit.ts does (not on the binary).
// deno-lib: Deno running the npm build (lib/cli.js: the program's side one JavaScript bundle, where a
// checkout's child loads ~130 TypeScript modules, each emitted with its source map inline).
// --curve: each run's RSS through time.
// --plain: the program run by the runtime alone (no tph, no preload) sampled too, in the same
// rounds: with `--workload hello`, what tph's child holds before the program does anything.
//
// Per runtime and checkout (medians of the rounds): the program process's peak RSS (VmHWM) and
// where it rose to it — while the program ran, or while the run was written after its last line —
// with its RSS at the program's end and at its peak split in anonymous memory and file pages; the
// CLI process's own peak. Linux only (/proc).

import process from "node:process";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { instrument } from "../mod.ts";
import { median, num, record, REPO } from "./_common.ts";

const words = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = words.indexOf(flag);
  return at >= 0 ? words[at + 1] : undefined;
};
const ROUNDS = Number(valueOf("--rounds") ?? 3);
const REF = valueOf("--ref");
const WORKLOAD = valueOf("--workload") ?? "marked";
/** `--curve`: print each run's RSS through time. */
const CURVE = words.includes("--curve");
/** `--limit`: the limit sampled too. */
const LIMIT = words.includes("--limit");
/** `--plain`: the runtime alone sampled too. */
const PLAIN = words.includes("--plain");
const flagged = new Set(["--rounds", "--ref", "--workload"]);
const names = words.filter((w, i) => !w.startsWith("--") && !flagged.has(words[i - 1]));
const PATHS = ["deno", "bun", "node", "binary", "deno-lib"].filter((p) =>
  names.length === 0 ? p !== "deno-lib" : names.includes(p)
);

const PROGRAMS: Record<string, { program: string; include: string[]; args?: string[] }> = {
  marked: { program: "bench/programs/marked_render.mjs", include: ["node_modules/marked/**"] },
  yaml: { program: "bench/programs/yaml_parse.mjs", include: ["node_modules/yaml/**"] },
  zod: { program: "bench/programs/zod_validate.mjs", include: ["node_modules/zod/**"] },
  fib: { program: "bench/programs/fib.mjs", include: [], args: ["25", "1"] },
  hello: { program: "examples/hello.ts", include: [] },
};

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-rss-"));

/** A JavaScript file rewritten as tph rewrites it. */
function rewrite(from: string, to: string): void {
  const { code } = instrument(readFileSync(from, "utf8"), {
    filename: from,
    module: relative(REPO, from),
  });
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, code);
}

/**
 * The limit's folder (as design_limit.ts makes it): the program and its traced packages rewritten,
 * every other package a link to the checkout's.
 */
function limitFolder(program: string, include: string[]): string {
  const dir = join(tmp, "limit");
  const traced = include.map((g) => g.split("/")[1]);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "limit", "type": "module" }\n');
  for (const e of readdirSync(join(REPO, "node_modules"))) {
    if (!e.startsWith(".") && !traced.includes(e)) {
      symlinkSync(join(REPO, "node_modules", e), join(dir, "node_modules", e));
    }
  }
  for (const pkg of traced) {
    const from = join(REPO, "node_modules", pkg);
    for (const e of readdirSync(from, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const file = join(e.parentPath, e.name),
        to = join(dir, "node_modules", pkg, relative(from, file));
      if (/\.(?:c|m)?js$/.test(file)) rewrite(file, to);
      else {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(file, to);
      }
    }
  }
  rewrite(join(REPO, program), join(dir, program));
  return dir;
}

/** The command that runs tph from a checkout on a path. */
function tphCommand(root: string, path: string): string[] | null {
  if (path === "deno") {
    return [join(root, "node_modules/.bin/deno"), "run", "-A", join(root, "cli.ts")];
  }
  if (path === "bun") return [join(root, "node_modules/.bin/bun"), join(root, "cli.ts")];
  if (path === "deno-lib") {
    const deno = join(root, "node_modules/.bin/deno");
    return existsSync(join(root, "lib/cli.js"))
      ? [deno, "run", "-A", join(root, "lib/cli.js")]
      : null;
  }
  if (path === "node") {
    const node = join(root, "node_modules/node24/bin/node");
    return existsSync(join(root, "lib/cli.js")) ? [node, join(root, "lib/cli.js")] : null;
  }
  return existsSync(join(root, "dist/tph")) ? [join(root, "dist/tph")] : null;
}

interface Mem {
  rss: number;
  anon: number;
  file: number;
  hwm: number;
}

/** A process's memory (MB) from /proc/<pid>/status, or null once it is gone. */
function memOf(pid: number): Mem | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "latin1");
  } catch {
    return null;
  }
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text);
    return m === null ? 0 : Number(m[1]) / 1024;
  };
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), hwm: kb("VmHWM") };
}

/** The pids under a process (its children's, recursively). */
function descendants(pid: number, into: number[] = []): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return into;
  }
  for (const t of tasks) {
    let kids = "";
    try {
      kids = readFileSync(`/proc/${pid}/task/${t}/children`, "latin1");
    } catch {
      continue;
    }
    for (const k of kids.trim().split(/\s+/)) {
      if (k === "") continue;
      into.push(Number(k));
      descendants(Number(k), into);
    }
  }
  return into;
}

interface Sample {
  at: number;
  mem: Mem;
}

interface Figures {
  /** The program's process: its peak (VmHWM at its last sample). */
  peak: number;
  /** Its RSS / anonymous at the last sample before the program's end. */
  atEnd: number;
  anonAtEnd: number;
  /** The highest sampled RSS while the program ran, and while the run was written. */
  inProgram: number;
  inWrite: number;
  /** Anonymous and file pages at the highest sample. */
  anonAtPeak: number;
  fileAtPeak: number;
  /** The CLI's own peak. */
  cli: number;
  /** ms of the program, of the write. */
  programMs: number;
  writeMs: number;
  /** CPU ms of the process (every thread) while the program ran, and while it wrote the run (NaN: not given). */
  cpuProgram: number;
  cpuWrite: number;
  /** process.memoryUsage at the program's end and after the write (MB), where the runtime gives it. */
  memory?: { ended?: Record<string, number>; saved?: Record<string, number> };
}

/** A command run with its processes' memory sampled; the samples by pid. */
async function sample(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ cli: number; samples: Map<number, Sample[]> }> {
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => stderr += d);
  const killer = setTimeout(() => child.kill("SIGKILL"), 300_000);
  const cli = child.pid!;
  const samples = new Map<number, Sample[]>();
  let done = false;
  const exited = new Promise<number | null>((ok) =>
    child.on("exit", (code) => {
      done = true;
      ok(code);
    })
  );
  while (!done) {
    const at = Date.now();
    for (const pid of [cli, ...descendants(cli)]) {
      const mem = memOf(pid);
      if (mem === null) continue;
      let list = samples.get(pid);
      if (list === undefined) samples.set(pid, list = []);
      list.push({ at, mem });
    }
    await new Promise((ok) => setTimeout(ok, 2));
  }
  const code = await exited;
  clearTimeout(killer);
  if (code !== 0) throw new Error(`${argv.join(" ")} failed (${code}): ${stderr.slice(-600)}`);
  return { cli, samples };
}

/**
 * The limit (bench/limit/recorder.mjs) in its folder (`--limit`): its peak, its RSS as its write
 * began, and its anonymous and file pages at its highest sample.
 */
async function sampledLimit(
  argv: string[],
  cwd: string,
): Promise<{ peak: number; atEnd: number; anon: number; file: number }> {
  const out = join(tmp, "limit.run");
  const { cli, samples } = await sample(argv, cwd, { LIMIT_OUT: out });
  const list = samples.get(cli)!;
  const t = JSON.parse(readFileSync(out + ".times", "utf8")) as { write: number };
  // Its write took the last `write` ms before it exited (the last samples).
  const end = list[list.length - 1].at - t.write;
  const before = list.filter((s) => s.at <= end);
  const top = list.reduce((a, s) => (s.mem.rss > a.mem.rss ? s : a), list[0]);
  return {
    peak: list.reduce((m, s) => Math.max(m, s.mem.hwm), 0),
    atEnd: (before[before.length - 1] ?? list[0]).mem.rss,
    anon: top.mem.anon,
    file: top.mem.file,
  };
}

/**
 * A run without tph (`--plain`): its peak, and its RSS, anonymous and file pages at its highest
 * sample (a short program's last sample may be of the process as it exits).
 */
async function sampledPlain(argv: string[], cwd: string): Promise<Mem> {
  const { cli, samples } = await sample(argv, cwd, {});
  const list = samples.get(cli)!;
  const top = list.reduce((a, s) => (s.mem.rss > a.mem.rss ? s : a), list[0]).mem;
  return { ...top, hwm: list.reduce((m, s) => Math.max(m, s.mem.hwm), 0) };
}

/** One traced run, sampled. */
async function sampled(argv: string[], cwd: string): Promise<Figures> {
  const phasesFile = join(tmp, "phases.jsonl");
  writeFileSync(phasesFile, "");
  const { cli, samples } = await sample(argv, cwd, { TPH_BENCH_PHASES: phasesFile });
  const lines = readFileSync(phasesFile, "utf8").trim().split("\n");
  const ph = JSON.parse(lines[lines.length - 1]) as {
    program: number;
    ended: number;
    saved: number;
    memory?: Figures["memory"];
    cpu?: { program: number; write: number };
  };
  // The program's process: the one with the highest peak, other than the CLI's.
  let prog: Sample[] = [];
  const cliList = samples.get(cli) ?? [];
  for (const [pid, list] of samples) {
    if (pid === cli) continue;
    if (prog.length === 0 || list[list.length - 1].mem.hwm > prog[prog.length - 1].mem.hwm) {
      prog = list;
    }
  }
  if (prog.length === 0) prog = cliList;
  const before = prog.filter((s) => s.at <= ph.ended);
  const during = prog.filter((s) => s.at > ph.ended && s.at <= ph.saved + 2);
  const top = prog.reduce((a, s) => (s.mem.rss > a.mem.rss ? s : a), prog[0]);
  const last = before[before.length - 1] ?? prog[0];
  if (CURVE) {
    // The program's process RSS through the run: ms from the program's end, MB.
    const pts = prog.filter((_, i) => i % 4 === 0 || prog[i].at > ph.ended - 20);
    console.log(
      `  curve (ms from the program's end: RSS MB): ${
        pts.map((s) => `${s.at - ph.ended}:${num(s.mem.rss, 0)}`).join(" ")
      }`,
    );
  }
  const maxOf = (xs: Sample[]) => xs.reduce((m, s) => Math.max(m, s.mem.rss), 0);
  return {
    peak: prog.reduce((m, s) => Math.max(m, s.mem.hwm), 0),
    atEnd: last.mem.rss,
    anonAtEnd: last.mem.anon,
    inProgram: maxOf(before),
    inWrite: maxOf(during),
    anonAtPeak: top.mem.anon,
    fileAtPeak: top.mem.file,
    cli: cliList.reduce((m, s) => Math.max(m, s.mem.hwm), 0),
    programMs: ph.ended - ph.program,
    writeMs: ph.saved - ph.ended,
    memory: ph.memory,
    cpuProgram: ph.cpu?.program ?? NaN,
    cpuWrite: ph.cpu?.write ?? NaN,
  };
}

const w = PROGRAMS[WORKLOAD];
if (w === undefined) throw new Error(`no workload ${WORKLOAD}`);
const roots = REF === undefined
  ? [REPO]
  : words.includes("--ref-first")
  ? [REF, REPO]
  : [REPO, REF];
console.log(
  `rss49: ${WORKLOAD} every call, ${ROUNDS} alternating rounds a figure (medians), ${
    roots.join(" vs ")
  }; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
);
try {
  const limitDir = LIMIT ? limitFolder(w.program, w.include) : undefined;
  for (const path of PATHS) {
    const runs = new Map<string, Figures[]>();
    const commands = new Map<string, string[]>();
    for (const root of roots) {
      const cmd = tphCommand(root, path);
      if (cmd === null) {
        console.log(`${path}: not built in ${root}`);
        continue;
      }
      const inc = w.include.flatMap((g) => ["--include", g]);
      const argv = [
        ...cmd,
        "run",
        "--cache-dir",
        join(tmp, "cache"),
        ...inc,
        "--max-calls",
        "50000000",
        "--max-depth",
        "100000",
        join(REPO, w.program),
        ...(w.args ?? []),
      ];
      commands.set(root, argv);
      runs.set(root, []);
      await sampled(argv, REPO); // warm: the transform cache
    }
    const recorder = join(REPO, "bench/limit/recorder.mjs");
    const limitArgv = limitDir === undefined || path === "binary" ? null : [
      ...(path === "deno" || path === "deno-lib"
        ? [join(REPO, "node_modules/.bin/deno"), "run", "-A", "--preload", recorder]
        : path === "bun"
        ? [join(REPO, "node_modules/.bin/bun"), "--preload", recorder]
        : [join(REPO, "node_modules/node24/bin/node"), "--import", recorder]),
      w.program,
      ...(w.args ?? []),
    ];
    const plainArgv = !PLAIN || path === "binary" ? null : [
      ...(path === "deno" || path === "deno-lib"
        ? [join(REPO, "node_modules/.bin/deno"), "run", "-A"]
        : path === "bun"
        ? [join(REPO, "node_modules/.bin/bun")]
        : [join(REPO, "node_modules/node24/bin/node")]),
      join(REPO, w.program),
      ...(w.args ?? []),
    ];
    const limits: { peak: number; atEnd: number; anon: number; file: number }[] = [];
    const plains: Mem[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (plainArgv !== null) plains.push(await sampledPlain(plainArgv, REPO));
      if (limitArgv !== null) limits.push(await sampledLimit(limitArgv, limitDir!));
      for (const [root, argv] of commands) runs.get(root)!.push(await sampled(argv, REPO));
    }
    if (plains.length > 0) {
      const m = (f: (x: Mem) => number) => num(median(plains.map(f)), 0);
      console.log(
        `${path.padEnd(6)} plain: peak ${m((x) => x.hwm)} MB; at its highest sample ${
          m((x) => x.rss)
        } (anon ${m((x) => x.anon)}, file ${m((x) => x.file)})`,
      );
    }
    const limitPeak = median(limits.map((x) => x.peak));
    if (limits.length > 0) {
      console.log(
        `${path.padEnd(6)} the limit: peak ${num(median(limits.map((x) => x.peak)), 0)} MB; ` +
          `as its write began ≈${
            num(median(limits.map((x) => x.atEnd)), 0)
          } (its last sample less its write's ms); at its highest sample anon ${
            num(median(limits.map((x) => x.anon)), 0)
          } file ${num(median(limits.map((x) => x.file)), 0)}`,
      );
    }
    for (const [root, list] of runs) {
      const m = (f: (x: Figures) => number) => num(median(list.map(f)), 0);
      if (root === REPO) {
        const peak = median(list.map((x) => x.peak));
        record({
          bench: "rss49",
          metric: `${WORKLOAD} peak RSS`,
          value: peak,
          unit: "MB",
          runtime: path,
        });
        if (limits.length > 0) {
          record({
            bench: "rss49",
            metric: `${WORKLOAD} peak RSS over the limit`,
            value: peak - limitPeak,
            unit: "MB",
            runtime: path,
          });
        }
      }
      console.log(
        `${path.padEnd(6)} ${root === REPO ? "this" : root}: peak ${m((x) => x.peak)} MB ` +
          `(sampled: program ${m((x) => x.inProgram)}, write ${m((x) => x.inWrite)}); ` +
          `at the program's end ${m((x) => x.atEnd)} (anon ${m((x) => x.anonAtEnd)}); ` +
          `at the peak anon ${m((x) => x.anonAtPeak)} file ${m((x) => x.fileAtPeak)}; ` +
          `CLI ${m((x) => x.cli)}; program ${m((x) => x.programMs)} ms, write ${
            m((x) => x.writeMs)
          } ms` +
          (list.some((x) => !isNaN(x.cpuProgram))
            ? `; CPU program ${m((x) => x.cpuProgram)} ms, write ${m((x) => x.cpuWrite)} ms`
            : ""),
      );
      for (const when of ["ended", "saved"] as const) {
        const keys = ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers"];
        const got = list.filter((x) => x.memory?.[when] !== undefined);
        if (got.length === 0) continue;
        console.log(
          `         memoryUsage ${when === "ended" ? "at the program's end" : "after the write"}: ${
            keys.map((k) => `${k} ${num(median(got.map((x) => x.memory![when]![k])), 0)}`)
              .join(", ")
          }`,
        );
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
