// The release's standalone binaries: `deno task release` runs `bun npm/release.ts [out]` and writes,
// offline, one binary per platform Bun builds for, and SHA256SUMS, into dist/release (or `out`).
//
// Each platform's Bun and oxc's native addon are npm packages (@oven/bun-*, @oxc-parser/binding-*),
// pinned by npm/release/package-lock.json and installed with `npm ci --force --prefix npm/release`
// (--force: they are other platforms' packages, which npm would refuse to install here). A binary
// is this machine's Bun build of the CLI (npm/compile.ts) with `--target` that platform and
// `--compile-executable-path` that platform's Bun, carrying that platform's addon.
//
//   bun npm/release.ts [out] [--only linux-arm64,darwin-arm64]

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { compile } from "./compile.ts";
import { VERSION } from "../src/version.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PARTS = join(ROOT, "npm/release");

/** A platform: its name in tph's files, Bun's target, its Bun's package, its addon's binding. */
interface Platform {
  name: string;
  bunTarget: string;
  bun: string;
  binding: string;
  exe?: boolean;
}

/** Every platform Bun builds executables for, but the "baseline" builds for CPUs before AVX2. */
export const PLATFORMS: readonly Platform[] = [
  { name: "linux-x64", bunTarget: "bun-linux-x64", bun: "bun-linux-x64", binding: "linux-x64-gnu" },
  {
    name: "linux-arm64",
    bunTarget: "bun-linux-arm64",
    bun: "bun-linux-aarch64",
    binding: "linux-arm64-gnu",
  },
  {
    name: "linux-x64-musl",
    bunTarget: "bun-linux-x64-musl",
    bun: "bun-linux-x64-musl",
    binding: "linux-x64-musl",
  },
  {
    name: "linux-arm64-musl",
    bunTarget: "bun-linux-arm64-musl",
    bun: "bun-linux-aarch64-musl",
    binding: "linux-arm64-musl",
  },
  {
    name: "darwin-x64",
    bunTarget: "bun-darwin-x64",
    bun: "bun-darwin-x64",
    binding: "darwin-x64",
  },
  {
    name: "darwin-arm64",
    bunTarget: "bun-darwin-arm64",
    bun: "bun-darwin-aarch64",
    binding: "darwin-arm64",
  },
  {
    name: "windows-x64",
    bunTarget: "bun-windows-x64",
    bun: "bun-windows-x64",
    binding: "win32-x64-msvc",
    exe: true,
  },
];

/** The file a platform's binary is written to. */
export const binaryName = (p: { name: string; exe?: boolean }): string =>
  `tph-${VERSION}-${p.name}${p.exe ? ".exe" : ""}`;

/** A package's file, from the release parts; a one-line error naming the fix when it is not there. */
function part(pkg: string, file: string): string {
  const path = join(PARTS, "node_modules", pkg, file);
  if (!existsSync(path)) {
    throw new Error(
      `${pkg}'s ${file} is not installed: run npm ci --force --ignore-scripts --prefix npm/release`,
    );
  }
  return path;
}

function main(): void {
  const args = process.argv.slice(2);
  const only = args.indexOf("--only");
  const wanted = only >= 0 ? args[only + 1].split(",") : null;
  const out = resolve(
    args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--only") ??
      join(ROOT, "dist/release"),
  );
  const unknown = wanted?.filter((w) => !PLATFORMS.some((p) => p.name === w)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `no platform ${unknown.join(", ")}: ${PLATFORMS.map((p) => p.name).join(", ")}`,
    );
  }
  // Each platform's Bun is the version this one is (the one that builds the CLI).
  const bunVersion = JSON.parse(readFileSync(join(ROOT, "node_modules/bun/package.json"), "utf8"))
    .version;
  const oxcVersion = JSON.parse(
    readFileSync(
      createRequire(join(ROOT, "package.json")).resolve("oxc-parser/package.json"),
      "utf8",
    ),
  ).version;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sums: string[] = [];
  for (const p of PLATFORMS) {
    if (wanted !== null && !wanted.includes(p.name)) continue;
    const bunPkg = `@oven/${p.bun}`, addonPkg = `@oxc-parser/binding-${p.binding}`;
    for (const [pkg, version] of [[bunPkg, bunVersion], [addonPkg, oxcVersion]]) {
      const got = JSON.parse(readFileSync(part(pkg, "package.json"), "utf8")).version;
      if (got !== version) {
        throw new Error(
          `${pkg} is ${got}, not ${version} as tph's: pin it in npm/release/package.json`,
        );
      }
    }
    const file = join(out, binaryName(p));
    const started = performance.now();
    compile(file, {
      name: p.name,
      bunTarget: p.bunTarget,
      executable: part(bunPkg, p.exe ? "bin/bun.exe" : "bin/bun"),
      addon: part(addonPkg, `parser.${p.binding}.node`),
    });
    const bytes = readFileSync(file);
    sums.push(`${createHash("sha256").update(bytes).digest("hex")}  ${basename(file)}`);
    console.log(
      `${basename(file)}: ${(statSync(file).size / 1e6).toFixed(1)} MB in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
  }
  writeFileSync(join(out, "SHA256SUMS"), sums.join("\n") + "\n");
  console.log(`${sums.length} binaries and SHA256SUMS in ${out}`);
}

if (import.meta.main) {
  try {
    main();
  } catch (e) {
    console.error(`npm/release.ts: ${(e as Error).message}`);
    process.exit(1);
  }
}
