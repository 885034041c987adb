// A speedscope export opened in the speedscope viewer from its npm package, in headless
// Chromium: the viewer loads the file and lists the program's functions, with file and line.
// Needs a Chromium (CI installs Debian's); without one the test is ignored, and says so.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { assertCode, DENO_TARGET, exec, FIXTURES, REPO, tempDir, tph } from "../commands/_cli.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .find((p) => existsSync(p));
const VIEWER = join(REPO, "node_modules/speedscope/dist/release");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

Deno.test({
  name: `speedscope's viewer opens a tph export and shows its functions${
    CHROMIUM === undefined ? " (no Chromium here: ignored)" : ""
  }`,
  ignore: CHROMIUM === undefined,
  async fn() {
    await using dir = tempDir({ p: join(FIXTURES, "exports") });
    const cwd = join(dir.path, "p");
    assertCode(await tph(DENO_TARGET, ["run", "main.ts"], { cwd }), 0, "tph run");
    const out = join(cwd, "trace.speedscope.json");
    const exported = await tph(DENO_TARGET, [
      "export",
      "last",
      "--format",
      "speedscope",
      "-o",
      out,
    ], { cwd });
    assertCode(exported, 0, "tph export --format speedscope");
    // The viewer and the profile, from one local server (the viewer fetches the profile).
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const file = path === "/profile.json" ? out : join(VIEWER, path);
      if (!file.startsWith(VIEWER) && file !== out || !existsSync(file)) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // The sandwich view lists every function in a table: text in the page, not a canvas.
      const r = await exec([
        CHROMIUM!,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=10000",
        "--dump-dom",
        `${base}/index.html#profileURL=${base}/profile.json&view=sandwich`,
      ], { cwd, timeoutMs: 90_000 });
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      for (const fn of ["main (main.ts:26)", "fetchUser (main.ts:5)", "fib (main.ts:17)"]) {
        assert.ok(r.stdout.includes(fn), `"${fn}" on the viewer's page`);
      }
      assert.ok(r.stdout.includes("main: main.ts"), "the profile's name (the main track)");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
});
