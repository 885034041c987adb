// tph on Bun from a checkout: its code loaded as Bun's bytecode. Loading the ~120 TypeScript modules
// of the program's side cost the program's process ~23 ms of its start, the ~140 of the CLI after
// its head start (early_start.ts) ~10 ms before it could write the run's settings; one CommonJS
// bundle of each with bytecode beside it (as the standalone binary's preload: npm/compile.ts) loads
// in a few. Bun makes bytecode for itself alone, so they are built by the Bun running tph, the first
// time a command finds them missing or older than a source they were built from (that command
// loads the sources, and tph waits for the build before it exits), in the folder of own_files.ts,
// whose URLs then hold as in the sources:
//
// - `.bun_preload.js`: src/program/preload.ts, the program's preload (`tph run`);
// - `.bun_head.js`: src/cli/launch/head.ts, the modules cli.ts loads before it starts the
//   program (~25: from their sources Bun transpiles each at every run, ~45 ms of wall at load
//   before the spawn), each of the modules holding state the CLI shares (HEAD_SHARED) also
//   exported as its namespace by its path (`__tphHeadModules`);
//   cli.ts checks the manifest itself before it loads any of them (head_file.ts);
// - `.bun_cli.js`: src/cli/commands/main.ts, the CLI but for those shared modules, which the bundle
//   takes from `.bun_head.js` by their paths (the same modules, not copies holding state of their
//   own: the process started early, the preload chosen);
//
// each with its `.jsc` and a one-line `.map` (without one, Bun ends every uncaught error's report
// with a note that the file has none), and `.bun_bytecode.json`: the Bun and the sources (size,
// modification time) they were built from. Nothing is built where the checkout cannot be written.

import { cwd, pid } from "../../platform/process.ts";
import {
  fileStamp,
  makeDir,
  readText,
  remove,
  rename,
  writeText,
  writeWhole,
} from "../../platform/files.ts";
import { BUN_BYTECODE_FILES } from "../../program/command.ts";
import { BUILD_MS, type BuildInput, takeBuildLock } from "./checkout_build.ts";
import { bunManifestFresh } from "./head_file.ts";

/**
 * The first line of a bundle loaded as bytecode. A CommonJS bundle would hold the URL of each
 * module's source at build time where the module reads `import.meta.url` (defined as
 * `__tphOwnUrl`): the bundle's own URL, as an ES module bundle has it, instead. Strict, as ES
 * modules are: JavaScriptCore then makes tail calls without frames (`return Reflect.apply(real,
 * …)` in a wrapper leaves no frame of tph's in the program's stacks). The URL by Bun's own
 * `Bun.pathToFileURL` (the same text as node:url's for a path Bun gives as `__filename`): node:url
 * costs Bun 3–7 ms to load, and the head start's bundle loads nothing else of Node's before
 * `tph run` starts the program's process but node:fs.
 */
const BANNER = '"use strict"; var __tphOwnUrl = Bun.pathToFileURL(__filename).href;';

/** `bun build`'s options for a bundle loaded as bytecode (as built here; npm/compile.ts). */
export const BYTECODE_BUNDLE_ARGS: readonly string[] = [
  "build",
  "--bytecode",
  "--target=bun",
  "--format=cjs",
  "--define",
  "import.meta.url=__tphOwnUrl",
  "--banner",
  BANNER,
];

/**
 * The source map beside such a bundle: Bun takes a file whose first line is `// @bun…` for its
 * own build output and, without a map beside it, ends every uncaught error's report with `note:
 * missing sourcemaps for …` (bun 1.4.5); the map bun build writes (~2 MB) Bun reads at each start
 * (+8 ms). This one maps the pragma's line only: tph's own frames keep the bundle's positions.
 *
 * @param file The bundle's file name.
 */
export function oneLineMap(file: string): string {
  return JSON.stringify({
    version: 3,
    sources: [file],
    sourcesContent: [""],
    names: [],
    mappings: "AAAA",
  });
}

const {
  root: ROOT,
  preload: PRELOAD_SOURCE,
  preloadBundle: PRELOAD_BUNDLE,
  cliBundle: CLI_BUNDLE,
  headBundle: HEAD_BUNDLE,
} = BUN_BYTECODE_FILES;
const LOADER = PRELOAD_BUNDLE.slice(0, PRELOAD_BUNDLE.lastIndexOf("/") + 1);
const MANIFEST = `${LOADER}.bun_bytecode.json`;
/** The preload's rest (bun_preload_split.ts), loaded by the preload's bundle when first used. */
const PRELOAD_REST_BUNDLE = `${LOADER}.bun_preload_rest.js`;
const LOCK = `${LOADER}.bun_bytecode.lock`;

interface Manifest {
  bun: string;
  /** Each source (checkout_build.ts). */
  inputs: BuildInput[];
  /** Each bundle and its bytecode: path, size (a cut or replaced file is stale). */
  outputs?: [string, number][];
  /** The preload's rest and its bytecode, likewise (apart: head_file.ts checks the six above). */
  rest?: [string, number][];
}

// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;

function bunKey(): string {
  return `${bun.version}+${bun.revision}`;
}

let isFresh: boolean | null = null;

/**
 * Whether the bundles are fresh, as cli.ts found before it loaded the head start (head_file.ts:
 * the same check; it chose the head's file by it, so the rest follows it).
 *
 * @param fresh Its answer; null off Bun or off a checkout (then this module checks, if asked).
 */
export function knowBunBundlesFresh(fresh: boolean | null): void {
  if (fresh !== null) isFresh = fresh;
}

/** Whether the bundles are there, built by this Bun from the sources as they are. */
function fresh(): boolean {
  if (isFresh !== null) return isFresh;
  return isFresh = bunManifestFresh(ROOT, MANIFEST);
}

let restFresh: boolean | null = null;

/**
 * Whether the preload's rest is there at its size (two stats; the manifest's other outputs and the
 * sources are checked by head_file.ts): the preload's bundle loads it at a transform-cache miss.
 */
function restBuilt(): boolean {
  if (restFresh !== null) return restFresh;
  let ok = false;
  try {
    const m = JSON.parse(readText(MANIFEST)) as Manifest;
    ok = Array.isArray(m.rest) && m.rest.length === 2 &&
      m.rest.every(([file, size]) => fileStamp(file)?.size === size);
  } catch {
    ok = false;
  }
  return restFresh = ok;
}

let building: Promise<void> | null = null;

/** From a checkout on Bun: whether to use the bundles, building them when they are stale. */
function useBundles(): boolean {
  if (bun === undefined || !PRELOAD_SOURCE.endsWith(".ts")) return false;
  if (fresh()) return true;
  building ??= build().catch(() => {});
  return false;
}

/**
 * The program's preload as bytecode, for a program run by this Bun; null when it is missing or
 * stale (then it is built, once: {@linkcode bunBytecodeBuilt}).
 *
 * @param preload The preload's source file.
 */
export function bunPreload(preload: string): string | null {
  if (preload !== PRELOAD_SOURCE || !useBundles()) return null;
  if (restBuilt()) return PRELOAD_BUNDLE;
  // The rest gone or cut (the others fresh: the CLI's bundle stays the head's): built again.
  building ??= build().catch(() => {});
  return null;
}

/**
 * The CLI's module to load after the head start: its bundle when there is a fresh one, else the
 * sources' (a file URL).
 *
 * @param source The URL of src/cli/commands/main.ts.
 */
export function cliModule(source: string): string {
  return useBundles() ? `file://${CLI_BUNDLE}` : source;
}

/** Wait for a build of the bundles that this command started, if any. */
export function bunBytecodeBuilt(): Promise<void> {
  return building ?? Promise.resolve();
}

/** A bundle's build: its entry, its file, and the sources it leaves to be required as they are. */
interface Bundle {
  entry: string;
  file: string;
  /** The head start's modules, taken from the head's bundle (the CLI's bundle). */
  external: Set<string>;
}

/**
 * A bundle's build as bun_preload_split.ts asks for one (its types not imported: the head start's
 * modules are those head.ts reaches, types included: tests/cli/launch/head_state_test.ts).
 */
interface SplitBuild {
  entry: string;
  // deno-lint-ignore no-explicit-any
  plugin: any;
  banner?: string;
}

/** bun_preload_split.ts, loaded by the build only. */
interface SplitModule {
  buildSplitPreload(
    root: string,
    tmp: string,
    build: (b: SplitBuild, outdir: string) => Promise<Set<string>>,
    coreOut: string,
    restOut: string,
  ): Promise<Set<string>>;
}

/** A bundle built (its bytecode beside it), and where it goes. */
interface Output {
  from: string;
  file: string;
}

/** The head's bundle's name for each of its shared modules' namespaces (head_file.ts). */
const HEAD_MODULES = "__tphHeadModules";

/**
 * The head's modules whose state the rest of the CLI shares with the head start (from the root):
 * the process started early and its parse, the preloads chosen, the bundles' builds, the error
 * classes the CLI tells apart. The CLI's bundle takes these from `.bun_head.js` (one copy); the
 * head's other modules (files, process, intrinsics, the options…: constants, functions, and caches
 * any copy may fill) it bundles as its own copy, so that `.bun_head.js` keeps only what the head
 * start runs and these modules export (a whole namespace exported keeps its module whole: 93 → 63
 * KB, ~14 ms less of Bun's load before the spawn; docs/performance.md, s32 start).
 * tests/cli/launch/head_state_test.ts checks that every other head module holds no such state.
 */
export const HEAD_SHARED: readonly string[] = [
  "src/cli/launch/early_start.ts",
  "src/cli/launch/signals.ts",
  "src/cli/launch/run_error.ts",
  "src/cli/launch/bun_bytecode.ts",
  "src/cli/launch/deno_bundle.ts",
  "src/program/command.ts",
];

/** The head's modules (absolute, as the build named them) that the CLI's bundle takes from it. */
export function sharedOf(head: Set<string>): Set<string> {
  const shared = new Set<string>();
  for (const path of head) {
    if (HEAD_SHARED.some((p) => path.endsWith(`/${p}`))) shared.add(path);
  }
  if (shared.size !== HEAD_SHARED.length) throw new Error("the head's shared modules not found");
  return shared;
}

/**
 * The head's bundle's entry: head.ts's exports, and each of the head's shared modules' namespace
 * by its path.
 */
function headEntry(head: Set<string>): string {
  const paths = [...head];
  return [
    `export * from ${JSON.stringify(`${ROOT}src/cli/launch/head.ts`)};`,
    ...paths.map((p, i) => `import * as m${i} from ${JSON.stringify(p)};`),
    `export const ${HEAD_MODULES} = {`,
    ...paths.map((p, i) => `  ${JSON.stringify(p)}: m${i},`),
    "};",
    "",
  ].join("\n");
}

async function build(): Promise<void> {
  if (!takeBuildLock(LOCK)) return;
  const tmp = `${LOADER}.bun_bytecode.build-${pid()}`;
  try {
    remove(tmp);
    makeDir(tmp, 0o700);
    const started = Date.now();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), BUILD_MS).unref?.()
    );
    // The head start: head.ts's static imports (cli.ts loads it, then main.ts, by URL).
    const head = await Promise.race([
      graph(`${ROOT}src/cli/launch/head.ts`, `${tmp}/head`),
      timeout,
    ]);
    const shared = sharedOf(head);
    const headFile = `${tmp}/head_entry.js`;
    writeText(headFile, headEntry(shared));
    const inputs = new Set<string>([
      `${ROOT}cli.ts`,
      `${ROOT}src/cli/launch/head_file.ts`,
      ...head,
    ]);
    // The preload as its core and its rest, then the head and the CLI. bun_preload_split.ts from
    // its source, by a path the bundler leaves alone: not in the head start's bundle (+8 KB).
    const split = await import(`${ROOT}src/cli/launch/bun_preload_split.ts`) as SplitModule;
    const built = await Promise.race([
      split.buildSplitPreload(ROOT, tmp, (b, out) => bundle(b, out), `${tmp}/core`, `${tmp}/rest`),
      timeout,
    ]);
    for (const input of [...built, `${ROOT}src/cli/launch/bun_preload_split.ts`]) inputs.add(input);
    const outputs: Output[] = [
      { from: `${tmp}/core/core_entry.js`, file: PRELOAD_BUNDLE },
      { from: `${tmp}/rest/rest_entry.js`, file: PRELOAD_REST_BUNDLE },
    ];
    const bundles: Bundle[] = [
      { entry: headFile, file: HEAD_BUNDLE, external: new Set() },
      { entry: `${ROOT}src/cli/commands/main.ts`, file: CLI_BUNDLE, external: shared },
    ];
    for (const [i, b] of bundles.entries()) {
      const out = `${tmp}/${i}`;
      for (const input of await Promise.race([bundle(b, out), timeout])) {
        if (input !== headFile) inputs.add(input);
      }
      const entry = b.entry.slice(b.entry.lastIndexOf("/") + 1).replace(/\.ts$/, ".js");
      outputs.push({ from: `${out}/${entry}`, file: b.file });
    }
    const listed: Manifest["inputs"] = [];
    for (const input of inputs) {
      const st = fileStamp(input);
      // A source changed while they were built: the next command builds again.
      if (st === null || st.mtimeMs >= started || !input.startsWith(ROOT)) return;
      listed.push([input.slice(ROOT.length), st.size, st.mtimeMs]);
    }
    for (const o of outputs) {
      const name = o.file.slice(o.file.lastIndexOf("/") + 1);
      writeText(`${o.from}.map`, oneLineMap(name));
      rename(`${o.from}.jsc`, `${o.file}.jsc`);
      rename(`${o.from}.map`, `${o.file}.map`);
      rename(o.from, o.file);
    }
    const stamp = (o: Output): [string, number][] =>
      [o.file, `${o.file}.jsc`].map((file) => [file, fileStamp(file)?.size ?? -1]);
    // The rest's apart: head_file.ts checks six outputs before the head start loads.
    const [core, rest, ...others] = outputs;
    const sized = [core, ...others].flatMap(stamp);
    writeWhole(
      MANIFEST,
      JSON.stringify({ bun: bunKey(), inputs: listed, outputs: sized, rest: stamp(rest) }),
      `${tmp}/manifest`,
    );
  } finally {
    remove(tmp);
    remove(LOCK);
  }
}

/** The source files a module's static imports load (itself included), absolute. */
async function graph(entry: string, outdir: string): Promise<Set<string>> {
  const r = await bun.build({ entrypoints: [entry], target: "bun", metafile: true, outdir });
  if (!r.success) throw new Error("build failed");
  return inputsOf(r.metafile);
}

/** A build's sources, absolute (its metafile names them from the working folder). */
function inputsOf(metafile: { inputs: Record<string, unknown> }): Set<string> {
  const base = `file://${cwd().replace(/\/?$/, "/")}`;
  const out = new Set<string>();
  for (const p of Object.keys(metafile.inputs)) {
    out.add(p.startsWith("/") ? p : decodeURIComponent(new URL(p, base).pathname));
  }
  return out;
}

/**
 * A build's plugin that takes each of the head's modules from the head's bundle: one line each,
 * `module.exports` its namespace there (whose properties are the module's live bindings).
 */
function headModules(head: Set<string>) {
  return {
    name: "tph-head-start-modules",
    // deno-lint-ignore no-explicit-any
    setup(build: any) {
      build.onResolve({ filter: /\.bun_head\.js$/ }, (args: { path: string }) => ({
        path: args.path,
        external: true,
      }));
      build.onResolve({ filter: /^\.\.?\// }, (args: { path: string; importer: string }) => {
        const dir = args.importer.slice(0, args.importer.lastIndexOf("/"));
        const resolved = bun.resolveSync(args.path, dir);
        return head.has(resolved) ? { path: resolved, namespace: "tph-head" } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "tph-head" }, (args: { path: string }) => ({
        contents: `module.exports = require(${JSON.stringify(HEAD_BUNDLE)}).${HEAD_MODULES}[${
          JSON.stringify(args.path)
        }];`,
        loader: "js",
      }));
    },
  };
}

/** Build a bundle with its bytecode into `outdir`; the sources it holds. */
async function bundle(b: Bundle | SplitBuild, outdir: string): Promise<Set<string>> {
  const plugins = "plugin" in b
    ? [b.plugin]
    : b.external.size === 0
    ? []
    : [headModules(b.external)];
  const r = await bun.build({
    entrypoints: [b.entry],
    target: "bun",
    format: "cjs",
    bytecode: true,
    metafile: true,
    outdir,
    // Packages load from node_modules as they do from the sources.
    packages: "external",
    define: { "import.meta.url": "__tphOwnUrl" },
    banner: ("banner" in b ? b.banner : undefined) ?? BANNER,
    plugins,
  });
  if (!r.success) throw new Error("build failed");
  return inputsOf(r.metafile);
}
