// Memory of a traced program that passes many large strings around: a
// program given 150 new 20 MB strings, each passed to a traced function, under `tph run` on
// Deno and Bun, against the same program run plainly. A recorded string is kept only as far as
// its repr can show it, so the traced peak stays near the plain one (requirement: at most 2x, tph's own ~35 MB included;
// each string kept whole made it 3 GB, over 10x).
// Run: deno run -A bench/memory_strings.ts

import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { num, record, REPO, verdict } from "./_common.ts";

const BIN = {
  deno: join(REPO, "node_modules/.bin/deno"),
  bun: join(REPO, "node_modules/.bin/bun"),
};
const PROGRAM = "bench/programs/big_strings.mjs";
const cache = mkdtempSync(join(tmpdir(), "tph-bench-mem-"));

/** The program's peak resident memory in MB when run with `argv`. */
function peakMB(argv: string[]): number {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: REPO,
    encoding: "utf8",
    timeout: 300_000,
    killSignal: "SIGKILL",
  });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  if (out.total !== 150 * 20_000_000) throw new Error(`${argv.join(" ")}: wrong total`);
  return out.peak / 1e6;
}

let failed = 0;
try {
  for (const rt of ["deno", "bun"] as const) {
    const plain = rt === "deno" ? [BIN.deno, "run", "-A", PROGRAM] : [BIN.bun, PROGRAM];
    const tph = rt === "deno"
      ? [BIN.deno, "run", "-A", "cli.ts", "run", "--cache-dir", cache, PROGRAM]
      : [BIN.bun, "cli.ts", "run", "--cache-dir", cache, PROGRAM];
    const p = peakMB(plain);
    const t = peakMB(tph);
    const ratio = t / p;
    const pass = ratio <= 2;
    if (!pass) failed++;
    record({
      bench: "memory_strings",
      metric: `150 x 20 MB strings, peak traced / plain (${rt})`,
      value: ratio,
      unit: "x",
      req: "≤2x",
      pass,
    });
    console.log(
      `${rt.padEnd(5)} 150 new 20 MB strings passed to a traced function: peak ${num(t, 0)} MB ` +
        `vs plain ${num(p, 0)} MB: x${num(ratio, 2)} ${verdict(pass, "≤2x")}`,
    );
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}
process.exitCode = failed > 0 ? 1 : 0;
