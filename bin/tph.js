#!/bin/sh
':' //; exec "$(command -v node || command -v bun || echo node)" "$0" "$@"
// The `tph` command of the npm package: tph's CLI on the runtime that runs this file. Started as a
// command, the shell line above runs it with Node, or with Bun where there is no Node; `deno run -A
// npm:tph` runs it on Deno, `bun tph.js` on Bun. Started by Bun's tooling (`bunx tph`, a script
// that `bun run` runs), it runs on that Bun even where Node is found first. Plain enough for any
// Node, so that an old one is told what to do in one line instead of failing on newer syntax.

const MINIMUM = [22, 15];
const g = globalThis;

/** Bun's executable, when Bun's tooling started this on another runtime. */
function startedByBun() {
  const env = process.env;
  const agent = env.npm_config_user_agent || "";
  return agent.startsWith("bun/") && env.npm_execpath ? env.npm_execpath : null;
}

async function main() {
  if (g.Deno === undefined && g.Bun === undefined) {
    const bun = startedByBun();
    if (bun !== null) {
      const { spawnSync } = await import("node:child_process");
      const r = spawnSync(bun, [process.argv[1], ...process.argv.slice(2)], { stdio: "inherit" });
      if (r.error === undefined) {
        if (r.signal) process.kill(process.pid, r.signal);
        process.exit(r.status ?? 1);
      }
    }
    const version = String(process.versions.node || "0.0.0");
    const [major, minor] = version.split(".").map(Number);
    if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
      process.stderr.write(
        "tph: Node.js " + MINIMUM.join(".") + " or newer is needed (this is " + version +
          "): install a newer Node.js, or run tph with Bun (bunx tph ...) or Deno " +
          "(deno run -A npm:tph ...)\n",
      );
      process.exit(1);
    }
  }
  // In a checkout, its sources where the runtime runs TypeScript (Node strips types from 22.18
  // on; lib/ may be older than them); else the package's compiled CLI (npm/build.ts).
  const { existsSync } = await import("node:fs");
  const sources = new URL("../cli.ts", import.meta.url);
  const typescript = g.Deno !== undefined || g.Bun !== undefined ||
    Boolean(process.features && process.features.typescript);
  const checkout = typescript && existsSync(sources);
  if (g.Deno === undefined && g.Bun === undefined) {
    // Node's compile cache on before the CLI's modules load, not after (src/platform/compile_cache.ts).
    const cache = checkout
      ? new URL("../src/platform/compile_cache.ts", import.meta.url).href
      : "../lib/src/platform/compile_cache.js";
    (await import(cache)).enableCompileCache();
  }
  if (checkout) await import(sources.href);
  else await import("../lib/cli.js");
}

main().catch((e) => {
  process.stderr.write("tph: cannot start: " + (e && e.message ? e.message : String(e)) + "\n");
  process.exitCode = 1;
});
