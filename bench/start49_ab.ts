// `tph run hello.ts`'s start-up, this checkout against another in alternating rounds (issue 49): the
// wall time of the command, and from the program's process's own clock (TPH_BENCH_PHASES) when
// tph's modules had loaded and when the program's first line was about to run, from its start, and
// from the program's end (its last line) to the CLI's (the run saved, read and reported); the
// runtime's plain `hello.ts` in the same rounds; with --rss, each command's peak RSS (the largest
// of its processes) and CPU time (user + system, all its processes), from /usr/bin/time: on a
// loaded machine the CPU moves less than the wall (/usr/bin/time counts it in 10 ms ticks: the mean
// of the rounds is printed, not the median), and the minor page faults of all its processes (pages
// first touched: on these VMs each costs CPU, and their count does not move with the load).
//
//   deno run -A bench/start49_ab.ts --ref /work/wt/ref2 [deno|bun|node|binary] [--rounds N] [--rss]
//     [--ref-binary <the reference's dist/tph>]
//
// `binary` runs each checkout's dist/tph (build it first: `deno task compile`); a read-only
// reference's binary built elsewhere is named by --ref-binary.

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, REPO } from "./_common.ts";

const words = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = words.indexOf(flag);
  return at >= 0 ? words[at + 1] : undefined;
};
const REF = valueOf("--ref");
if (REF === undefined) throw new Error("usage: start49_ab.ts --ref <checkout> [deno|bun|node]");
const ROUNDS = Number(valueOf("--rounds") ?? 15);
const PATH = ["deno", "bun", "node", "binary"].find((p) => words.includes(p)) ?? "deno";
const REF_BINARY = valueOf("--ref-binary");
const RSS = words.includes("--rss");
const TIME = "/usr/bin/time";

function command(root: string): string[] {
  if (PATH === "binary") {
    return [root === REF && REF_BINARY !== undefined ? REF_BINARY : join(root, "dist/tph")];
  }
  if (PATH === "deno") return [join(root, "node_modules/.bin/deno"), "run", "-A", "cli.ts"];
  if (PATH === "bun") return [join(root, "node_modules/.bin/bun"), "cli.ts"];
  return [join(root, "node_modules/node24/bin/node"), "lib/cli.js"];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const tmp = mkdtempSync(join(tmpdir(), "tph-bench-start-"));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`start49_ab: ${PATH}, ${ROUNDS} alternating rounds; load average ${load()}`);
try {
  type Figure = {
    wall: number;
    loaded: number;
    program: number;
    rss: number;
    cpu: number;
    faults: number;
    cliCpu: number;
    cliPlanCpu: number;
    sinceCli: number;
    spawn: number;
    plan: number;
    tail: number;
  };
  const figures = new Map<string, Figure[]>();
  const plain: { wall: number; rss: number; cpu: number; faults: number }[] = [];
  const roots = [REPO, REF];
  const rssFile = join(tmp, "rss.txt");
  /** Run argv in `cwd`: its wall time (ms) and, with --rss, its peak RSS (MB). */
  const timed = (argv: string[], cwd: string, env: Record<string, string>) => {
    const full = RSS ? [TIME, "-f", "%M %U %S %R", "-o", rssFile, ...argv] : argv;
    const started = performance.now();
    const r = spawnSync(full[0], full.slice(1), {
      cwd,
      stdio: "ignore",
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout: 60_000,
    });
    const wall = performance.now() - started;
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed in ${cwd}`);
    const words = RSS ? readFileSync(rssFile, "utf8").trim().split("\n").pop()!.split(" ") : [];
    const rss = RSS ? Number(words[0]) / 1024 : 0;
    const cpu = RSS ? (Number(words[1]) + Number(words[2])) * 1000 : 0;
    const faults = RSS ? Number(words[3]) : 0;
    return { wall, rss, cpu, faults };
  };
  const runtimeOf = PATH === "binary" ? "bun" : PATH;
  const plainArgv = [
    join(
      REPO,
      runtimeOf === "node" ? "node_modules/node24/bin/node" : `node_modules/.bin/${runtimeOf}`,
    ),
  ];
  if (runtimeOf === "deno") plainArgv.push("run", "-A");
  plainArgv.push("examples/hello.ts");
  for (let i = -1; i < ROUNDS; i++) {
    const p = timed(plainArgv, REPO, {});
    if (i >= 0) plain.push(p);
    for (const root of roots) {
      const phases = join(tmp, "phases.jsonl");
      writeFileSync(phases, "");
      const argv = [...command(root), "run", "examples/hello.ts"];
      const { wall, rss, cpu, faults } = timed(argv, root, { TPH_BENCH_PHASES: phases });
      // The first round warms the caches (the transform cache, a checkout's bundles).
      if (i < 0) continue;
      const lines = readFileSync(phases, "utf8").trim().split("\n");
      const p = JSON.parse(lines[lines.length - 1]) as {
        process: number;
        loaded: number;
        program: number;
        cli_start: number;
        cli_cpu: number;
        cli_plan_cpu: number;
        cli_plan: number;
        ended: number;
        cli_end: number;
      };
      const list = figures.get(root) ?? [];
      list.push({
        wall,
        loaded: p.loaded - p.process,
        program: p.program - p.process,
        rss,
        cpu,
        faults,
        cliCpu: p.cli_cpu,
        cliPlanCpu: p.cli_plan_cpu,
        sinceCli: p.program - p.cli_start,
        spawn: p.process - p.cli_start,
        plan: p.cli_plan - p.process,
        tail: p.cli_end - p.ended,
      });
      figures.set(root, list);
    }
  }
  const plainWall = median(plain.map((x) => x.wall));
  console.log(
    `plain ${runtimeOf} hello.ts: wall ${num(plainWall, 1)} ms` +
      (RSS
        ? `, CPU ${num(mean(plain.map((x) => x.cpu)), 1)} ms, peak RSS ${
          num(median(plain.map((x) => x.rss)), 1)
        } MB, page faults ${num(median(plain.map((x) => x.faults)), 0)}`
        : ""),
  );
  for (const [root, list] of figures) {
    const m = (f: (x: Figure) => number) => num(median(list.map(f)), 1);
    console.log(
      `${root === REPO ? "this" : root}: wall ${m((x) => x.wall)} ms (+${
        num(median(list.map((x) => x.wall)) - plainWall, 1)
      } over plain); the program's process: tph loaded ${m((x) => x.loaded)} ms, the program's ` +
        `first line ${m((x) => x.program)} ms after its start, ${
          m((x) => x.sinceCli)
        } after the CLI's; the program's process started ${m((x) => x.spawn)} ms after the CLI, ` +
        `its settings written ${m((x) => x.plan)} ms after its start; the CLI's CPU ${
          m((x) => x.cliCpu)
        } ms (${
          m((x) => x.cliPlanCpu)
        } at the settings written); from the program's last line to ` +
        `the CLI's end ${m((x) => x.tail)} ms` +
        (RSS
          ? `; CPU ${num(mean(list.map((x) => x.cpu)), 1)} ms (the program's process ${
            num(mean(list.map((x) => x.cpu - x.cliCpu)), 1)
          }), peak RSS ${m((x) => x.rss)} MB, page faults ${
            num(median(list.map((x) => x.faults)), 0)
          }`
          : ""),
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`load average ${load()}`);
