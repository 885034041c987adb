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
import type * as SourcemapCodec from "@jridgewell/sourcemap-codec";

/** The packages, as bin.ts presets them. */
export interface Deps {
  oxc: typeof OxcParser;
  traceMapping: typeof TraceMapping;
  sourcemapCodec: typeof SourcemapCodec;
}

// Loaded on first use: a traced run whose files are all in the transform cache never parses, and
// oxc costs ~15 ms to load on Deno (its native addon, its JS, and node:fs that it pulls in).
let loaded: Deps | null = null;

function deps(): Deps {
  if (loaded === null) {
    // deno-lint-ignore no-explicit-any
    const preset = (globalThis as any).__tph_deps as Deps | undefined;
    if (preset !== undefined) loaded = preset;
    else {
      const load = createRequire(import.meta.url);
      loaded = {
        oxc: load("oxc-parser"),
        traceMapping: load("@jridgewell/trace-mapping"),
        sourcemapCodec: load("@jridgewell/sourcemap-codec"),
      };
    }
  }
  return loaded;
}

/** oxc-parser. */
export function oxc(): typeof OxcParser {
  return deps().oxc;
}

/** @jridgewell/trace-mapping. */
export function traceMapping(): typeof TraceMapping {
  return deps().traceMapping;
}

/** @jridgewell/sourcemap-codec. */
export function sourcemapCodec(): typeof SourcemapCodec {
  return deps().sourcemapCodec;
}
