// On Bun from a checkout, the preload's modules that `tph run` needs only now and then — the
// instrumenter (a transform-cache miss), Deno's and Node's loaders, the test runners' hooks, the
// tree's text, the stored runs — are a file of their own, `.bun_preload_rest.js`, loaded when one
// of their exports is first read (src/cli/launch/bun_preload_split.ts builds both files: the
// preload's bundle holds, for each of those modules, a stand-in made by restModule). A run whose
// files all come from the transform cache never loads it. The sources never import this module.
//
// The file is loaded the way Bun's require() loads a CommonJS file once it has found it (its
// bytecode too), through node:module's `.js` loader taken as the preload loads: never through the
// program's `Module.prototype.require`, `Module._load` or `Module._resolveFilename`, which the
// program may have replaced by then, nor into `require.cache`. What the file takes from the
// preload's bundle (the modules they share, Node's built-ins, its own URL) it reads from the
// module object it is loaded into (its banner: `module.__tphShared`), not from a require().

import process from "../../platform/node_process.ts";
import { apply, put } from "../../platform/intrinsics.ts";
import { Object } from "../../platform/globals.ts";

/** The shared modules' exports that the rest file reads, by their paths (the bundle's entry). */
type Namespaces = Record<string, Record<string, unknown>>;

/** What the rest file reads from the module object it is loaded into (its banner). */
export const SHARED_KEY = "__tphShared";

const REST_URL = new URL("./.bun_preload_rest.js", import.meta.url);
const REST_FILE = decodeURIComponent(REST_URL.pathname);

// deno-lint-ignore no-explicit-any
const nodeModule = process.getBuiltinModule("node:module") as any;
const ModuleClass = nodeModule.Module ?? nodeModule;
const loadJs = nodeModule._extensions[".js"];
const getBuiltinModule = process.getBuiltinModule;
const defineProperty = Object.defineProperty;

let shared: (() => Namespaces) | null = null;
let rest: Namespaces | null = null;

/**
 * The preload's bundle hands over its shared modules (a function: called when the rest file is
 * first loaded, when every module of the bundle has run).
 *
 * @param modules Gives, per shared module's path, the exports the rest file reads.
 */
export function shareCore(modules: () => Namespaces): void {
  shared = modules;
}

/** The rest file's modules' exports by their paths, loading it the first time. */
function restModules(): Namespaces {
  if (rest !== null) return rest;
  const m = new ModuleClass(REST_FILE);
  put(m, "filename", REST_FILE);
  put(m, SHARED_KEY, {
    __proto__: null,
    modules: (shared as () => Namespaces)(),
    builtin: (id: string) => apply(getBuiltinModule, process, [id]),
    url: REST_URL.href,
  });
  loadJs(m, REST_FILE);
  rest = m.exports.__tphRest as Namespaces;
  return rest;
}

/**
 * A rest module's stand-in in the preload's bundle: its exports, each read from the rest file
 * (loaded then) as the bundle reads it.
 *
 * @param path The module's path, as the rest file names it.
 * @param names Its exports.
 */
export function restModule(path: string, names: readonly string[]): object {
  const o = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    defineProperty(o, name, {
      __proto__: null,
      enumerable: true,
      get: () => restModules()[path][name],
    } as PropertyDescriptor);
  }
  return o;
}

/** Whether the rest file was loaded in this process (the tests ask, from the program). */
export function restLoaded(): boolean {
  return rest !== null;
}
