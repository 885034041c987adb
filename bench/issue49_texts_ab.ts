// Issue 49, strings kept as texts: A/B of the program's CPU a call on marked, on a loaded machine.
// marked's document rendered ROUNDS times in one process under `tph run` (every call), each
// render's process CPU ms (bench/issue49_jsc/marked_cpu.mjs); per run the fastest render after the
// first two, then the median of runs, as ns a call over plain (255,694 calls a render). Variants
// alternate in each round; `<worktree>,KEY=VALUE,...` sets the program's environment.
//
//   deno run -A bench/issue49_texts_ab.ts <variant>... [node|deno|bun ...] [--runs N] [--rounds R]
//
// `plain` is the program without tph (with the first worktree's runtimes).

import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const words = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const at = words.indexOf(name);
  return at >= 0 ? Number(words[at + 1]) : d;
};
const RUNS = opt("--runs", 5), ROUNDS = opt("--rounds", 8);
const rest = words.filter((w, i) => !w.startsWith("--") && !words[i - 1]?.startsWith("--"));
const RUNTIMES = ["node", "deno", "bun"];
const runtimes = rest.filter((w) => RUNTIMES.includes(w));
const variants = rest.filter((w) => !RUNTIMES.includes(w));
const CALLS = 255_694;
const tmp = mkdtempSync(join(tmpdir(), "texts-ab-"));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const home = variants.find((v) => v !== "plain")!.split(",")[0];
const program = join(import.meta.dirname!, "issue49_jsc/marked_cpu.mjs");

function once(variant: string, rt: string): number {
  const [wt, ...sets] = variant.split(",");
  const env: Record<string, string> = { ...process.env as Record<string, string>, NO_COLOR: "1" };
  for (const kv of sets) env[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
  env.ROUNDS = String(ROUNDS);
  env.PATH = `${join(home, "node_modules/node24/bin")}:${process.env.PATH}`;
  const runner = (w: string) =>
    rt === "bun"
      ? [join(w, "node_modules/.bin/bun")]
      : rt === "deno"
      ? [join(w, "node_modules/.bin/deno"), "run", "-A"]
      : [join(home, "node_modules/node24/bin/node")];
  const argv = wt === "plain" ? [...runner(home), program] : [
    ...(rt === "bun" ? [join(wt, "node_modules/.bin/bun"), join(wt, "cli.ts")] : [
      join(wt, "node_modules/.bin/deno"),
      "run",
      "-A",
      join(wt, "cli.ts"),
    ]),
    "run",
    "--runtime",
    rt,
    "--cache-dir",
    join(tmp, "cache"),
    "--include",
    "node_modules/marked/**",
    "--max-calls",
    "50000000",
    "--max-depth",
    "100000",
    program,
  ];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: home,
    encoding: "utf8",
    env,
    timeout: 600_000,
    killSignal: "SIGKILL",
  });
  rmSync(join(tmp, "cache"), { recursive: true, force: true });
  const line = r.stderr.split("\n").find((l) => l.startsWith("CPU "));
  if (r.status !== 0 || line === undefined) {
    throw new Error(`${argv.join(" ")}: ${r.stderr.slice(-800)}`);
  }
  const ms = line.slice(4).split(" ").map(Number).slice(2);
  return Math.min(...ms);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const rt of runtimes) {
  const samples: number[][] = variants.map(() => []);
  const before = load();
  for (let i = 0; i < RUNS; i++) variants.forEach((v, k) => samples[k].push(once(v, rt)));
  console.log(`${rt} marked renders (${RUNS} runs, load ${before} → ${load()}):`);
  const plain = variants.indexOf("plain");
  const base = plain >= 0 ? median(samples[plain]) : NaN;
  variants.forEach((v, k) => {
    const m = median(samples[k]);
    const over = plain >= 0 && k !== plain
      ? `, ${((m - base) / CALLS * 1e6).toFixed(0)} ns a call over plain`
      : "";
    console.log(
      `  ${v}: fastest render CPU ${m.toFixed(1)} ms${over} | ${
        samples[k].map((x) => x.toFixed(1)).join(" ")
      }`,
    );
  });
}
rmSync(tmp, { recursive: true, force: true });
