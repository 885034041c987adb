// `tph lsp` under a real LSP client: Neovim's (0.7 from Debian's packages, or later), headless,
// driven by tests/lsp/nvim/drive.lua on a project with a stored run, with tph on Deno, Bun and
// Node. Skipped where no `nvim` is installed (.ci/run installs it).

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import {
  BUN_TARGET,
  DENO_TARGET,
  exec,
  NODE_TARGET,
  REPO,
  type Target,
  tph,
} from "../cli/commands/_cli.ts";

const NVIM = spawnSync("sh", ["-c", "command -v nvim"], { encoding: "utf8" }).stdout.trim();

interface Driven {
  client?: boolean;
  initialized?: boolean;
  server?: boolean;
  published?: number;
  diagnostics?: { line: number; severity: number; message: string }[];
  hover?: string;
  hints?: { position: { line: number }; label: string }[];
  lenses?: { line: number; title: string }[];
  tree?: string;
  runs?: number;
  stopped?: boolean;
  error?: string;
}

for (const t of [DENO_TARGET, BUN_TARGET, NODE_TARGET] as Target[]) {
  Deno.test({
    name:
      `tph lsp under Neovim's LSP client: diagnostics, hover, hints, a code lens's tree (${t.name})`,
    ignore: NVIM === "",
    async fn() {
      const dir = mkdtempSync(join(tmpdir(), "tph-nvim-"));
      try {
        cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
        const cache = join(dir, "cache");
        const ran = await tph(t, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
        assert.equal(ran.code, 0, ran.stderr);
        const file = join(dir, "shop/inventory.ts");
        const lines = readFileSync(file, "utf8").split("\n");
        const line = lines.findIndex((l) => l.includes("reserve(sku"));
        const col = lines[line].indexOf("reserve") + 1;
        const out = join(dir, "out.json");
        const r = await exec(
          [
            NVIM,
            "--headless",
            "--clean",
            "-n",
            "-c",
            `luafile ${join(REPO, "tests/lsp/nvim/drive.lua")}`,
            file,
          ],
          {
            cwd: dir,
            env: {
              ...t.env,
              TPH_LSP_CMD: JSON.stringify([...t.tph, "lsp", "--cache-dir", cache]),
              TPH_LSP_ROOT: dir,
              TPH_LSP_OUT: out,
              TPH_LSP_LINE: String(line),
              TPH_LSP_COL: String(col),
            },
            // Past each wait of drive.lua (30 s at most, then it reports): a hang of Neovim itself.
            timeoutMs: 180_000,
          },
        );
        const got = JSON.parse(readFileSync(out, "utf8")) as Driven;
        assert.equal(got.error, undefined, `${got.error}\n${r.stderr}`);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(got.initialized, true);
        assert.equal(got.server, true);
        // Neovim's handler took the diagnostics: one, information, at reserve.
        assert.deepEqual(got.diagnostics, [{
          line,
          severity: 3,
          message: "1 of 4 calls threw: RangeError: Not enough plum: wanted 5, have 1",
        }]);
        assert.match(got.hover ?? "", /\*\*Inventory\.reserve\*\* — 4 calls, 1 threw/);
        const hint = got.hints?.find((h) => h.position.line === line);
        assert.equal(hint?.label, "×4 · (sku…) !! RangeError: Not enough plum: wanted 5, have 1");
        assert.ok(got.lenses?.some((l) => l.line === line && /4 calls/.test(l.title)));
        assert.match(
          got.tree ?? "",
          /^└── Inventory\.reserve\(sku="plum", count=5\) !! RangeError/,
        );
        assert.equal(got.runs, 1);
        assert.equal(got.stopped, true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}

interface Shown {
  shown?: { line: number; text: string }[];
  edited?: { line: number; text: string }[];
  newer?: { line: number; text: string }[];
  error?: string;
}

Deno.test({
  name:
    "editors/nvim/lua/tph.lua, set up as docs/cli.md says, shows the hints at their lines in Neovim 0.7 and later, after an edit, and of a new run",
  ignore: NVIM === "",
  async fn() {
    const t = DENO_TARGET;
    const dir = mkdtempSync(join(tmpdir(), "tph-nvim-module-"));
    try {
      cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
      const cache = join(dir, "cache");
      const ran = await tph(t, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
      assert.equal(ran.code, 0, ran.stderr);
      const file = join(dir, "shop/inventory.ts");
      const lines = readFileSync(file, "utf8").split("\n");
      const at = (text: string) => lines.findIndex((l) => l.includes(text));
      // The documented set-up: the module on the runtime path, then setup (here with the command
      // of the tph under test).
      const cmd = [...t.tph, "lsp", "--cache-dir", cache];
      const init = join(dir, "init.lua");
      writeFileSync(
        init,
        `vim.opt.runtimepath:append(${JSON.stringify(join(REPO, "editors/nvim"))})\n` +
          `require("tph").setup({ cmd = { ${cmd.map((a) => JSON.stringify(a)).join(", ")} } })\n`,
      );
      const out = join(dir, "out.json");
      const running = exec(
        [
          NVIM,
          "--headless",
          "-u",
          init,
          "-i",
          "NONE",
          "-n",
          "-c",
          `luafile ${join(REPO, "tests/lsp/nvim/hints.lua")}`,
          file,
        ],
        {
          cwd: dir,
          env: {
            ...t.env,
            XDG_CONFIG_HOME: join(dir, "config"),
            XDG_DATA_HOME: join(dir, "data"),
            TPH_LSP_OUT: out,
            TPH_LSP_NEWER: "wanted 6, have 1",
          },
          timeoutMs: 180_000,
        },
      );
      // Once hints.lua has seen the hints and the edit: another run, with other values.
      const deadline = Date.now() + 120_000;
      let done = false;
      running.finally(() => done = true);
      while (!existsSync(`${out}.ready`) && !done) {
        assert.ok(Date.now() < deadline, "Neovim showed no hints within 120 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!done) {
        writeFileSync(
          join(dir, "shop/main.ts"),
          readFileSync(join(dir, "shop/main.ts"), "utf8").replace("count: 5", "count: 6"),
        );
        const again = await tph(t, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
        assert.equal(again.code, 0, again.stderr);
      }
      const r = await running;
      const got = JSON.parse(readFileSync(out, "utf8")) as Shown;
      assert.equal(got.error, undefined, `${got.error}\n${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      const ctor = at("constructor(initial"), reserve = at("reserve(sku");
      const hintsOf = (shown: Shown["shown"], shift = 0) => {
        const byLine = new Map((shown ?? []).map((h) => [h.line - shift, h.text]));
        return [byLine.get(ctor), byLine.get(reserve)];
      };
      const [c, res] = hintsOf(got.shown);
      assert.match(c ?? "", /^×1 · \(initial=\{ apple: 10/);
      // Cut at the server's 60 characters, the error kept whole.
      assert.equal(res, "×4 · (sku…) !! RangeError: Not enough plum: wanted 5, have 1");
      // A line typed above: the same hints, a line down.
      assert.deepEqual(hintsOf(got.edited, 1), [c, res]);
      // Another run stored: its values, where the edited buffer has the functions.
      assert.match(hintsOf(got.newer, 1)[1] ?? "", /!! RangeError: Not enough plum: wanted 6/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
