// A standalone binary's smoke test, as a command (the release workflow runs it on each platform's
// runner; tests/release/ runs it here on the Linux x64 binary, and on the arm64 one under qemu):
// its version and platform, `tph run --tree` of the shop example, `tph tree` of that run, and a
// speedscope export, each checked; one line per step, exit 1 at the first that fails.
//
//   node npm/smoke.ts BINARY PLATFORM [--read-only MAKER]     (Node 22.18+, Bun or Deno)
//
// `--read-only MAKER`: the run is made by the binary MAKER (one that runs here) and BINARY only
// reads it: for a binary whose runtime cannot start its own program process here.

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/version.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What one step printed. */
interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Smoke-test `binary` (argv: a prefix such as qemu's may come first), built for `platform`.
 *
 * @returns The steps' problems (none: it passed).
 */
export function smoke(
  binary: string[],
  platform: string,
  options: { maker?: string[]; env?: Record<string, string>; log?: (line: string) => void } = {},
): string[] {
  const dir = mkdtempSync(join(tmpdir(), "tph-smoke-"));
  const log = options.log ?? (() => {});
  const problems: string[] = [];
  try {
    cpSync(join(ROOT, "examples/shop"), join(dir, "shop"), { recursive: true });
    const env = {
      ...process.env,
      TPH_TRANSFORM_CACHE: join(dir, "transform-cache"),
      HOME: dir,
      ...options.env,
    };
    const run = (argv: string[]): Step => {
      const r = spawnSync(argv[0], argv.slice(1), {
        cwd: dir,
        env,
        encoding: "utf8",
        timeout: 180_000,
      });
      return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? `${r.error ?? ""}` };
    };
    const check = (what: string, ok: boolean, r: Step) => {
      log(`${ok ? "ok" : "FAILED"}: ${what}`);
      if (!ok) problems.push(`${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
      return ok;
    };
    const version = run([...binary, "--version"]);
    const expected = `tph ${VERSION} (bun `;
    check(
      `--version says ${VERSION} and ${platform}`,
      version.code === 0 && version.stdout.startsWith(expected) &&
        version.stdout.trimEnd().endsWith(`, ${platform})`),
      version,
    );
    const maker = options.maker ?? binary;
    const ran = run([...maker, "run", "--cache-dir", "cache", "--tree", "shop/main.ts"]);
    check(
      `${options.maker ? "the run to read made" : "run --tree"}`,
      ran.code === 0 &&
        /Inventory\.reserve\(sku="plum", count=5\) !! RangeError: Not enough plum/.test(ran.stderr),
      ran,
    );
    const tree = run([...binary, "tree", "--cache-dir", "cache", "last"]);
    check("tree last", tree.code === 0 && /└── async main\(\)/.test(tree.stdout), tree);
    const out = join(dir, "run.speedscope.json");
    const exported = run([
      ...binary,
      "export",
      "--cache-dir",
      "cache",
      "last",
      "--format",
      "speedscope",
      "-o",
      out,
    ]);
    let schema = "";
    try {
      schema = JSON.parse(readFileSync(out, "utf8")).$schema;
    } catch {
      // Not written: said below.
    }
    check(
      "export --format speedscope",
      exported.code === 0 && schema === "https://www.speedscope.app/file-format-schema.json",
      exported,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

// Run as a command (`import.meta.main` is not in Node 22: the script's own path then).
if (import.meta.main ?? resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--read-only");
  const maker = at >= 0 ? [resolve(args[at + 1])] : undefined;
  const [binary, platform] = args.filter((_, i) => at < 0 || (i !== at && i !== at + 1));
  if (binary === undefined || platform === undefined) {
    console.error("usage: node npm/smoke.ts BINARY PLATFORM [--read-only MAKER]");
    process.exit(2);
  }
  const problems = smoke([resolve(binary)], platform, { maker, log: console.log });
  for (const p of problems) console.error(p);
  process.exit(problems.length === 0 ? 0 : 1);
}
