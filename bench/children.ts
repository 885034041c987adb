// What following the processes a program starts costs (issue 48): a program that starts N
// processes of its own runtime one after another (`spawnSync(process.execPath, ["child.js"])`,
// each child a trivial script that makes a few calls), run plainly, under `tph run --no-follow`
// (the children untraced) and under `tph run` (each child traced and stored as a run of its own),
// in the same rounds. The figure is the cost of one traced child: (followed − not followed) / N,
// and the same against a plain child's start.
// Run: deno run -A bench/children.ts [deno|node|bun ...]

import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, num, record, REPO } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const RUNTIMES: Record<string, string[]> = {
  deno: [DENO, "run", "-A"],
  node: [join(REPO, "node_modules/node24/bin/node")],
  bun: [join(REPO, "node_modules/.bin/bun")],
};
const asked = process.argv.slice(2).filter((a) => a in RUNTIMES);
const runtimes = asked.length > 0 ? asked : ["deno", "node", "bun"];
const N = 10;

const MAIN = `import { spawnSync } from "node:child_process";
const deno = globalThis.Deno !== undefined;
function start(i) {
  const r = spawnSync(process.execPath, deno ? ["run", "-A", "child.js", String(i)] : ["child.js", String(i)]);
  return r.status;
}
function main() {
  let failed = 0;
  for (let i = 0; i < ${N}; i++) if (start(i) !== 0) failed++;
  console.log("failed", failed);
}
main();
`;
const CHILD = `function add(a, b) { return a + b; }
function sum(n) { let s = 0; for (let i = 0; i < n; i++) s = add(s, i); return s; }
sum(100);
`;

const root = mkdtempSync(join(tmpdir(), "tph-bench-children-"));
try {
  writeFileSync(join(root, "package.json"), '{ "name": "children-bench", "type": "module" }\n');
  writeFileSync(join(root, "main.js"), MAIN);
  writeFileSync(join(root, "child.js"), CHILD);
  const once = (argv: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), {
      cwd: root,
      encoding: "utf8",
      // `--runtime node` takes the first Node on PATH: the pinned Node 24, as the plain runs.
      env: {
        ...process.env,
        NO_COLOR: "1",
        PATH: `${join(REPO, "node_modules/node24/bin")}:${process.env.PATH}`,
      },
      timeout: 300_000,
    });
    const ms = performance.now() - t0;
    if (r.status !== 0 || !r.stdout.includes("failed 0")) {
      throw new Error(`${argv.join(" ")} failed: ${r.stdout}${r.stderr}`);
    }
    return ms;
  };
  for (const rt of runtimes) {
    const tph = (...flags: string[]) => [
      DENO,
      "run",
      "-A",
      join(REPO, "cli.ts"),
      "run",
      "--runtime",
      rt,
      "--cache-dir",
      join(root, `cache-${rt}`),
      ...flags,
      "main.js",
    ];
    const plain: number[] = [], alone: number[] = [], followed: number[] = [];
    // One warm-up of each (the transform cache), then the rounds.
    once(tph());
    for (let round = 0; round < 5; round++) {
      plain.push(once([...RUNTIMES[rt], "main.js"]));
      alone.push(once(tph("--no-follow")));
      followed.push(once(tph()));
    }
    const m = { plain: median(plain), alone: median(alone), followed: median(followed) };
    const perChild = (m.followed - m.alone) / N;
    const plainChild = m.plain / (N + 1);
    console.log(
      `${rt}: ${N} children: plain ${num(m.plain, 0)} ms; tph run --no-follow ${
        num(m.alone, 0)
      } ms; tph run ${num(m.followed, 0)} ms`,
    );
    console.log(`  each traced child costs ${num(perChild, 0)} ms more than an untraced one`);
    console.log(
      `  a traced child / a plain process start ${num((plainChild + perChild) / plainChild, 2)} x`,
    );
    record({
      bench: "children",
      metric: "traced child, extra",
      value: perChild,
      unit: "ms",
      runtime: rt,
    });
    record({
      bench: "children",
      metric: "traced child / plain start",
      value: (plainChild + perChild) / plainChild,
      unit: "x",
      runtime: rt,
    });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
