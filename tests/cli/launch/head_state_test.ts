// On Bun from a checkout, `.bun_head.js` exports the namespaces of the head start's modules that
// hold state the rest of the CLI shares (HEAD_SHARED, src/cli/launch/bun_bytecode.ts); the CLI's
// bundle takes those from it and bundles its own copy of the head's other modules. So every other
// module of the head start must hold no state of its own that the CLI would see twice: no
// top-level `let`/`var`, no class (a copy's `instanceof` would fail), no top-level Map, Set or
// WeakMap, but for the caches and scratch buffers reviewed below, which each copy may fill alone.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HEAD_SHARED } from "../../../src/cli/launch/bun_bytecode.ts";

const ROOT = new URL("../../../", import.meta.url);

/** Declarations that hold state in a copy of their own, reviewed: `module: names`. */
const REVIEWED: Record<string, string[]> = {
  // A cache of node:fs and of the random source: each copy loads its own.
  "src/platform/files.ts": ["nodeFs", "randomValues", "FileReader", "FileWriter"],
  // The writes' scratch buffer.
  "src/platform/process.ts": ["writeBuffer"],
  // The globs' compiled patterns (and reached by a type import only, in scope.ts's types).
  "src/project/glob.ts": ["cache"],
  // cli.ts's own check, handed to the head start (knowBunBundlesFresh), and the manifest it read.
  "src/cli/launch/head_file.ts": ["known", "built", "parsed"],
};

const STATE =
  /^(?:export )?(?:(?:let|var) (\w+)|(?:abstract )?class (\w+)|const (\w+)\b[^=\n]*= new (?:Safe)?(?:Weak)?(?:Map|Set)\b)/gm;

function headModules(): string[] {
  const out = new Deno.Command("node_modules/.bin/deno", {
    args: ["info", "--json", "src/cli/launch/head.ts"],
    cwd: ROOT,
    stdout: "piped",
  }).outputSync();
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const root = ROOT.href;
  return info.modules
    .map((m: { specifier: string }) => m.specifier)
    .filter((s: string) => s.startsWith(root))
    .map((s: string) => s.slice(root.length));
}

Deno.test("the head start's modules: those with state shared, the others without", () => {
  const modules = headModules();
  for (const shared of HEAD_SHARED) assert.ok(modules.includes(shared), `${shared} in the head`);
  for (const module of modules) {
    if (HEAD_SHARED.includes(module)) continue;
    const text = readFileSync(new URL(module, ROOT), "utf8");
    const found = [...text.matchAll(STATE)].map((m) => m[1] ?? m[2] ?? m[3]);
    assert.deepEqual(
      found.filter((name) => !(REVIEWED[module] ?? []).includes(name)),
      [],
      `${module} holds state: share it (HEAD_SHARED) or review it here`,
    );
  }
});
