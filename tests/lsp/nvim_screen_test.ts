// The README's picture of Neovim showing tph lsp's inlay hints and a diagnostic, made here: Neovim
// (Debian's 0.7, or later) in a terminal under tmux, driven by tests/lsp/nvim/screen.lua on the
// shop example's stored run, its screen captured (tmux capture-pane) and drawn as SVG. The test
// fails when the picture in docs/ shows other text than Neovim shows now; run it with
// TPH_WRITE_PICTURE=1 to write the picture again. Skipped where nvim or tmux is not installed.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { DENO_TARGET, exec, REPO, tph } from "../cli/commands/_cli.ts";
import { pictureText, screenText, terminalSvg } from "./_terminal_svg.ts";

const which = (cmd: string) =>
  spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).stdout.trim();
const NVIM = which("nvim");
const TMUX = which("tmux");
/** The picture the README shows. */
const PICTURE = join(REPO, "docs/images/neovim-hints.svg");
const COLUMNS = 112, ROWS = 24;

Deno.test({
  name: "the README's picture: Neovim in a terminal showing tph lsp's hints, made from a real run",
  ignore: NVIM === "" || TMUX === "",
  async fn() {
    const dir = mkdtempSync(join(tmpdir(), "tph-screen-"));
    // A tmux server of this test's own (its socket in the temporary folder), killed at the end.
    const socket = join(dir, "tmux.sock");
    const tmux = (args: string[]) =>
      exec([TMUX, "-S", socket, ...args], { cwd: dir, timeoutMs: 20_000 });
    try {
      cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
      const cache = join(dir, "cache");
      const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], {
        cwd: dir,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const out = join(dir, "drawn.txt");
      const env: Record<string, string> = {
        TPH_LSP_CMD: JSON.stringify([...DENO_TARGET.tph, "lsp", "--cache-dir", cache]),
        TPH_LSP_ROOT: dir,
        TPH_LSP_OUT: out,
      };
      const nvim = [
        NVIM,
        "-u",
        "NONE",
        "-i",
        "NONE",
        "-n",
        "-c",
        `luafile ${join(REPO, "tests/lsp/nvim/screen.lua")}`,
        "shop/inventory.ts",
      ].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
      const started = await tmux([
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-c",
        dir,
        "-x",
        String(COLUMNS),
        "-y",
        String(ROWS),
        ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
        nvim,
      ]);
      assert.equal(started.code, 0, started.stderr);
      // screen.lua reports once its screen is drawn (each of its waits ends within 30 s).
      const deadline = Date.now() + 90_000;
      while (!existsSync(out) || readFileSync(out, "utf8") === "") {
        assert.ok(Date.now() < deadline, "Neovim did not draw its screen within 90 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(readFileSync(out, "utf8"), "drawn");
      const captured = await tmux(["capture-pane", "-p", "-e", "-N", "-t", "0"]);
      assert.equal(captured.code, 0, captured.stderr);
      const text = screenText(captured.stdout);
      // What the picture must show: the hints at the functions, the failing call's error.
      assert.match(
        text,
        /reserve\(sku: string, count: number\): number \{ ×4 · \(sku…\) !! RangeError: Not enough plum: wanted 5, have 1$/m,
      );
      assert.match(
        text,
        /constructor\(initial: Record<string, number>\) \{ ×1 · \(initial=\{ apple: 10/,
      );
      // Its sign: an information diagnostic ("I") at reserve.
      assert.match(text, /^I +reserve\(/m);
      const svg = terminalSvg(
        captured.stdout,
        COLUMNS,
        "Neovim showing tph lsp's inlay hints: how many calls, the last or failing call's arguments and result",
      );
      if (Deno.env.get("TPH_WRITE_PICTURE") === "1") writeFileSync(PICTURE, svg);
      const shown = existsSync(PICTURE) ? pictureText(readFileSync(PICTURE, "utf8")) : null;
      assert.equal(
        shown,
        pictureText(svg),
        "docs/images/neovim-hints.svg shows other text than Neovim shows now: write it again " +
          "with TPH_WRITE_PICTURE=1 deno test -A tests/lsp/nvim_screen_test.ts",
      );
    } finally {
      await tmux(["kill-server"]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
