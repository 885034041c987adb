// Node's loader: node:module's registerHooks (Node ≥ 22.15) hands the load hook every module Node
// loads, for `import` and `require()` alike, with the source Node read and the format it decided
// (`module`, `commonjs`, and for TypeScript `module-typescript` / `commonjs-typescript`, whose
// source is the raw TypeScript). An in-scope file is instrumented as it is and handed back in its
// format: Node strips the types of a TypeScript one as it does without tph (its stripping blanks
// types in place, so no line or column moves), on the same path (a module's syntax error shows
// the same frames of Node's); a file Node would refuse (an enum in strip-only mode) goes back as
// it came, to be refused the same way.

import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { disguise, rememberModule } from "./original_text.ts";
import { installNodeStacks, rememberColumns } from "./node_stacks.ts";
import { transformModule } from "./transform.ts";
import { stripTypes } from "./node_strip.ts";
import { findInlineMap } from "../instrument/_positions.ts";
import { type LoaderSetup, warnNotTraced } from "./setup.ts";
import type { Manifest, ManifestFile } from "./manifest.ts";
import { readAt } from "../../platform/files.ts";
import { ArrayBuffer, TextDecoder, Uint8Array } from "../../platform/globals.ts";
import { stackTraceLimit, strStartsWith, withStackTraceLimit } from "../../platform/intrinsics.ts";

/** What Node's load hook is given and gives back. */
interface Hook {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Hook;

/**
 * The formats of JavaScript and TypeScript sources, and the language tph parses each as. Node's
 * CommonJS loader asks with `typescript` for a `.ts` file whose module format it has yet to
 * decide, and with no format for a `.js` one (then the file's extension says).
 */
const LANGS: Record<string, "js" | "ts"> = {
  module: "js",
  commonjs: "js",
  "module-typescript": "ts",
  "commonjs-typescript": "ts",
  typescript: "ts",
};
const LANG_BY_EXTENSION = /\.(?:([cm]?js)|([cm]?ts))$/;

/** The language of a module Node loads, or undefined when it is no JavaScript or TypeScript. */
function langOf(format: string | null | undefined, path: string): "js" | "ts" | undefined {
  if (format != null) return LANGS[format];
  const m = LANG_BY_EXTENSION.exec(path);
  return m === null ? undefined : m[1] !== undefined ? "js" : "ts";
}

// What can make Node refuse a TypeScript file in strip-only mode: enums, namespaces and modules
// with values, parameter properties (in a constructor), `import x =` and `export =`. Only a file
// where one of these words stands is stripped here to learn whether Node will refuse it.
const MAYBE_REFUSED =
  /\benum\s|\bnamespace\s|\bmodule\s+[\w$"'{]|\bconstructor\s*\(|\bimport\s+(?:type\s+)?[\w$]+\s*=|\bexport\s*=/;

/**
 * Whether Node will refuse a TypeScript file in strip-only mode: then it goes back as it came, to
 * be refused as without tph (the same message, showing the file as written).
 */
function refused(source: string): boolean {
  if (!MAYBE_REFUSED.test(source)) return false;
  try {
    stripTypes(source);
    return false;
  } catch {
    return true;
  }
}

/**
 * The rewritten code with the source's own inline source map, where the instrumenter fitted it to
 * the rewriting: Node (with source maps on) looks up the positions tph's stack formatting gives,
 * which are the compiled file's (node_stacks.ts), as an external map beside the file does.
 *
 * @param code The rewritten code.
 * @param source The code as Node read it.
 */
function ownInlineMap(code: string, source: string): string {
  if (code.lastIndexOf("sourceMappingURL=data:") < 0) return code;
  const fitted = findInlineMap(code);
  const own = fitted === null ? null : findInlineMap(source);
  return fitted === null || own === null ? code : code.slice(0, fitted.at) + source.slice(own.at);
}

/**
 * The file as the manifest knows it, when the source Node's load gave is the file's own bytes
 * (decoded as the hook decodes them), else null: another hook before tph's may give a changed
 * source for a file whose size and time stay the same, and a key taken by the file's stamp would
 * then find the entry of what it gave before. The file's stamp is taken before its bytes are read.
 *
 * @param manifest The last run's manifest.
 * @param path The file.
 * @param source The source as the hook got it.
 * @param decoder The hook's decoder.
 */
function ownFile(
  manifest: Manifest,
  path: string,
  source: string,
  decoder: TextDecoder,
): ManifestFile | undefined {
  const file = manifest.fileNow(path);
  if (file === null) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = readAt(path, 0, file.size);
  } catch {
    return undefined;
  }
  return decoder.decode(bytes) === source ? file : undefined;
}

/** Told of each built-in a module loads (its `node:` URL) before it loads (follow.ts), or null. */
let builtinSeen: ((url: string) => void) | null = null;
/** Whether the load hook is installed. */
let hooked = false;

/**
 * Be told of each built-in the program loads (`require`, `import`), before the module that loads
 * it gets it: Node hands the load hook built-ins too.
 *
 * @param seen Called with the built-in's URL (`node:child_process`).
 * @returns false when no load hook is installed (nothing will be told).
 */
export function onBuiltinLoad(seen: (url: string) => void): boolean {
  if (!hooked) return false;
  builtinSeen = seen;
  return true;
}

/** This file, whose hook's frames a stack leaves out, and how many there are. */
const HOOK_FILE = import.meta.url;
const HIDDEN_FRAMES = 2;

/**
 * Install the load hook.
 *
 * @param setup What every runtime's loader shares (register.ts).
 */
export function installNodeLoader(setup: LoaderSetup): void {
  installNodeStacks(disguise, HOOK_FILE);
  let instrumenting = false;
  const decoder = new TextDecoder();
  const load = (url: string, context: unknown, nextLoad: NextLoad): Hook => {
    if (builtinSeen !== null && strStartsWith(url, "node:")) builtinSeen(url);
    // Resolved and read: what Node would run without tph. An error Node throws there has this
    // hook's frame and the one that called it in its stack, which tph's stack formatting leaves
    // out (node_stacks.ts): two more frames are captured, so that the stack still shows as many.
    const limit = stackTraceLimit();
    const next = () => nextLoad(url, context);
    const result: Hook = typeof limit !== "number"
      ? next()
      : withStackTraceLimit(limit + HIDDEN_FRAMES, next, next);
    // A module loaded while tph instruments one is tph's own (the parser, loaded when first
    // needed, and what it loads): never traced, whatever the scope says.
    if (instrumenting || !url.startsWith("file:") || result.source == null) return result;
    const path = fileURLToPath(url);
    const lang = langOf(result.format, path);
    if (lang === undefined || !setup.inScope(path)) return result;
    const source = typeof result.source === "string"
      ? result.source
      : decoder.decode(result.source as Uint8Array);
    setup.counted();
    let code: string;
    let columns: string | null;
    instrumenting = true;
    try {
      const manifest = setup.manifest;
      ({ code, columns } = transformModule(source, {
        ...setup.transformOptions(path, lang),
        columnTable: true,
        known: manifest === null ? undefined : ownFile(manifest, path, source, decoder),
      }));
    } catch (e) {
      warnNotTraced(setup.moduleName(path), e);
      return result;
    } finally {
      instrumenting = false;
    }
    if (code === source || (lang === "ts" && refused(source))) return result;
    rememberModule({
      source,
      filename: path,
      lang,
      module: setup.moduleName(path),
      externalCalls: setup.options.externalCalls,
      nodeStripped: lang === "ts",
    });
    rememberColumns(path, columns ?? "");
    return { format: result.format, source: ownInlineMap(code, source), shortCircuit: true };
  };
  // Looked up at run time: Bun's node:module has no registerHooks export.
  // deno-lint-ignore no-explicit-any
  const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
  registerHooks({ load });
  hooked = true;
}
