// What reading compiled code's own source maps costs `tph run`, end to end (the command until the
// run file is written), on a real compiled project: zod's TypeScript sources (node_modules/zod/
// src, ~300 files) compiled file by file with esbuild into dist/, each with its map in a file
// beside it, and a program that builds and parses schemas with it. The same build without maps
// (the same code, no comment) is the comparison, and the plain runtime runs the program too, in
// the same rounds:
// - cold: a fresh transform cache, so every file is read, its map read and parsed, instrumented;
// - warm: the transform cache filled, so a file with a map costs a look at the map's stamp.
// Run: deno run -A bench/source_maps.ts [deno|node|bun ...]

import { spawnSync } from "node:child_process";
import process from "node:process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { median, num, record, REPO } from "./_common.ts";

const DENO = join(REPO, "node_modules/.bin/deno");
const ESBUILD = join(REPO, "node_modules/esbuild/bin/esbuild");
const RUNTIMES: Record<string, string[]> = {
  deno: [DENO, "run", "-A"],
  node: [join(REPO, "node_modules/node24/bin/node")],
  bun: [join(REPO, "node_modules/.bin/bun")],
};
const asked = process.argv.slice(2).filter((a) => a in RUNTIMES);
const runtimes = asked.length > 0 ? asked : ["deno", "node", "bun"];

const MAIN = `import * as z from "./index.js";
const User = z.object({
  name: z.string().min(1),
  email: z.email(),
  age: z.number().int().positive().optional(),
  tags: z.array(z.string()).max(5),
});
let ok = 0;
for (let i = 0; i < 200; i++) {
  const r = User.safeParse({ name: "n" + i, email: \`u\${i}@example.com\`, age: i % 7 === 0 ? -1 : i, tags: ["a"] });
  if (r.success) ok++;
}
console.log(ok);
`;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "tests") sources(p, out);
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const root = mkdtempSync(join(tmpdir(), "tph-bench-maps-"));
try {
  cpSync(join(REPO, "node_modules/zod/src"), join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src/main.ts"), MAIN);
  writeFileSync(join(root, "package.json"), '{ "name": "maps-bench", "type": "module" }\n');
  const files = sources(join(root, "src")).map((p) => relative(root, p));
  for (const [out, map] of [["dist", true], ["nomap", false]] as const) {
    const b = spawnSync(
      ESBUILD,
      [
        ...files,
        `--outdir=${out}`,
        "--outbase=src",
        "--format=esm",
        ...(map ? ["--sourcemap"] : []),
      ],
      { cwd: root, encoding: "utf8" },
    );
    if (b.status !== 0) throw new Error(`esbuild failed: ${b.stderr}`);
  }
  console.log(`zod's sources compiled by esbuild: ${files.length} files, with and without maps`);

  const once = (argv: string[], env: Record<string, string> = {}): number => {
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout: 300_000,
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
    return ms;
  };

  for (const rt of runtimes) {
    const tph = (script: string) => [
      DENO,
      "run",
      "-A",
      join(REPO, "cli.ts"),
      "run",
      "--runtime",
      rt,
      "--no-cache",
      "-o",
      join(root, "run.json"),
      script,
    ];
    const cold = { map: [] as number[], nomap: [] as number[] };
    const warm = { map: [] as number[], nomap: [] as number[] };
    const plain: number[] = [];
    const caches = { map: join(root, `cache-map-${rt}`), nomap: join(root, `cache-nomap-${rt}`) };
    for (let round = 0; round < 3; round++) {
      for (const kind of ["map", "nomap"] as const) {
        const script = kind === "map" ? "dist/main.js" : "nomap/main.js";
        rmSync(caches[kind], { recursive: true, force: true });
        cold[kind].push(once(tph(script), { TPH_TRANSFORM_CACHE: caches[kind] }));
      }
    }
    for (let round = 0; round < 7; round++) {
      plain.push(once([...RUNTIMES[rt], "dist/main.js"]));
      for (const kind of ["map", "nomap"] as const) {
        const script = kind === "map" ? "dist/main.js" : "nomap/main.js";
        warm[kind].push(once(tph(script), { TPH_TRANSFORM_CACHE: caches[kind] }));
      }
    }
    const m = {
      plain: median(plain),
      coldMap: median(cold.map),
      coldNo: median(cold.nomap),
      warmMap: median(warm.map),
      warmNo: median(warm.nomap),
    };
    const rows: [string, number, string][] = [
      ["cold, maps read / without maps", m.coldMap / m.coldNo, "x"],
      ["warm, maps read / without maps", m.warmMap / m.warmNo, "x"],
      ["warm, maps read, extra per run", m.warmMap - m.warmNo, "ms"],
      ["warm with maps / plain", m.warmMap / m.plain, "x"],
    ];
    console.log(
      `${rt}: plain ${num(m.plain, 0)} ms; tph run cold ${num(m.coldMap, 0)} ms with maps, ` +
        `${num(m.coldNo, 0)} ms without; warm ${num(m.warmMap, 0)} ms with, ${
          num(m.warmNo, 0)
        } ms without`,
    );
    for (const [metric, value, unit] of rows) {
      console.log(`  ${metric.padEnd(34)} ${num(value, 2)} ${unit}`);
      record({ bench: "source_maps", metric, value, unit, runtime: rt });
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
