// Node's module compile cache for tph's own modules (and, in the program's process, the program's:
// node_preload.ts), in the user's own cache folder. Node compiles every module anew at each start
// (tph's CLI ~25 ms, the program's side 10–30 ms): with the cache on, the next starts read them
// compiled. Node's own default folder is `/tmp/node-compile-cache`, which whoever comes first on
// the machine makes and others then read compiled code from: tph uses `node-compile-cache` in its
// user cache folder (`$XDG_CACHE_HOME/tph`, else `~/.cache/tph`), only when that folder exists and
// is private (made 0700 by the first `tph run`; see privateDir), else none. A folder the user
// chose (NODE_COMPILE_CACHE) or a cache turned off (NODE_DISABLE_COMPILE_CACHE) is the user's.
// Nothing here on Deno and Bun, and no node: import (Deno: ~4 ms each): it runs first thing in the
// CLI, before the modules it compiles load.

/**
 * Turn Node's compile cache on, in tph's private cache folder; nothing on Deno and Bun, or where
 * that folder is missing or not private.
 */
export function enableCompileCache(): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno !== undefined || g.Bun !== undefined) return;
  try {
    const process = g.process;
    const nodeModule = process.getBuiltinModule("node:module");
    if (nodeModule.enableCompileCache === undefined) return;
    const env = process.env;
    if (env.NODE_DISABLE_COMPILE_CACHE !== undefined) return;
    // Node has turned it on in the user's folder already.
    if (env.NODE_COMPILE_CACHE !== undefined) return;
    const dir = privateCacheDir(process);
    if (dir !== null) nodeModule.enableCompileCache(`${dir}/node-compile-cache`);
  } catch {
    // A folder that cannot be written: Node compiles as usual.
  }
}

/** tph's user cache folder when it exists, is a folder (not a link) and only this user writes it. */
// deno-lint-ignore no-explicit-any
function privateCacheDir(process: any): string | null {
  const env = process.env;
  const xdg: string | undefined = env.XDG_CACHE_HOME;
  const home: string | undefined = env.HOME;
  const base = xdg !== undefined && xdg.startsWith("/")
    ? xdg
    : home !== undefined && home.startsWith("/")
    ? `${home.replace(/\/$/, "")}/.cache`
    : null;
  if (base === null) return null;
  const dir = `${base}/tph`;
  const fs = process.getBuiltinModule("node:fs");
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) return null;
  const uid = typeof process.getuid === "function" ? process.getuid() : null;
  if (uid !== null && st.uid !== uid) return null;
  if ((st.mode & 0o022) !== 0) return null;
  return dir;
}
