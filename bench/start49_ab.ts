// `tph run hello.ts`'s start-up, this checkout against another in alternating rounds (issue 49): the
// wall time of the command, and from the program's process's own clock (TPH_BENCH_PHASES) when
// tph's modules had loaded and when the program's first line was about to run, from its start.
//
//   deno run -A bench/start49_ab.ts --ref /work/wt/ref2 [deno|bun|node] [--rounds N]

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
const PATH = ["deno", "bun", "node"].find((p) => words.includes(p)) ?? "deno";

function command(root: string): string[] {
  if (PATH === "deno") return [join(root, "node_modules/.bin/deno"), "run", "-A", "cli.ts"];
  if (PATH === "bun") return [join(root, "node_modules/.bin/bun"), "cli.ts"];
  return [join(root, "node_modules/node24/bin/node"), "lib/cli.js"];
}

const tmp = mkdtempSync(join(tmpdir(), "tph-bench-start-"));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`start49_ab: ${PATH}, ${ROUNDS} alternating rounds; load average ${load()}`);
try {
  const figures = new Map<string, { wall: number; loaded: number; program: number }[]>();
  const roots = [REPO, REF];
  for (let i = -1; i < ROUNDS; i++) {
    for (const root of roots) {
      const phases = join(tmp, "phases.jsonl");
      writeFileSync(phases, "");
      const argv = [...command(root), "run", "examples/hello.ts"];
      const started = performance.now();
      const r = spawnSync(argv[0], argv.slice(1), {
        cwd: root,
        stdio: "ignore",
        env: { ...process.env, NO_COLOR: "1", TPH_BENCH_PHASES: phases },
        timeout: 60_000,
      });
      const wall = performance.now() - started;
      if (r.status !== 0) throw new Error(`${argv.join(" ")} failed in ${root}`);
      // The first round warms the caches (the transform cache, a checkout's bundles).
      if (i < 0) continue;
      const lines = readFileSync(phases, "utf8").trim().split("\n");
      const p = JSON.parse(lines[lines.length - 1]) as {
        process: number;
        loaded: number;
        program: number;
      };
      const list = figures.get(root) ?? [];
      list.push({ wall, loaded: p.loaded - p.process, program: p.program - p.process });
      figures.set(root, list);
    }
  }
  for (const [root, list] of figures) {
    const m = (f: (x: { wall: number; loaded: number; program: number }) => number) =>
      num(median(list.map(f)), 1);
    console.log(
      `${root === REPO ? "this" : root}: wall ${m((x) => x.wall)} ms; the program's process: ` +
        `tph loaded ${m((x) => x.loaded)} ms, the program's first line ${
          m((x) => x.program)
        } ms after its start`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`load average ${load()}`);
