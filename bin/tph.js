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
  // The package's compiled CLI (npm/build.ts); in a checkout that has not built it, the sources.
  try {
    await import("../lib/cli.js");
  } catch (e) {
    if (!(e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("lib/cli.js"))) {
      throw e;
    }
    await import("../cli.ts");
  }
}

main().catch((e) => {
  process.stderr.write("tph: cannot start: " + (e && e.message ? e.message : String(e)) + "\n");
  process.exitCode = 1;
});
