// Exporting big runs, as a user does it: `tph export <run> --format F -o FILE` as a whole process
// (the command to the file closed), for each format, on three runs made by `tph run` on this
// runtime: recursive fib (1,000,000 calls, small values), marked rendering a document with every
// call recorded (767,082 calls, real strings and objects) and 20,000 async calls at once (81,502
// calls on 201 tracks, most values distinct). Prints the time, peak RSS (/usr/bin/time %M) and
// file size per format, the ratio chrome / perfetto in size.
// Targets: chrome ≤ 10 s and ≤ 200 MB; perfetto ≥ 3× smaller than chrome.
//
//   deno run -A bench/export_scale.ts [--rounds N]     bun bench/export_scale.ts

import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median, num, record, RT, selfCommand, verdict } from "./_common.ts";

const BENCH = "export_scale";
const REPO = resolve(import.meta.dirname!, "..");
const CLI = join(REPO, "cli.ts");
const TIME = "/usr/bin/time";
const FORMATS = ["chrome", "perfetto", "speedscope", "otlp", "json"] as const;
const TIMEOUT_MS = 300_000;
const roundsAt = process.argv.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;

const RUNS = [
  {
    name: "fib",
    args: ["--max-calls", "1000000", "bench/programs/fib.mjs", "27", "2"],
  },
  {
    name: "marked",
    args: [
      "--include",
      "node_modules/marked/**",
      "--max-calls",
      "5000000",
      "bench/programs/marked_render.mjs",
    ],
  },
  {
    name: "async",
    args: ["--max-calls", "5000000", "bench/programs/async_items.mjs"],
  },
];

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-export-"));
const timeFile = join(tmp, "time.txt");

function tph(args: string[]): { ms: number; rssMB: number; stderr: string } {
  const argv = selfCommand(CLI, args);
  const timed = existsSync(TIME) ? [TIME, "-f", "%M", "-o", timeFile, ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(timed[0], timed.slice(1), {
    cwd: REPO,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(
      `tph ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr.slice(-800)}`,
    );
  }
  const rssMB = existsSync(TIME)
    ? Number(readFileSync(timeFile, "utf8").trim().split("\n").at(-1)) / 1024
    : NaN;
  return { ms, rssMB, stderr: r.stderr };
}

let failed = 0;
try {
  for (const run of RUNS) {
    const cache = join(tmp, `cache-${run.name}`);
    tph(["run", "--cache-dir", cache, ...run.args]);
    const file = join(cache, readdirSync(cache).find((f) => f.endsWith(".tph"))!);
    const calls = /wrote (\d+) calls/.exec(
      tph(["export", file, "--format", "chrome", "-o", join(tmp, "probe.json")]).stderr,
    )?.[1];
    console.log(`${RT} ${run.name}: ${calls} calls, run file ${num(statSync(file).size / 1e6)} MB`);
    const sizes = new Map<string, number>();
    for (const format of FORMATS) {
      const out = join(tmp, `out.${format}`);
      const ms: number[] = [], rss: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const r = tph(["export", file, "--format", format, "-o", out]);
        ms.push(r.ms);
        rss.push(r.rssMB);
      }
      const size = statSync(out).size;
      sizes.set(format, size);
      rmSync(out);
      const t = median(ms), m = median(rss);
      let line = `${RT} ${run.name} ${format.padEnd(10)} ${num(t / 1000, 2, 6)} s  ` +
        `${num(m, 0, 5)} MB peak  ${num(size / 1e6, 1, 7)} MB`;
      if (format === "chrome") {
        const pass = t <= 10_000 && m <= 200;
        if (!pass) failed++;
        line += `  ${verdict(pass, "≤ 10 s and ≤ 200 MB")}`;
        record({ bench: BENCH, metric: `${run.name}: chrome export`, value: t, unit: "ms" });
        record({
          bench: BENCH,
          metric: `${run.name}: chrome export, peak RSS`,
          value: m,
          unit: "MB",
          req: "≤ 200",
          pass: m <= 200,
        });
      } else {
        record({ bench: BENCH, metric: `${run.name}: ${format} export`, value: t, unit: "ms" });
      }
      console.log(line);
    }
    const ratio = sizes.get("chrome")! / sizes.get("perfetto")!;
    const pass = ratio >= 3;
    if (!pass) failed++;
    console.log(
      `${RT} ${run.name}: chrome / perfetto in size ×${num(ratio, 2)}  ${verdict(pass, "≥ ×3")}`,
    );
    record({
      bench: BENCH,
      metric: `${run.name}: chrome / perfetto size`,
      value: ratio,
      unit: "×",
      req: "≥ 3",
      pass,
    });
    rmSync(cache, { recursive: true, force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
