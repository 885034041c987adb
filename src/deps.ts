// The npm packages tph's instrumenter needs, loaded relative to tph's own folder.
//
// Why not plain bare imports: in a traced Deno program the main module is the user's, so Deno
// resolves bare specifiers against the USER's config (a deno.json without package.json has no
// node_modules resolution) and `import "oxc-parser"` inside tph would fail. A require anchored at
// this file finds tph's own node_modules on Deno and Bun alike. The standalone binary bundles
// the packages instead and hands them over through `globalThis.__tph_deps` (see bin.ts).

import { createRequire } from "node:module";
import type * as OxcParser from "oxc-parser";
import type * as TraceMapping from "@jridgewell/trace-mapping";

/** The packages, as bin.ts presets them. */
export interface Deps {
  oxc: typeof OxcParser;
  traceMapping: typeof TraceMapping;
}

// deno-lint-ignore no-explicit-any
const preset = (globalThis as any).__tph_deps as Deps | undefined;
const load = preset ? null : createRequire(import.meta.url);

/** oxc-parser. */
export const oxc: typeof OxcParser = preset?.oxc ?? load!("oxc-parser");
/** @jridgewell/trace-mapping. */
export const traceMapping: typeof TraceMapping = preset?.traceMapping ??
  load!("@jridgewell/trace-mapping");
