// The limit's folder for a workload (bench/design_limit.ts, bench/default_run.ts): its program and
// its traced packages rewritten by tph's own rewriter (the very code `tph run` executes), every
// other package a link to the checkout's; run with bench/limit/recorder.mjs as a preload.

import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { instrument } from "../../mod.ts";
import { REPO } from "../_common.ts";

/** A JavaScript file rewritten as tph rewrites it (module names from the folder given). */
function rewrite(from: string, to: string, root: string): void {
  const source = readFileSync(from, "utf8");
  const { code } = instrument(source, { filename: from, module: relative(root, from) });
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, code);
}

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The limit's folder for a workload, made under `tmp`: its program and its traced packages
 * rewritten; every other package a link to the checkout's.
 */
export function limitFolder(
  tmp: string,
  w: { name: string; program: string; packages: string[] },
): string {
  const dir = join(tmp, w.name);
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "limit", "type": "module" }\n');
  for (const entry of readdirSync(join(REPO, "node_modules"))) {
    if (entry.startsWith(".") || w.packages.includes(entry)) continue;
    symlinkSync(join(REPO, "node_modules", entry), join(modules, entry));
  }
  for (const pkg of w.packages) {
    const from = join(REPO, "node_modules", pkg);
    for (const file of filesUnder(from)) {
      const to = join(modules, pkg, relative(from, file));
      if (/\.(?:c|m)?js$/.test(file)) rewrite(file, to, REPO);
      else {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(file, to);
      }
    }
  }
  rewrite(join(REPO, w.program), join(dir, w.program), REPO);
  return dir;
}
