// Prints, as one JSON object keyed by file URL, the JavaScript that Deno's module loader hands a
// node:module load hook for each file named on the command line: for TypeScript that is Deno's
// transpiled output with its inline source map, what tph instruments on Deno. The files do not
// run: the hook answers each with an empty module.
//
//   deno run -A tests/program/instrument/_deno_transpiled.ts a.ts b.tsx

import * as nodeModule from "node:module";
import process from "node:process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface LoadResult {
  format?: string;
  source?: string | Uint8Array;
}
// Looked up at run time, as src/program/loader/deno.ts does.
const registerHooks = (nodeModule as unknown as {
  registerHooks: (hooks: {
    load: (
      url: string,
      context: unknown,
      next: (url: string, context: unknown) => LoadResult,
    ) => LoadResult & { shortCircuit?: boolean };
  }) => void;
}).registerHooks;

const urls = process.argv.slice(2).map((f) => pathToFileURL(resolve(f)).href);
const wanted = new Set(urls);
const out: Record<string, string> = {};
registerHooks({
  load(url, context, next) {
    const result = next(url, context);
    if (!wanted.has(url)) return result;
    const source = result.source;
    out[url] = typeof source === "string" ? source : new TextDecoder().decode(source);
    return { format: "module", source: "", shortCircuit: true };
  },
});
for (const url of urls) await import(url);
console.log(JSON.stringify(out));
