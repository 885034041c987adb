// Builds the viewer into src/cli/html/viewer_bundle.ts: its code bundled and minified by Bun
// (the toolchain tph already has), its styles, as two strings the page inlines. The bundle is
// committed, so that tph needs no build step to run; tests/cli/html/viewer_bundle_test.ts checks it
// is what this script makes of the sources.
//
//   deno task build-viewer            (or: deno run -A viewer/build.ts [--check])

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { CSS } from "./style.ts";

const REPO = resolve(import.meta.dirname!, "..");
export const BUNDLE_FILE = join(REPO, "src/cli/html/viewer_bundle.ts");

/** The bundle file's text, made from the sources. */
export function buildBundle(): string {
  const r = spawnSync(join(REPO, "node_modules/.bin/bun"), [
    "build",
    join(REPO, "viewer/main.ts"),
    "--target=browser",
    "--format=iife",
    "--minify",
  ], { encoding: "utf8", maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`bun build failed: ${r.stderr}`);
  // Inlined in <script> and <style>: nothing in them may close the element.
  const js = r.stdout.trim().replaceAll("</script", "<\\/script").replaceAll("<!--", "<\\!--");
  const css = CSS.trim().replaceAll("</style", "<\\/style");
  return [
    "// Made by viewer/build.ts from viewer/ (deno task build-viewer): do not edit.",
    "",
    "/** The viewer's code, minified. */",
    `export const VIEWER_JS: string = ${JSON.stringify(js)};`,
    "/** The viewer's styles. */",
    `export const VIEWER_CSS: string = ${JSON.stringify(css)};`,
    "",
  ].join("\n");
}

if (import.meta.main) {
  const text = buildBundle();
  if (process.argv.includes("--check")) {
    const same = readFileSync(BUNDLE_FILE, "utf8") === text;
    console.log(
      same ? "viewer bundle up to date" : "viewer bundle out of date: deno task build-viewer",
    );
    process.exit(same ? 0 : 1);
  }
  writeFileSync(BUNDLE_FILE, text);
  console.log(`wrote ${BUNDLE_FILE} (${text.length} bytes)`);
}
