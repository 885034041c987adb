// The Linux arm64 release binary's start-up, under qemu-user on this x64 machine (the one other
// platform's binary that runs here), against the arm64 Bun it is built on, under the same
// emulation, in the same rounds; and the x64 binary against x64 Bun, natively, for the ratio.
// Emulated times are not an arm64 machine's: the ratios are what the figures say.
//
//   deno run -A bench/binary_arm64.ts [--rounds 7]
// (after `deno task release`; needs root for binfmt_misc: `tph run` starts the binary again.)

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VERSION } from "../src/version.ts";
import { canRunArm64, SYSROOT, withArm64Binfmt } from "../tests/release/_arm64.ts";

const ROOT = resolve(import.meta.dirname!, "..");
const at = Deno.args.indexOf("--rounds");
const ROUNDS = at >= 0 ? Number(Deno.args[at + 1]) : 7;
const RELEASE = join(ROOT, "dist/release");
const BUNS = join(ROOT, "npm/release/node_modules/@oven");

const dir = mkdtempSync(join(tmpdir(), "tph-bench-arm64-"));
const env = { HOME: dir, TPH_TRANSFORM_CACHE: join(dir, "transforms"), QEMU_LD_PREFIX: SYSROOT };

function timeMs(argv: string[]): number {
  const t = performance.now();
  const r = new Deno.Command(argv[0], { args: argv.slice(1), cwd: dir, env, stdout: "null" })
    .outputSync();
  if (r.code !== 0) throw new Error(`${argv.join(" ")}: exit ${r.code}`);
  return performance.now() - t;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const PLATFORMS = [
  { name: "linux-x64 (native)", bun: join(BUNS, "bun-linux-x64/bin/bun"), tph: "linux-x64" },
  {
    name: "linux-arm64 (qemu-user)",
    bun: join(BUNS, "bun-linux-aarch64/bin/bun"),
    tph: "linux-arm64",
  },
];

if (!canRunArm64()) throw new Error("qemu-user and the arm64 sysroot are needed (.ci/run)");
try {
  writeFileSync(join(dir, "hello.js"), 'function hello(n) { return "hi " + n; }\nhello(1);\n');
  withArm64Binfmt((registered) => {
    if (!registered) throw new Error("binfmt_misc could not be had (root is needed)");
    const rows = PLATFORMS.map((p) => {
      const tph = join(RELEASE, `tph-${VERSION}-${p.tph}`);
      const run = [tph, "run", "--cache-dir", join(dir, `cache-${p.tph}`), "hello.js"];
      timeMs(run); // warm: the transform cache filled, the page cache warm
      const plain: number[] = [], version: number[] = [], runs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        plain.push(timeMs([p.bun, "hello.js"]));
        version.push(timeMs([tph, "--version"]));
        runs.push(timeMs(run));
      }
      return { name: p.name, plain: median(plain), version: median(version), run: median(runs) };
    });
    console.log(`binary_arm64: ${ROUNDS} rounds, medians`);
    console.log("platform                 | bun hello.js | tph --version | tph run hello.js");
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(24)} | ${r.plain.toFixed(0).padStart(8)} ms | ${
          r.version.toFixed(0).padStart(9)
        } ms | ${r.run.toFixed(0).padStart(5)} ms (×${(r.run / r.plain).toFixed(1)}, +${
          (r.run - r.plain).toFixed(0)
        })`,
      );
    }
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
