// tph on Deno from a checkout: its code as one JavaScript module each for the program's preload
// and for the CLI after its head start. Deno loads each of the preload's ~125 TypeScript modules
// as its emitted JavaScript with its source map inline (the TypeScript source in it): ~3.5 MB of
// text held by the program's process, where a bundle of them (`deno bundle`, ~0.6 MB) holds a
// fifth of it. `tph run hello.ts`'s process: 57 → 51 MB of RSS; marked recording every call peaks
// ~6 MB lower (docs/performance.md). The CLI's ~115 modules after its head start cost it their
// resolution and load each (docs/performance.md, dstart). As Bun's bytecode (bun_bytecode.ts),
// they are built by the Deno running tph, the first time a command finds them missing or older
// than a source they were built from (that command loads the sources, and tph waits for the build
// before it exits), into the folder of own_files.ts, whose URLs then hold as in the sources:
//
// - `.deno_preload.js`: src/program/preload.ts, its import of child.ts made one of
//   `.deno_preload_core.js`: child.ts bundled, tph's npm packages left to be imported. The call
//   of setupChild is in a module of its own: run while its module loads, the bundle's ~0.7 MB
//   module would be on the stack of every error made (Deno records each error's frames with their
//   places), and V8 parses a module again for the places of its frames (~11 ms: s37);
// - `.deno_head.js`: the head start (src/cli/launch/head.ts and its ~28 sources: what cli.ts loads
//   before it starts the program) as one module, which cli.ts imports when head_file.ts finds it
//   built (−17 to −25 ms of the CLI's CPU before the spawn against its sources: docs/performance.md,
//   s34 dsplit). It also exports, each under a name of its own (`__tph<i>_<name>`), what the CLI
//   takes from the head's modules holding state the rest shares (HEAD_SHARED, bun_bytecode.ts);
// - `.deno_cli.js`: src/cli/commands/main.ts bundled, but for those shared modules, which it
//   imports from `.deno_head.js` (the same modules, not copies holding state of their own: the
//   process started early, the preload chosen); the head's other modules it holds as its own copy,
//   as Bun's CLI bundle does. It is used only after the head start from `.deno_head.js`;
// - `.deno_bundle.json`: the Deno and the sources (size, modification time) they were built from,
//   and each bundle's size.
//
// Nothing is built where the checkout cannot be written.

import { fileStamp, makeDir, readText, remove, rename, writeText } from "../../platform/files.ts";
import { pid } from "../../platform/process.ts";
import { DENO_BUNDLE_FILES } from "../../program/command.ts";
import { sharedOf } from "./bun_bytecode.ts";
import {
  BUILD_MS,
  type BuildInput,
  inputsUnchanged,
  readManifest,
  takeBuildLock,
} from "./checkout_build.ts";

const {
  root: ROOT,
  preload: PRELOAD_SOURCE,
  bundle: BUNDLE,
  cliBundle: CLI_BUNDLE,
  cliBundleUrl: CLI_URL,
  cliEntryUrl: MAIN_URL,
} = DENO_BUNDLE_FILES;
const LOADER = BUNDLE.slice(0, BUNDLE.lastIndexOf("/") + 1);
const MANIFEST = `${LOADER}.deno_bundle.json`;
const HEAD_BUNDLE = `${LOADER}.deno_head.js`;
/** The bundle of child.ts that `.deno_preload.js` (BUNDLE) imports. */
const CORE_BUNDLE = `${LOADER}.deno_preload_core.js`;
const CHILD_SOURCE = `${ROOT}src/program/child.ts`;
const LOCK = `${LOADER}.deno_bundle.lock`;
/**
 * Whether this module runs from the head start's bundle (the CLI's bundle may then be used): the
 * bundle's entry says so when it loads ({@linkcode inHeadBundle}).
 */
let fromHeadBundle = false;

/** Called by `.deno_head.js`'s entry as it loads (fromHead): this copy is the head bundle's. */
export function inHeadBundle(): void {
  fromHeadBundle = true;
}

interface Manifest {
  deno: string;
  /** Each source (checkout_build.ts). */
  inputs: BuildInput[];
  /** The preload's entry's size (a cut or replaced file is stale). */
  size: number;
  /** The size of the bundle of child.ts it imports. */
  coreSize: number;
  /** The CLI's bundle's size. */
  cliSize: number;
  /** The head start's bundle's size (head_file.ts checks it before the head start loads). */
  headSize: number;
  /** How many of `inputs`, first, are the preload's (the rest are the CLI's but for them). */
  preloadInputs: number;
}

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno;

/** Whether each bundle is fresh: the preload's, the CLI's (null: not checked yet). */
const isFresh: [boolean | null, boolean | null] = [null, null];
let manifest: Manifest | null | undefined;

/**
 * Whether a bundle is there, built by this Deno from its sources as they are: the preload's
 * (`which` 0: the manifest's first `preloadInputs` sources) before the program's process starts,
 * the CLI's (1: those and the rest) after, each source checked once.
 */
function fresh(which: 0 | 1): boolean {
  const known = isFresh[which];
  if (known !== null) return known;
  isFresh[which] = false;
  if (which === 1 && !fresh(0)) return false;
  const m = manifest === undefined ? manifest = readManifest<Manifest>(MANIFEST) : manifest;
  if (m === null || m.deno !== deno.version.deno || !Array.isArray(m.inputs)) return false;
  const n = m.preloadInputs;
  if (typeof n !== "number" || n < 1 || n >= m.inputs.length) return false;
  const inputs = which === 0 ? m.inputs.slice(0, n) : m.inputs.slice(n);
  if (!inputsUnchanged(ROOT, inputs)) return false;
  if (fileStamp(which === 0 ? BUNDLE : CLI_BUNDLE)?.size !== (which === 0 ? m.size : m.cliSize)) {
    return false;
  }
  if (which === 0 && fileStamp(CORE_BUNDLE)?.size !== m.coreSize) {
    return false;
  }
  if (which === 1 && fileStamp(HEAD_BUNDLE)?.size !== m.headSize) return false;
  return isFresh[which] = true;
}

let building: Promise<void> | null = null;

/** From a checkout on Deno: whether to use a bundle, building both when it is stale. */
function useBundle(which: 0 | 1): boolean {
  if (deno === undefined || !PRELOAD_SOURCE.endsWith(".ts")) return false;
  if (fresh(which)) return true;
  building ??= build().catch(() => {});
  return false;
}

/**
 * The program's preload as one module, for a program run by this Deno; null when it is missing
 * or stale (then it is built, once: {@linkcode denoBundleBuilt}).
 *
 * @param preload The preload's source file.
 */
export function denoPreload(preload: string): string | null {
  return preload === PRELOAD_SOURCE && useBundle(0) ? BUNDLE : null;
}

/** Whether the process started early was given the bundle before its sources were checked. */
let chosenEarly = false;

/**
 * The program's preload for the process `tph run` starts early (early_start.ts): the bundle when
 * the manifest names this Deno and the bundle is there at its size, its ~127 sources not checked
 * yet (their stamps cost ~25–50 ms of wall at load, before the spawn: docs/performance.md, s32
 * start); else as {@linkcode denoPreload}. {@linkcode denoEarlyConfirmed} checks them after the
 * spawn, before the CLI takes that process.
 *
 * @param preload The preload's source file.
 */
export function denoPreloadEarly(preload: string): string | null {
  if (preload !== PRELOAD_SOURCE || deno === undefined || !PRELOAD_SOURCE.endsWith(".ts")) {
    return null;
  }
  if (isFresh[0] !== null || !bundleThere()) return denoPreload(preload);
  chosenEarly = true;
  return BUNDLE;
}

/** The manifest names this Deno and the preload's bundle is there at its size. */
function bundleThere(): boolean {
  const m = manifest === undefined ? manifest = readManifest<Manifest>(MANIFEST) : manifest;
  return m !== null && m.deno === deno.version.deno && Array.isArray(m.inputs) &&
    fileStamp(BUNDLE)?.size === m.size && fileStamp(CORE_BUNDLE)?.size === m.coreSize;
}

/**
 * Whether the program's process started early may run: false when it was given the bundle
 * ({@linkcode denoPreloadEarly}) and a source has changed since (then the CLI tells it to quit and
 * starts one with the sources, and the bundles are built again).
 */
export function denoEarlyConfirmed(): boolean {
  return !chosenEarly || useBundle(0);
}

/**
 * The CLI's module to load after the head start: on Deno from a checkout, its bundle when there
 * is a fresh one; else `source`.
 *
 * @param source The URL of the CLI's module after the head start (src/cli/commands/main.ts's).
 */
export function denoCliModule(source: string): string {
  return source === MAIN_URL && useBundle(1) && fromHeadBundle ? CLI_URL : source;
}

/**
 * Whether the bundles are built from the sources as they are (every source's stamp, each bundle's
 * size): cli.ts asks it after the spawn when it loaded the head start from `.deno_head.js`, which
 * head_file.ts chose by the manifest, the bundle's size and the head's entries alone; false: the
 * head start runs again from its sources.
 */
export function denoBundlesFresh(): boolean {
  return fresh(1);
}

/** Wait for a build of the bundle that this command started, if any. */
export function denoBundleBuilt(): Promise<void> {
  return building ?? Promise.resolve();
}

/** Run this Deno with `args`; its stdout, or an error when it fails or outlives BUILD_MS. */
async function denoOutput(args: string[]): Promise<string> {
  const child = new deno.Command(deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_MS);
  try {
    const out = await child.output();
    if (!out.success) throw new Error(`deno ${args[0]} failed`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    clearTimeout(timer);
  }
}

/** The checkout's own modules in `deno info --json`'s answer: absolute, packages left out. */
function localModules(info: string): string[] {
  const modules = (JSON.parse(info) as { modules?: { local?: string }[] }).modules ?? [];
  const out: string[] = [];
  for (const m of modules) {
    const local = m.local;
    if (typeof local !== "string" || !local.startsWith(ROOT)) continue;
    if (local.slice(ROOT.length).startsWith("node_modules/")) continue;
    out.push(local);
  }
  return out;
}

/** The packages of the checkout's package.json (dependencies of every kind). */
function packageNames(): string[] {
  const pkg = readManifest<Record<string, unknown>>(`${ROOT}package.json`) ?? {};
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    const deps = pkg[field];
    if (typeof deps === "object" && deps !== null) {
      for (const name of Object.keys(deps)) names.add(name);
    }
  }
  return [...names];
}

/**
 * The bundle's imports of the checkout's modules, which `deno bundle` writes as their absolute
 * paths (as `--external` named them), made relative to the bundle's folder, one of the checkout's.
 */
function relativeImports(text: string, folder: string): string {
  const up = "../".repeat(folder.slice(ROOT.length).split("/").length - 1);
  const quoted = JSON.stringify(ROOT).slice(0, -1);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^(?:import|export)\b/.test(line)) continue;
    const at = line.lastIndexOf(quoted);
    if (at > 0 && (line.startsWith(" from ", at - 6) || line.startsWith("import ", at - 7))) {
      lines[i] = `${line.slice(0, at)}"${up}${line.slice(at + quoted.length)}`;
    }
  }
  const out = lines.join("\n");
  // A package's module bundled in (not among the sources the manifest lists): no bundle to use.
  if (out.includes("\n// node_modules/")) throw new Error("a package bundled into the CLI");
  // Any other mention of the checkout's path, or an absolute import written otherwise (escaped):
  // no bundle to use.
  if (
    out.includes(quoted) ||
    /^(?:(?:import|export)\b.*? from |import\s*)"\/|\bimport\s*\(\s*"\//m.test(out)
  ) {
    throw new Error("an import the build cannot make relative");
  }
  return out;
}

async function build(): Promise<void> {
  if (!takeBuildLock(LOCK)) return;
  const tmp = `${LOADER}.deno_bundle.build-${pid()}`;
  try {
    remove(tmp);
    makeDir(tmp, 0o700);
    const started = Date.now();
    const out = `${tmp}/preload.js`;
    const coreOut = `${tmp}/core.js`;
    const cliOut = `${tmp}/cli.js`;
    const headOut = `${tmp}/head.js`;
    const cliSource = `${ROOT}src/cli/commands/main.ts`;
    // The sources they are made of: each entry's static imports (its dynamic ones too: every
    // local module the graph names); head.ts's are the head start's (cli.ts loads it by URL
    // after head_file.ts), left out of the CLI's bundle.
    const [preloadInfo, cliInfo, headInfo] = await Promise.all([
      denoOutput(["info", "--json", PRELOAD_SOURCE]),
      denoOutput(["info", "--json", cliSource]),
      denoOutput(["info", "--json", `${ROOT}src/cli/launch/head.ts`]),
    ]);
    const head = localModules(headInfo);
    const shared = [...sharedOf(new Set(head))];
    // `--packages=external` leaves out what a static import names; a package a dynamic import
    // names (protobufjs) is left out by its name.
    const packages = packageNames().flatMap((
      name,
    ) => [`--external=${name}`, `--external=${name}/*`]);
    await bundleSources(coreOut, out, cliOut, cliSource, shared, packages);
    const preloadInputs = new Set(localModules(preloadInfo));
    const inputs = new Set([
      ...preloadInputs,
      ...localModules(cliInfo),
      ...head,
      `${ROOT}cli.ts`,
      `${ROOT}src/cli/launch/head_file.ts`,
    ]);
    const listed: BuildInput[] = [];
    for (const local of inputs) {
      const st = fileStamp(local);
      // A source changed while they were built: the next command builds again.
      if (st === null || st.mtimeMs >= started) return;
      listed.push([local.slice(ROOT.length), st.size, st.mtimeMs]);
    }
    writeText(out, preloadEntry(readText(out)), { mode: 0o644 });
    const cli = fromHead(readText(cliOut), shared);
    writeText(cliOut, relativeImports(cli.text, LOADER), { mode: 0o644 });
    await bundleHead(tmp, cli.entry, headOut);
    const size = fileStamp(out)?.size;
    const coreSize = fileStamp(coreOut)?.size;
    const cliSize = fileStamp(cliOut)?.size;
    const headSize = fileStamp(headOut)?.size;
    if (
      listed.length === preloadInputs.size || size === undefined || cliSize === undefined ||
      headSize === undefined || coreSize === undefined
    ) return;
    rename(coreOut, CORE_BUNDLE);
    rename(out, BUNDLE);
    rename(cliOut, CLI_BUNDLE);
    rename(headOut, HEAD_BUNDLE);
    writeText(
      `${tmp}/manifest`,
      JSON.stringify({
        deno: deno.version.deno,
        inputs: listed,
        preloadInputs: preloadInputs.size,
        size,
        coreSize,
        cliSize,
        headSize,
      }),
      { mode: 0o644 },
    );
    rename(`${tmp}/manifest`, MANIFEST);
  } finally {
    remove(tmp);
    remove(LOCK);
  }
}

/**
 * `deno bundle` of the program's preload (child.ts into `coreOut`, preload.ts with child.ts left
 * out into `out`) and of the CLI after its head start (`cliSource`) into `cliOut` (the head's
 * `shared` modules and tph's npm `packages` left out).
 */
async function bundleSources(
  coreOut: string,
  out: string,
  cliOut: string,
  cliSource: string,
  shared: string[],
  packages: string[],
): Promise<void> {
  await Promise.all([
    denoOutput([
      "bundle",
      "--quiet",
      "--platform=deno",
      "--packages=external",
      "--output",
      coreOut,
      CHILD_SOURCE,
    ]),
    denoOutput([
      "bundle",
      "--quiet",
      "--platform=deno",
      "--packages=external",
      `--external=${CHILD_SOURCE}`,
      "--output",
      out,
      PRELOAD_SOURCE,
    ]),
    denoOutput([
      "bundle",
      "--quiet",
      "--platform=deno",
      "--packages=external",
      ...shared.map((m) => `--external=${m}`),
      ...packages,
      "--output",
      cliOut,
      cliSource,
    ]),
  ]);
}

/**
 * The preload's entry (`deno bundle` of preload.ts, child.ts left out): its import of child.ts made
 * one of the bundle beside it ({@linkcode CORE_BUNDLE}); nothing else may be imported.
 */
function preloadEntry(text: string): string {
  const child = JSON.stringify(CHILD_SOURCE);
  const core = JSON.stringify(`./${CORE_BUNDLE.slice(LOADER.length)}`);
  const lines = text.split("\n");
  let found = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^(?:import|export)\b/.test(line) || !line.includes(" from ")) continue;
    if (!line.endsWith(` from ${child};`)) throw new Error("the preload imports another module");
    lines[i] = `${line.slice(0, -child.length - 1)}${core};`;
    found++;
  }
  if (found === 0) throw new Error("the preload's entry does not import child.ts");
  return lines.join("\n");
}

/**
 * The CLI's bundle's imports of the head's shared modules (`shared`: absolute, as `--external`
 * named them) taken from `.deno_head.js` instead, each name as the head's bundle exports it
 * (`__tph<i>_<name>`, a live binding), and the head's bundle's entry that exports them so.
 */
function fromHead(text: string, shared: string[]): { text: string; entry: string } {
  const names = shared.map(() => new Set<string>());
  const whole = shared.map(() => false);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const at = shared.findIndex((p) => line.includes(JSON.stringify(p)));
    if (at < 0) continue;
    const from = JSON.stringify(shared[at]);
    const named = line.match(/^import \{([^}]*)\} from "[^"]*";$/);
    const star = line.match(/^import \* as ([\w$]+) from "[^"]*";$/);
    if (named !== null) {
      const specs = named[1].split(",").map((x) => x.trim()).filter((x) => x !== "").map((x) => {
        const [name, local] = x.split(/\s+as\s+/);
        names[at].add(name);
        return `__tph${at}_${name} as ${local ?? name}`;
      });
      lines[i] = `import { ${specs.join(", ")} } from "./.deno_head.js";`;
    } else if (star !== null) {
      whole[at] = true;
      lines[i] = `import { __tph${at} as ${star[1]} } from "./.deno_head.js";`;
    } else if (line === `import ${from};`) {
      lines[i] = `import "./.deno_head.js";`;
    } else {
      throw new Error("an import of the head start the build cannot take from its bundle");
    }
  }
  const entry = [
    `export * from ${JSON.stringify(`${ROOT}src/cli/launch/head.ts`)};`,
    `import { inHeadBundle } from ${JSON.stringify(`${ROOT}src/cli/launch/deno_bundle.ts`)};`,
    "inHeadBundle();",
  ];
  for (const [i, p] of shared.entries()) {
    const from = JSON.stringify(p);
    if (whole[i]) entry.push(`export * as __tph${i} from ${from};`);
    const list = [...names[i]].sort().map((n) => `${n} as __tph${i}_${n}`);
    if (list.length > 0) entry.push(`export { ${list.join(", ")} } from ${from};`);
  }
  return { text: lines.join("\n"), entry: `${entry.join("\n")}\n` };
}

/** The head start's bundle of `entry` (fromHead's) into `file`: the head's sources, all in it. */
async function bundleHead(tmp: string, entry: string, file: string): Promise<void> {
  const entryFile = `${tmp}/head_entry.js`;
  writeText(entryFile, entry, { mode: 0o644 });
  await denoOutput([
    "bundle",
    "--quiet",
    "--platform=deno",
    "--packages=external",
    "--output",
    file,
    entryFile,
  ]);
  // The entry's comment names the build's folder (its pid): the same sources build the same file.
  const text = readText(file).replace(/^\/\/ [^\n]*\/head_entry\.js$/m, "// head_entry.js");
  writeText(file, text, { mode: 0o644 });
  // A package or an import of the checkout's sources in it: no bundle to use.
  if (text.includes("\n// node_modules/") || text.includes(JSON.stringify(ROOT).slice(0, -1))) {
    throw new Error("the head start's bundle is not whole");
  }
  if (/^(?:import|export)\b[^\n]*\bfrom\s*"(?!node:)|^import\s*"(?!node:)/m.test(text)) {
    throw new Error("the head start's bundle imports a module");
  }
}
