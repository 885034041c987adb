// The npm package on Node, as its users start it: packed (`npm pack`), installed from the tarball
// into a folder of its own, and run through its `tph` command with Node 24 first on PATH.
// - `tph --version` (requirement: at most 120 ms);
// - `tph run hello.ts` against `node hello.ts`, run in turn (requirement: at most 80 ms more).
// Each after one warm-up run, as a user's second run finds Node's compile cache and tph's
// transform cache.
// Run: deno run -A bench/package_start.ts

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { median, num, record, REPO, verdict } from "./_common.ts";

const NODE = join(REPO, "node_modules/node24/bin/node");
const work = mkdtempSync(join(tmpdir(), "tph-bench-package-"));

function run(argv: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
}

function once(argv: string[], env: Record<string, string>): number {
  const t0 = performance.now();
  run(argv, env);
  return performance.now() - t0;
}

let failed = 0;
try {
  const packed = spawnSync("npm", ["pack", "--pack-destination", work, "--silent"], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 300_000,
  });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  const prefix = join(work, "global");
  run(["npm", "i", "-g", "--prefix", prefix, join(work, tarball), "--prefer-offline"]);
  const bin = join(work, "bin");
  mkdirSync(bin);
  symlinkSync(NODE, join(bin, "node"));
  const env = {
    PATH: `${join(prefix, "bin")}:${bin}:/usr/bin:/bin`,
    TPH_CACHE_DIR: join(work, "cache"),
  };
  Deno.writeTextFileSync(
    join(work, "hello.ts"),
    "const greet = (n: string) => `hi ${n}`;\n" +
      'console.log(greet("there"));\n',
  );
  const tph = join(prefix, "bin/tph");
  const rounds = 9;
  once([tph, "--version"], env);
  const version = median(Array.from({ length: rounds }, () => once([tph, "--version"], env)));
  once([tph, "run", "--no-cache", "hello.ts"], env);
  once([NODE, "hello.ts"], env);
  const plain: number[] = [], traced: number[] = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(once([NODE, "hello.ts"], env));
    traced.push(once([tph, "run", "--no-cache", "hello.ts"], env));
  }
  const extra = median(traced) - median(plain);
  if (version > 120) failed++;
  if (extra > 80) failed++;
  record({
    bench: "package_start",
    metric: "tph --version (npm bin, Node)",
    value: version,
    unit: "ms",
    req: "≤ 120",
    pass: version <= 120,
  });
  record({
    bench: "package_start",
    metric: "tph run hello.ts on Node, extra",
    value: extra,
    unit: "ms",
    req: "≤ +80",
    pass: extra <= 80,
  });
  console.log(
    `tph --version (npm bin, Node 24): ${num(version)} ms  ${verdict(version <= 120, "<= 120 ms")}`,
  );
  console.log(
    `tph run hello.ts: ${num(median(traced))} ms, node hello.ts: ${num(median(plain))} ms, ` +
      `extra ${num(extra)} ms  ${verdict(extra <= 80, "<= +80 ms")}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);
