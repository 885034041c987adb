// Node's loader: node:module's registerHooks (Node ≥ 22.15) hands the load hook every module Node
// loads, for `import` and `require()` alike, with the source Node read and the format it decided
// (`module`, `commonjs`, and for TypeScript `module-typescript` / `commonjs-typescript`, whose
// source is the raw TypeScript). An in-scope file is instrumented as it is, a TypeScript one then
// stripped of its types with Node's own stripping (node_strip.ts: types blanked in place, so no
// line or column moves), and handed back as JavaScript; a file Node would refuse (an enum in
// strip-only mode) goes back as it came, to be refused the same way.

import * as nodeModule from "node:module";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { disguise, rememberModule } from "./original_text.ts";
import { installNodeStacks, rememberColumns } from "./node_stacks.ts";
import { transformModule } from "./transform.ts";
import { stripTypes } from "./node_strip.ts";
import type { LoaderSetup } from "./setup.ts";

/** What Node's load hook is given and gives back. */
interface Hook {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Hook;

/** The formats of JavaScript and TypeScript sources, and the language tph parses each as. */
const LANGS: Record<string, "js" | "ts"> = {
  module: "js",
  commonjs: "js",
  "module-typescript": "ts",
  "commonjs-typescript": "ts",
};

/** The format of a module once its types are stripped. */
const JS_FORMAT: Record<string, string> = {
  module: "module",
  commonjs: "commonjs",
  "module-typescript": "module",
  "commonjs-typescript": "commonjs",
};

/**
 * Install the load hook.
 *
 * @param setup What every runtime's loader shares (register.ts).
 */
export function installNodeLoader(setup: LoaderSetup): void {
  installNodeStacks(disguise);
  const decoder = new TextDecoder();
  const load = (url: string, context: unknown, nextLoad: NextLoad): Hook => {
    // Resolved and read: what Node would run without tph.
    const result = nextLoad(url, context);
    if (!url.startsWith("file:")) return result;
    const format = result.format ?? "";
    const lang = LANGS[format];
    if (lang === undefined || result.source == null) return result;
    const path = fileURLToPath(url);
    if (!setup.inScope(path)) return result;
    const source = typeof result.source === "string"
      ? result.source
      : decoder.decode(result.source as Uint8Array);
    setup.counted();
    let code: string;
    let columns: string | null;
    try {
      ({ code, columns } = transformModule(source, {
        ...setup.transformOptions(path, lang),
        columnTable: true,
      }));
    } catch (e) {
      // The program runs either way: this file's calls are not recorded.
      process.stderr.write(
        `tph: warning: ${setup.moduleName(path)} is not traced: ${(e as Error).message}\n`,
      );
      return result;
    }
    if (code === source) return result;
    if (lang === "ts") {
      // Stripped here, as Node would strip it: a file Node refuses goes back untouched, for Node
      // to refuse it as without tph (the same message, showing the file as written).
      try {
        code = stripTypes(code);
      } catch {
        return result;
      }
    }
    rememberModule({
      source,
      filename: path,
      lang,
      module: setup.moduleName(path),
      externalCalls: setup.options.externalCalls,
      nodeStripped: lang === "ts",
    });
    rememberColumns(path, columns ?? "");
    return { format: JS_FORMAT[format], source: code, shortCircuit: true };
  };
  // Looked up at run time: Bun's node:module has no registerHooks export.
  // deno-lint-ignore no-explicit-any
  const registerHooks = (nodeModule as any).registerHooks as (hooks: object) => void;
  registerHooks({ load });
}
