// Build the JavaScript that the npm package ships (`lib/`, by `npm pack`'s prepack): tph's own
// TypeScript, from its entry points through everything they import or load by URL, with the
// types stripped by Node's own stripping (blanked in place: every line and column stays where it
// is in the source, so a stack of tph's own code reads as in the checkout) and the `.ts` of its
// relative specifiers made `.js` (the same length). Run by Node 24: `deno task build-npm`.
//
// tph's sources are erasable TypeScript (deno.json's erasableSyntaxOnly), which Node strips as
// they are; a file that is not fails the build, naming it.

import { stripTypeScriptTypes } from "node:module";
import { HEAD_SHARED } from "../src/cli/launch/bun_bytecode.ts";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { parseSync } from "oxc-parser";
import { STAMP, stampText } from "./lib_stamp.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "..");
const OUT = join(ROOT, "lib");

/**
 * The files the package starts from: the library and the CLI, and the modules tph loads by
 * URL (the traced program's preload, the parser's worker) — these are also found in the code.
 */
const ENTRIES = ["mod.ts", "cli.ts", "register.ts", "register_node.ts"];

/** A place in a file's text to change: `.ts` at the end of a specifier becomes `.js`. */
interface Edit {
  /** Offset of the `.ts`. */
  at: number;
}

type Node = { type?: string; [key: string]: unknown };

/** Where a module's comments stand: [start, end) offsets. */
type Span = { start: number; end: number };

/**
 * The relative `.ts` specifiers of a module, and where each one's `.ts` stands; and where its
 * comments are.
 */
function specifiers(
  path: string,
  text: string,
): { found: { target: string; edit: Edit }[]; comments: Span[]; templates: Span[] } {
  const parsed = parseSync(path, text, { lang: "ts", sourceType: "module" });
  if (parsed.errors.length > 0) {
    throw new Error(`${relative(ROOT, path)} does not parse: ${parsed.errors[0].message}`);
  }
  const found: { target: string; edit: Edit }[] = [];
  const templates: Span[] = [];
  const literal = (node: unknown) => {
    const n = node as { type?: string; value?: unknown; start: number; end: number } | null;
    if (n?.type !== "Literal" || typeof n.value !== "string") return;
    const value = n.value;
    if (!value.startsWith(".") || !value.endsWith(".ts")) return;
    // The literal's closing quote is its last character; `.ts` stands before it.
    found.push({ target: resolve(dirname(path), value), edit: { at: n.end - 4 } });
  };
  walkModule(parsed.program, literal, (n) => {
    if (n.type === "TemplateLiteral") {
      templates.push({ start: n.start as number, end: n.end as number });
    }
  });
  return { found, comments: parsed.comments, templates };
}

/**
 * Walk a parsed module: `ref` gets the specifier of each module it loads (`import`, `export … from`,
 * `import()`, `new URL("./x", import.meta.url)`), type-only imports and exports left out (the
 * stripping blanks them whole); `each` gets every node.
 */
function walkModule(program: unknown, ref: (source: unknown) => void, each?: (n: Node) => void) {
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    const n = node as Node;
    each?.(n);
    switch (n.type) {
      case "ImportDeclaration":
      case "ExportAllDeclaration":
      case "ExportNamedDeclaration":
        if (n.importKind !== "type" && n.exportKind !== "type") ref(n.source);
        break;
      case "ImportExpression":
        ref(n.source);
        break;
      case "NewExpression": {
        const callee = n.callee as Node;
        const args = n.arguments as Node[];
        if (callee?.type === "Identifier" && callee.name === "URL" && args.length === 2) {
          ref(args[0]);
        }
        break;
      }
    }
    for (const key in n) {
      if (key !== "type" && key !== "start" && key !== "end") walk(n[key]);
    }
  };
  walk(program);
}

/** Node's stripping, without its one-time ExperimentalWarning on the build's stderr. */
function strip(text: string): string {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(text, { mode: "strip" });
  } finally {
    process.emitWarning = emit;
  }
}

/**
 * Comments made blank, as the stripping blanks types: each character a space, each line break
 * kept, so that lines and columns stay. They were a third of the package, compressed (gzip
 * takes the blanks for next to nothing), and the program's side ships twice, as modules and
 * bundled (bundleChild).
 */
function blankComments(chars: string[], text: string, comments: Span[], path: string): void {
  for (const { start, end } of comments) {
    // Checked in the source: a comment inside a type is blank in the stripped text already.
    const opening = text.slice(start, start + 2);
    if (opening !== "//" && opening !== "/*") {
      throw new Error(`${relative(ROOT, path)}: no comment where one starts (${start})`);
    }
    for (let i = start; i < end; i++) {
      if (chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
    }
  }
}

/**
 * The blanks at the ends of lines taken out (those of blanked comments and types, and any other),
 * but in template literals, whose text they are: what stands on a line keeps its line and column.
 * Gzip takes runs of blanks for little, not nothing: a tenth of the package.
 */
function trimLineEnds(chars: string[], templates: Span[]): void {
  const inTemplate = (at: number) => templates.some((t) => t.start <= at && at < t.end);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== "\n") continue;
    let j = i - 1;
    if (chars[j] === "\r") j--;
    if (j < 0 || (chars[j] !== " " && chars[j] !== "\t") || inTemplate(j)) continue;
    while (j >= 0 && (chars[j] === " " || chars[j] === "\t")) chars[j--] = "";
  }
}

/** Compile every file reachable from the entries into `lib/`; returns the files written. */
export function build(): string[] {
  rmSync(OUT, { recursive: true, force: true });
  const seen = new Set<string>();
  const queue = ENTRIES.map((e) => join(ROOT, e));
  const written: string[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    // A checkout's bundles on Bun and Deno (own_files.ts names them; bun_bytecode.ts,
    // deno_bundle.ts): never in lib/.
    if (seen.has(path) || (path.includes("/.bun_") || path.includes("/.deno_"))) continue;
    seen.add(path);
    const text = readFileSync(path, "utf8");
    let js: string;
    try {
      js = strip(text);
    } catch (e) {
      throw new Error(`${relative(ROOT, path)}: ${(e as Error).message.split("\n")[0]}`);
    }
    const { found: edits, comments, templates } = specifiers(path, text);
    // Same length: the offsets in the source are the offsets in the stripped text.
    const chars = js.split("");
    blankComments(chars, text, comments, path);
    for (const { target, edit } of edits) {
      if (chars.slice(edit.at, edit.at + 3).join("") !== ".ts") {
        throw new Error(`${relative(ROOT, path)}: no ".ts" where a specifier ends (${edit.at})`);
      }
      chars[edit.at + 1] = "j";
      queue.push(target);
    }
    trimLineEnds(chars, templates);
    const out = join(OUT, relative(ROOT, path)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, chars.join(""));
    written.push(relative(ROOT, out));
  }
  return written.sort();
}

/** What the library, the register entry and the preloads take from the program's side. */
const PROGRAM_EXPORTS: [module: string, names: string[] | "*"][] = [
  // The preloads' module: all it exports.
  ["../child.js", "*"],
  ["../register.js", ["registerEntry"]],
  ["../trace.js", ["trace"]],
  ["../instrument/instrument.js", ["instrument"]],
  ["../recorder/recorder.js", ["runtime"]],
  ["../recorder/repr.js", ["formatError", "repr"]],
  ["../recorder/raw_run.js", [
    "convertRawRun",
    "readRawRun",
    "eachRecordedRow",
    "endedInTrace",
    "callNode",
  ]],
];

/** The modules that name a program-side module, and the bundle that stands for it there. */
const TO_BUNDLE: [file: string, from: string, to: string][] = [
  ["src/program/preload.js", "./child.js", "./loader/child_bundle.js"],
  ["src/program/node_preload.js", "./child.js", "./loader/child_bundle.js"],
  ["src/program/test_preload.js", "./child.js", "./loader/child_bundle.js"],
  ["register.js", "./src/program/register.js", "./src/program/loader/child_bundle.js"],
  ["register_node.js", "./src/program/register.js", "./src/program/loader/child_bundle.js"],
  ["mod.js", "./src/program/trace.js", "./src/program/loader/child_bundle.js"],
  ["mod.js", "./src/program/instrument/instrument.js", "./src/program/loader/child_bundle.js"],
  ["mod.js", "./src/program/recorder/recorder.js", "./src/program/loader/child_bundle.js"],
  ["mod.js", "./src/program/recorder/repr.js", "./src/program/loader/child_bundle.js"],
  // The CLI's converter of raw runs (read_runs.ts): the program's side, loaded when first needed.
  ["src/program/read_runs.js", "./recorder/raw_run.js", "./loader/child_bundle.js"],
];

/**
 * The traced program's side bundled into one file, `loader/child_bundle.js`, which the preloads,
 * the register entry and the library load instead of its ~100 modules: a program's process then
 * reads one module where it read ~100 (Node 24: `tph run hello.ts` 40 ms sooner, Deno 30 ms;
 * docs/performance.md), the library and a preload in one process share one recorder, and the
 * package ships the program's side once. tph's npm packages stay outside, loaded when first needed
 * as before (src/deps.ts). Paths worked out from a module's URL are all worked out in the bundle's
 * folder (src/program/loader/own_files.ts), so they hold in the bundle too. Bundled by the pinned
 * Bun, without comments or layout and with its syntax minified (names kept); a stack of tph's own
 * code in a program's process then names the bundle's lines.
 */
export function bundleChild(): string {
  const dir = join(OUT, "src/program");
  // In the folder of own_files.ts, whose URLs then hold in the bundle.
  const bundle = join(dir, "loader/child_bundle.js");
  const entry = join(dir, "loader/program_entry.js");
  writeFileSync(
    entry,
    PROGRAM_EXPORTS.map(([from, names]) =>
      names === "*"
        ? `export * from "${from}";\n`
        : `export { ${names.join(", ")} } from "${from}";\n`
    ).join(""),
  );
  const bun = join(ROOT, "node_modules/.bin/bun");
  const built = spawnSync(bun, [
    "build",
    entry,
    "--target=node",
    "--format=esm",
    "--packages=external",
    // Comments and layout out, and code written shorter where it means the same (names kept).
    "--minify-whitespace",
    "--minify-syntax",
    `--outfile=${bundle}`,
  ], { encoding: "utf8" });
  rmSync(entry);
  if (built.status !== 0) {
    throw new Error(`bundling the program's side failed: ${built.stderr || built.error}`);
  }
  for (const [name, from, to] of TO_BUNDLE) {
    const file = join(OUT, name);
    const text = readFileSync(file, "utf8");
    if (!text.includes(`"${from}"`)) throw new Error(`${name} no longer names "${from}"`);
    writeFileSync(file, text.replaceAll(`"${from}"`, `"${to}"`));
  }
  // Each name taken from the bundle must be one it exports (PROGRAM_EXPORTS): a module that
  // imports one more fails the build here, not a user's program.
  const exported = new Set(namesIn(bundle, "exports"));
  for (const name of new Set(TO_BUNDLE.map(([file]) => file))) {
    const missing = namesIn(join(OUT, name), "imports").filter((n) => !exported.has(n));
    if (missing.length > 0) {
      throw new Error(`${name} imports ${missing.join(", ")}, which the bundle does not export`);
    }
  }
  return relative(ROOT, bundle);
}

/**
 * A bundle rewritten in ASCII: each character past it, in a string, a template no tag reads, a
 * regular expression or a comment, written as its `\\u` escape (the same value). Bun writes
 * bundles in UTF-8 (a "…", the tree's "├──"), and V8 keeps the text of a module with any such
 * character as two bytes a character: the CLI's bundle (382 KB, 18 such lines) took ~290 page
 * faults more in each `tph run` on Node (docs/performance.md, dflt4). A character anywhere else (a
 * name) stops the build. Not the program's bundle: there the smaller heap moved V8's collections
 * and a default run of marked took ~1,000 faults more than it saved (the same section).
 */
export function asciiBundle(path: string): void {
  const text = readFileSync(path, "utf8");
  const parsed = parseSync(path, text, { lang: "js", sourceType: "module" });
  if (parsed.errors.length > 0) {
    throw new Error(`${relative(ROOT, path)} does not parse: ${parsed.errors[0].message}`);
  }
  // Where an escape means the same character: [start, end) offsets.
  const spans: Span[] = [...parsed.comments];
  const tagged = new Set<unknown>();
  walkModule(parsed.program, () => {}, (n) => {
    if (n.type === "TaggedTemplateExpression") tagged.add(n.quasi);
    else if (n.type === "Literal") spans.push({ start: n.start as number, end: n.end as number });
    else if (n.type === "TemplateLiteral" && !tagged.has(n)) {
      for (const q of n.quasis as Span[]) spans.push({ start: q.start, end: q.end });
    }
  });
  spans.sort((a, b) => a.start - b.start);
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out.push(text[i]);
      continue;
    }
    while (k < spans.length && spans[k].end <= i) k++;
    if (k === spans.length || spans[k].start > i) {
      const line = text.slice(0, i).split("\n").length;
      throw new Error(
        `${
          relative(ROOT, path)
        }:${line}: a character past ASCII outside a string, a template no tag reads, a regular expression or a comment`,
      );
    }
    // `\…` (an escape that means the character itself) becomes the escape alone.
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 1) out.pop();
    out.push("\\u" + c.toString(16).padStart(4, "0"));
  }
  writeFileSync(path, out.join(""));
}

/** lib/cli.js's modules that the CLI's bundles stand for, and the bundles (bundleCli). */
const CLI_MAIN = "./src/cli/commands/main.js";
const CLI_BUNDLE = "./src/cli/commands/main_bundle.js";
const CLI_HEAD = "./src/cli/launch/head.js";
const HEAD_BUNDLE = "./src/cli/commands/head_bundle.js";
/** Bundled modules that may read `import.meta` (its URL is then the bundle's: see bundleCli). */
const CLI_META_READERS = ["src/deps.js", "src/cli/setup/render_test_file.js"];

/** bundleCli's build, run by the pinned Bun (`bun -e`): TPH_LIB, TPH_HEAD_SHARED (.js paths). */
const CLI_BUNDLES_SCRIPT = `
const { dirname, relative, resolve } = require("node:path");
const { readFileSync, writeFileSync } = require("node:fs");
const lib = process.env.TPH_LIB, out = lib + "/src/cli/commands";
const SHARED = JSON.parse(process.env.TPH_HEAD_SHARED);
const abs = (p) => p.startsWith("/") ? p : resolve(process.cwd(), decodeURIComponent(p));
const rel = (p) => { const r = relative(out, p); return r.startsWith(".") ? r : "./" + r; };
// The head start: what lib/cli.js loads by URL first (src/cli/launch/head.js), and its imports.
const head = await Bun.build({ entrypoints: [lib + "/src/cli/launch/head.js"], target: "node",
  metafile: true, outdir: lib + "/.cli_head", packages: "external" });
if (!head.success) throw new Error(String(head.logs));
const headFiles = Object.keys(head.metafile.inputs).map(abs);
// Files of the head that read their own URL (or name it) stay files; the others shared are the
// head bundle's.
const files = new Set(headFiles.filter((p) => readFileSync(p, "utf8").includes("import.meta")));
const shared = new Map();
for (const p of headFiles) {
  const i = SHARED.findIndex((s) => p.endsWith("/" + s));
  if (i < 0 || files.has(p)) continue;
  const names = new Bun.Transpiler({ loader: "js" }).scan(readFileSync(p, "utf8")).exports;
  shared.set(p, { i, names });
}
if (shared.size + SHARED.filter((s) => headFiles.some((p) => files.has(p) && p.endsWith("/" + s))).length
  !== SHARED.length) throw new Error("the head's shared modules not found");
const entry = lib + "/.cli_head_entry.js";
writeFileSync(entry, [
  "export * from " + JSON.stringify(lib + "/src/cli/launch/head.js") + ";",
  ...[...shared].map(([p, { i, names }]) => "export { " +
    names.map((n) => n + " as __s" + i + "_" + n).join(", ") + " } from " + JSON.stringify(p) + ";"),
  "",
].join("\\n"));
const keepFiles = { name: "tph-head-files", setup(build) {
  build.onResolve({ filter: /head_bundle\\.js$/ }, (args) => ({ path: args.path, external: true }));
  // The program's side (read_runs.js loads it to make raw runs run files): its own file.
  build.onResolve({ filter: /child_bundle\\.js$/ }, (args) =>
    ({ path: rel(Bun.resolveSync(args.path, dirname(args.importer))), external: true }));
  build.onResolve({ filter: /^\\.\\.?\\// }, (args) => {
    const resolved = Bun.resolveSync(args.path, dirname(args.importer));
    if (files.has(resolved)) return { path: rel(resolved), external: true };
    if (build.config.entrypoints[0] !== entry && shared.has(resolved)) {
      return { path: resolved, namespace: "tph-head" };
    }
    return undefined;
  });
  build.onLoad({ filter: /.*/, namespace: "tph-head" }, (args) => {
    const { i, names } = shared.get(args.path);
    return { loader: "js", contents: "export { " +
      names.map((n) => "__s" + i + "_" + n + " as " + n).join(", ") + " } from \\"./head_bundle.js\\";" };
  });
} };
const bundled = [];
for (const [from, name] of [[entry, "head_bundle.js"], [out + "/main.js", "main_bundle.js"]]) {
  const r = await Bun.build({
    entrypoints: [from], target: "node", format: "esm", packages: "external",
    metafile: true, minify: { whitespace: true, syntax: true }, outdir: lib + "/.cli_bundle",
    naming: name, plugins: [keepFiles],
  });
  if (!r.success) throw new Error(String(r.logs));
  for (const p of Object.keys(r.metafile.inputs)) {
    if (!p.startsWith("tph-head:") && abs(p) !== entry) bundled.push(abs(p));
  }
  await Bun.write(out + "/" + name, Bun.file(lib + "/.cli_bundle/" + name));
}
console.log(JSON.stringify([...new Set(bundled)].map((p) => relative(lib, p))));
`;

/**
 * The CLI as two bundles in src/cli/commands/: `head_bundle.js`, its head start
 * (src/cli/launch/head.js and what it imports: what lib/cli.js loads before it starts the
 * program), and `main_bundle.js`, the rest, which lib/cli.js loads after. On Node each module costs
 * its resolution, load and link: the CLI's ~115 modules as one bundle took `tph run hello.ts`'s CLI
 * from 77 to 57 ms of CPU at load 4.5; the head start's ~23 as one file, before the spawn
 * (docs/performance.md, s32 start). As on Bun from a checkout (src/cli/launch/bun_bytecode.ts),
 * the head's modules holding state the rest shares (HEAD_SHARED: the process started early, the
 * preload chosen) are one copy: the head's bundle exports their names (`__s<i>_<name>`), and the
 * CLI's bundle re-exports them from it where it imports such a module; it bundles its own copy of
 * the head's other modules, and the head's bundle keeps only what the head runs and those export.
 * The head's modules that read `import.meta` (own_files.js, head_file.js: URLs of tph's own files)
 * stay files, imported by path; any other bundled module reads its own URL in the bundles' folder:
 * only those of CLI_META_READERS may read `import.meta` (resolving packages from there, or as
 * text), else the build stops. Bundled by the pinned Bun, as bundleChild.
 */
export function bundleCli(): string {
  const cli = join(OUT, "cli.js");
  const text = readFileSync(cli, "utf8");
  for (const named of [CLI_MAIN, CLI_HEAD]) {
    if (!text.includes(`"${named}"`)) throw new Error(`lib/cli.js no longer names "${named}"`);
  }
  const bun = join(ROOT, "node_modules/.bin/bun");
  const built = spawnSync(bun, ["-e", CLI_BUNDLES_SCRIPT], {
    encoding: "utf8",
    env: {
      ...process.env,
      TPH_LIB: OUT,
      TPH_HEAD_SHARED: JSON.stringify(HEAD_SHARED.map((p) => p.replace(/\.ts$/, ".js"))),
    },
  });
  for (const made of [".cli_head", ".cli_bundle", ".cli_head_entry.js"]) {
    rmSync(join(OUT, made), { recursive: true, force: true });
  }
  if (built.status !== 0) {
    throw new Error(`bundling the CLI failed: ${built.stderr || built.error}`);
  }
  const bundled = JSON.parse(built.stdout.trim().split("\n").pop()!) as string[];
  for (const file of bundled) {
    if (CLI_META_READERS.includes(file)) continue;
    if (readFileSync(join(OUT, file), "utf8").includes("import.meta")) {
      throw new Error(`${file} reads import.meta: bundled into the CLI's bundle, its URL changes`);
    }
  }
  asciiBundle(join(OUT, CLI_BUNDLE));
  asciiBundle(join(OUT, HEAD_BUNDLE));
  writeFileSync(
    cli,
    text.replaceAll(`"${CLI_MAIN}"`, `"${CLI_BUNDLE}"`).replaceAll(
      `"${CLI_HEAD}"`,
      `"${HEAD_BUNDLE}"`,
    ),
  );
  return relative(ROOT, join(OUT, CLI_BUNDLE));
}

/** The names a built module exports, or those it takes from the bundle (by import or re-export). */
function namesIn(path: string, which: "exports" | "imports"): string[] {
  const parsed = parseSync(path, readFileSync(path, "utf8"), { lang: "js", sourceType: "module" });
  const names: string[] = [];
  const nameOf = (n: unknown) => {
    const id = n as { name?: string; value?: string };
    return id.name ?? id.value ?? "";
  };
  for (const node of parsed.program.body as unknown as Node[]) {
    const source = (node.source as { value?: string } | null)?.value;
    const specifiers = (node.specifiers ?? []) as Node[];
    if (which === "exports" && node.type === "ExportNamedDeclaration") {
      for (const sp of specifiers) names.push(nameOf(sp.exported));
    } else if (which === "imports" && source?.endsWith("/child_bundle.js")) {
      for (const sp of specifiers) {
        if (sp.type === "ImportSpecifier") names.push(nameOf(sp.imported));
        else if (sp.type === "ExportSpecifier") names.push(nameOf(sp.local));
      }
    }
  }
  return names;
}

/**
 * The files of `lib/` that nothing loads any more (the program's side, now in the bundle)
 * removed: what the entries reach, by import, `import()` or `new URL(…, import.meta.url)`, stays.
 */
export function prune(): string[] {
  const seen = new Set<string>();
  const queue = ENTRIES.map((e) => join(OUT, e.replace(/\.ts$/, ".js")));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path) || (path.includes("/.bun_") || path.includes("/.deno_"))) continue;
    seen.add(path);
    const text = readFileSync(path, "utf8");
    for (const target of loads(path, text)) queue.push(target);
  }
  const kept: string[] = [];
  for (const file of listFiles(OUT)) {
    if (seen.has(file)) kept.push(relative(ROOT, file));
    else rmSync(file);
  }
  // The folders left empty.
  const folders = readdirSync(OUT, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => b.length - a.length);
  for (const folder of folders) {
    if (readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
  }
  return kept.sort();
}

/** The relative `.js` modules a built module loads. */
function loads(path: string, text: string): string[] {
  const parsed = parseSync(path, text, { lang: "js", sourceType: "module" });
  if (parsed.errors.length > 0) {
    throw new Error(`${relative(ROOT, path)} does not parse: ${parsed.errors[0].message}`);
  }
  const found: string[] = [];
  const literal = (node: unknown) => {
    const n = node as { type?: string; value?: unknown } | null;
    if (n?.type !== "Literal" || typeof n.value !== "string") return;
    if (n.value.startsWith(".") && n.value.endsWith(".js")) {
      found.push(resolve(dirname(path), n.value));
    }
  };
  walkModule(parsed.program, literal);
  return found;
}

/** Every file under a folder. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

if (import.meta.main) {
  // The sources' stamps as the build starts (a source changed during it leaves lib/ stale).
  const stamp = stampText(ROOT);
  rmSync(join(ROOT, STAMP), { force: true });
  build();
  bundleChild();
  bundleCli();
  const files = prune();
  writeFileSync(join(ROOT, STAMP), stamp);
  console.log(`wrote ${files.length} files to ${relative(process.cwd(), OUT) || "."}`);
}
