// The program's preload on Bun from a checkout as two bundles (bun_bytecode.ts builds them): the
// core, `.bun_preload.js`, with what `tph run` needs before the program's first line when its files
// come from the transform cache, and the rest, `.bun_preload_rest.js`, with the modules of
// PRELOAD_REST and those only they import, loaded when first used (src/program/loader/
// preload_rest.ts). Loading the preload cost the program's process ~75 ms of CPU over an empty one
// (docs/performance.md, s33): its size and its modules' evaluation; the rest is a third of it.
//
// - The core: the preload with each module of PRELOAD_REST replaced by a stand-in whose exports
//   read the rest file's (restModule), and an entry that hands the rest the core's modules it
//   imports: for each, getters of the names the rest imports (exporting whole namespaces would keep
//   every export of them in the core: 519 against 480 KB, −3 against −13 ms in s33's probe).
// - The rest: those modules, where an import of a core module reads the core's (one copy of its
//   state), and Node's built-ins come from `process.getBuiltinModule` as the core took it.

import { readText, writeText } from "../../platform/files.ts";
import { oxc } from "../../deps.ts";

/**
 * The preload's modules that the rest file holds (from the root), with those only they import:
 * what a run on Bun needs only on a transform-cache miss (the instrumenter), never (Deno's and
 * Node's loaders, Node's uncaught errors), under `tph test` (the runners' hooks), or when the
 * program asks (trace()'s tree text, the stored runs). Reviewed like HEAD_SHARED: a module here
 * must not be needed by a run whose files are all in the transform cache (bun_bytecode_test
 * checks such a run never reads the file), and every call into one loads the rest file.
 */
export const PRELOAD_REST: readonly string[] = [
  "src/program/instrument/instrument.ts",
  "src/program/loader/deno.ts",
  "src/program/loader/node.ts",
  "src/program/loader/node_uncaught.ts",
  "src/program/tests/bun_tests.ts",
  "src/program/tests/deno_tests.ts",
  "src/program/tests/jest_tests.ts",
  "src/program/tests/node_tests.ts",
  "src/program/tests/vitest_plugin.ts",
  "src/program/tests/vitest_tests.ts",
  "src/render/tree.ts",
  "src/program/stored_runs.ts",
];

/** A bundle's build (bun_bytecode.ts's `bundle`): the entry, its plugin, its banner if not the usual. */
export interface SplitBuild {
  entry: string;
  // deno-lint-ignore no-explicit-any
  plugin: any;
  banner?: string;
}

/**
 * The rest's first line: strict as the core's, its URL and what the core shares with it read from
 * the module object preload_rest.ts loads it into (not from `Bun.pathToFileURL`, which the program
 * may have replaced by then).
 */
const REST_BANNER =
  '"use strict"; var __tphShared = module.__tphShared, __tphOwnUrl = __tphShared.url;';

/** What bun_bytecode.ts does to build a bundle; the sources it holds. */
export type Bundler = (b: SplitBuild, outdir: string) => Promise<Set<string>>;

// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;

const REST_LOADER = "src/program/loader/preload_rest.ts";

/** The exports a module's source names (Bun's scan: `export type` left out). */
function exportsOf(file: string): string[] {
  return new bun.Transpiler({ loader: "ts" }).scan(readText(file)).exports;
}

/**
 * Build the core and the rest into `coreOut` and `restOut`; the sources they hold.
 *
 * @param root The checkout (ending in `/`).
 * @param tmp A folder for the generated entries.
 * @param build Builds a bundle (its bytecode beside it).
 * @param coreOut The core's folder (its entry `core_entry.js`).
 * @param restOut The rest's folder (`rest_entry.js`).
 */
export async function buildSplitPreload(
  root: string,
  tmp: string,
  build: Bundler,
  coreOut: string,
  restOut: string,
): Promise<Set<string>> {
  const restPaths = new Set(PRELOAD_REST.map((p) => root + p));
  // 1. The core's modules: the preload's graph with the rest's modules as stand-ins.
  const probe = await build(
    { entry: `${root}src/program/preload.ts`, plugin: standIns(root, restPaths) },
    `${tmp}/core_graph`,
  );
  const core = new Set([...probe].filter((p) => !restPaths.has(p)));
  // 2. The rest's modules: those of PRELOAD_REST and what they import but the core's.
  const restEntry = `${tmp}/rest_entry.js`;
  writeText(restEntry, restEntrySource([...restPaths]));
  const names = new Map<string, Set<string> | "all">();
  const restBuilt = await build(
    { entry: restEntry, plugin: restPlugin(core, names, null) },
    `${tmp}/rest_graph`,
  );
  for (const file of restBuilt) {
    if (file.startsWith(root) && !core.has(file) && file.endsWith(".ts")) {
      importsFromCore(file, core, names);
    }
  }
  // 3. The core, handing the rest those names; then the rest against it.
  const coreEntry = `${tmp}/core_entry.js`;
  const shareEntry = `${tmp}/core_share.js`;
  // Sorted, as each module's names below: the same sources make the same bundles, whatever order
  // Bun's build listed its files in.
  const used = [...names.keys()].sort();
  writeText(coreEntry, coreEntrySource(root, shareEntry, used, names));
  writeText(
    shareEntry,
    `import { shareCore } from ${JSON.stringify(root + REST_LOADER)};\n` +
      `import { __tphCoreModules } from ${JSON.stringify(coreEntry)};\n` +
      "shareCore(__tphCoreModules);\n",
  );
  const inputs = await build({ entry: coreEntry, plugin: standIns(root, restPaths) }, coreOut);
  const rest = { entry: restEntry, plugin: restPlugin(core, names, used), banner: REST_BANNER };
  for (const file of await build(rest, restOut)) inputs.add(file);
  return new Set([...inputs].filter((f) => f.startsWith(root) && !f.startsWith(`${tmp}/`)));
}

/** The rest's entry: each of its modules' namespace by its path. */
function restEntrySource(paths: string[]): string {
  return [
    ...paths.map((p, i) => `import * as r${i} from ${JSON.stringify(p)};`),
    "export const __tphRest = {",
    ...paths.map((p, i) => `  ${JSON.stringify(p)}: r${i},`),
    "};",
    "",
  ].join("\n");
}

/**
 * The core's entry: the preload's exports, and a function giving, for each core module the rest
 * imports, getters of those names (a hoisted function: the share module, evaluated first, hands
 * it over before the preload's own modules run, and it is called only when the rest loads).
 */
function coreEntrySource(
  root: string,
  shareEntry: string,
  used: string[],
  names: Map<string, Set<string> | "all">,
): string {
  const getters = (p: string, i: number) => {
    const n = names.get(p);
    const list = n === "all" ? exportsOf(p) : [...(n as Set<string>)].sort();
    return list.map((name) => `get ${name}() { return c${i}.${name}; }`).join(", ");
  };
  return [
    `import ${JSON.stringify(shareEntry)};`,
    `export * from ${JSON.stringify(`${root}src/program/preload.ts`)};`,
    ...used.map((p, i) => `import * as c${i} from ${JSON.stringify(p)};`),
    "export function __tphCoreModules() {",
    "  return {",
    ...used.map((p, i) => `    ${JSON.stringify(p)}: { __proto__: null, ${getters(p, i)} },`),
    "  };",
    "}",
    "",
  ].join("\n");
}

/** The core's plugin: each rest module a stand-in (restModule) listing its exports. */
function standIns(root: string, rest: Set<string>) {
  return {
    name: "tph-preload-rest-stand-ins",
    // deno-lint-ignore no-explicit-any
    setup(b: any) {
      b.onLoad({ filter: /\.ts$/ }, (args: { path: string }) => {
        if (!rest.has(args.path)) return undefined;
        const loader = JSON.stringify(root + REST_LOADER);
        return {
          contents: `module.exports = require(${loader}).restModule(${JSON.stringify(args.path)}, ${
            JSON.stringify(exportsOf(args.path))
          });\n`,
          loader: "js",
        };
      });
    },
  };
}

/**
 * The rest's plugin: an import of a core module reads the core's exports, a built-in comes from the
 * core's `process.getBuiltinModule`. `used` null: the first build, which only finds the modules.
 */
function restPlugin(
  core: Set<string>,
  names: Map<string, Set<string> | "all">,
  used: string[] | null,
) {
  return {
    name: "tph-preload-rest",
    // deno-lint-ignore no-explicit-any
    setup(b: any) {
      b.onResolve({ filter: /^\.\.?\// }, (args: { path: string; importer: string }) => {
        const dir = args.importer.slice(0, args.importer.lastIndexOf("/"));
        const resolved = bun.resolveSync(args.path, dir);
        return core.has(resolved) ? { path: resolved, namespace: "tph-core" } : undefined;
      });
      // Bun resolves a built-in itself, before any plugin: each is renamed in the source first.
      b.onLoad({ filter: /\.ts$/, namespace: "file" }, (args: { path: string }) => ({
        contents: builtinsRenamed(args.path),
        loader: "ts",
      }));
      b.onResolve({ filter: /^tph-builtin:/ }, (args: { path: string }) => ({
        path: args.path.slice("tph-builtin:".length),
        namespace: "tph-builtin",
      }));
      b.onResolve({ filter: /^[^./]/ }, (args: { path: string; importer: string }) => {
        throw new Error(`the preload's rest imports a package: ${args.path} (${args.importer})`);
      });
      b.onLoad({ filter: /.*/, namespace: "tph-builtin" }, (args: { path: string }) => ({
        contents: `module.exports = __tphShared.builtin(${JSON.stringify(args.path)});\n`,
        loader: "js",
      }));
      b.onLoad({ filter: /.*/, namespace: "tph-core" }, (args: { path: string }) => {
        if (used === null) return { contents: "module.exports = {};\n", loader: "js" };
        return { contents: coreStandIn(args.path, names.get(args.path)), loader: "js" };
      });
    },
  };
}

/**
 * A rest module's source with each import of a built-in (`node:path`, `path`) renamed
 * `tph-builtin:node:path`, which the rest's plugin resolves.
 */
function builtinsRenamed(file: string): string {
  const source = readText(file);
  const { module } = oxc().parseSync(file, source);
  const spans: { start: number; end: number; value: string }[] = [];
  for (const i of module.staticImports) spans.push(i.moduleRequest);
  for (const x of module.staticExports) {
    for (const e of x.entries) if (e.moduleRequest) spans.push(e.moduleRequest);
  }
  // deno-lint-ignore no-explicit-any
  const nodeModule = (globalThis as any).process.getBuiltinModule("node:module");
  let out = source;
  let last = -1;
  for (const r of spans.sort((a, b) => b.start - a.start)) {
    if (r.start === last) continue;
    last = r.start;
    const id = r.value.startsWith("node:") ? r.value : `node:${r.value}`;
    if (r.value.startsWith(".") || !nodeModule.isBuiltin(id)) continue;
    out = `${out.slice(0, r.start)}${JSON.stringify(`tph-builtin:${id}`)}${out.slice(r.end)}`;
  }
  return out;
}

/**
 * A core module as the rest imports it: its exports as the core hands them over (getters: live
 * bindings). A default import (node_process.ts's) as an ES module's default, which Bun's bundle
 * reads as it is (it would read a CommonJS module's `module.exports` whole).
 */
function coreStandIn(path: string, names: Set<string> | "all" | undefined): string {
  const ns = `__tphShared.modules[${JSON.stringify(path)}]`;
  if (names === undefined || names === "all" || !names.has("default")) {
    return `module.exports = ${ns};\n`;
  }
  if (names.size !== 1) throw new Error(`the preload's rest imports a default and names: ${path}`);
  return `export default ${ns}.default;\n`;
}

/** Note the names `file` imports (and re-exports) from core modules. */
function importsFromCore(
  file: string,
  core: Set<string>,
  names: Map<string, Set<string> | "all">,
): void {
  const source = readText(file);
  const { module } = oxc().parseSync(file, source);
  const dir = file.slice(0, file.lastIndexOf("/"));
  const note = (specifier: string, name: string | null) => {
    if (!specifier.startsWith(".")) return;
    const to = bun.resolveSync(specifier, dir);
    if (!core.has(to)) return;
    const had = names.get(to);
    if (had === "all") return;
    if (name === null) names.set(to, "all");
    else names.set(to, (had ?? new Set()).add(name));
  };
  for (const i of module.staticImports) {
    for (const e of i.entries) {
      if (e.isType) continue;
      const k = e.importName.kind;
      note(
        i.moduleRequest.value,
        k === "Name" ? e.importName.name! : k === "Default" ? "default" : null,
      );
    }
  }
  for (const x of module.staticExports) {
    for (const e of x.entries) {
      if (e.isType || e.moduleRequest === null || e.moduleRequest === undefined) continue;
      note(e.moduleRequest.value, e.importName.kind === "Name" ? e.importName.name! : null);
    }
  }
  // import() of a core module by a literal: all of its exports (another, a data: URL, is none).
  for (const d of module.dynamicImports) {
    const text = source.slice(d.moduleRequest.start, d.moduleRequest.end);
    if (/^["'`]\./.test(text)) note(text.slice(1, -1), null);
  }
}
