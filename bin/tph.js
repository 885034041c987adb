#!/usr/bin/env node
// The `tph` command of the npm package: tph's CLI on the runtime that runs this file (Node, or
// Deno with `deno run -A npm:tph`, or Bun). Plain enough for any Node, so that an old one is told
// what to do in one line instead of failing on newer syntax.

const MINIMUM = [22, 15];
const g = globalThis;

if (g.Deno === undefined && g.Bun === undefined) {
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
import("../lib/cli.js").catch((e) => {
  if (e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("lib/cli.js")) {
    return import("../cli.ts");
  }
  throw e;
}).catch((e) => {
  process.stderr.write("tph: cannot start: " + (e && e.message ? e.message : String(e)) + "\n");
  process.exitCode = 1;
});
