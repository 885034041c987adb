// `tph lsp` under a real LSP client: Neovim's (0.7 from Debian's packages, or later), headless,
// driven by tests/lsp/nvim/drive.lua on a project with a stored run, with tph on Deno, Bun and
// Node. Skipped where no `nvim` is installed (.ci/run installs it).

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
        assert.match(hint?.label ?? "", /^×4 · \(sku="plum", count=5\) !! RangeError/);
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
