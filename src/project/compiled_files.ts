// Scope by source: `--scope src` (or an include glob naming sources) traces the compiled files
// whose maps point into it, wherever they are (`dist/main.js` with `dist/main.js.map` → `../src/
// main.ts`). Which files those are is found once, when the loader is set up, by looking for map
// files in the project (node_modules and dot folders left out, a bounded number of folders), so
// that the scope stays one test on a file's path (Bun filters by it natively). Only a map in a
// file beside its code is found so; a compiled file with an inline map is traced by its own path.

import { fileStamp, readDirKinds, readText } from "../platform/files.ts";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeScope, type ScopeOptions } from "./scope.ts";
import { Array, JSON, URL } from "../platform/globals.ts";

/** How many folders the search looks into at most. */
export const MAX_FOLDERS = 4000;
/** The largest map tph reads (a map is several times its code; a bigger one is left out). */
export const MAX_MAP_BYTES = 64 * 1024 * 1024;

/** Whether the scope already holds every compiled file the project could have. */
function coversRoot(root: string, scope: ScopeOptions): boolean {
  return scope.scope.some((d) => root === d || root.startsWith(d.endsWith("/") ? d : d + "/"));
}

/**
 * The compiled files under `root` outside the scope whose map (a `.map` file beside them) names
 * a source in it. Empty when the scope holds the whole root.
 *
 * @param root The project root.
 * @param scope The run's scope.
 * @returns Absolute paths of the files to trace as well.
 */
export function compiledFilesInScope(root: string, scope: ScopeOptions): string[] {
  if (coversRoot(root, scope)) return [];
  const inScope = makeScope(scope);
  const found: string[] = [];
  const queue: string[] = [root];
  let folders = 0;
  while (queue.length > 0 && folders < MAX_FOLDERS) {
    const dir = queue.pop()!;
    folders++;
    let entries: { name: string; kind: "dir" | "file" | "other" }[];
    try {
      entries = readDirKinds(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.kind === "dir") {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) queue.push(join(dir, e.name));
        continue;
      }
      if (e.kind !== "file" || !/\.[cm]?js\.map$/.test(e.name)) continue;
      const code = join(dir, e.name.slice(0, -4));
      if (inScope(code) || fileStamp(code) === null) continue;
      if (namesSourceIn(join(dir, e.name), inScope)) found.push(code);
    }
  }
  return found;
}

/** Whether a map file names a source the scope holds. */
function namesSourceIn(mapPath: string, inScope: (path: string) => boolean): boolean {
  const st = fileStamp(mapPath);
  if (st === null || st.size === 0 || st.size > MAX_MAP_BYTES) return false;
  let map: { sources?: unknown; sourceRoot?: unknown; sections?: unknown };
  try {
    map = JSON.parse(readText(mapPath));
  } catch {
    return false;
  }
  if (map === null || typeof map !== "object") return false;
  const maps = Array.isArray(map.sections)
    ? (map.sections as { map?: typeof map }[]).map((s) => s?.map).filter((m) => m != null)
    : [map];
  const base = pathToFileURL(mapPath);
  for (const m of maps) {
    if (!Array.isArray(m!.sources)) continue;
    const root = typeof m!.sourceRoot === "string" && m!.sourceRoot !== ""
      ? m!.sourceRoot.replace(/\/?$/, "/")
      : "";
    for (const source of m!.sources as unknown[]) {
      if (typeof source !== "string") continue;
      try {
        const url = new URL(root + source, base);
        if (url.protocol === "file:" && inScope(fileURLToPath(url))) return true;
      } catch {
        // Not a URL this can resolve: not a file of the project.
      }
    }
  }
  return false;
}
