-- Neovim in a terminal showing `tph lsp`'s inlay hints and diagnostics, for the README's picture
-- (tests/lsp/nvim_screen_test.ts runs it under tmux and captures the screen). Neovim 0.7 has no UI
-- for inlay hints (0.10 has): the hints are asked for through its LSP client and shown as virtual
-- text at the end of their lines, where 0.10 puts them. The command is in $TPH_LSP_CMD (a JSON
-- array), run in $TPH_LSP_ROOT; once the screen is drawn, "drawn" (or the error) is written to
-- $TPH_LSP_OUT.
local function report(text)
  local f = io.open(os.getenv("TPH_LSP_OUT"), "w")
  f:write(text)
  f:close()
end

vim.o.laststatus = 0
vim.o.ruler = false
vim.o.showmode = false
vim.o.shortmess = vim.o.shortmess .. "F"
vim.cmd("syntax on")
-- The hint says what the diagnostic says: the diagnostic is shown by its sign and underline.
vim.diagnostic.config({ virtual_text = false })
vim.cmd("highlight TphHint ctermfg=245 cterm=italic")
vim.cmd("highlight SignColumn ctermbg=NONE")

local ok, err = pcall(function()
  local id = vim.lsp.start_client({
    name = "tph",
    cmd = vim.fn.json_decode(os.getenv("TPH_LSP_CMD")),
    root_dir = os.getenv("TPH_LSP_ROOT"),
  })
  vim.lsp.buf_attach_client(0, id)
  local client = vim.lsp.get_client_by_id(id)
  if not vim.wait(30000, function() return client.initialized end, 50) then
    error("the server did not initialize within 30 s")
  end
  if not vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50) then
    error("no diagnostics within 30 s")
  end
  local hints = vim.lsp.buf_request_sync(0, "textDocument/inlayHint", {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 10000, character = 0 } },
  }, 20000)
  if not (hints and hints[id] and hints[id].result) then error("no inlay hints within 20 s") end
  local ns = vim.api.nvim_create_namespace("tph_hints")
  for _, h in ipairs(hints[id].result) do
    vim.api.nvim_buf_set_extmark(0, ns, h.position.line, 0, {
      virt_text = { { h.label, "TphHint" } },
      virt_text_pos = "eol",
      priority = 200,
    })
  end
  vim.cmd("redraw!")
end)
report(ok and "drawn" or ("error: " .. tostring(err)))
